"""SQL for keyword watches: which articles matched which watch, edits of matched articles, and
what was sent."""
from __future__ import annotations

import os

import sqlite_utils

from storage.db import write_transaction
from storage.store import utc_now

ARTICLE_COLUMNS = "id, url, source, title, published, publisher, body, body_simplified, first_seen_at"


def new_articles(db: sqlite_utils.Database, watch: str, sources: list[str], *,
                 new_watch_from: str | None = None) -> list[dict]:
    """Articles stored since the watch last looked. A watch seen for the first time starts after
    the articles stored before `new_watch_from` (the start of the crawl that is checking; default:
    now), so adding one never floods the channel with the archive, while a watch written before
    the first crawl still matches that crawl's articles. `--since` backfills on purpose."""
    row = db.execute("SELECT last_article_id FROM watch_state WHERE watch = ?", [watch]).fetchone()
    if row is None:
        if new_watch_from:
            start = db.execute("SELECT coalesce(max(id), 0) FROM articles WHERE first_seen_at < ?",
                               [new_watch_from]).fetchone()[0]
        else:
            start = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
        revisions = db.execute("SELECT coalesce(max(id), 0) FROM article_revisions").fetchone()[0]
        with write_transaction(db):
            db.execute("INSERT OR IGNORE INTO watch_state (watch, last_article_id, last_revision_id) VALUES (?, ?, ?)",
                       [watch, start, revisions])
        row = db.execute("SELECT last_article_id FROM watch_state WHERE watch = ?", [watch]).fetchone()
    where = "id > ?" + (" AND source IN (%s)" % ",".join("?" * len(sources)) if sources else "")
    return list(db.query(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {where} ORDER BY id", [row[0], *sources]))


def articles_since(db: sqlite_utils.Database, sources: list[str], since: str) -> list[dict]:
    """Backfill: articles published (or, undated, stored) on or after `since` (ISO date or time)."""
    where = "coalesce(nullif(published, ''), first_seen_at) >= ?" + (
        " AND source IN (%s)" % ",".join("?" * len(sources)) if sources else "")
    return list(db.query(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {where} ORDER BY id", [since, *sources]))


def record_matches(db: sqlite_utils.Database, watch: str, matches: list[tuple[int, str]], last_id: int) -> None:
    now = utc_now()
    with write_transaction(db):
        for article_id, keyword in matches:
            db.execute("INSERT OR IGNORE INTO watch_hits (watch, article_id, keyword, matched_at) VALUES (?, ?, ?, ?)",
                       [watch, article_id, keyword, now])
        db.execute("UPDATE watch_state SET last_article_id = max(last_article_id, ?) WHERE watch = ?",
                   [last_id, watch])


def claim_unsent(db: sqlite_utils.Database, watch: str, *, only_failed: bool = False) -> list[dict]:
    """Hits not yet notified (or whose sending failed), claimed by this process so that two
    crawls finishing together do not both send them."""
    claim = f"sending:{os.getpid()}"
    failed = " AND error IS NOT NULL" if only_failed else ""
    with write_transaction(db):
        db.execute(f"UPDATE watch_hits SET notified_at = ? WHERE watch = ? AND notified_at IS NULL{failed}",
                   [claim, watch])
    return list(db.query(
        "SELECT a.id, a.url, a.source, a.title, a.published, a.publisher, a.body, a.body_simplified, h.keyword "
        "FROM watch_hits h JOIN articles a ON a.id = h.article_id WHERE h.watch = ? AND h.notified_at = ? "
        "ORDER BY a.id", [watch, claim]))


def mark_sent(db: sqlite_utils.Database, watch: str, article_ids: list[int], error: str | None) -> None:
    """Sent: stamp the time. Failed: release the claim and keep the error, to try again next time."""
    with write_transaction(db):
        for article_id in article_ids:
            db.execute("UPDATE watch_hits SET notified_at = ?, error = ? WHERE watch = ? AND article_id = ?",
                       [None if error else utc_now(), error, watch, article_id])


# -- on_edit: revisions of matched articles -----------------------------------------------------

def record_new_edits(db: sqlite_utils.Database, watch: str) -> int:
    """Revisions (edits) of articles this watch matched, since it last looked; returns how many."""
    row = db.execute("SELECT last_revision_id FROM watch_state WHERE watch = ?", [watch]).fetchone()
    if row is None:
        return 0
    now = utc_now()
    with write_transaction(db):
        newest = db.execute("SELECT coalesce(max(id), 0) FROM article_revisions").fetchone()[0]
        if row[0] is None:  # a watch from before on_edit existed: from now on, not the past's edits
            db.execute("UPDATE watch_state SET last_revision_id = ? WHERE watch = ?", [newest, watch])
            return 0
        added = db.execute(
            "INSERT OR IGNORE INTO watch_edits (watch, revision_id, article_id, matched_at) "
            "SELECT ?, r.id, r.article_id, ? FROM article_revisions r JOIN watch_hits h "
            "ON h.article_id = r.article_id AND h.watch = ? WHERE r.id > ? AND r.revision > 0",
            [watch, now, watch, row[0] or 0]).rowcount
        db.execute("UPDATE watch_state SET last_revision_id = ? WHERE watch = ?", [newest, watch])
    return added


def claim_unsent_edits(db: sqlite_utils.Database, watch: str, *, only_failed: bool = False) -> list[dict]:
    claim = f"sending:{os.getpid()}"
    failed = " AND error IS NOT NULL" if only_failed else ""
    with write_transaction(db):
        db.execute(f"UPDATE watch_edits SET notified_at = ? WHERE watch = ? AND notified_at IS NULL{failed}",
                   [claim, watch])
    return list(db.query(
        "SELECT e.revision_id, a.id, a.url, a.source, a.title, r.revision, r.seen_at, r.diff FROM watch_edits e "
        "JOIN articles a ON a.id = e.article_id JOIN article_revisions r ON r.id = e.revision_id "
        "WHERE e.watch = ? AND e.notified_at = ? ORDER BY e.revision_id", [watch, claim]))


def mark_edits_sent(db: sqlite_utils.Database, watch: str, revision_ids: list[int], error: str | None) -> None:
    with write_transaction(db):
        for revision_id in revision_ids:
            db.execute("UPDATE watch_edits SET notified_at = ?, error = ? WHERE watch = ? AND revision_id = ?",
                       [None if error else utc_now(), error, watch, revision_id])


# -- reading -------------------------------------------------------------------------------------

def watch_summary(db: sqlite_utils.Database, watch: str) -> dict:
    """Hits, the last hit (when, which article), deliveries waiting after a failure."""
    hits, undelivered = db.execute(
        "SELECT count(*), sum(notified_at IS NULL AND error IS NOT NULL) FROM watch_hits WHERE watch = ?",
        [watch]).fetchone()
    last = list(db.query(
        "SELECT h.matched_at, h.keyword, a.title, a.url, a.published FROM watch_hits h JOIN articles a "
        "ON a.id = h.article_id WHERE h.watch = ? ORDER BY a.id DESC LIMIT 1", [watch]))
    return {"hits": hits, "undelivered": undelivered or 0, "last_hit": last[0] if last else None}


def feed_entries(db: sqlite_utils.Database, *, watch: str | None, source: str | None, limit: int,
                 since: str | None = None) -> list[dict]:
    sql = ("SELECT a.id, a.url, a.source, a.title, a.published, a.publisher, a.body, a.first_seen_at "
           "FROM articles a")
    where, params = [], []
    if watch:
        sql += " JOIN watch_hits h ON h.article_id = a.id"
        where.append("h.watch = ?")
        params.append(watch)
    if source:
        where.append("a.source = ?")
        params.append(source)
    if since:
        where.append("coalesce(nullif(a.published, ''), a.first_seen_at) >= ?")
        params.append(since)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return list(db.query(sql + " ORDER BY a.id DESC LIMIT ?", [*params, limit]))


def snippet(text: str, keyword: str, width: int = 40) -> str | None:
    """The keyword in context: up to `width` characters either side, on one line. (A plain
    window; issue 16's search snippets may replace it once storage/search.py has one.)"""
    at = text.find(keyword) if text and keyword else -1
    if at < 0:
        return None
    start, end = max(0, at - width), min(len(text), at + len(keyword) + width)
    piece = " ".join(text[start:end].split())
    return ("…" if start else "") + piece.replace(keyword, f"【{keyword}】", 1) + ("…" if end < len(text) else "")
