"""Scrapy middlewares: address guard, conditional GET on list pages, skipping known articles."""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.fetch.urls import is_public_address


class BlockedAddress(IgnoreRequest):
    """The URL resolves to a loopback/private/link-local/multicast address."""


class PrivateAddressGuard:
    """Refuse requests (start URLs, links, redirects: each passes here) to non-public addresses,
    unless the config says `allow_private_addresses = true`. Checked on the resolved address,
    so a public-looking name pointing at 127.0.0.1 is refused too."""

    def __init__(self, crawler):
        self.crawler = crawler
        self._verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        if self.crawler.settings.getbool("HEALTHWATCH_ALLOW_PRIVATE_ADDRESSES"):
            return None
        host = urlsplit(request.url).hostname or ""
        if host not in self._verdicts:
            self._verdicts[host] = await _non_public_address(host)
        if self._verdicts[host]:
            raise BlockedAddress(
                f"blocked: {host} resolves to non-public address {self._verdicts[host]} "
                "(set allow_private_addresses = true in the config to allow)"
            )
        return None


async def _non_public_address(host: str) -> str | None:
    """The first non-public address the host resolves to, or None."""
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return None  # let the download fail with the real DNS error
        addresses = [info[4][0] for info in infos]
    return next((a for a in addresses if not is_public_address(a)), None)


class BrowserTier:
    """With a source's `browser = true`, every request goes through the real browser."""

    def __init__(self, crawler):
        self.enabled = crawler.settings.getbool("HEALTHWATCH_BROWSER")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if self.enabled:
            request.meta.setdefault("playwright", True)
        return None


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
    never downloaded again. List requests always pass."""

    def get_processed_request(self, request: Request, response):
        if request.meta.get("role") == "article" and self.crawler.spider.store.is_known(request.url):
            self.crawler.stats.inc_value("healthwatch/known")
            return None
        return request
