"""Opening the SQLite file, its schema and migrations.

Schema versions live in `PRAGMA user_version`; each migration is a function run once, in order,
inside one transaction. Article columns follow the extraction record: a field added to
`crawler.extract.record.Article` becomes a column on the next open.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils

from crawler.extract.record import Article

BUSY_TIMEOUT_MS = 30_000
MIN_SQLITE = (3, 35, 0)  # RETURNING, DROP COLUMN

_JSON_FIELDS = {
    name for name, f in Article.__dataclass_fields__.items() if "list" in str(f.type) or "dict" in str(f.type)
}


def article_columns() -> dict[str, type]:
    """Column name -> Python type for the extraction fields (lists/dicts are stored as JSON text)."""
    return {name: str for name in Article.__dataclass_fields__}


def json_fields() -> set[str]:
    return set(_JSON_FIELDS)


class DatabaseError(RuntimeError):
    """The database file cannot be used; str() is one line a person can act on."""


def open_db(path: str | Path) -> sqlite_utils.Database:
    """The database, migrated; or DatabaseError saying why not (a read-only file or folder, a folder
    where the file should be, a file that is not SQLite, a schema newer than this code)."""
    path = Path(path)
    try:
        return _open(path)
    except DatabaseError:
        raise
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseError(f"{path}: {_plain_reason(path, exc)}") from None


def _plain_reason(path: Path, exc: BaseException) -> str:
    text = str(exc)
    if path.is_dir():
        return "is a folder, not a database file"
    if "not a database" in text or "malformed" in text:
        return f"is not a healthwatch (SQLite) database ({text})"
    if ("readonly" in text or "read-only" in text or isinstance(exc, PermissionError)
            or not os.access(path if path.exists() else path.parent, os.W_OK)):
        return f"cannot write here: the file or its folder is read-only ({text})"
    if "unable to open" in text:
        folder = path.parent
        if not folder.exists():
            return f"cannot open: folder {folder} does not exist"
        return f"cannot open the file (is {folder} writable?)"
    return text


def _open(path: Path) -> sqlite_utils.Database:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise DatabaseError(f"SQLite {sqlite3.sqlite_version} is too old; healthwatch needs >= 3.35")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")  # safe in WAL: a crash loses at most the last commits
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db)
    return db


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE: take the write lock up front so concurrent writers wait on the busy
    timeout instead of failing on a read-to-write upgrade. Whole batch or nothing."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


def _v1_initial(db: sqlite_utils.Database) -> None:
    columns: dict[str, type] = {"id": int, "url": str, "canonical_url": str, "source": str}
    columns.update(article_columns())
    columns.update({"fetched_at": str, "first_seen_at": str, "content_hash": str, "cluster_id": int})
    db["articles"].create(columns, pk="id")
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["source", "first_seen_at"])
    db["articles"].create_index(["published"])

    # Every URL known to lead to an article: its own, redirects, exact-duplicate copies elsewhere.
    db["article_urls"].create(
        {"url_key": str, "article_id": int, "source": str, "first_seen_at": str},
        pk="url_key",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_urls"].create_index(["article_id"])

    db["crawl_runs"].create(
        {
            "id": int, "source": str, "started_at": str, "finished_at": str, "status": str,
            "finish_reason": str, "pid": int, "pages": int, "not_modified": int, "articles_fetched": int,
            "new": int, "known": int, "duplicates": int, "errors": int, "error_reasons": str,
        },
        pk="id",
    )
    db["crawl_runs"].create_index(["source", "started_at"])

    # Pages that could not be stored, with why; permanent ones are not requested again.
    db["fetch_failures"].create(
        {
            "url_key": str, "url": str, "source": str, "reason": str, "http_status": int,
            "permanent": int, "attempts": int, "first_seen_at": str, "last_seen_at": str,
        },
        pk="url_key",
    )

    # List pages: validators for conditional GET, usable only once every listed article is settled.
    db["list_pages"].create(
        {
            "url_key": str, "url": str, "source": str, "etag": str, "last_modified": str,
            "complete": int, "listed": int, "checked_at": str, "changed_at": str,
        },
        pk="url_key",
    )
    db["list_pages"].create_index(["source"])


def _v2_revisions(db: sqlite_utils.Database) -> None:
    """Re-checks of stored articles: edits become revisions, vanished pages are marked gone."""
    for column, kind in (("updated_at", str), ("gone_at", str), ("revision_count", int), ("rechecks_done", int)):
        db["articles"].add_column(column, kind)
    db.execute("UPDATE articles SET revision_count = 0, rechecks_done = 0")
    db["article_revisions"].create(
        {"id": int, "article_id": int, "revision": int, "seen_at": str, "title": str, "body": str,
         "content_hash": str, "diff": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_revisions"].create_index(["article_id", "revision"], unique=True)


def _v3_watches(db: sqlite_utils.Database) -> None:
    """Keyword watches: how far each has looked, what matched, what was sent."""
    db["watch_state"].create({"watch": str, "last_article_id": int}, pk="watch")
    db["watch_hits"].create(
        {"watch": str, "article_id": int, "keyword": str, "matched_at": str, "notified_at": str, "error": str},
        pk=("watch", "article_id"), foreign_keys=[("article_id", "articles", "id")])


def _v4_clusters(db: sqlite_utils.Database) -> None:
    """Story clusters of reposts (storage.dedup): MinHash signatures with their scheme, and clusters.
    Existing articles get signatures and clusters lazily, on a Store's first save."""
    db.execute(
        "CREATE TABLE clusters (id INTEGER PRIMARY KEY, original_article_id INTEGER REFERENCES articles(id), "
        "size INTEGER NOT NULL DEFAULT 1, first_seen_at TEXT, updated_at TEXT)")
    db.execute("CREATE INDEX idx_clusters_updated_at ON clusters (updated_at)")
    db.execute("CREATE INDEX idx_clusters_size ON clusters (size, updated_at)")
    db.execute(
        "CREATE TABLE article_signatures (article_id INTEGER PRIMARY KEY REFERENCES articles(id), "
        "scheme TEXT NOT NULL, seed INTEGER NOT NULL, num_perm INTEGER NOT NULL, signature BLOB, "
        "text_hash TEXT, original_key TEXT)")
    db.execute("CREATE INDEX idx_article_signatures_text_hash ON article_signatures (text_hash)")
    db.execute("CREATE INDEX idx_article_signatures_original_key ON article_signatures (original_key)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_articles_cluster_id ON articles (cluster_id)")
    db.execute("UPDATE articles SET cluster_id = NULL")  # never assigned before v4


