"""One page fetched outside a crawl (`healthwatch extract URL`, `sources try URL`), with the
crawler's limits: the address guard (every resolved address checked, the connection made to the
checked one), http(s) only, a hop limit on redirects, the download size cap, an overall deadline
(an endless or 1 byte/s response is cut off), no compression (no gzip bomb).

Hand-written on http.client because urllib has no way to pin the address it connects to, and
starting a Scrapy crawl for one page costs seconds.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from crawler.fetch.address_guard import non_public, refusal_message, scheme_problem

MAX_BYTES = 32 * 1024 * 1024  # DOWNLOAD_MAXSIZE in crawler/settings.py
TIMEOUT = 30.0  # DOWNLOAD_TIMEOUT
MAX_REDIRECTS = 5  # REDIRECT_MAX_TIMES


class FetchError(Exception):
    """Why the page could not be fetched, in words."""


def fetch_page(url: str, *, user_agent: str, allow_private: bool = False, max_bytes: int = MAX_BYTES,
               timeout: float = TIMEOUT, max_redirects: int = MAX_REDIRECTS) -> tuple[bytes, str | None, str]:
    """(body, Content-Type, final URL), or FetchError."""
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        status, headers, body = _get(url, user_agent, allow_private, max_bytes, deadline)
        location = headers.get("location")
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        if status >= 400:
            raise FetchError(f"HTTP {status}")
        return body, headers.get("content-type"), url
    raise FetchError("too many redirects")


def _get(url: str, user_agent: str, allow_private: bool, max_bytes: int, deadline: float):
    problem = scheme_problem(url)
    if problem:
        raise FetchError(problem)
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(host, port, allow_private)
    connection = _PinnedHTTPS(host, port, address, _left(deadline)) if parts.scheme == "https" \
        else _PinnedHTTP(host, port, address, _left(deadline))
    try:
        connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), headers={
            "User-Agent": user_agent, "Accept-Encoding": "identity", "Accept": "text/html,*/*"})
        response = connection.getresponse()
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"download cut off at {max_bytes // 2**20} MB (the page says {int(declared) // 2**20} MB)")
        body = _read(response, max_bytes, deadline)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError("timed out" if isinstance(exc, TimeoutError) else f"download failed: {exc}") from None
    finally:
        connection.close()


def _checked_address(host: str, port: int, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"DNS lookup failed for {host}: {exc}") from None
    addresses = [info[4][0] for info in infos]
    bad = None if allow_private else non_public(addresses)
    if bad:
        raise FetchError(refusal_message(host, bad))
    return addresses[0]


def _read(response, max_bytes: int, deadline: float) -> bytes:
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("timed out before the page ended")
        chunk = response.read1(65536)  # each read waits at most the socket timeout (time left at connect)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"download cut off at {max_bytes // 2**20} MB")
        chunks.append(chunk)


def _left(deadline: float) -> float:
    return max(0.1, deadline - time.monotonic())


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, whatever the name resolves to by now."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
