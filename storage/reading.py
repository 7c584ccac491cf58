"""Reading what was collected: the newest articles, one article with where else it appeared.
Every statement the `latest` and `show` commands need (crawler/cli/read.py)."""
from __future__ import annotations

import sqlite3

from crawler.fetch.urls import url_key

LATEST_COLUMNS = "id, source, publisher, title, published, first_seen_at, url"


def latest(conn: sqlite3.Connection, source: str | None = None, since: str | None = None,
           limit: int = 20) -> list[dict]:
    """The newest stored articles, by when they came in (first_seen_at, UTC), newest first.
    `since`: a UTC time in the stored form (2026-11-25T00:00:00Z) or a date."""
    where, params = [], []
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("first_seen_at >= ?")
        params.append(since)
    sql = (f"SELECT {LATEST_COLUMNS} FROM articles" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY first_seen_at DESC, id DESC LIMIT ?")
    return _dicts(conn.execute(sql, [*params, limit]))


def find_article(conn: sqlite3.Connection, ref: str) -> dict | None:
    """An article by id or by any URL that leads to it (its own, a redirect, an exact copy's)."""
    if ref.strip().isdigit():
        rows = _dicts(conn.execute("SELECT * FROM articles WHERE id = ?", [int(ref)]))
    else:
        rows = _dicts(conn.execute(
            "SELECT a.* FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url_key = ?",
            [url_key(ref.strip())]))
    return rows[0] if rows else None


def aliases(conn: sqlite3.Connection, article_id: int) -> list[dict]:
    """Every URL known to lead to the article: its own spellings, redirects, exact copies elsewhere."""
    return _dicts(conn.execute(
        "SELECT url_key, source, first_seen_at FROM article_urls WHERE article_id = ? ORDER BY first_seen_at, url_key",
        [article_id]))


def revisions(conn: sqlite3.Connection, article_id: int) -> list[dict]:
    return _dicts(conn.execute(
        "SELECT revision, seen_at, title, content_hash, diff FROM article_revisions WHERE article_id = ? "
        "ORDER BY revision", [article_id]))


def sources(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT source FROM articles ORDER BY source")]


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values)) for values in cursor]