def _v5_fetch_backoff(db: sqlite_utils.Database) -> None:
    """Transient failures (5xx, 429, timeouts, cut-short bodies) are retried with exponential backoff
    per URL, honouring Retry-After, for days; only 404/410 and "not HTML" are permanent. Runs count
    what they skipped: malformed links, and articles whose retry is not due yet."""
    db["fetch_failures"].add_column("next_attempt_at", str)
    db.execute("UPDATE fetch_failures SET permanent = 0 WHERE permanent = 1 AND coalesce(http_status, 0) NOT IN (404, 410) "
               "AND reason NOT LIKE 'not an HTML page%' AND reason NOT LIKE 'blocked:%'")
    db["crawl_runs"].add_column("deferred", int)
    db["crawl_runs"].add_column("skipped_links", int)


def _v6_documents(db: sqlite_utils.Database) -> None:
    """Attachments with their text, 文号 citations, the browser tier's cookie jar (issue 15)."""
    from storage.documents_schema import create_document_tables

    create_document_tables(db)


def _v7_health(db: sqlite_utils.Database) -> None:
    """Source health (crawler.health): each source's state and its changes (the alerts to send),
    the scheduler's heartbeat (so `status` shows "next run" only while one runs), and per run the
    article links its list pages listed (a redesign that breaks article_pattern lists zero)."""
    db.execute("ALTER TABLE crawl_runs ADD COLUMN links INTEGER")
    db.execute(
        "CREATE TABLE source_health (source TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL, "
        "checked_at TEXT NOT NULL, evidence TEXT, suggestion TEXT)")
    db.execute(
        "CREATE TABLE health_events (id INTEGER PRIMARY KEY, source TEXT NOT NULL, from_state TEXT, "
        "to_state TEXT NOT NULL, at TEXT NOT NULL, evidence TEXT, suggestion TEXT, "
        "notify INTEGER NOT NULL DEFAULT 0, notified_at TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0)")
    db.execute("CREATE INDEX idx_health_events_pending ON health_events (notify, notified_at)")
    db.execute(
        "CREATE TABLE scheduler_heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER, host TEXT, "
        "started_at TEXT, beat_at TEXT, next_runs TEXT)")


