"""The config-driven spider: `scrapy crawl source -a source=NAME [-a config=FILE] [-a db=PATH]`.

It only routes: list documents go to discovery, article pages go to the pipelines as raw bytes
(extraction and storage happen there), problems go to the run book with their reason.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadFailedError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.fetch.challenge import challenge
from crawler.config import Config, Source, load_config
from crawler.discovery import Link, api, discover
from crawler.discovery.article_pages import continuation_urls
from crawler.discovery.listed_dates import to_datetime
from crawler.documents import office
from crawler.fetch import address_guard
from crawler.fetch.browser import tier_problem
from crawler.fetch.headers import headers_problem
from crawler.fetch.middlewares import BlockedAddress
from crawler.health import after_run
from crawler.runbook import RunBook
from crawler.masking import install_log_masking
from crawler.fetch.urls import canonical_url
from crawler.watches import check_watches
from storage import attachments
from storage.paths import default_db_path
from storage.store import Store, utc_now

HTML_TYPES = ("html", "xml", "text/plain")
# Every status the callbacks judge themselves, but not 3xx: Scrapy's RedirectMiddleware follows those
# (within REDIRECT_MAX_TIMES, each hop through the address guard). `handle_httpstatus_all` would turn it off.
HANDLED_STATUSES = tuple(code for code in range(100, 600) if code not in (301, 302, 303, 307, 308))
LIST_TYPES = (*HTML_TYPES, "json", "javascript")  # feeds, sitemaps and list APIs answer in these too
GONE_STATUSES = (404, 410)
ARTICLE_PRIORITY = 20  # list pages: 10, the warm-up: 20


class SourceSpider(scrapy.Spider):
    name = "source"

    @classmethod
    def from_crawler(cls, crawler, *args, source: str | None = None, config: str | None = None,
                     db: str | None = None, loaded_config: Config | None = None, **kwargs):
        if not source:
            raise ValueError("name the source to crawl: scrapy crawl source -a source=NAME")
        # `healthwatch crawl` hands over the config it loaded once, not once per source
        cfg = loaded_config if loaded_config is not None else load_config(config)
        src = cfg.source(source)
        apply_source_settings(crawler.settings, cfg, src)
        address_guard.configure(allow_private=cfg.allow_private_addresses)
        install_log_masking()  # Scrapy logs every URL; a token in one must not reach the log file
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config, spider.source = cfg, src
        spider.store = Store.shared(db or default_db_path())  # one per process, whatever the number of sources
        spider.runbook = RunBook(spider.store, src.name, crawler)
        spider.list_budget = {}  # start URL -> list pages left to request
        spider.list_requested = set()  # canonical URLs of the list pages requested: each charged once
        crawler.signals.connect(spider.runbook.open, signals.spider_opened)
        crawler.signals.connect(spider.runbook.callback_failed, signals.spider_error)
        crawler.signals.connect(spider.runbook.item_failed, signals.item_error)
        return spider

    async def start(self):
        if self.source.browser and (problem := tier_problem()):  # say so, in the run's reasons
            self.runbook.error(self.source.start_urls[0], problem, remember=False)
            return
        if self.source.warmup_url:  # e.g. a column page whose cookies an API wants
            yield scrapy.Request(self.source.warmup_url, callback=self.after_warmup, errback=self.after_warmup,
                                 cookies=self.source.cookies,
                                 priority=20, dont_filter=True, meta={"role": "warmup"})
            return
        for request in self.first_requests():
            yield request

    def after_warmup(self, response_or_failure):
        if not isinstance(response_or_failure, scrapy.http.Response):
            self.logger.warning("warm-up request failed: %s", failure_reason(response_or_failure))
        yield from self.first_requests()

    def first_requests(self):
        if self.source.kind == "api":
            self.list_budget["api"] = self.source.max_pages
            yield self.api_request(self.source.api.first_page)
        else:
            for url in self.source.start_urls:
                self.list_budget[url] = self.source.max_pages
                yield from self.list_request(url, root=url)
            # List pages an earlier run left incomplete (an article missing, a body cut short, the run
            # ended before their pagination was followed, the page itself failed) are read again, and
            # pagination resumes from them with a budget of its own: a 304 on page 1 must not hide page 3.
            for url in self.store.incomplete_list_pages(self.source.name):
                if url not in self.list_budget:
                    self.list_budget[url] = self.source.max_pages
                    yield from self.list_request(url, root=url)
        # Stored articles due for a re-check (config `recheck`): edits become revisions.
        for article_id, url in self.store.due_rechecks(self.source.name, self.source.recheck_seconds):
            yield self.article_request(url, list_url=None, recheck_of=article_id)
        yield from self.attachment_retries()

    def attachment_retries(self):
        """Stored articles' attachments whose download failed for a reason that may pass, or that
        waited for LibreOffice, now here: items for crawler.documents.pipeline to fetch again. A
        Redis worker holds no database: the round's start entries bring them (ingester.push_round)."""
        db = getattr(self.store, "db", None)
        if db is None or not self.source.attachments:
            return
        for row in attachments.due_retries(db, self.source.name, office=office.soffice() is not None,
                                           now=datetime.now(timezone.utc)):
            yield self.attachment_retry(row)

    def attachment_retry(self, row: dict) -> dict:
        return {"kind": "attachment_retry", "source": self.source.name, "attachment_id": row["id"],
                "article_id": row["article_id"], "name": row["name"], "url": row["url"]}

    def list_request(self, url: str, root: str, index: int = 1):
        """The list page's request (none when this crawl already requested it: a numbered pager
        links the same pages from every page, and each must cost the budget once, not once a link)."""
        seen = canonical_url(url)
        if seen in self.list_requested or self.list_budget[root] <= 0:
            return
        self.list_requested.add(seen)
        self.list_budget[root] -= 1
        yield self.make_list_request(url, root, index)

    def make_list_request(self, url: str, root: str, index: int = 1) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_list, errback=self.on_error, priority=10,
                              cookies=self.source.cookies, meta={
            "role": "list", "list_url": url, "root": root, "index": index, "handle_httpstatus_list": HANDLED_STATUSES})

    def api_request(self, page: int) -> scrapy.Request:
        self.list_budget["api"] -= 1
        spec = api.page_request(self.source.api, page)
        # POST pages share one URL; a synthetic key keeps their list-page records apart
        key = spec["url"] if spec["method"] == "GET" else f"{spec['url']}{'&' if '?' in spec['url'] else '?'}hw_page={page}"
        return scrapy.Request(spec["url"], method=spec["method"], body=spec["body"], headers=spec["headers"],
                              cookies=self.source.cookies,
                              callback=self.parse_list, errback=self.on_error, priority=10, dont_filter=True,
                              meta={"role": "list", "list_url": key, "root": "api", "page": page,
                                    "handle_httpstatus_list": HANDLED_STATUSES})

    def article_request(self, url: str, list_url: str | None, recheck_of: int | None = None) -> scrapy.Request:
        # Articles go before list pages (priority 20 > 10): the pages listed so far are fetched
        # before the next list page is read, so the queue holds one list's articles, not the site's.
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error, dont_filter=bool(recheck_of),
                              cookies=self.source.cookies, priority=ARTICLE_PRIORITY,
                              meta={"role": "recheck" if recheck_of else "article", "recheck_of": recheck_of,
                                    "list_url": list_url, "request_url": url, "handle_httpstatus_list": HANDLED_STATUSES})

    def parse_list(self, response):
        list_url = response.meta["list_url"]
        if response.status == 304:
            self.runbook.list_not_modified(list_url)
            return
        problem = self.response_problem(response)
        if problem:
            blocked = problem[0].startswith("blocked")
            self.runbook.error(list_url, problem[0], http_status=response.status, remember=False, blocked=blocked)
            self.list_failed(response.meta, gone=problem[1])
            return
        whole = "partial" not in response.flags  # a body that ended with the connection may be cut short
        found = discover(self.source, response.body, response.url, _header(response, "Content-Type"))
        if found.skipped:
            self.crawler.stats.inc_value("healthwatch/skipped_links", found.skipped)
            self.logger.warning("%s: %d malformed link(s) skipped", list_url, found.skipped)
        if found.problem:
            self.runbook.error(list_url, found.problem, http_status=response.status, remember=False)
            self.list_failed(response.meta)
            return
        links = self.recent(found.articles)
        if len(links) > self.source.max_links:
            self.crawler.stats.inc_value("healthwatch/skipped_links", len(links) - self.source.max_links)
            self.logger.warning("%s lists %d article links; taking the first %d (max_links)", list_url, len(links),
                                self.source.max_links)
            links = links[: self.source.max_links]
        self.runbook.list_fetched(list_url, etag=_header(response, "ETag") if whole else None,
                                  last_modified=_header(response, "Last-Modified") if whole else None,
                                  listed=[link.url for link in links], whole=whole)
        for link in links:
            yield self.article_request(link.url, list_url)
        if self.source.stop_at_known and not any(not self.store.is_known(link.url) for link in links):
            self.crawler.stats.inc_value("healthwatch/stopped_at_known")
            return  # nothing new here: older pages hold nothing new either
        yield from self.next_list_pages(response, found, has_items=bool(found.articles))

    def next_list_pages(self, response, found, has_items: bool):
        root, meta = response.meta["root"], response.meta
        if self.list_budget.get(root, 0) <= 0:
            return
        if self.source.kind == "api":
            if has_items:
                yield self.api_request(meta["page"] + 1)
            return
        for page in found.pages:
            yield from self.list_request(page, root)
        if self.source.page_template and root in self.source.start_urls and has_items:
            number = self.source.page_template_from + meta["index"] - 1
            yield from self.list_request(urljoin(root, self.source.page_template.format(n=number)), root,
                                         meta["index"] + 1)

    def recent(self, links: list[Link]) -> list[Link]:
        """Links dated older than the source's max_age are left alone (first runs of big sitemaps)."""
        if not self.source.max_age_seconds:
            return links
        oldest = datetime.now(timezone.utc) - timedelta(seconds=self.source.max_age_seconds)
        return [link for link in links if not link.published or to_datetime(link.published) >= oldest]

    def parse_article(self, response):
        meta = response.meta
        item = {
            "url": meta.get("first_url", response.url), "request_url": meta["request_url"],
            "source": self.source.name, "fetched_at": utc_now(),
            "list_url": meta["list_url"], "status": meta.get("first_status", response.status),
            "recheck_of": meta.get("recheck_of"),
        }
        parts = meta.get("parts")
        if parts is None:  # the article's first page
            if item["recheck_of"] and response.status in GONE_STATUSES:
                yield {**item, "kind": "gone"}
                return
            problem = self.response_problem(response)
            if problem:
                reason, permanent = problem
                yield {**item, "kind": "error", "reason": reason, "http_status": response.status, "permanent": permanent,
                       "retry_after": retry_after(response)}
                return
            item["content_type"] = _header(response, "Content-Type")
            parts = [response.body]
            remaining = continuation_urls(response.body, response.url) if self.source.multipage else []
        else:  # a further page of a multi-page article
            remaining = meta["remaining"]
            if self.response_problem(response) is None:
                parts = [*parts, response.body]
            else:
                item["missing_pages"] = meta.get("missing_pages", 0) + 1
        item["content_type"] = item.get("content_type", meta.get("content_type"))
        if remaining:
            yield response.request.replace(url=remaining[0], callback=self.parse_article, dont_filter=True, meta={
                **meta, "role": "article_page", "parts": parts, "remaining": remaining[1:],
                "first_url": item["url"], "first_status": item["status"], "content_type": item["content_type"],
                "missing_pages": item.get("missing_pages", 0)})
            return
        yield {**item, "kind": "page", "html": parts[0], "more_pages": parts[1:]}

    def response_problem(self, response) -> tuple[str, bool] | None:
        kind = challenge(response.status, response.body)
        if kind:
            return f"blocked by anti-bot challenge: {kind}", False
        return page_problem(response, LIST_TYPES if response.meta.get("role") == "list" else HTML_TYPES)

    def on_error(self, failure):
        request = failure.request
        meta = request.meta
        if meta.get("role") == "article_page":  # a further page failed: keep the article with what we have
            yield from self.parse_article(scrapy.http.HtmlResponse(request.url, status=599, request=request))
            return
        url = meta.get("list_url") if meta.get("role") == "list" else meta.get("request_url", request.url)
        reason = failure_reason(failure, self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        self.runbook.error(url, reason, remember=meta.get("role") == "article",
                           permanent=failure.check(BlockedAddress) is not None or reason.startswith("blocked"))
        if meta.get("role") == "list":
            self.list_failed(meta, gone=failure.check(BlockedAddress) is not None)

    def list_failed(self, meta: dict, gone: bool = False) -> None:
        """List pages of list sources (not API pages: those are asked from page 1 every run)."""
        if meta.get("root") != "api":
            self.runbook.list_failed(meta["list_url"], gone=gone)

    def closed(self, reason):
        run = self.runbook.close(reason)
        self.logger.info("run %s of %s: %s", run["id"], self.source.name, run["status"])
        if self.config.watches:
            try:
                check_watches(self.store.db, self.config, new_watch_from=run["started_at"])
            except Exception:  # a notification problem must not fail the crawl; the hits stay unsent
                self.logger.exception("checking keyword watches failed")
        try:  # judge the source from its history; alert on a change of state (crawler.health)
            for error in after_run(self.store.db, self.config, self.source.name):
                self.logger.warning("health alert not delivered: %s", error)
        except Exception:  # noqa: BLE001 - like the watches: never fail the crawl over it
            self.logger.exception("checking source health failed")
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
        "HEALTHWATCH_ATTACHMENT_MAX_BYTES": config.attachment_max_mb * 2**20,
    }
    if source.browser:
        values.update(browser_settings(source))
    if source.headers:
        values["DEFAULT_REQUEST_HEADERS"] = {**settings.getdict("DEFAULT_REQUEST_HEADERS"), **source.headers}
    for key, value in values.items():
        settings.set(key, value, priority="spider")


