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


def check_watches(db: sqlite_utils.Database, config: Config, *, only_failed: bool = False,
                  new_watch_from: str | None = None, names: list[str] | None = None) -> dict[str, dict]:
    """Match what was stored since the last check and send what is unsent (`only_failed`: only
    resend what failed before). `new_watch_from`: see storage.watches.new_articles.
    Returns watch -> {"sent": hits and edits delivered, "error": why not}."""
    results = {}
    for watch in config.watches:
        if names and watch.name not in names:
            continue
        if not only_failed:
            articles = sql.new_articles(db, watch.name, watch.sources, new_watch_from=new_watch_from)
            match_and_record(db, watch, articles, last_id=articles[-1]["id"] if articles else 0)
            if watch.on_edit:
                sql.record_new_edits(db, watch.name)
        sent, errors = 0, []
        hits = sql.claim_unsent(db, watch.name, only_failed=only_failed)
        if hits:
            error = notify(watch, hits) if watch.notify else None
            sql.mark_sent(db, watch.name, [h["id"] for h in hits], error)
            sent, errors = (sent, [*errors, error]) if error else (sent + len(hits), errors)
        edits = sql.claim_unsent_edits(db, watch.name, only_failed=only_failed) if watch.on_edit else []
        if edits:
            error = notify_edits(watch, edits) if watch.notify else None
            sql.mark_edits_sent(db, watch.name, [e["revision_id"] for e in edits], error)
            sent, errors = (sent, [*errors, error]) if error else (sent + len(edits), errors)
        if hits or edits:
            results[watch.name] = {"sent": sent, "error": "; ".join(errors) or None}
    return results


def match_and_record(db: sqlite_utils.Database, watch: Watch, articles: list[dict], last_id: int = 0) -> int:
    """Record the articles that match the watch; returns how many did."""
    matches = [(a["id"], kw) for a in articles if (kw := first_match(watch, a))]
    if matches or last_id:
        sql.record_matches(db, watch.name, matches, last_id)
    return len(matches)


def backfill(db: sqlite_utils.Database, watch: Watch, since: str) -> int:
    """Match the articles published (or stored) since `since`, as if the watch had existed then."""
    sql.new_articles(db, watch.name, watch.sources)  # a new watch gets its starting point first
    return match_and_record(db, watch, sql.articles_since(db, watch.sources, since))


def keyword_snippet(article: dict, keyword: str) -> str | None:
    """The keyword in context, from the title or body as stored (or its Simplified copy)."""
    for text in (article.get("title"), article.get("body"), article.get("body_simplified")):
        found = sql.snippet(text or "", keyword)
        if found:
            return found
    return None


def notify(watch: Watch, hits: list[dict]) -> str | None:
    """One message per watch and crawl, each hit with its keyword in context; returns why a
    service refused it, if one did."""
    lines = []
    for h in hits[:20]:
        context = keyword_snippet(h, h["keyword"])
        lines.append(f"{h['title'] or h['url']}\n{h['published'] or ''} {h['publisher'] or h['source']} "
                     f"[{h['keyword']}]\n" + (f"{context}\n" if context else "") + h["url"])
    if len(hits) > 20:
        lines.append(f"… and {len(hits) - 20} more")
    title = f"healthwatch: {len(hits)} new article{'s' if len(hits) > 1 else ''} for {watch.name}"
    return send(watch.notify, title, "\n\n".join(lines))


def notify_edits(watch: Watch, edits: list[dict]) -> str | None:
    """on_edit: a matched article was edited; what changed, from the revision's diff."""
    lines = []
    for edit in edits[:20]:
        changed = [line for line in (edit["diff"] or "").splitlines()
                   if line[:1] in "+-" and not line.startswith(("+++", "---"))][:6]
        lines.append(f"{edit['title'] or edit['url']} (revision {edit['revision']})\n" + "\n".join(changed)
                     + f"\n{edit['url']}")
    title = f"healthwatch: {len(edits)} matched article{'s' if len(edits) > 1 else ''} edited for {watch.name}"
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
