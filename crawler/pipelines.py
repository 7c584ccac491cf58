"""Item pipelines: fetched page -> extracted article -> batched, transactional store.

Items are dicts with a "kind": "page" (raw bytes from the spider), "article" (after extraction)
or "error" (a page that could not be used, with its reason).

Extraction, the content hash and the dedup signature run in a process pool, off the reactor's
thread: one process alone tops out where Scrapy's own work (~3.5 ms of CPU per page) and
extraction (~3.5 ms) meet, so a second core is what lets fetching go on while pages are read.
A page that finds the pool full is extracted in the crawl process (ExtractPipeline.pool_is_full).
The store stays in this process, in a writer thread of its own (`Writer`): one transaction per
batch (its articles, their attachments and citations), so a killed crawl leaves whole articles or
none, while the reactor's thread goes on fetching.
"""
from __future__ import annotations

import asyncio
import concurrent.futures.process as _futures_process
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from crawler.extraction_job import _error, _pool_started, extract_item, return_large_blocks
from crawler.runbook import STORAGE_ERRORS
from storage.db import write_transaction
from storage.store import Store

from crawler.documents.pipeline import store_documents

BATCH_SIZE = 20
BATCH_SECONDS = 2.0
MAX_PENDING_BATCHES = 3  # batches handed to the writer and not yet stored before the crawl waits for one
# Pages waiting in the extraction processes' pipe beyond the ones being extracted (the standard
# library keeps one): with one, the extraction process waited for the crawl process's executor
# threads to hand it the next page, and they wait for the GIL behind the reactor and the writer.
QUEUED_PAGES = 8
# The interval after which a thread waiting for the GIL makes the holder let go (default 5 ms):
# the reactor's thread gives the GIL up at every socket call and pipe write, then waited up to
# that long behind the writer's thread for it back.
SWITCH_INTERVAL = 0.0005
# Pages waiting for the pool beyond the ones being extracted before the crawl process extracts the next
# one itself (ExtractPipeline.pool_is_full). crawl_bench, 3,000 pages, runs alternated: 3: 150 pages/s,
# 8: 169, 16: 177, 24: 171, 40: 160.
WAITING_PAGES = 16


def extraction_processes(settings) -> int:
    """HEALTHWATCH_EXTRACT_PROCESSES: 0 extracts in the crawl's own process. Default: one per core
    but the one the crawl itself keeps busy (Scrapy and the store), at least one; each costs ~100 MB."""
    value = settings.get("HEALTHWATCH_EXTRACT_PROCESSES")
    return int(value) if value is not None else max(1, (os.cpu_count() or 1) - 1)


class SharedPool:
    """One extraction pool per process, however many crawlers it runs (a worker runs one per source)."""

    pool: ProcessPoolExecutor | None = None
    users = 0
    in_flight = 0  # pages handed to the pool and not yet back

    @classmethod
    def acquire(cls, processes: int) -> ProcessPoolExecutor:
        if cls.pool is None:
            cls.pool = _deep_pool(processes)
        cls.users += 1
        return cls.pool

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users <= 0 and cls.pool is not None:
            cls.pool.shutdown(wait=True, cancel_futures=True)
            cls.pool, cls.users = None, 0

    @classmethod
    def replace_broken(cls, broken: ProcessPoolExecutor, processes: int) -> ProcessPoolExecutor:
        if cls.pool is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            cls.pool = None
            cls.users -= 1
            return cls.acquire(processes)
        return cls.pool


def _deep_pool(processes: int) -> ProcessPoolExecutor:
    """A pool whose call queue holds QUEUED_PAGES more than its processes (the size is read from the
    module's EXTRA_QUEUED_CALLS when the executor is made, and only then)."""
    # "spawn": a fresh interpreter, not a fork of a process with a running reactor and its threads
    saved, _futures_process.EXTRA_QUEUED_CALLS = _futures_process.EXTRA_QUEUED_CALLS, QUEUED_PAGES
    try:
        return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_pool_started, initargs=(os.getpid(),))
    finally:
        _futures_process.EXTRA_QUEUED_CALLS = saved


class ExtractPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.processes = extraction_processes(crawler.settings)
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        if self.processes > 0:  # started with the crawl: the pool's imports overlap the first fetches
            self.pool = SharedPool.acquire(self.processes)
            sys.setswitchinterval(SWITCH_INTERVAL)
        return_large_blocks()
        gc.freeze()  # Scrapy, the config and the extractor are loaded: out of the collector's way

    def close_spider(self):
        if self.pool:
            SharedPool.release()
            self.pool = None

    async def process_item(self, item):
        if item.get("kind") != "page":
            return item
        source = self.crawler.spider.source
        options = {"encoding": source.encoding, "selectors": source.selectors or None,
                   "json_fields": source.json_fields or None, "sign": not item.get("recheck_of"),
                   "attachments": bool(source.attachments),
                   "timeout": self.crawler.settings.getfloat("HEALTHWATCH_EXTRACT_TIMEOUT")}
        if self.pool is None:
            return extract_item(item, options)
        if self.pool_is_full():
            self.crawler.stats.inc_value("healthwatch/extracted_in_crawl_process")
            return extract_item(item, options)
        SharedPool.in_flight += 1
        try:
            return await asyncio.wrap_future(self.pool.submit(extract_item, item, options))
        except BrokenProcessPool:  # a worker died (memory, a crash in a C extension): new pool, this page fails
            self.pool = SharedPool.replace_broken(self.pool, self.processes)
            return _error(item, "extraction failed: the extraction process died")
        finally:
            SharedPool.in_flight -= 1

    def pool_is_full(self) -> bool:
        """Every extraction process has a page and WAITING_PAGES more wait for one: a further page
        would only wait too, while this process, whose own work (Scrapy, the store) keeps it about half
        busy, has time to extract it. Extracting it here blocks the reactor for those milliseconds,
        which keeps the share extracted here in step with the time this process has (measured on
        the 3,000-page bench: +15% pages/s, peak RSS +13 MB). The time limit holds here too (the
        reactor runs in the main thread); a crash in a C extension would end the crawl, not one
        pool process, as a kill does: whole rows or none, and the next run fetches the page again."""
        return SharedPool.in_flight >= self.processes + WAITING_PAGES


class Writer:
    """The process's one writer thread per database file, with a connection of its own: it stores
    the batches handed to it in order, each in one transaction, while the reactor's thread goes on
    fetching (SQLite's work, FTS5 indexing included, runs without the GIL). Measured on the
    5,000-page bench, the store had taken 36% of the reactor's thread."""

    _open: dict[Path, "Writer"] = {}
    _lock = threading.Lock()

    def __init__(self, path: Path):
        self.path, self.users = path, 0
        self.store: Store | None = None  # opened in the writer's thread: a connection belongs to the thread that opened it
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="healthwatch-writer")

    @classmethod
    def acquire(cls, path: Path) -> "Writer":
        key = Path(path).resolve()
        with cls._lock:
            writer = cls._open.get(key) or cls._open.setdefault(key, cls(key))
            writer.users += 1
            return writer

    def release(self) -> None:
        with self._lock:
            self.users -= 1
            if self.users > 0:
                return
            self._open.pop(self.path, None)
        self.executor.submit(lambda: self.store and self.store.close())
        self.executor.shutdown(wait=True)

    def submit(self, batch: list[dict]) -> Future:
        return self.executor.submit(self._write, batch)

    def _write(self, batch: list[dict]) -> "BatchResult":
        """One transaction: the batch's articles with their attachments, 文号 and citations, or nothing."""
        result = BatchResult()
        try:
            store = self.store = self.store or Store(self.path)
            with write_transaction(store.db):
                result.outcomes = store.save_articles(batch)
                for item, outcome in zip(batch, result.outcomes):
                    if outcome.status == "new":  # (crawler.documents)
                        self._store_documents(store, outcome.article_id, item, result)
        except STORAGE_ERRORS as exc:  # a full disk, a read-only file: the run fails with the reason
            result.outcomes, result.failure = [], exc
        return result

    @staticmethod
    def _store_documents(store, article_id: int, item: dict, result: "BatchResult") -> None:
        """In the batch's transaction, after its article: a failure here loses its attachments'
        rows (a savepoint of their own), not the article."""
        try:
            with write_transaction(store.db):
                store_documents(store.db, article_id, item)
        except Exception as exc:
            result.errors.append((item["url"], f"storing its attachments and citations failed: "
                                               f"{type(exc).__name__}: {exc}"[:300]))