def browser_settings(source: Source) -> dict:
    """The browser tier (crawler.fetch.browser) for sites behind a JavaScript challenge: its
    hosts go one request at a time, `challenge_delay` seconds apart, once they challenge."""
    from urllib.parse import urlsplit

    from crawler.fetch.browser import challenged_slots

    hosts = {urlsplit(url).hostname for url in source.start_urls if urlsplit(url).hostname}
    return {
        "HEALTHWATCH_BROWSER": True,
        "HEALTHWATCH_CHALLENGED_DELAY": source.challenge_delay,
        "DOWNLOAD_SLOTS": challenged_slots(sorted(hosts), source.challenge_delay),
    }


def page_problem(response, types: tuple[str, ...] = HTML_TYPES) -> tuple[str, bool] | None:
    """(reason, permanent) when the response is not a usable page of the expected types."""
    if response.status >= 400:
        return f"HTTP {response.status}", response.status in GONE_STATUSES
    if 300 <= response.status < 400 and response.status != 304:
        where = _header(response, "Location")
        return (f"redirect not followed (HTTP {response.status} to {where})" if where
                else f"HTTP {response.status} without a Location"), False
    if cut_short(response):
        return "download cut short: the connection ended before the page did", False
    if not response.body.strip():
        return "empty page", False
    content_type = (_header(response, "Content-Type") or "").lower()
    if (content_type and not any(t in content_type for t in types)) or b"\x00" in response.body[:4096]:
        return f"not an HTML page ({content_type or 'binary content'})", True
    return None


