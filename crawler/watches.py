"""Keyword watches: match new articles, notify through Apprise, publish an Atom feed.

Matching is on the folded text (NFKC, Simplified script, no punctuation), so 醫保 in a
Traditional mirror matches a watch on 医保. Notification is at-least-once: a failed send is
kept with its error and retried after the next crawl.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import sqlite_utils

from crawler.config import Config, Watch
from crawler.notifications import send
from crawler.textnorm import fold_for_matching
from storage import watches as sql

ATOM = "http://www.w3.org/2005/Atom"


def first_match(watch: Watch, article: dict) -> str | None:
    """The first keyword of the watch found in the article, unless an excluded word is there too."""
    text = fold_for_matching(" ".join(filter(None, (article.get("title"), article.get("body_simplified")
                                                   or article.get("body")))))
    if any(fold_for_matching(word) in text for word in watch.exclude):
        return None
    return next((word for word in watch.keywords if fold_for_matching(word) in text), None)


def check_watches(db: sqlite_utils.Database, config: Config, *, only_failed: bool = False) -> dict[str, dict]:
    """Match what was stored since the last check and send what is unsent (`only_failed`: only
    resend what failed before). Returns watch -> {"sent": hits delivered, "error": why not}."""
    results = {}
    for watch in config.watches:
        if not only_failed:
            articles = sql.new_articles(db, watch.name, watch.sources)
            if articles:
                matches = [(a["id"], kw) for a in articles if (kw := first_match(watch, a))]
                sql.record_matches(db, watch.name, matches, articles[-1]["id"])
        hits = sql.claim_unsent(db, watch.name, only_failed=only_failed)
        if not hits:
            continue
        error = notify(watch, hits, config.timezone) if watch.notify else None
        sql.mark_sent(db, watch.name, [h["id"] for h in hits], error)
        results[watch.name] = {"sent": 0 if error else len(hits), "error": error}
    return results


def notify(watch: Watch, hits: list[dict], timezone_name: str) -> str | None:
    """One message per watch and crawl; returns why a service refused it, if one did."""
    lines = [f"{h['title'] or h['url']}\n{h['published'] or ''} {h['publisher'] or h['source']} [{h['keyword']}]\n"
             f"{h['url']}" for h in hits[:20]]
    if len(hits) > 20:
        lines.append(f"… and {len(hits) - 20} more")
    title = f"healthwatch: {len(hits)} new article{'s' if len(hits) > 1 else ''} for {watch.name}"
    return send(watch.notify, title, "\n\n".join(lines))


def atom_feed(entries: list[dict], *, title: str, feed_id: str) -> bytes:
    """An Atom 1.0 document of articles, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    updated = max((e["first_seen_at"] for e in entries), default=None)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated or datetime.now(timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    for e in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = e["title"] or e["url"]
        ET.SubElement(entry, f"{{{ATOM}}}id").text = e["url"]
        ET.SubElement(entry, f"{{{ATOM}}}link", href=e["url"])
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = e["first_seen_at"]
        if e["published"]:
            ET.SubElement(entry, f"{{{ATOM}}}published").text = _rfc3339(e["published"])
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = e["publisher"] or e["source"]
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = (e["body"] or "")[:300]
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _rfc3339(published: str) -> str:
    """Atom wants a full date-time; a date alone becomes midnight Beijing time."""
    return published if "T" in published else f"{published}T00:00:00+08:00"
