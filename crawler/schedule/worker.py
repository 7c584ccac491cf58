"""`healthwatch worker --redis URL`: crawl from the shared scrapy-redis queue, on any number of machines.

One process runs one RedisSpider per source of its config (per-source politeness settings stay
per crawler). Workers fetch and extract (the CPU-heavy part spreads over the machines) and push
what they found to Redis; they hold no database. The single ingester writes it
(crawler.schedule.ingester). What the spider asks the database in local mode it asks Redis here:

- "is this article stored?" (never re-fetch) and "send a conditional GET?" read `hw:known` and
  `hw:validators`, which the ingester fills from SQLite after each commit. Why in Redis rather than
  asking the ingester: every worker reads them for every link, Redis answers that in microseconds
  and keeps answering while the ingester restarts, and the ingester stays a plain writer loop
  with no server of its own. A stale answer only errs towards fetching: a URL not yet in the set
  is fetched again (and the ingester stores it as "known"); validators exist only for complete
  list pages.
- The list-page budget (max_pages) of a round and "this list page was requested already" are
  shared counters in Redis, because pagination links are followed by whichever worker read the page.

A request leaves this worker's processing set only once its callback and the items it produced
are done (AckRequests); a killed worker's in-flight requests are requeued by the survivors.
"""
from __future__ import annotations

import json
import logging
import time
from collections import Counter
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.spiders import RedisMixin

from crawler.config import load_config
from crawler.documents import office
from crawler.fetch import address_guard
from crawler.fetch.urls import canonical_url, url_key
from crawler.schedule import redisq
from spiders.source import SourceSpider, apply_source_settings
from storage.store import utc_now

log = logging.getLogger("healthwatch.worker")
HEARTBEAT_SECONDS = 2.0
IDLE_POLL_SECONDS = 1.0


def worker_settings(redis_url: str) -> dict:
    return {
        "SCHEDULER": "crawler.schedule.redisq.ReliableScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.schedule.redisq.ReliableQueue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # the queue and dupefilter outlive any one worker
        "REDIS_URL": redis_url,
        # idle-close counts from when the start-URL key was last non-empty, not the queue
        # (engineering notes §6): a worker runs until stopped
        "MAX_IDLE_TIME_BEFORE_CLOSE": 0,
        # the documents pipeline as in a local crawl: attachments are downloaded and read here, the
        # ingester stores them with the article (crawler.documents.pipeline.store_documents)
        "ITEM_PIPELINES": {"crawler.pipelines.ExtractPipeline": 100,
                           "crawler.documents.pipeline.AttachmentPipeline": 500,
                           "crawler.schedule.worker.PushItems": 800},
        "SPIDER_MIDDLEWARES": {"crawler.fetch.middlewares.SkipKnownArticles": 600,
                               "crawler.schedule.worker.SharedListBudget": 590,
                               "crawler.schedule.worker.AckRequests": 950},
    }


class RedisState:
    """The spider's questions to the store, answered from what the ingester keeps in Redis."""

    def __init__(self, server):
        self.server = server

    def is_known(self, url: str) -> bool:
        return bool(self.server.sismember(redisq.KNOWN, url_key(url)))

    def attachment_known(self, url: str) -> bool:
        """An attachment stored in an earlier round: not fetched again, the ingester reuses its row."""
        return bool(self.server.sismember(redisq.ATTACHMENTS, url_key(url)))

    def list_page_validators(self, url: str) -> dict | None:
        raw = self.server.hget(redisq.VALIDATORS, url_key(url))
        return json.loads(raw) if raw else None

    def retry_not_due(self, url: str) -> bool:
        """A transiently failing page waits out the backoff the ingester recorded for it."""
        until = self.server.zscore(redisq.DEFERRED, url_key(url))
        return bool(until and until > time.time())

    def incomplete_list_pages(self, source: str) -> list[str]:
        return []  # the scheduler pushes them with the round's start requests

    def due_rechecks(self, source: str, offsets) -> list:
        return []  # likewise

    def close(self) -> None:
        pass


