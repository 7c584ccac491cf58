"""SQL for keyword watches: which new articles matched which watch, and what was sent."""
from __future__ import annotations

import os

import sqlite_utils

from storage.db import write_transaction
from storage.store import utc_now


def new_articles(db: sqlite_utils.Database, watch: str, sources: list[str]) -> list[dict]:
    """Articles stored since the watch last looked. A new watch starts at the newest article, so
    adding one never floods the channel with the archive."""
    row = db.execute("SELECT last_article_id FROM watch_state WHERE watch = ?", [watch]).fetchone()
    if row is None:
        newest = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
        with write_transaction(db):
            db.execute("INSERT OR IGNORE INTO watch_state VALUES (?, ?)", [watch, newest])
        return []
    where = "id > ?" + (" AND source IN (%s)" % ",".join("?" * len(sources)) if sources else "")
    return list(db.query(
        f"SELECT id, url, source, title, published, publisher, body, body_simplified FROM articles "
        f"WHERE {where} ORDER BY id", [row[0], *sources]))


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
        "SELECT a.id, a.url, a.source, a.title, a.published, a.publisher, h.keyword FROM watch_hits h "
        "JOIN articles a ON a.id = h.article_id WHERE h.watch = ? AND h.notified_at = ? ORDER BY a.id",
        [watch, claim]))


def mark_sent(db: sqlite_utils.Database, watch: str, article_ids: list[int], error: str | None) -> None:
    """Sent: stamp the time. Failed: release the claim and keep the error, to try again next time."""
    with write_transaction(db):
        for article_id in article_ids:
            db.execute("UPDATE watch_hits SET notified_at = ?, error = ? WHERE watch = ? AND article_id = ?",
                       [None if error else utc_now(), error, watch, article_id])


def feed_entries(db: sqlite_utils.Database, *, watch: str | None, source: str | None, limit: int) -> list[dict]:
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
    if where:
        sql += " WHERE " + " AND ".join(where)
    return list(db.query(sql + " ORDER BY a.id DESC LIMIT ?", [*params, limit]))
