"""Schema of the document tables (issue 15), used by the migration in storage/db.py:
attachments with their text, 文号/title citations and the keys documents are cited by,
and the browser tier's cookie jar with its log of browser runs."""
from __future__ import annotations

import sqlite_utils


def create_document_tables(db: sqlite_utils.Database) -> None:
    # One row per (article, attachment link). The same file under a second URL or for a second
    # article is not fetched or read again: its row points at the first (duplicate_of) and
    # carries the same text, so searching either article finds it.
    db.execute(
        "CREATE TABLE attachments (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id), "
        "name TEXT, url TEXT NOT NULL, url_key TEXT NOT NULL, type TEXT, bytes INTEGER, sha256 TEXT, text TEXT, "
        "pages INTEGER, error TEXT, needs_ocr INTEGER NOT NULL DEFAULT 0, duplicate_of INTEGER REFERENCES attachments(id), "
        "fetched_at TEXT, UNIQUE (article_id, url_key))")
    db.execute("CREATE INDEX idx_attachments_url_key ON attachments (url_key)")
    db.execute("CREATE INDEX idx_attachments_sha256 ON attachments (sha256)")
    # What a stored document can be cited by: its normalised 文号 and title(s).
    db.execute(
        "CREATE TABLE document_keys (article_id INTEGER NOT NULL REFERENCES articles(id), kind TEXT NOT NULL, "
        "key TEXT NOT NULL, PRIMARY KEY (article_id, kind, key))")
    db.execute("CREATE INDEX idx_document_keys_key ON document_keys (kind, key)")
    # What each document cites (in its body or an attachment); linked to documents at read time
    # through document_keys, so the order in which the two were stored does not matter.
    db.execute(
        "CREATE TABLE citations (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id), "
        "attachment_id INTEGER REFERENCES attachments(id), number TEXT, title TEXT, raw TEXT)")
    db.execute("CREATE INDEX idx_citations_article ON citations (article_id)")
    db.execute("CREATE INDEX idx_citations_number ON citations (number)")
    db.execute("CREATE INDEX idx_citations_title ON citations (title)")
    # Cookies a real browser earned past a site's JavaScript challenge, per challenged host.
    db.execute(
        "CREATE TABLE browser_cookies (host TEXT NOT NULL, name TEXT NOT NULL, value TEXT, domain TEXT NOT NULL, "
        "path TEXT NOT NULL DEFAULT '/', expires REAL, secure INTEGER, http_only INTEGER, user_agent TEXT, "
        "earned_at TEXT, PRIMARY KEY (host, name, domain, path))")
    db.execute(
        "CREATE TABLE browser_runs (id INTEGER PRIMARY KEY, host TEXT NOT NULL, url TEXT, started_at TEXT, "
        "seconds REAL, outcome TEXT, detail TEXT)")
    db.execute("CREATE INDEX idx_browser_runs_host ON browser_runs (host, started_at)")
