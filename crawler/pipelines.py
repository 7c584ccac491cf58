"""Item pipelines: fetched page -> extracted article -> batched, transactional store.

Items are dicts with a "kind": "page" (raw bytes from the spider), "article" (after extraction)
or "error" (a page that could not be used, with its reason).

Extraction, the content hash and the dedup signature run in a process pool, off the reactor's
thread: one process alone tops out where Scrapy's own work (~3.5 ms of CPU per page) and
extraction (~3.5 ms) meet, so a second core is what lets fetching go on while pages are read.
The store stays in this process: one writer, one transaction per batch (its articles, their
attachments and citations), so a killed crawl leaves whole articles or none.
"""
from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crawler.extraction_job import _error, _pool_started, extract_item, return_large_blocks
from crawler.runbook import STORAGE_ERRORS
from storage.db import write_transaction

from crawler.documents.pipeline import store_documents

BATCH_SIZE = 20
BATCH_SECONDS = 2.0


def extraction_processes(settings) -> int:
    """HEALTHWATCH_EXTRACT_PROCESSES: 0 extracts in the crawl's own process. Default: one per core
    but the one the crawl itself keeps busy (Scrapy and the store), at least one; each costs ~100 MB."""
    value = settings.get("HEALTHWATCH_EXTRACT_PROCESSES")
    return int(value) if value is not None else max(1, (os.cpu_count() or 1) - 1)


class SharedPool:
    """One extraction pool per process, however many crawlers it runs (a worker runs one per source)."""

    pool: ProcessPoolExecutor | None = None
    users = 0

    @classmethod
    def acquire(cls, processes: int) -> ProcessPoolExecutor:
        # "spawn": a fresh interpreter, not a fork of a process with a running reactor and its threads
        if cls.pool is None:
            cls.pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                                           initializer=_pool_started, initargs=(os.getpid(),))
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
                   "attachments": bool(source.attachments)}
        if self.pool is None:
            return extract_item(item, options)
        try:
            return await asyncio.wrap_future(self.pool.submit(extract_item, item, options))
        except BrokenProcessPool:  # a worker died (memory, a crash in a C extension): new pool, this page fails
            self.pool = SharedPool.replace_broken(self.pool, self.processes)
            return _error(item, "extraction failed: the extraction process died")


class StorePipeline:
    """Buffers articles and writes them in one transaction per batch; records errors at once."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.buffer: list[dict] = []
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
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
                self.flush()
        return item

    def close_spider(self):
        self.flush()

    def store_documents(self, store, article_id: int, item: dict) -> None:
        """In the batch's transaction, after its article: a failure here loses its attachments'
        rows (a savepoint of their own), not the article."""
        try:
            with write_transaction(store.db):
                store_documents(store.db, article_id, item)
        except Exception as exc:
            self.crawler.spider.runbook.error(item["url"], f"storing its attachments and citations failed: "
                                              f"{type(exc).__name__}: {exc}"[:300], remember=False)

    def flush(self):
        self.last_flush = time.monotonic()
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        runbook = self.crawler.spider.runbook
        if runbook.fatal:  # the database already failed: these stay unstored, so the next run fetches them
            return
        store = self.crawler.spider.store
        try:  # one transaction: the batch's articles with their attachments, 文号 and citations, or nothing
            with write_transaction(store.db):
                outcomes = store.save_articles(batch)
                for item, outcome in zip(batch, outcomes):
                    if outcome.status == "new":  # (crawler.documents)
                        self.store_documents(store, outcome.article_id, item)
        except STORAGE_ERRORS as exc:  # a full disk, a read-only file: the run fails with the reason
            runbook.storage_failed(exc)
            return
        for outcome in outcomes:
            stat = {"new": "new", "known": "known", "duplicate": "duplicates"}[outcome.status]
            self.crawler.stats.inc_value(f"healthwatch/{stat}")