class RedisRunBook:
    """The spider's run book, as records for the ingester: list pages and errors."""

    def __init__(self, server, source: str, crawler):
        self.server, self.source, self.crawler = server, source, crawler
        self.run_id = 0
        self.fatal = None  # no database here: nothing can fail for good on a worker

    def open(self) -> None:
        pass  # the round's crawl_runs row is opened by the scheduler that pushed it

    def callback_failed(self, failure, response, spider=None) -> None:
        url = response.meta.get("list_url") or response.meta.get("request_url") or response.url
        self.error(url, f"crawler error: {failure.type.__name__}: {failure.getErrorMessage()}"[:300], remember=False)

    def item_failed(self, item, response, spider=None, failure=None) -> None:
        what = f"{failure.type.__name__}: {failure.getErrorMessage()}" if failure is not None else "unknown"
        self.error(str((item or {}).get("url") or ""), f"pipeline error: {what}"[:300], remember=False)

    def list_fetched(self, url, *, etag, last_modified, listed, whole: bool = True) -> None:
        self.crawler.stats.inc_value("healthwatch/pages")
        push(self.server, {"kind": "list", "source": self.source, "url": url, "etag": etag,
                           "last_modified": last_modified, "listed": listed, "whole": whole})

    def list_failed(self, url: str, gone: bool = False) -> None:
        """The ingester keeps it incomplete (or forgets a gone one): the next round reads it again."""
        push(self.server, {"kind": "list_failed", "source": self.source, "url": url, "gone": gone})

    def list_not_modified(self, url: str) -> None:
        self.crawler.stats.inc_value("healthwatch/pages")
        push(self.server, {"kind": "list", "source": self.source, "url": url, "listed": None})

    def error(self, url, reason, *, http_status=None, permanent=False, remember=True, blocked=False,
              retry_after=None) -> None:
        self.crawler.stats.inc_value("healthwatch/errors")
        push(self.server, {"kind": "error", "source": self.source, "url": url, "reason": reason,
                           "http_status": http_status, "permanent": permanent, "remember": remember,
                           "retry_after": retry_after, "fingerprint": fingerprint(url)})

    def close(self, finish_reason: str) -> dict:
        return {"id": 0, "status": f"worker closed ({finish_reason})"}


def fingerprint(url: str) -> str:
    """The scrapy-redis dupefilter's fingerprint of a GET of the URL."""
    return RFPDupeFilter.request_fingerprint(None, scrapy.Request(url))


def push(server, record: dict) -> None:
    record = {**record, "run": current_run(server, record["source"]), "pushed_at": utc_now()}
    server.lpush(redisq.ITEMS, json.dumps(record, ensure_ascii=False, default=str))


_runs: dict[str, tuple[float, int | None]] = {}


def current_run(server, source: str) -> int | None:
    """The crawl_runs id of the source's current round (cached for a second)."""
    at, run = _runs.get(source, (0.0, None))
    if time.monotonic() - at > 1.0:
        raw = server.get(redisq.key(source, "run"))
        run = int(raw) if raw else None
        _runs[source] = (time.monotonic(), run)
    return run


class RedisSourceSpider(RedisMixin, SourceSpider):
    """The config-driven spider fed from Redis: `hw:<source>:start_urls` holds its start requests."""

    @classmethod
    def from_crawler(cls, crawler, *args, source: str | None = None, config: str | None = None,
                     worker_id: str = "", **kwargs):
        # SourceSpider.from_crawler's steps, minus its database (keep the two in step)
        cfg = load_config(config)
        src = cfg.source(source)
        apply_source_settings(crawler.settings, cfg, src)
        address_guard.configure(allow_private=cfg.allow_private_addresses)
        for name, what in (("SCHEDULER_QUEUE_KEY", "requests"), ("SCHEDULER_DUPEFILTER_KEY", "dupefilter")):
            crawler.settings.set(name, redisq.key(src.name, what), priority="spider")
        spider = scrapy.Spider.from_crawler.__func__(cls, crawler, *args, **kwargs)
        spider.config, spider.source, spider.worker_id = cfg, src, worker_id
        spider.redis_key = redisq.key(src.name, "start_urls")
        spider.setup_redis(crawler)
        spider.store = RedisState(spider.server)
        spider.runbook = RedisRunBook(spider.server, src.name, crawler)
        spider.list_budget = Unlimited()  # the shared budget is SharedListBudget's
        crawler.signals.connect(spider.runbook.callback_failed, signals.spider_error)
        crawler.signals.connect(spider.runbook.item_failed, signals.item_error)
        spider.acks = Acks(spider.server)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.acks.item_done, signal)
        return spider

    async def start(self):
        for request in self.next_requests():
            yield request

    def next_requests(self):
        """scrapy-redis's, but a start entry may be an item (an attachment to download again) or nothing."""
        for data in self.fetch_data(self.redis_key, self.redis_batch_size):
            output = self.make_request_from_data(data)
            if output is not None:
                yield output

    def schedule_next_requests(self):
        """An idle worker's next start entries: requests to the queue, items straight to the pipelines."""
        from scrapy.utils.defer import deferred_from_coro

        for output in self.next_requests():
            if isinstance(output, dict):
                deferred_from_coro(self.crawler.engine.scraper.start_itemproc_async(output, response=None))
            else:
                self.crawler.engine.crawl(output)

    def make_request_from_data(self, data: bytes):
        start = json.loads(data)
        role = start.get("role", "list")
        if role == "attachment_retry":  # read again only where LibreOffice is, if that is what it waited for
            return None if start.get("waits_for_office") and office.soffice() is None else self.attachment_retry(start)
        if role == "api":
            request = self.api_request(int(start["page"]))
        elif role == "recheck":
            request = self.article_request(start["url"], list_url=None, recheck_of=int(start["recheck_of"]))
        else:
            request = self.make_list_request(start["url"], root=start.get("root", start["url"]))
        request.meta["hw_start"] = True  # its budget was taken by the scheduler that pushed it
        request.dont_filter = True
        return request

    def list_request(self, url: str, root: str, index: int = 1):
        # budget and "requested already this round" are SharedListBudget's, shared by the workers
        yield self.make_list_request(url, root, index)

    def on_error(self, failure):
        ack = failure.request.meta.get("_hw_ack")
        try:
            for output in super().on_error(failure):
                if ack and isinstance(output, dict):
                    self.acks.hold(ack)
                yield output
        finally:
            self.acks.callback_done(ack)

    def closed(self, reason):
        self.logger.info("worker crawler of %s closed: %s", self.source.name, reason)


