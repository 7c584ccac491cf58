"""A cap on the total size of a response's headers (`HEALTHWATCH_HEADERS_MAXSIZE`, 256 KB).

Twisted's HTTP parser caps one header line (16 KB) but not their number: 5 MB of short header
lines (or an endless stream of them, or of `100 Continue` interim responses) are all parsed into
Python objects, then copied into Scrapy's headers, and took a crawl to ~1 GB of RSS. Scrapy's
DOWNLOAD_MAXSIZE only counts the body.

The cap is counted line by line in the parser, while it reads the status line and headers (the
interim 1xx responses included, since the parser resets itself after each), so memory stays at the
cap whatever the server sends. Past the cap the parser raises, Twisted drops the connection, and
the request fails with "response headers over 256 KB" (the spider's reason; a transient failure,
retried with backoff). 256 KB is what Chromium accepts (ERR_RESPONSE_HEADERS_TOO_BIG): a page that
opens in a browser is never refused here. A single header line over Twisted's 16 KB fails the same
way with its own reason instead of a bare closed connection.

Installed as the http(s) download handler: Scrapy's own, with its parser swapped the way Scrapy
itself swaps in its lenient parser (the class of the parser object, which adds no state of its own
beyond the byte count).
"""
from __future__ import annotations

import time

from scrapy.core.downloader.handlers.http11 import (HTTP11DownloadHandler, _LenientHTTP11ClientFactory,
                                                    _LenientHTTP11ClientProtocol, _LenientHTTPClientParser)
from scrapy.exceptions import DownloadTimeoutError
from twisted.web._newclient import HEADER, STATUS

DEFAULT_MAXSIZE = 256 * 1024


class HeadersTooLarge(Exception):
    """The response's headers went past the cap; the message is the reason a person reads."""


def size_words(size: int) -> str:
    return f"{size // 1024} KB" if size % 1024 == 0 and size >= 1024 else f"{size} bytes"


class _CappedParser(_LenientHTTPClientParser):
    _header_budget: int = DEFAULT_MAXSIZE
    _header_bytes: int = 0

    def lineReceived(self, line: bytes) -> None:
        if self.state in (STATUS, HEADER):
            self._header_bytes += len(line) + 1  # the delimiter LineReceiver took off
            if self._header_bytes > self._header_budget:
                raise HeadersTooLarge(f"response headers over {size_words(self._header_budget)}")
        super().lineReceived(line)

    def lineLengthExceeded(self, line: bytes):
        raise HeadersTooLarge(f"a response header line over {size_words(self.MAX_LENGTH)}")


def _capped_protocol(budget: int):
    class CappedProtocol(_LenientHTTP11ClientProtocol):
        def request(self, request):
            d = super().request(request)
            # request() always creates a fresh parser (see _LenientHTTP11ClientProtocol.request)
            self._parser.__class__ = _CappedParser
            self._parser._header_budget, self._parser._header_bytes = budget, 0
            return d

    class CappedFactory(_LenientHTTP11ClientFactory):
        def buildProtocol(self, addr):
            return CappedProtocol(self._quiescentCallback)

    return CappedFactory


class CappedHeadersDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler with the headers cap, and a request's `healthwatch_deadline`
    (time.monotonic()): its download_timeout is what is left of it when the request is sent, after
    its download slot's delay (an attachment its article waits for: crawler.documents.pipeline)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        budget = crawler.settings.getint("HEALTHWATCH_HEADERS_MAXSIZE", DEFAULT_MAXSIZE)
        self._pool._factory = _capped_protocol(budget)

    async def download_request(self, request):
        deadline = request.meta.get("healthwatch_deadline")
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0.05:
                raise DownloadTimeoutError(f"not sent: its deadline passed in its download slot's queue ({request.url})")
            request.meta["download_timeout"] = min(left, request.meta.get("download_timeout") or left)
        return await super().download_request(request)


def headers_problem(failure) -> str | None:
    """The cap's reason when it is what failed the download (wrapped by Twisted and Scrapy), else None."""
    seen, pending = set(), [failure.value]
    while pending:
        exc = pending.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, HeadersTooLarge):
            return str(exc)
        pending.append(exc.__cause__)
        for reason in getattr(exc, "reasons", None) or ():  # twisted ResponseFailed([Failure, ...])
            pending.append(getattr(reason, "value", reason))
    return None
