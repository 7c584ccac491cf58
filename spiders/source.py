"""The config-driven spider: `scrapy crawl source -a source=NAME [-a config=FILE] [-a db=PATH]`.

It only routes: list documents go to discovery, article pages go to the pipelines as raw bytes
(extraction and storage happen there), problems go to the run book with their reason.
"""
from __future__ import annotations

from datetime import datetime, timezone

import scrapy
from scrapy import signals
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.config import Config, Source, load_config
from crawler.discovery import discover
from crawler.middlewares import BlockedAddress
from crawler.runbook import RunBook
from crawler.urls import canonical_url
from crawler.watches import check_watches
from storage.paths import default_db_path
from storage.store import Store

HTML_TYPES = ("html", "xml", "text/plain")
GONE_STATUSES = (404, 410)


class SourceSpider(scrapy.Spider):
    name = "source"

    @classmethod
    def from_crawler(cls, crawler, *args, source: str | None = None, config: str | None = None,
                     db: str | None = None, **kwargs):
        if not source:
            raise ValueError("name the source to crawl: scrapy crawl source -a source=NAME")
        cfg = load_config(config)
        src = cfg.source(source)
        apply_source_settings(crawler.settings, cfg, src)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config, spider.source = cfg, src
        spider.store = Store(db or default_db_path())
        spider.runbook = RunBook(spider.store, src.name, crawler)
        spider.list_budget = {}  # start URL -> list pages left to request
        crawler.signals.connect(spider.runbook.open, signals.spider_opened)
        return spider

    async def start(self):
        for url in self.source.start_urls:
            self.list_budget[url] = self.source.max_pages
            yield self.list_request(url, root=url)
        # List pages a killed crawl left incomplete are read in full again (no pagination).
        for url in self.store.incomplete_list_pages(self.source.name):
            if url not in self.list_budget:
                self.list_budget[url] = 1
                yield self.list_request(url, root=url)
        # Stored articles due for a re-check (config `recheck`): edits become revisions.
        for article_id, url in self.store.due_rechecks(self.source.name, self.source.recheck_seconds):
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                                 meta={"role": "recheck", "recheck_of": article_id, "request_url": url,
                                       "list_url": None, "handle_httpstatus_all": True})

    def list_request(self, url: str, root: str) -> scrapy.Request:
        self.list_budget[root] -= 1
        return scrapy.Request(url, callback=self.parse_list, errback=self.on_error, priority=10,
                              meta={"role": "list", "list_url": url, "root": root, "handle_httpstatus_all": True})

    def parse_list(self, response):
        list_url = response.meta["list_url"]
        if response.status == 304:
            self.runbook.list_not_modified(list_url)
            return
        problem = page_problem(response)
        if problem:
            self.runbook.error(list_url, problem[0], http_status=response.status, remember=False)
            return
        found = discover(self.source, response.body, response.url, _header(response, "Content-Type"))
        self.runbook.list_fetched(list_url, etag=_header(response, "ETag"),
                                  last_modified=_header(response, "Last-Modified"),
                                  listed=[link.url for link in found.articles])
        for link in found.articles:
            yield scrapy.Request(link.url, callback=self.parse_article, errback=self.on_error,
                                 meta={"role": "article", "list_url": list_url, "request_url": link.url,
                                       "handle_httpstatus_all": True})
        root = response.meta["root"]
        for page in found.pages:
            if self.list_budget[root] > 0 and canonical_url(page) != canonical_url(list_url):
                yield self.list_request(page, root)

    def parse_article(self, response):
        item = {
            "url": response.url, "request_url": response.meta["request_url"], "source": self.source.name,
            "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "list_url": response.meta["list_url"], "status": response.status,
            "recheck_of": response.meta.get("recheck_of"),
        }
        if item["recheck_of"] and response.status in GONE_STATUSES:
            yield {**item, "kind": "gone"}
            return
        problem = page_problem(response)
        if problem:
            reason, permanent = problem
            yield {**item, "kind": "error", "reason": reason, "http_status": response.status, "permanent": permanent}
            return
        yield {**item, "kind": "page", "html": response.body, "content_type": _header(response, "Content-Type")}

    def on_error(self, failure):
        request = failure.request
        is_list = request.meta.get("role") == "list"
        url = request.meta.get("list_url") if is_list else request.meta.get("request_url", request.url)
        self.runbook.error(url, failure_reason(failure), remember=request.meta.get("role") == "article",
                           permanent=failure.check(BlockedAddress) is not None)

    def closed(self, reason):
        run = self.runbook.close(reason)
        self.logger.info("run %s of %s: %s", run["id"], self.source.name, run["status"])
        if self.config.watches:
            try:
                check_watches(self.store.db, self.config)
            except Exception:  # a notification problem must not fail the crawl; the hits stay unsent
                self.logger.exception("checking keyword watches failed")
        self.store.close()


def apply_source_settings(settings, config: Config, source: Source) -> None:
    """Per-source politeness and identity, set before the crawler's settings freeze."""
    values = {
        "DOWNLOAD_DELAY": source.delay,
        "AUTOTHROTTLE_ENABLED": source.delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(source.delay, 0.1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency,
        "ROBOTSTXT_OBEY": source.obey_robots,
        "USER_AGENT": config.user_agent,
        "CLOSESPIDER_TIMEOUT": source.timeout_seconds,
        "HEALTHWATCH_ALLOW_PRIVATE_ADDRESSES": config.allow_private_addresses,
    }
    if source.headers:
        values["DEFAULT_REQUEST_HEADERS"] = {**settings.getdict("DEFAULT_REQUEST_HEADERS"), **source.headers}
    for key, value in values.items():
        settings.set(key, value, priority="spider")


def page_problem(response) -> tuple[str, bool] | None:
    """(reason, permanent) when the response is not a usable HTML page."""
    if response.status >= 400:
        return f"HTTP {response.status}", response.status in GONE_STATUSES
    if not response.body.strip():
        return "empty page", False
    content_type = (_header(response, "Content-Type") or "").lower()
    if (content_type and not any(t in content_type for t in HTML_TYPES)) or b"\x00" in response.body[:4096]:
        return f"not an HTML page ({content_type or 'binary content'})", True
    return None


def failure_reason(failure) -> str:
    if failure.check(BlockedAddress):
        return str(failure.value)
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(CannotResolveHostError):
        return "DNS lookup failed"
    if failure.check(DownloadTimeoutError):
        return "timed out"
    if failure.check(DownloadConnectionRefusedError):
        return "connection refused"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
