"""Attachment rows: what was fetched, its text or why there is none. Never fetched twice: a URL
already stored (for any article) or bytes with a stored sha256 reuse the first row's result."""
from __future__ import annotations

from crawler.fetch.urls import url_key
from storage.db import write_transaction

COLUMNS = ("id", "article_id", "name", "url", "type", "bytes", "sha256", "text", "pages", "error", "needs_ocr",
           "duplicate_of", "fetched_at")


# a row whose URL is never fetched again: its bytes were read (or found unreadable), or it cannot be
# read here for good (a scan, no LibreOffice, over the cap); an error that may pass counts not
_SETTLED = ("duplicate_of IS NULL AND (sha256 IS NOT NULL OR needs_ocr = 1 OR error LIKE 'needs LibreOffice%' "
            "OR error LIKE 'larger than%')")


def known_by_url(db, url: str) -> dict | None:
    """The first stored attachment fetched from this URL (an error that may pass counts not)."""
    row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM attachments WHERE url_key = ? AND {_SETTLED} "
                     "ORDER BY id LIMIT 1", [url_key(url)]).fetchone()
    return dict(zip(COLUMNS, row)) if row else None


def settled_url_keys(db, urls: list[str] | None = None, chunk: int = 5000):
    """URL keys of settled attachments (of these URLs, or all), in chunks: what Redis workers need
    not fetch again (crawler.schedule.ingester mirrors them into hw:attachments)."""
    if urls is not None:
        keys = sorted({url_key(u) for u in urls})
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            found = [r[0] for r in db.execute(f"SELECT DISTINCT url_key FROM attachments WHERE url_key IN "
                                              f"({', '.join('?' * len(part))}) AND {_SETTLED}", part)]
            if found:
                yield found
        return
    last = ""
    while True:
        found = [r[0] for r in db.execute(f"SELECT DISTINCT url_key FROM attachments WHERE url_key > ? AND {_SETTLED} "
                                          "ORDER BY url_key LIMIT ?", [last, chunk])]
        if not found:
            return
        yield found
        last = found[-1]


def known_by_sha256(db, sha256: str) -> dict | None:
    row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM attachments WHERE sha256 = ? AND duplicate_of IS NULL "
                     "ORDER BY id LIMIT 1", [sha256]).fetchone()
    return dict(zip(COLUMNS, row)) if row else None


def save_attachments(db, article_id: int, files: list[dict], ahead: tuple[str, str, str] | None = None) -> list[int]:
    """Store an article's attachments (dicts with COLUMNS' fields, no id); returns the row ids.
    An attachment already stored for this article is left as it is. `ahead`: the index texts the
    article was just stored with (storage.search.article_document), so they are not worked out again."""
    from storage.search import reindex_for_attachments

    ids = []
    # the attachments' text is searchable with the article (storage.search): its index entry follows
    with write_transaction(db), reindex_for_attachments(db.conn, article_id, ahead):
        for file in files:
            key = url_key(file["url"])
            row = db.execute("SELECT id FROM attachments WHERE article_id = ? AND url_key = ?", [article_id, key]).fetchone()
            if row:
                ids.append(row[0])
                continue
            values = {name: file.get(name) for name in COLUMNS if name not in ("id", "article_id")}
            values["needs_ocr"] = int(bool(values["needs_ocr"]))
            values["duplicate_of"] = _first_copy(db, key, file.get("sha256"))
            cursor = db.execute(
                f"INSERT INTO attachments (article_id, url_key, {', '.join(values)}) "
                f"VALUES (?, ?, {', '.join('?' * len(values))})", [article_id, key, *values.values()])
            ids.append(cursor.lastrowid)
    return ids


def _first_copy(db, key: str, sha256: str | None) -> int | None:
    """The row first stored for this URL or these bytes: a later row is a copy of it."""
    row = db.execute("SELECT id FROM attachments WHERE duplicate_of IS NULL AND (url_key = ? OR sha256 = ?) "
                     "ORDER BY id LIMIT 1", [key, sha256]).fetchone()
    return row[0] if row else None


def attachments_of(db, article_id: int) -> list[dict]:
    rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM attachments WHERE article_id = ? ORDER BY id",
                      [article_id]).fetchall()
    return [dict(zip(COLUMNS, row)) for row in rows]