def retry_after(response) -> float | None:
    """Seconds the site asks us to wait (Retry-After: seconds or an HTTP date), or None."""
    value = _header(response, "Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def cut_short(response) -> bool:
    """Scrapy flags `dataloss` (fewer bytes than Content-Length, kept only when
    DOWNLOAD_FAIL_ON_DATALOSS is off) and `partial` (no Content-Length: the body ended when the
    connection did, cleanly or by a reset; Twisted cannot tell which). A partial HTML page that
    reached its closing tag is whole; one that did not is cut short."""
    if "dataloss" in response.flags:
        return True
    if "partial" not in response.flags:
        return False
    tail = response.body[-4096:].lower()
    content_type = (_header(response, "Content-Type") or "").lower()
    if "html" in content_type or b"<html" in response.body[:4096].lower():
        return b"</html" not in tail and b"</body" not in tail
    return not response.body.rstrip().endswith((b">", b"}", b"]", b")", b";"))


def failure_reason(failure, maxsize: int = 0) -> str:
    """A reason a person reads: "download cut off at 32 MB", not "DownloadCancelledError: "."""
    if failure.check(BlockedAddress):
        return str(failure.value)
    if failure.check(HttpError):
        response = failure.value.response
        if 300 <= response.status < 400 and _header(response, "Location"):  # e.g. to file:// (never followed)
            return f"redirect not followed (HTTP {response.status} to {_header(response, 'Location')[:200]})"
        return f"HTTP {response.status}"
    if failure.check(CannotResolveHostError):
        blocked = address_guard.refusal_for(urlsplit(failure.request.url).hostname or "")
        return blocked or "DNS lookup failed"
    if failure.check(DownloadTimeoutError):
        return "timed out"
    if failure.check(DownloadConnectionRefusedError):
        return "connection refused"
    if failure.check(ResponseDataLossError):
        return "download cut short: fewer bytes than the Content-Length promised"
    if failure.check(DownloadCancelledError):
        return f"download cut off at {maxsize // 2**20} MB" if maxsize else "download cancelled"
    if (too_large := headers_problem(failure)) is not None:
        return too_large
    if failure.check(DownloadFailedError):
        return f"download failed: {_plain(failure.value)}"
    if failure.check(IgnoreRequest) and "max redirections" in str(failure.value):
        return "too many redirects"
    message = _plain(failure.value)
    return f"{failure.type.__name__}: {message}"[:300] if message else failure.type.__name__


def _plain(exc) -> str:
    """The innermost message of a wrapped Twisted error (ConnectionLost, ConnectionReset …)."""
    cause = exc
    while cause.__cause__ is not None:
        cause = cause.__cause__
    reasons = getattr(cause, "reasons", None)
    if reasons:
        return "; ".join(str(r.getErrorMessage() if hasattr(r, "getErrorMessage") else r) for r in reasons)[:200]
    text = str(cause) or type(cause).__name__
    return text[:200]


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