class BatchResult:
    """What the writer did with a batch, for the reactor's thread to count and report."""

    def __init__(self):
        self.outcomes: list = []
        self.errors: list[tuple[str, str]] = []  # (url, reason) of articles stored without their documents
        self.failure: BaseException | None = None  # the batch was not stored


class StorePipeline:
    """Buffers articles and hands them to the writer in batches; records errors at once."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.buffer: list[dict] = []
        self.last_flush = time.monotonic()
        self.writer: Writer | None = None
        self.pending: deque[Future] = deque()  # batches handed to the writer, oldest first

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.writer = Writer.acquire(self.crawler.spider.store.path)

    async def process_item(self, item):
        kind = item.get("kind")
        if kind == "error":
            self.crawler.spider.runbook.error(item["url"], item["reason"], http_status=item.get("http_status"),
                                              permanent=item.get("permanent", False), remember=not item.get("recheck_of"),
                                              retry_after=item.get("retry_after"))
        elif item.get("recheck_of"):  # a stored article fetched again: unchanged, changed or gone
            try:
                outcome = self.crawler.spider.store.save_recheck(item["recheck_of"], item if kind == "article" else None)
            except STORAGE_ERRORS as exc:
                self.crawler.spider.runbook.storage_failed(exc)
                return item
            self.crawler.stats.inc_value(f"healthwatch/recheck_{outcome}")
        elif kind == "article":
            self.crawler.stats.inc_value("healthwatch/articles_fetched")
            self.buffer.append(item)
            if len(self.buffer) >= BATCH_SIZE or time.monotonic() - self.last_flush > BATCH_SECONDS:
                await self.flush()
        return item

    async def close_spider(self):
        await self.flush(drain=True)
        if self.writer:
            self.writer.release()
            self.writer = None

    async def flush(self, drain: bool = False):
        """Hand the buffer to the writer; wait while MAX_PENDING_BATCHES are still unstored (the
        item waiting holds its response's place in Scrapy's scraper: fetching slows to the store's
        pace and memory stays bounded), or until all are stored (`drain`)."""
        self.last_flush = time.monotonic()
        batch, self.buffer = self.buffer, []
        if batch and not self.crawler.spider.runbook.fatal:  # failed: these stay unstored, so the next run fetches them
            self.pending.append(self.writer.submit(batch))
        while self.pending and (self.pending[0].done() or drain or len(self.pending) > MAX_PENDING_BATCHES):
            future = self.pending.popleft()  # before waiting: another item's flush settles the next one
            self.settle(await asyncio.wrap_future(future))

    def settle(self, result: BatchResult) -> None:
        """Count what the writer stored and report what it could not, on the reactor's thread."""
        runbook = self.crawler.spider.runbook
        if result.failure is not None:
            runbook.storage_failed(result.failure)
        for url, reason in result.errors:
            runbook.error(url, reason, remember=False)
        for outcome in result.outcomes:
            stat = {"new": "new", "known": "known", "duplicate": "duplicates"}[outcome.status]
            self.crawler.stats.inc_value(f"healthwatch/{stat}")
