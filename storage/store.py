"""Every read and write the crawler makes, as short transactions on one SQLite file.

Several crawl processes may write at once (WAL + busy timeout + BEGIN IMMEDIATE); each batch of
articles is one transaction, so a killed crawl leaves whole rows or none.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
import difflib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

from crawler.extract.record import Article
from crawler.textnorm import fold_for_matching
from crawler.fetch.urls import canonical_url, url_key
from storage.db import article_columns, json_fields, open_db, write_transaction
from storage.dedup import Deduper, sign as dedup_sign
from storage.dedup.minhash import sign_folding as dedup_sign_folding
from storage import search


# Transient failures (5xx, 429, timeouts, cut-short bodies) are retried, with exponential backoff per
# URL: a maintenance window of hours or a weekend must not delete articles. Retry-After, when the
# site gives one, sets the earliest retry. Past GIVE_UP_AFTER_DAYS of failing the page counts as gone.
BACKOFF_FIRST_SECONDS = 600
BACKOFF_MAX_SECONDS = 12 * 3600
GIVE_UP_AFTER_DAYS = 14


def utc_stamp(moment: datetime) -> str:
    """The one text form of a time in the database: UTC, to the second, e.g. 2026-11-25T08:00:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> str:
    return utc_stamp(datetime.now(timezone.utc))


def content_hash(body: str, folded: str | None = None) -> str | None:
    """`folded`: fold_for_matching(body), when already at hand."""
    folded = fold_for_matching(body or "") if folded is None else folded
    return hashlib.sha1(folded.encode("utf-8")).hexdigest() if len(folded) >= 20 else None


def presign(item: dict) -> dict:
    """Work out ahead what save_articles would (the content hash, the dedup signature, the search
    index's texts), e.g. in an extraction process off the crawl's thread; save_articles then only
    looks them up. The body is folded once, for the signature and the content hash."""
    item["_signed"], folded = dedup_sign_folding(item)
    item["_content_hash"] = content_hash(item.get("body", ""), folded)
    item["_index"] = search.article_document(item)
    return item


@dataclass
class SaveOutcome:
    status: str  # "new", "known" (URL already stored) or "duplicate" (same content, other URL)
    article_id: int
    url: str


