"""Scrapy middlewares: conditional GET on list pages, skipping known articles, the browser tier
(the address guard lives in crawler.fetch.address_guard)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from w3lib.html import get_meta_refresh

from crawler.fetch.address_guard import BlockedAddress, PrivateAddressGuard  # noqa: F401 (their old home)


class ConditionalGet:
    """Send If-None-Match / If-Modified-Since on list pages whose listed articles are all stored.

    The store decides (see Store.list_page_validators); the spider sees a 304 and stops there."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if request.meta.get("role") != "list" or request.method != "GET" or request.meta.get("conditional_done"):
            return None
        request.meta["conditional_done"] = True
        validators = self.crawler.spider.store.list_page_validators(request.url)
        if validators:
            if validators["etag"]:
                request.headers["If-None-Match"] = validators["etag"]
            if validators["last_modified"]:
                request.headers["If-Modified-Since"] = validators["last_modified"]
        return None


class SkipKnownArticles(BaseSpiderMiddleware):
    """Drop requests for article pages already stored (or gone for good): a known article is
    never downloaded again; one failing transiently waits out its backoff. List requests always pass."""

    def get_processed_request(self, request: Request, response):
        if request.meta.get("role") != "article":
            return request
        store = self.crawler.spider.store
        if store.is_known(request.url):
            self.crawler.stats.inc_value("healthwatch/known")
            return None
        if store.retry_not_due(request.url):  # failed lately; its backoff (or Retry-After) has not passed
            self.crawler.stats.inc_value("healthwatch/deferred")
            return None
        return request


class _LoopsCount:
    """A redirect loop (A -> B -> A) would be dropped in silence by the duplicate filter; let every
    hop through so REDIRECT_MAX_TIMES ends it with a reason ("too many redirects")."""

    def _redirect(self, redirected, request, reason):
        redirected = super()._redirect(redirected, request, reason)
        redirected.dont_filter = True
        return redirected


class HopRedirects(_LoopsCount, RedirectMiddleware):
    """Scrapy's 3xx redirects, with loops counted (above)."""


class RedirectStubs(_LoopsCount, MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, plus the JavaScript stubs CMSs leave at moved addresses
    ("跳转中…" and `location.href = '…'` on an otherwise empty page): followed like a redirect
    (same hop limit, through the address guard), never stored as the article."""

    STUB_BYTES = 8192  # a stub is tiny; a real page that runs `location =` somewhere is not one
    _JS_TARGET = re.compile(
        rb"""location(?:\.href)?\s*=\s*["']([^"'\s<>]{1,2000})["']|location\.(?:replace|assign)\(\s*["']([^"'\s<>]{1,2000})["']""")
    _TAGS = re.compile(rb"<script\b[^>]*>[^<]*(?:<(?!/script)[^<]*)*</script>|<[^>]{0,2000}>", re.I)

    # Scrapy reads a meta refresh in the first 4,096 characters, which take at most 4 bytes each
    REFRESH_SCAN_BYTES = 4 * 4096

    def process_response(self, request, response, spider=None):
        followed = response if self._no_meta_refresh(response) else super().process_response(request, response)
        if followed is not response or not self._is_stub(request, response):
            return followed
        match = self._JS_TARGET.search(response.body)
        target = urljoin(response.url, (match.group(1) or match.group(2)).decode("latin-1"))
        try:
            if urlsplit(target).scheme not in ("http", "https"):
                return response
        except ValueError:
            return response
        redirected = self._redirect_request_using_get(request, response, target)
        return self._redirect(redirected, request, "javascript redirect stub")

    def _no_meta_refresh(self, response) -> bool:
        """Whether the page surely has no meta refresh where Scrapy looks, told from its bytes: w3lib
        rules one out without decoding when the encoding writes markup as ASCII bytes, but Scrapy's
        middleware hands it the decoded text, and so decoded every page whole (~0.4 ms of the reactor's
        thread per 185 KB page, and the text kept with the response). An encoding not declared (Scrapy
        infers it by decoding), a refresh found, a prefix that does not decode: Scrapy's own reading."""
        if not isinstance(response, HtmlResponse):
            return False
        encoding = response._declared_encoding()  # (no inference: that is the decoding)
        if not encoding:
            return False
        try:
            found = get_meta_refresh(response.body[: self.REFRESH_SCAN_BYTES], "", encoding, self._ignore_tags)
        except (LookupError, UnicodeError, ValueError):
            return False
        return found == (None, None)

    def _is_stub(self, request, response) -> bool:
        if (request.meta.get("dont_redirect") or response.status != 200 or not isinstance(response, HtmlResponse)
                or len(response.body) > self.STUB_BYTES or not self._JS_TARGET.search(response.body)):
            return False
        text = self._TAGS.sub(b"", response.body).strip()
        return len(text) < 300


class RetryAfterAware(RetryMiddleware):
    """Scrapy's in-run retry, except for an answer that says when to come back: a 503 or 429 with
    `Retry-After` is not asked again within seconds (two more hits on a site in maintenance or
    rate-limiting us, which can prolong a ban); the page is recorded as a transient failure and the
    cross-run backoff (storage.store.backoff_seconds) waits at least what the site asked."""

    def process_response(self, request, response, spider=None):
        if response.status in self.retry_http_codes and response.headers.get("Retry-After"):
            return response
        return super().process_response(request, response)


class RobotsTimeout:
    """robots.txt gets ROBOTS_TIMEOUT seconds and no retries (a robots.txt that never answered cost
    three times DOWNLOAD_TIMEOUT per crawl), and a failure is recorded with the run, not only logged:
    Scrapy then crawls as if there were none."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("HEALTHWATCH_ROBOTS_TIMEOUT", 10)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def _is_robots(request) -> bool:
        return request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt")

    def process_request(self, request):
        if self._is_robots(request):
            request.meta.setdefault("download_timeout", self.timeout)
            request.meta["dont_retry"] = True
        return None

    def process_exception(self, request, exception):
        from scrapy.exceptions import DownloadTimeoutError

        # a site that is down says so on its own pages; a robots.txt that does not answer in time is
        # the case that used to cost minutes unseen
        if self._is_robots(request) and isinstance(exception, (DownloadTimeoutError, TimeoutError)):
            runbook = getattr(self.crawler.spider, "runbook", None)
            if runbook is not None:
                runbook.error(request.url, f"robots.txt did not answer within {self.timeout:g} s; "
                              "crawled as if it allowed everything", remember=False)
        return None
