"""The central side of the distributed mode: `healthwatch run --redis` pushes due sources' start
requests (push_round), `healthwatch ingest --redis URL --db PATH` is the single SQLite writer.

The ingester moves items from hw:items to hw:items:processing (BLMOVE/LMOVE: the reliable-queue
pattern), writes the batch in one transaction through the same Store methods as local mode (so
dedup, story clusters, list-page completeness and whatever Store.save_articles writes stay in
step), runs the keyword watches, and only then drops the batch from the processing list. Killed
mid-batch, it finds the batch still there when it starts again and writes it again; articles
already committed come back as "known", so nothing is lost and no row is doubled.

After each commit it mirrors into Redis what workers must know: URL keys never to fetch again
and validators of complete list pages (see worker.py for why that state lives in Redis).
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from crawler.config import Config, Source
from crawler.fetch.urls import canonical_url, url_key
from crawler.schedule import redisq
from storage import attachments as attachment_rows
from storage import ingest
from storage.db import write_transaction
from storage.store import Store, process_alive

log = logging.getLogger("healthwatch.ingester")
LOCK = f"{redisq.PREFIX}:ingester"
SETTLE_SECONDS = 3.0  # a round is over once its queues are empty and no item came for this long


def push_round(config: Config, source: Source, store: Store, server) -> int:
    """Queue one round of a source for the workers: a crawl_runs row, its start requests (start
    URLs, list pages a killed round left incomplete, articles due for a re-check, attachments due
    to be downloaded again), a fresh list budget. Returns the run id."""
    run_id = store.start_run(source.name)
    starts, roots = [], []
    if source.kind == "api":
        starts.append({"role": "api", "page": source.api.first_page})
        roots.append("api")
    else:
        for url in [*source.start_urls, *store.incomplete_list_pages(source.name)]:
            if url not in roots:
                roots.append(url)
                starts.append({"role": "list", "url": url, "root": url})
    for article_id, url in store.due_rechecks(source.name, source.recheck_seconds):
        starts.append({"role": "recheck", "url": url, "recheck_of": article_id})
    if source.attachments:  # those waiting for LibreOffice too: the worker that takes one knows if it has it
        starts += [{"role": "attachment_retry", **row} for row in attachment_rows.due_retries(
            store.db, source.name, office=True, now=datetime.now(timezone.utc))]
    budget, lists = redisq.key(source.name, "budget"), redisq.key(source.name, "lists")
    with server.pipeline() as pipe:
        pipe.set(redisq.key(source.name, "run"), run_id)
        pipe.delete(budget, lists)
        for root in roots:
            pipe.hset(budget, root, source.max_pages - 1 if root in source.start_urls or root == "api" else 0)
            if root != "api":
                pipe.sadd(lists, canonical_url(root))
        for start in starts:
            pipe.rpush(redisq.key(source.name, "start_urls"), json.dumps(start, ensure_ascii=False))
        pipe.execute()
    return run_id


class Ingester:
    def __init__(self, redis_url: str, db_path: Path, config: Config, *, batch_size: int = 100,
                 dead_after: float = redisq.DEAD_AFTER, pause_in_batch: float = 0.0):
        self.server = redisq.connect(redis_url)
        self.db_path, self.config, self.batch_size = Path(db_path), config, batch_size
        self.dead_after, self.pause_in_batch = dead_after, pause_in_batch
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self.pending_lists: dict[str, dict] = {}  # list pages waiting for their articles
        self.last_item: dict[str, float] = {}  # source -> when its last item was written
        self.reasons: dict[int, list[dict]] = defaultdict(list)
        self.written = 0
        self.store: Store | None = None

    # -- the loop ------------------------------------------------------------------------------
    def run(self, should_stop=lambda: False) -> None:
        self.take_lock()
        self.store = Store(self.db_path)
        try:
            self.mirror_state()
            last_tick = 0.0
            while not should_stop():
                batch = self.take_batch()
                if batch:
                    self.write(batch)
                    self.server.delete(redisq.ITEMS_PROCESSING)  # the ack: after the commit
                if time.monotonic() - last_tick > 1.0:
                    last_tick = time.monotonic()
                    self.refresh_lock()
                    redisq.requeue_dead_workers(self.server, self.dead_after)
                    self.close_finished_rounds()
        finally:
            self.store.close()
            if (self.server.get(LOCK) or b"").decode() == self.me:
                self.server.delete(LOCK)

    def take_lock(self) -> None:
        """One writer: a second ingester refuses to start (one on this host that died is replaced)."""
        if self.server.set(LOCK, self.me, nx=True, ex=30):
            return
        holder = (self.server.get(LOCK) or b"").decode()
        host, _, pid = holder.rpartition(":")
        if host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid)):
            self.server.set(LOCK, self.me, ex=30)
            return
        raise RuntimeError(f"another ingester ({holder}) is writing; there must be only one")

    def refresh_lock(self) -> None:
        self.server.set(LOCK, self.me, ex=30)

    def mirror_state(self) -> None:
        """What the workers ask Redis, from the database: settled URLs and list-page validators."""
        for chunk in ingest.settled_url_keys(self.store):
            self.server.sadd(redisq.KNOWN, *chunk)
        for chunk in attachment_rows.settled_url_keys(self.store.db):
            self.server.sadd(redisq.ATTACHMENTS, *chunk)
        with self.server.pipeline() as pipe:
            for key, etag, last_modified in ingest.complete_list_validators(self.store):
                pipe.hset(redisq.VALIDATORS, key, json.dumps({"etag": etag, "last_modified": last_modified}))
            pipe.execute()

    def take_batch(self) -> list[bytes]:
        """A batch left by an ingester that died before its ack, else up to batch_size new items."""
        left = self.server.lrange(redisq.ITEMS_PROCESSING, 0, -1)
        if left:
            log.info("writing again %d items of an unfinished batch", len(left))
            return left
        first = self.server.blmove(redisq.ITEMS, redisq.ITEMS_PROCESSING, 1.0, "RIGHT", "LEFT")
        if first is None:
            return []
        batch = [first]
        while len(batch) < self.batch_size:
            item = self.server.lmove(redisq.ITEMS, redisq.ITEMS_PROCESSING, "RIGHT", "LEFT")
            if item is None:
                break
            batch.append(item)
        return batch

    # -- one batch -----------------------------------------------------------------------------
    def write(self, batch: list[bytes]) -> None:
        records = []
        for raw in batch:
            try:
                records.append(json.loads(raw))
            except ValueError:
                log.error("dropping an item that is not JSON: %r", raw[:200])
        store = self.store
        counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        lists: list[tuple[dict, bool]] = []
        with write_transaction(store.db):
            articles = [r for r in records if r.get("kind") == "article" and not r.get("recheck_of")]
            for article, outcome in zip(articles, store.save_articles(articles) if articles else []):
                if outcome.status == "new":  # its 文号 and citations, as the local store pipeline does
                    self._store_documents(outcome.article_id, article)
                run = counts[article.get("run") or 0]
                run["articles_fetched"] += 1
                run[{"new": "new", "known": "known", "duplicate": "duplicates"}[outcome.status]] += 1
            for record in records:
                kind, run = record.get("kind"), counts[record.get("run") or 0]
                if record.get("recheck_of") and kind in ("article", "gone"):
                    store.save_recheck(int(record["recheck_of"]), record if kind == "article" else None)
                elif kind == "error":
                    run["errors"] += 1
                    self._keep_reason(record)
                    if record.get("remember", True):
                        store.record_failure(record["source"], record["url"], record["reason"],
                                             http_status=record.get("http_status"),
                                             permanent=bool(record.get("permanent")),
                                             retry_after=record.get("retry_after"))
                elif kind == "attachment_retry" and record.get("file"):
                    self._save_retry(record)
                elif kind == "list_failed":
                    store.list_page_failed(record["source"], record["url"], gone=bool(record.get("gone")))
                elif kind == "list":
                    run["pages"] += 1
                    run["not_modified"] += record.get("listed") is None
                    lists.append((record, self._save_list(record)))
            for run_id, run_counts in counts.items():
                if run_id:
                    ingest.add_run_counts(store, run_id, run_counts)
            if self.pause_in_batch:  # tests: a window in which a kill leaves an uncommitted batch
                time.sleep(self.pause_in_batch)
        self.written += len(articles)
        self.after_commit(records, lists, bool(articles))

    def _store_documents(self, article_id: int, article: dict) -> None:
        from crawler.documents.pipeline import store_documents

        try:
            with write_transaction(self.store.db):  # a savepoint: its failure loses these rows, not the batch
                store_documents(self.store.db, article_id, article)
        except Exception:  # noqa: BLE001 - logged; the article itself stays stored
            log.exception("storing the documents of article %s failed", article_id)

    def _save_retry(self, record: dict) -> None:
        """A worker downloaded a stored attachment again: the row takes what it found, as in a local crawl."""
        try:
            with write_transaction(self.store.db):  # a savepoint, as _store_documents
                attachment_rows.save_retry(self.store.db, int(record["attachment_id"]), record["file"],
                                           now=datetime.now(timezone.utc))
        except Exception:  # noqa: BLE001 - logged (the row may be gone: reset); the row keeps its old state
            log.exception("storing the retried attachment %s failed", record.get("attachment_id"))

    def _save_list(self, record: dict) -> bool:
        return self.store.save_list_page(record["source"], record["url"], etag=record.get("etag"),
                                         last_modified=record.get("last_modified"), listed=record.get("listed"),
                                         settled=record.get("whole", True))

    def _keep_reason(self, record: dict) -> None:
        reasons = self.reasons[record.get("run") or 0]
        if len(reasons) < 200:
            reasons.append({"url": record["url"], "reason": record["reason"]})

    def after_commit(self, records: list[dict], lists: list[tuple[dict, bool]], stored: bool) -> None:
        """Tell the workers what is now settled; run the watches."""
        known, retry, deferred = set(), defaultdict(list), {}
        for record in records:
            self.last_item[record.get("source")] = time.monotonic()
            if record.get("kind") == "article":
                known |= {url_key(record["url"]), url_key(record.get("request_url") or record["url"])}
            elif record.get("kind") == "error":
                if self.store.is_known(record["url"]):
                    known.add(url_key(record["url"]))
                elif record.get("fingerprint"):  # may be tried again, once its backoff has passed
                    retry[record["source"]].append(record["fingerprint"])
                    until = ingest.next_attempt(self.store, record["url"])
                    if until:
                        deferred[url_key(record["url"])] = until
            elif record.get("kind") == "list_failed":  # no 304 for it, whatever it answered before
                self.pending_lists.pop(record["url"], None)
                self.server.hdel(redisq.VALIDATORS, url_key(record["url"]))
        for record, complete in lists:
            if record.get("listed") is not None:
                self.pending_lists[record["url"]] = record
            self._publish_list(record, complete)
        if stored:
            for url, record in list(self.pending_lists.items()):
                if record not in [r for r, _ in lists]:
                    self._publish_list(record, self._save_list(record))
        files = [f["url"] for r in records if r.get("kind") == "article" for f in r.get("attachment_files") or []]
        files += [r["url"] for r in records if r.get("kind") == "attachment_retry"]
        with self.server.pipeline() as pipe:
            for chunk in attachment_rows.settled_url_keys(self.store.db, files) if files else []:
                pipe.sadd(redisq.ATTACHMENTS, *chunk)
            if known:
                pipe.sadd(redisq.KNOWN, *known)
            for source, fingerprints in retry.items():
                pipe.srem(redisq.key(source, "dupefilter"), *fingerprints)
            if deferred:
                pipe.zadd(redisq.DEFERRED, deferred)
            if known:
                pipe.zrem(redisq.DEFERRED, *known)
            pipe.execute()
        if stored and self.config.watches:
            from crawler.watches import check_watches

            try:
                check_watches(self.store.db, self.config)
            except Exception:  # a notification problem must not stop the writer; the hits stay unsent
                log.exception("checking keyword watches failed")

    def _publish_list(self, record: dict, complete: bool) -> None:
        key = url_key(record["url"])
        if complete and record.get("listed") is not None:
            self.pending_lists.pop(record["url"], None)
            if record.get("etag") or record.get("last_modified"):
                self.server.hset(redisq.VALIDATORS, key, json.dumps(
                    {"etag": record.get("etag"), "last_modified": record.get("last_modified")}))
        elif record.get("listed") is not None:
            self.server.hdel(redisq.VALIDATORS, key)

    # -- rounds ---------------------------------------------------------------------------------
    def close_finished_rounds(self) -> None:
        """A source's rounds end when its queues are empty and its items have stopped coming."""
        if self.server.llen(redisq.ITEMS):
            return
        for source, at in list(self.last_item.items()):
            if not source or time.monotonic() - at < SETTLE_SECONDS:
                continue
            lengths = redisq.queue_lengths(self.server, [source])[source]
            if any(lengths.values()):
                continue
            for run_id in ingest.running_runs(self.store, source):
                counts = ingest.run_counts(self.store, run_id)
                status = "failed" if not counts["pages"] else ("partial" if counts["errors"] else "ok")
                self.store.finish_run(run_id, status=status, finish_reason="finished", counts=counts,
                                      error_reasons=self.reasons.pop(run_id, []))
            del self.last_item[source]
