"""Attachment rows: what was fetched, its text or why there is none. Never fetched twice: a URL
already stored (for any article) or bytes with a stored sha256 reuse the first row's result; a
download that failed for a reason that may pass is tried again by later crawls (due_retries)."""
from __future__ import annotations

from datetime import datetime, timedelta

from crawler.documents.citations import document_keys, extract_citations
from crawler.fetch.urls import url_key
from storage.db import write_transaction
from storage.store import GIVE_UP_AFTER_DAYS, backoff_seconds, utc_stamp

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


# -- retries: a download that failed for a reason that may pass is tried again by later crawls ------

# failures that will not pass by waiting: the file is gone, too large, at a refused address
_FOR_GOOD = ("error LIKE 'HTTP 404%' OR error LIKE 'HTTP 410%' OR error LIKE 'larger than%' "
             "OR error LIKE 'blocked:%' OR error LIKE 'not an http%'")


def due_retries(db, source: str, *, office: bool, now: datetime, limit: int = 200) -> list[dict]:
    """This source's attachments to download again now: never read (no bytes) for a reason that may
    pass, or read but left for LibreOffice, which `office` says is here now (`waits_for_office`: which
    of the two). Past GIVE_UP_AFTER_DAYS since the first attempt a row is left as it is, as a failing
    page is (storage.store)."""
    give_up_after = utc_stamp(now - timedelta(days=GIVE_UP_AFTER_DAYS))
    office_rows = "OR (a.error LIKE 'needs LibreOffice%')" if office else ""
    rows = db.execute(
        "SELECT a.id, a.article_id, a.name, a.url, a.sha256 IS NOT NULL FROM attachments a JOIN articles r ON r.id = a.article_id "
        f"WHERE r.source = ? AND a.duplicate_of IS NULL AND a.needs_ocr = 0 "
        f"AND ((a.sha256 IS NULL AND a.error IS NOT NULL AND NOT ({_FOR_GOOD})) {office_rows}) "
        "AND coalesce(a.next_attempt_at, '') <= ? AND coalesce(a.fetched_at, '') >= ? ORDER BY a.id LIMIT ?",
        [source, utc_stamp(now), give_up_after, limit]).fetchall()
    return [dict(zip(("id", "article_id", "name", "url", "waits_for_office"), row)) for row in rows]


def save_retry(db, attachment_id: int, file: dict, *, now: datetime) -> bool:
    """What the new attempt found. Read (or found unreadable for good): the row, and the rows that
    copy it, take the result; their articles' index entries and citations follow. Failed again: the
    row keeps its first fetch time, counts the attempt and waits (storage.store.backoff_seconds).
    Returns whether the file was read this time."""
    from storage.search import reindex_for_attachments

    if not file.get("sha256"):
        attempts = db.execute("SELECT attempts FROM attachments WHERE id = ?", [attachment_id]).fetchone()[0] + 1
        wait = timedelta(seconds=backoff_seconds(attempts))
        db.execute("UPDATE attachments SET error = ?, attempts = ?, next_attempt_at = ? WHERE id = ?",
                   [file.get("error"), attempts, utc_stamp(now + wait), attachment_id])
        return False
    result = {name: file.get(name) for name in ("type", "bytes", "sha256", "text", "pages", "error", "fetched_at")}
    result["needs_ocr"] = int(bool(file.get("needs_ocr")))
    rows = db.execute("SELECT id, article_id FROM attachments WHERE id = ? OR duplicate_of = ?",
                      [attachment_id, attachment_id]).fetchall()
    with write_transaction(db):
        for row_id, article_id in rows:
            with reindex_for_attachments(db.conn, article_id):
                db.execute(f"UPDATE attachments SET {', '.join(f'{k} = ?' for k in result)}, next_attempt_at = NULL "
                           "WHERE id = ?", [*result.values(), row_id])
            if result["text"]:
                _add_citations(db, article_id, row_id, result["text"])
    return bool(result["text"])


def _add_citations(db, article_id: int, attachment_id: int, text: str) -> None:
    """The citations of an attachment read late, beside those stored with its article (each
    document once, as crawler.documents.pipeline.store_documents keeps them)."""
    row = db.execute("SELECT doc_number, title FROM articles WHERE id = ?", [article_id]).fetchone()
    known = {n or ("title", t) for n, t in db.execute("SELECT number, title FROM citations WHERE article_id = ?",
                                                       [article_id])}
    for citation in extract_citations(text, document_keys(row[0], row[1])):
        if (key := citation.number or ("title", citation.title)) not in known:
            known.add(key)
            db.execute("INSERT INTO citations (article_id, attachment_id, number, title, raw) VALUES (?, ?, ?, ?, ?)",
                       [article_id, attachment_id, citation.number, citation.title, citation.raw])