class Unlimited(dict):
    """A list budget that never runs out: in Redis mode SharedListBudget keeps the real one."""

    def __missing__(self, key):
        return 10**9

    def get(self, key, default=None):
        return self[key]


class Acks:
    """When a dequeued request is done: its callback finished and each item it yielded went
    through the pipelines (so it is in hw:items). Then it leaves the processing set."""

    def __init__(self, server):
        self.server = server
        self.pending: Counter = Counter()
        self.finished: set = set()

    def hold(self, ack) -> None:
        self.pending[ack] += 1

    def callback_done(self, ack) -> None:
        if ack:
            self.finished.add(ack)
            self._settle(ack)

    def item_done(self, item=None, response=None, **kwargs) -> None:
        meta = getattr(response, "meta", None) if not hasattr(response, "value") else None
        if meta is None:  # an errback's item: the response is the Failure
            meta = getattr(getattr(response, "request", None), "meta", None) or {}
        ack = meta.get("_hw_ack")
        if ack and self.pending[ack] > 0:
            self.pending[ack] -= 1
            self._settle(ack)

    def _settle(self, ack) -> None:
        if ack in self.finished and self.pending[ack] <= 0:
            self.server.zrem(*ack)
            self.finished.discard(ack)
            self.pending.pop(ack, None)


class AckRequests:
    """Counts the items of each dequeued request's callback and says when the callback ended."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_spider_output(self, response, result):
        ack = response.meta.get("_hw_ack")
        acks = self.crawler.spider.acks
        try:
            async for output in result:
                if ack and isinstance(output, dict):
                    acks.hold(ack)
                yield output
        finally:
            acks.callback_done(ack)


class SharedListBudget(BaseSpiderMiddleware):
    """max_pages and 'requested already this round' for list pages, shared by all workers.
    List requests bypass the dupefilter (they are asked again every round)."""

    def get_processed_request(self, request, response):
        meta = request.meta
        if meta.get("role") != "list" or meta.get("hw_start"):
            return request
        spider = self.crawler.spider
        source = spider.source.name
        request.dont_filter = True
        if not spider.server.sadd(redisq.key(source, "lists"), canonical_url(meta["list_url"])):
            return None
        if spider.server.hincrby(redisq.key(source, "budget"), meta["root"], -1) < 0:
            self.crawler.stats.inc_value("healthwatch/list_budget_spent")
            return None
        return request


class PushItems:
    """The worker's last pipeline: extracted articles and errors go to hw:items for the ingester."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        spider = self.crawler.spider
        record = {k: v for k, v in item.items() if k != "_signed"}  # numpy: the ingester signs again
        if record.get("kind") == "error":
            record["remember"] = not record.get("recheck_of")
            record["fingerprint"] = fingerprint(record.get("request_url") or record["url"])
        if record.get("kind") == "article":
            self.crawler.stats.inc_value("healthwatch/articles_fetched")
        push(spider.server, record)
        return item


def run_worker(config_path: Path, redis_url: str, names: list[str], *, dead_after: float = redisq.DEAD_AFTER,
               log_level: str = "INFO", log_file: str | None = None) -> None:
    """Crawl the named sources from Redis until SIGTERM/SIGINT."""
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import task

    from crawler.schedule.runner import scrapy_settings

    # An idle engine looks at its scheduler on a 5 s heartbeat: with a shared queue that other
    # workers keep nearly empty, a worker would rarely find work (engineering notes §6: one worker
    # takes a small queue). Once a second here (Scrapy has no setting for it).
    from scrapy.core.engine import ExecutionEngine

    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL_SECONDS
    settings = scrapy_settings(log_level, log_file)
    for name, value in worker_settings(redis_url).items():
        settings.set(name, value, priority="cmdline")
    server = redisq.connect(redis_url)
    server.ping()
    worker_id = redisq.new_worker_id()
    process = CrawlerProcess(settings)
    crawlers = []
    for name in names:
        crawler = process.create_crawler(RedisSourceSpider)
        crawlers.append(crawler)
        process.crawl(crawler, source=name, config=str(config_path), worker_id=worker_id)

    def beat():
        def total(stat):
            return sum(c.stats.get_value(stat, 0) for c in crawlers if c.stats)

        redisq.heartbeat(server, worker_id, {"sources": names, "pages": total("response_received_count"),
                                             "articles": total("healthwatch/articles_fetched"), "started": started})
        redisq.requeue_dead_workers(server, dead_after, me=worker_id)

    started = time.time()
    beat()
    loop = task.LoopingCall(beat)
    loop.start(HEARTBEAT_SECONDS, now=False)
    log.info("worker %s crawling %s from %s", worker_id, ", ".join(names), redis_url)
    try:
        process.start()
    finally:
        server.hdel(redisq.WORKERS, worker_id)