def _v8_watch_edits(db: sqlite_utils.Database) -> None:
    """Watches with on_edit: which revisions of matched articles were seen, and what was sent."""
    db.execute("ALTER TABLE watch_state ADD COLUMN last_revision_id INTEGER")
    db.execute(
        "CREATE TABLE watch_edits (watch TEXT NOT NULL, revision_id INTEGER NOT NULL REFERENCES article_revisions(id), "
        "article_id INTEGER NOT NULL, matched_at TEXT, notified_at TEXT, error TEXT, PRIMARY KEY (watch, revision_id))")


def _v9_search(db: sqlite_utils.Database) -> None:
    """Full-text search (storage.search): a Simplified title beside body_simplified, and the
    character-unigram FTS5 index built for the articles already stored (a progress bar on a large
    database in a terminal). From here on storage.store writes index entries with their rows."""
    from storage import search

    for name in set(article_columns()) - set(db["articles"].columns_dict):  # the index reads them
        db["articles"].add_column(name, str)
    if "title_simplified" not in db["articles"].columns_dict:  # idempotent: safe to run on a half-known file
        db["articles"].add_column("title_simplified", str)
    db.execute(search.create_index_sql().replace("CREATE VIRTUAL TABLE", "CREATE VIRTUAL TABLE IF NOT EXISTS"))
    search.rebuild_index(db.conn, progress=search.terminal_progress("building the search index"))


def _v10_sign_english(db: sqlite_utils.Database) -> None:
    """English articles were stored unsigned (signature NULL) before they were signed by word 3-grams:
    forget the unsigned rows, so the dedup backfill signs and clusters them on a Store's next save
    (texts still too short to compare are stored unsigned again, once)."""
    db.execute("DELETE FROM article_signatures WHERE signature IS NULL")


def _v11_attachment_retries(db: sqlite_utils.Database) -> None:
    """An attachment whose download failed for a reason that may pass (a 503, a timeout, LibreOffice
    missing) is fetched again by later crawls with a backoff (storage.attachments.due_retries); the
    rows failed so far are due at once. Idempotent, as _v9_search is: a file may know them already."""
    columns = db["attachments"].columns_dict
    if "attempts" not in columns:
        db.execute("ALTER TABLE attachments ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1")
    if "next_attempt_at" not in columns:
        db.execute("ALTER TABLE attachments ADD COLUMN next_attempt_at TEXT")


def _v12_cluster_lookup(db: sqlite_utils.Database) -> None:
    """The cluster of each article by its id, without reading the row: the dedup reads the clusters
    of every LSH candidate, and `cluster_id` sits after the body in the row, so each lookup walked
    the body's overflow pages (~6x the CPU of this covering index at 45,000 rows)."""
    db.execute(f"CREATE INDEX IF NOT EXISTS {CLUSTER_LOOKUP_INDEX} ON articles (id, cluster_id)")


CLUSTER_LOOKUP_INDEX = "idx_articles_id_cluster"  # named by storage.dedup's INDEXED BY


def _v13_search_merges(db: sqlite_utils.Database) -> None:
    """The search index merges its segments 16 at a time, not 4 (storage.search.AUTOMERGE): storing
    no longer grows dearer with the index's depth. Same entries, same results."""
    from storage import search

    db.execute(search.tune_index_sql())


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1_initial, _v2_revisions, _v3_watches, _v4_clusters,
                                                             _v5_fetch_backoff, _v6_documents, _v7_health, _v8_watch_edits, _v9_search,
                                                             _v10_sign_english, _v11_attachment_retries, _v12_cluster_lookup,
                                                             _v13_search_merges]


def migrate(db: sqlite_utils.Database) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise DatabaseError(
            f"{db.conn.execute('PRAGMA database_list').fetchone()[2]}: database schema version {version} is newer "
            f"than this healthwatch ({len(MIGRATIONS)}); upgrade healthwatch"
        )
    if version < len(MIGRATIONS):
        with write_transaction(db):  # re-read under the lock: another process may have migrated
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
                step(db)
                db.execute(f"PRAGMA user_version = {number}")
    if set(article_columns()) - set(db["articles"].columns_dict):
        with write_transaction(db):
            for name in set(article_columns()) - set(db["articles"].columns_dict):
                db["articles"].add_column(name, str)