class Store:
    _shared: dict[Path, "Store"] = {}  # Store.shared: one per database file per process
    _users = 0  # 0: a private Store; n: a shared one with n users

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = open_db(self.path)

    @classmethod
    def shared(cls, path: str | Path) -> "Store":
        """The process's one Store for this database file, for every spider of a `healthwatch crawl`:
        1,000 sources use one connection, one page cache and one dedup index, not 1,000 (each spider
        built its own index of every stored signature). Each user close()s it; the last closes the
        connection. The users are spiders on the reactor's thread: a transaction never spans another
        spider's work, and each sees what the others stored at once."""
        key = Path(path).resolve()
        store = cls._shared.get(key)
        if store is None:
            store = cls._shared[key] = cls(path)
        store._users += 1
        return store

    def close(self) -> None:
        if self._users > 1:
            self._users -= 1
            return
        if self._users == 1:
            self._users = 0
            Store._shared.pop(self.path.resolve(), None)
        self.db.close()

    # -- what is already settled -------------------------------------------------------------

    def is_known(self, url: str) -> bool:
        """True when the URL leads to a stored article or failed for good: never fetch it again."""
        key = url_key(url)
        return bool(
            self.db.execute(
                "SELECT 1 FROM article_urls WHERE url_key = ? "
                "UNION ALL SELECT 1 FROM fetch_failures WHERE url_key = ? AND permanent = 1 LIMIT 1",
                [key, key],
            ).fetchone()
        )

    # -- articles ----------------------------------------------------------------------------

    def save_articles(self, items: Iterable[dict]) -> list[SaveOutcome]:
        """Store extracted articles in one transaction. Each item carries `url` (final),
        `request_url`, `source`, `fetched_at` and the extraction fields.

        Same URL → "known"; same normalised content under another URL → "duplicate" (an alias of
        the stored article); otherwise "new", placed in a story cluster (storage.dedup): with the
        stored reposts of the same story, or in a cluster of its own."""
        outcomes, unindexed = [], []
        columns = article_columns()
        now = utc_now()
        dedup = self._dedup_prepare()  # a first index build reads outside the write lock
        mark = dedup.high_water
        try:
            with write_transaction(self.db):
                self._dedup_ready(now)
                for item in items:
                    keys = {url_key(item["url"]), url_key(item.get("request_url") or item["url"])}
                    known = self._article_for_keys(keys)
                    if known is not None:
                        self._add_aliases(keys, known, item["source"], now)
                        dedup.aliases_added(self.db.conn, known, keys)
                        outcomes.append(SaveOutcome("known", known, item["url"]))
                        continue
                    digest = item["_content_hash"] if "_content_hash" in item else content_hash(item.get("body", ""))
                    # a copy that adds a translation is a repost with its own row, not the same content
                    same = self.db.execute(
                        "SELECT id FROM articles WHERE content_hash = ? LIMIT 1", [digest]
                    ).fetchone() if digest and not item.get("translation_body") else None
                    signed = (item["_signed"] if "_signed" in item else dedup_sign(item)) if not same else None
                    same_id = same[0] if same else dedup.exact_match(self.db.conn, signed)
                    if same_id is not None:
                        self._add_aliases(keys, same_id, item["source"], now)
                        dedup.aliases_added(self.db.conn, same_id, keys)
                        # a new place of the story: `duplicates --since` shows it
                        self.db.execute("UPDATE clusters SET updated_at = ? WHERE id = "
                                        "(SELECT cluster_id FROM articles WHERE id = ?)", [now, same_id])
                        outcomes.append(SaveOutcome("duplicate", same_id, item["url"]))
                        continue
                    row = {name: _column_value(name, item.get(name)) for name in columns}
                    row.update(
                        url=item["url"], canonical_url=canonical_url(item["url"]), source=item["source"],
                        fetched_at=item.get("fetched_at") or now, first_seen_at=now, content_hash=digest,
                        revision_count=0, rechecks_done=0, title_simplified=search.simplified_title(row.get("title")),
                    )
                    article_id = self.db["articles"].insert(row).last_pk
                    unindexed.append((article_id, row, item.get("_index")))
                    self._add_aliases(keys, article_id, item["source"], now)
                    dedup.add(self.db.conn, article_id, signed, now, url_keys=keys)
                    self.db.execute("DELETE FROM fetch_failures WHERE url_key IN (%s)" % ",".join("?" * len(keys)), list(keys))
                    outcomes.append(SaveOutcome("new", article_id, item["url"]))
                # same transaction as the rows, after them: FTS5 (SQLite 3.40) writes out its pending text at
                # every savepoint (sqlite_utils' insert opens one), a segment per article when indexed as we
                # went, and merging those grew with the index; the index texts worked out ahead when they were
                for article_id, row, ahead in unindexed:
                    search.index_article(self.db.conn, article_id, row, ahead=ahead)
        except BaseException:
            # ids the rollback removed may be reused by another writer: catch up from before them
            # (index entries left for them are harmless: matches are confirmed from SQLite)
            dedup.high_water = min(dedup.high_water, mark)
            raise
        return outcomes

    # -- story clusters (storage.dedup) ----------------------------------------------------------

    def _dedup_prepare(self) -> Deduper:
        """The in-memory LSH index of this Store, built from the stored signatures on first use."""
        if getattr(self, "_dedup", None) is None:
            self._dedup = Deduper()
        if self._dedup.index is None:
            self._dedup.rebuild(self.db.conn)
        return self._dedup

    def _dedup_ready(self, now: str) -> Deduper:
        """Inside the write transaction: the index brought up to date with what other writers
        stored since, and articles stored before signatures existed signed and clustered."""
        dedup = self._dedup_prepare()
        dedup.sync(self.db.conn, now)
        return dedup

    def _dedup_refresh(self, article_id: int, item: dict) -> None:
        """For save_recheck, inside its transaction, when an article's text changed: re-sign it
        so later reposts are compared with the text as it now stands (it keeps its cluster, whose
        original is decided again)."""
        self._dedup_ready(utc_now()).edited(self.db.conn, article_id, dedup_sign(item))

    def cluster_of(self, article_id: int) -> dict | None:
        """The story cluster of a stored article (see `clusters` for the shape), or None."""
        row = self.db.execute("SELECT cluster_id FROM articles WHERE id = ?", [article_id]).fetchone()
        if not row or row[0] is None:
            return None
        found = self._cluster_dicts("WHERE c.id = ?", [row[0]])
        return found[0] if found else None

    def clusters(self, since: str | None = None, min_size: int = 2) -> list[dict]:
        """Story clusters in at least `min_size` places (stored articles + exact copies on other sites),
        most recently updated first;
        `since` (a date or ISO time, UTC) keeps those updated (new member, or first seen) since then.
        Each: {id, size (stored articles), places, first_seen_at, updated_at, original: {id, url, source, title, published,
        first_seen_at}, reposts: [same keys + similarity to the original], copies: [exact copies
        stored as URL aliases on other hosts: url_key, source], sites, sources, dates}."""
        self._dedup_backfill_if_needed()
        # an exact copy on another site is a place of the story too (it is stored as a URL alias, not a
        # row): clusters with such an alias are candidates at any size, counted below by `places`
        where, params = ("WHERE (c.size >= ? OR EXISTS (SELECT 1 FROM articles m JOIN article_urls u "
                         "ON u.article_id = m.id WHERE m.cluster_id = c.id "
                         "AND u.url_key != substr(m.canonical_url, instr(m.canonical_url, '://') + 3)))"), [min_size]
        if since:
            where += " AND c.updated_at >= ?"
            params.append(_since_utc(since))
        found = self._cluster_dicts(where + " ORDER BY c.updated_at DESC, c.id DESC", params)
        return [c for c in found if c["places"] >= min_size]

    def _dedup_backfill_if_needed(self) -> None:
        """Databases from before clustering: sign and cluster their articles once (a write)."""
        count = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        if count != self.db.execute("SELECT count(*) FROM article_signatures").fetchone()[0]:
            with write_transaction(self.db):
                self._dedup_ready(utc_now())

    def _cluster_dicts(self, where: str, params: list) -> list[dict]:
        from urllib.parse import urlsplit

        from storage.dedup import from_blob, jaccard

        out = []
        for cid, original_id, size, first_seen, updated in self.db.execute(
                "SELECT c.id, c.original_article_id, c.size, c.first_seen_at, c.updated_at FROM clusters c " + where,
                params).fetchall():
            members = {r["id"]: r for r in self.db.query(
                "SELECT a.id, a.url, a.source, a.title, a.published, a.first_seen_at, s.signature FROM articles a "
                "LEFT JOIN article_signatures s ON s.article_id = a.id WHERE a.cluster_id = ?", [cid])}
            if not members:
                continue
            original = members.get(original_id) or next(iter(members.values()))
            base = from_blob(original["signature"]) if original["signature"] else None

            def view(r: dict) -> dict:
                entry = {k: r[k] for k in ("id", "url", "source", "title", "published", "first_seen_at")}
                if r is not original:
                    entry["similarity"] = (round(jaccard(base, from_blob(r["signature"])), 3)
                                           if base is not None and r["signature"] else None)
                return entry

            reposts = sorted((view(r) for r in members.values() if r is not original),
                             key=lambda e: (e["published"] or e["first_seen_at"] or "", e["id"]))
            hosts = {mid: (urlsplit(r["url"]).hostname or "") for mid, r in members.items()}
            copies = []
            ids = list(members)
            for start in range(0, len(ids), 900):
                part = ids[start:start + 900]
                for key, aid, source in self.db.execute(
                        "SELECT url_key, article_id, source FROM article_urls WHERE article_id IN (%s) ORDER BY first_seen_at"
                        % ",".join("?" * len(part)), part):
                    host = key.split("/", 1)[0].split(":", 1)[0]
                    if host != hosts[aid]:
                        copies.append({"url_key": key, "source": source, "copy_of": aid})
            everyone = list(members.values())
            out.append({
                "id": cid, "size": size, "places": len(members) + len(copies), "first_seen_at": first_seen,
                "updated_at": updated,
                "original": view(original), "reposts": reposts, "copies": copies,
                "sites": sorted({*hosts.values(), *(c["url_key"].split("/", 1)[0] for c in copies)} - {""}),
                "sources": sorted({r["source"] for r in everyone if r["source"]} | {c["source"] for c in copies if c["source"]}),
                "dates": sorted({(r["published"] or r["first_seen_at"] or "")[:10] for r in everyone} - {""}),
            })
        return out

    def _article_for_keys(self, keys: set[str]) -> int | None:
        row = self.db.execute(
            "SELECT article_id FROM article_urls WHERE url_key IN (%s) LIMIT 1" % ",".join("?" * len(keys)),
            list(keys),
        ).fetchone()
        return row[0] if row else None

    def _add_aliases(self, keys: set[str], article_id: int, source: str, now: str) -> None:
        for key in keys:
            self.db.execute(
                "INSERT OR IGNORE INTO article_urls (url_key, article_id, source, first_seen_at) VALUES (?, ?, ?, ?)",
                [key, article_id, source, now],
            )

    def article_count(self, source: str | None = None) -> int:
        if source:
            return self.db.execute("SELECT count(*) FROM articles WHERE source = ?", [source]).fetchone()[0]
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    # -- re-checks and revisions ----------------------------------------------------------------

    def due_rechecks(self, source: str, offsets: list[float]) -> list[tuple[int, str]]:
        """(article id, url) of this source's articles whose next re-check time has come.
        offsets: seconds after first_seen_at, ascending, e.g. [3600, 86400]."""
        if not offsets:
            return []
        now = datetime.now(timezone.utc)
        horizon = utc_stamp(now - timedelta(seconds=offsets[-1] + 7 * 86400))
        due = []
        for article_id, url, first_seen, done in self.db.execute(
            "SELECT id, url, first_seen_at, rechecks_done FROM articles WHERE source = ? AND gone_at IS NULL "
            "AND rechecks_done < ? AND first_seen_at >= ?", [source, len(offsets), horizon]
        ):
            seen = datetime.strptime(first_seen, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            if now >= seen + timedelta(seconds=offsets[done]):
                due.append((article_id, url))
        return due

    def save_recheck(self, article_id: int, item: dict) -> str:
        """Store what a re-check found: 'unchanged', 'changed' (a new revision with its diff; the
        row shows the latest text) or, for item None, 'gone' (the page vanished; the row stays)."""
        now = utc_now()
        with write_transaction(self.db):
            row = self.db["articles"].get(article_id)
            bump = {"rechecks_done": (row["rechecks_done"] or 0) + 1}
            if item is None:
                self.db["articles"].update(article_id, {**bump, "gone_at": now})
                return "gone"
            digest = content_hash(item.get("body", ""))
            if digest == row["content_hash"] and item.get("title") == row["title"]:
                self.db["articles"].update(article_id, bump)
                return "unchanged"
            count = row["revision_count"] or 0
            if count == 0:  # keep the text as first stored before overwriting it
                self._add_revision(article_id, 0, row["first_seen_at"], row["title"], row["body"],
                                   row["content_hash"], None)
            diff = readable_diff(row["title"], row["body"], item.get("title"), item.get("body", ""))
            self._add_revision(article_id, count + 1, now, item.get("title"), item.get("body", ""), digest, diff)
            latest = {name: _column_value(name, item.get(name)) for name in article_columns()}
            latest["title_simplified"] = search.simplified_title(latest.get("title"))
            self.db["articles"].update(article_id, {
                **latest, **bump, "content_hash": digest, "updated_at": now, "revision_count": count + 1,
                "fetched_at": item.get("fetched_at") or now})
            search.reindex_article(self.db.conn, article_id, row, latest)  # the old entry out, the new in
            self._dedup_refresh(article_id, item)
            return "changed"

    def _add_revision(self, article_id, number, seen_at, title, body, digest, diff) -> None:
        self.db.execute(
            "INSERT INTO article_revisions (article_id, revision, seen_at, title, body, content_hash, diff) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", [article_id, number, seen_at, title, body, digest, diff])

    def revisions(self, article_id: int) -> list[dict]:
        return list(self.db.query(
            "SELECT * FROM article_revisions WHERE article_id = ? ORDER BY revision", [article_id]))

    # -- failures ----------------------------------------------------------------------------

    def record_failure(self, source: str, url: str, reason: str, *, http_status: int | None = None,
                       permanent: bool = False, retry_after: float | None = None) -> None:
        """Remember why a page could not be stored. Permanent failures (404, 410, not HTML) are
        not requested again; others are retried after an exponential backoff (see above)."""
        now = datetime.now(timezone.utc)
        key = url_key(url)
        with write_transaction(self.db):
            row = self.db.execute("SELECT attempts, first_seen_at FROM fetch_failures WHERE url_key = ?",
                                  [key]).fetchone()
            attempts = (row[0] or 0) + 1 if row else 1
            first_seen = row[1] if row and row[1] else utc_stamp(now)
            wait = backoff_seconds(attempts, retry_after)
            gave_up = now - _parse_stamp(first_seen) > timedelta(days=GIVE_UP_AFTER_DAYS)
            self.db.execute(
                """INSERT INTO fetch_failures
                   (url_key, url, source, reason, http_status, permanent, attempts, first_seen_at, last_seen_at,
                    next_attempt_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (url_key) DO UPDATE SET reason = excluded.reason,
                     http_status = excluded.http_status, permanent = excluded.permanent,
                     attempts = excluded.attempts, last_seen_at = excluded.last_seen_at,
                     next_attempt_at = excluded.next_attempt_at""",
                [key, url, source, reason, http_status, int(permanent or gave_up), attempts, first_seen,
                 utc_stamp(now), utc_stamp(now + timedelta(seconds=wait))],
            )

    def retry_not_due(self, url: str) -> bool:
        """True while a transiently failing page waits for its next attempt."""
        return bool(self.db.execute(
            "SELECT 1 FROM fetch_failures WHERE url_key = ? AND permanent = 0 AND next_attempt_at > ?",
            [url_key(url), utc_now()]).fetchone())

    # -- list pages (conditional GET) ---------------------------------------------------------

    def list_page_validators(self, url: str) -> dict | None:
        """ETag/Last-Modified to send, only when every article the page listed is settled:
        otherwise a 304 would hide articles a killed crawl never stored."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM list_pages WHERE url_key = ? AND complete = 1", [url_key(url)]
        ).fetchone()
        return {"etag": row[0], "last_modified": row[1]} if row and (row[0] or row[1]) else None

    def incomplete_list_pages(self, source: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT url FROM list_pages WHERE source = ? AND complete = 0", [source])]

    def save_list_page(self, source: str, url: str, *, etag: str | None, last_modified: str | None,
                       listed: list[str] | None, settled: bool = True) -> bool:
        """Record a list page after a crawl; `listed` is None when it answered 304.
        Returns whether the page is complete (all listed articles stored or failed for good).
        `settled=False` (the page arrived cut short, or the run ended before it had followed the
        page's pagination) keeps it incomplete: the next run reads it, and past it, again."""
        now = utc_now()
        with write_transaction(self.db):
            if listed is None:
                self.db.execute("UPDATE list_pages SET checked_at = ?, complete = complete AND ? WHERE url_key = ?",
                                [now, int(settled), url_key(url)])
                return settled
            complete = settled and all(self.is_known(link) for link in listed)
            self.db.execute(
                """INSERT INTO list_pages (url_key, url, source, etag, last_modified, complete, listed, checked_at, changed_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (url_key) DO UPDATE SET url = excluded.url, etag = excluded.etag,
                     last_modified = excluded.last_modified, complete = excluded.complete,
                     listed = excluded.listed, checked_at = excluded.checked_at, changed_at = excluded.changed_at""",
                [url_key(url), url, source, etag, last_modified, int(complete), len(listed), now, now],
            )
            return complete

    def list_page_failed(self, source: str, url: str, *, gone: bool = False) -> None:
        """A list page this run could not read (5xx, timeout, reset, challenge): kept incomplete,
        so the next run reads it, and the pages past it, again even when page 1 answers 304. One
        that is gone for good (404/410, not a page) is forgotten: there is nothing to resume."""
        with write_transaction(self.db):
            if gone:
                self.db.execute("DELETE FROM list_pages WHERE url_key = ?", [url_key(url)])
                return
            self.db.execute(
                """INSERT INTO list_pages (url_key, url, source, complete, checked_at) VALUES (?, ?, ?, 0, ?)
                   ON CONFLICT (url_key) DO UPDATE SET complete = 0, checked_at = excluded.checked_at""",
                [url_key(url), url, source, utc_now()])

    # -- crawl runs ----------------------------------------------------------------------------

    def start_run(self, source: str, pid: int | None = None) -> int:
        with write_transaction(self.db):
            return self.db["crawl_runs"].insert(
                {"source": source, "started_at": utc_now(), "status": "running", "pid": pid or os.getpid()}
            ).last_pk

    def finish_run(self, run_id: int, *, status: str, finish_reason: str, counts: dict,
                   error_reasons: list[dict]) -> None:
        values = {
            "finished_at": utc_now(), "status": status, "finish_reason": finish_reason,
            "error_reasons": json.dumps(error_reasons, ensure_ascii=False),
            **{k: counts.get(k, 0) for k in ("pages", "not_modified", "articles_fetched", "new", "known",
                                            "duplicates", "errors", "deferred", "skipped_links")},
            "links": counts.get("links"),  # None: every list page answered 304, nothing was listed
        }
        with write_transaction(self.db):
            self.db["crawl_runs"].update(run_id, values)

    def close_interrupted_runs(self, source: str | None = None, *, reason: str = "interrupted") -> int:
        """Runs still 'running' whose process is gone were killed: say so instead of leaving them open."""
        rows = self.db.execute(
            "SELECT id, pid FROM crawl_runs WHERE status = 'running'" + (" AND source = ?" if source else ""),
            [source] if source else [],
        ).fetchall()
        dead = [run_id for run_id, pid in rows if not process_alive(pid)]
        with write_transaction(self.db):
            for run_id in dead:
                self.db["crawl_runs"].update(
                    run_id, {"status": reason, "finish_reason": reason, "finished_at": utc_now()})
        return len(dead)

    def live_run(self, source: str) -> dict | None:
        """A run of the source still marked running whose process is alive, if any."""
        for row in self.db.query("SELECT * FROM crawl_runs WHERE status = 'running' AND source = ? ORDER BY id DESC",
                                 [source]):
            if process_alive(row["pid"]) and row["pid"] != os.getpid():
                return row
        return None

    def end_run(self, run_id: int, *, status: str, finish_reason: str) -> None:
        """Close a run from outside its crawl (the scheduler's watchdog), keeping its counts."""
        with write_transaction(self.db):
            self.db["crawl_runs"].update(
                run_id, {"status": status, "finish_reason": finish_reason, "finished_at": utc_now()})

    def run(self, run_id: int) -> dict:
        return self.db["crawl_runs"].get(run_id)

    def run_of_process(self, source: str, pid: int) -> dict | None:
        rows = list(self.db.query(
            "SELECT * FROM crawl_runs WHERE source = ? AND pid = ? ORDER BY id DESC LIMIT 1", [source, pid]))
        return rows[0] if rows else None

    def last_runs(self, source: str, limit: int = 1) -> list[dict]:
        return list(self.db.query(
            "SELECT * FROM crawl_runs WHERE source = ? ORDER BY id DESC LIMIT ?", [source, limit]))


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """Wait before the next attempt: none after a first failure (the next run retries), then
    10 min, 20, 40 … up to 12 h; never less than the site's Retry-After (capped at a week)."""
    exponential = 0 if attempts <= 1 else min(BACKOFF_FIRST_SECONDS * 2 ** min(attempts - 2, 20), BACKOFF_MAX_SECONDS)
    return max(exponential, min(retry_after or 0, 7 * 86400))


def _parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def readable_diff(old_title, old_body, new_title, new_body) -> str:
    """A unified diff, one paragraph per line, title first: what an editor changed."""
    old = [f"# {old_title or ''}", *(old_body or "").split("\n")]
    new = [f"# {new_title or ''}", *(new_body or "").split("\n")]
    return "\n".join(difflib.unified_diff(old, new, "before", "after", lineterm="", n=1))


_EMPTY = Article().to_dict()


def _since_utc(since: str) -> str:
    """'2026-11-01' or an ISO time → the UTC text form the clusters table stores."""
    when = datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return utc_stamp(when)


def _column_value(name: str, value):
    if name in json_fields():
        return json.dumps(value if value is not None else _EMPTY[name], ensure_ascii=False)
    return value


def process_alive(pid: int | None) -> bool:
    """Whether a process of this machine with that pid still runs (a permission error means it does)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
