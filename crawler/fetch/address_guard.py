"""The address guard: no request reaches a loopback, private, link-local, multicast or reserved
address unless the config says `allow_private_addresses = true`, and nothing but http(s) is fetched.

Two places, because a check before the download is not enough: a name checked once may resolve
to another address when the connection is made (DNS rebinding), and a lookup that fails must not
count as allowed. So the check lives in the connection path: `GuardedResolver` is the reactor's
name resolver (Scrapy's TWISTED_DNS_RESOLVER); it resolves each host once, checks every address
returned, pins the answer for the rest of the crawl and hands the connection only addresses it
checked. A refused or failed lookup hands over none, so the download fails (closed, never open).
`PrivateAddressGuard`, a downloader middleware, refuses non-http(s) URLs and IP literals up front
with a clear reason, and for the browser tier (whose Chromium resolves names itself) resolves
the host first, refusing it when the lookup fails.
"""
from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.datatypes import LocalCache
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer, provider

from crawler.fetch.urls import is_public_address

# The crawl's policy; one process crawls for one config (set by the spider from it).
_policy = {"allow_private": False}
# host -> why it was refused, for the spider's error reason (the connection only sees "no address")
_refused: LocalCache[str, str] = LocalCache(10_000)


class BlockedAddress(IgnoreRequest):
    """The URL is not http(s), or its host resolves to a non-public address."""


def configure(*, allow_private: bool) -> None:
    _policy["allow_private"] = bool(allow_private)


def allow_private() -> bool:
    return _policy["allow_private"]


def refusal_for(host: str) -> str | None:
    """Why the resolver refused this host, if it did."""
    return _refused.get(host.lower())


def refusal_message(host: str, address: str) -> str:
    return (f"blocked: {host} resolves to non-public address {address} "
            "(set allow_private_addresses = true in the config to allow)")


def non_public(addresses: list[str]) -> str | None:
    """The first non-public address among them, or None."""
    return next((a for a in addresses if not is_public_address(a)), None)


def scheme_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return f"blocked: malformed URL {url[:100]!r}"
    if parts.scheme not in ("http", "https"):
        return f"blocked: only http(s) URLs are fetched, not {parts.scheme or 'a relative'}: URL"
    if not host:
        return "blocked: the URL names no host"
    return None


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


class PrivateAddressGuard:
    """Downloader middleware: scheme and IP-literal checks for every request (start URLs, links,
    redirects, continuations, attachments all pass here); name checks for the browser tier."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.browser = crawler.settings.getbool("HEALTHWATCH_BROWSER")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        problem = scheme_problem(request.url)
        if problem:
            raise BlockedAddress(problem)
        if allow_private() or self.crawler.settings.getbool("HEALTHWATCH_ALLOW_PRIVATE_ADDRESSES"):
            return None
        host = urlsplit(request.url).hostname or ""
        literal = _ip_literal(host)
        if literal is not None:
            if not is_public_address(literal):
                raise BlockedAddress(refusal_message(host, literal))
            return None
        if self.browser:  # Chromium resolves for itself: check first, and refuse what cannot be checked
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError, OSError):
                raise BlockedAddress(f"blocked: {host} could not be resolved to check its address") from None
            bad = non_public([info[4][0] for info in infos])
            if bad:
                raise BlockedAddress(refusal_message(host, bad))
        return None


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:
        pass


@provider(IResolutionReceiver)
class _Collect:
    """Gathers the upstream answer before anything reaches the connection."""

    def __init__(self, done):
        self.addresses, self.done = [], done

    def resolutionBegan(self, resolution) -> None:
        pass

    def addressResolved(self, address) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.done(self.addresses)


@implementer(IHostnameResolver)
class GuardedResolver:
    """The reactor's name resolver for a crawl: resolve once, check every address, pin the answer.

    Upstream is the reactor's own resolver (getaddrinfo in a thread: IPv4 and IPv6), or, with
    $HEALTHWATCH_NAMESERVER=host:port, that DNS server (twisted.names), for a pinned resolver."""

    def __init__(self, reactor):
        self.reactor = reactor
        self.upstream = _upstream(reactor)
        self.pinned: LocalCache[str, list[str]] = LocalCache(10_000)

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, receiver, hostName: str, portNumber: int = 0, addressTypes=None,
                        transportSemantics: str = "TCP"):
        host = hostName.lower()
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)
        if host in self.pinned:
            self._deliver(receiver, self.pinned[host], portNumber)
            return resolution
        literal = _ip_literal(host)
        if literal is not None:
            self._deliver(receiver, self._checked(host, [literal]), portNumber)
            return resolution

        def done(addresses):
            checked = self._checked(host, [a.host for a in addresses if hasattr(a, "host")])
            if checked:
                self.pinned[host] = checked
            self._deliver(receiver, checked, portNumber)

        self.upstream.resolveHostName(_Collect(done), hostName, 0, addressTypes, transportSemantics)
        return resolution

    def _checked(self, host: str, addresses: list[str]) -> list[str]:
        """The addresses the connection may use: all of them, or none when one is not public."""
        if not addresses or allow_private():
            return addresses
        bad = non_public(addresses)
        if bad:
            _refused[host] = refusal_message(host, bad)
            return []
        return addresses

    @staticmethod
    def _deliver(receiver, addresses: list[str], port: int) -> None:
        for address in addresses:
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, port))
        receiver.resolutionComplete()


def _upstream(reactor):
    server = os.environ.get("HEALTHWATCH_NAMESERVER")
    if not server:
        return reactor.nameResolver
    from twisted.internet._resolver import SimpleResolverComplexifier
    from twisted.names import client

    host, _, port = server.rpartition(":")
    return SimpleResolverComplexifier(_LookupErrorsOnly(client.Resolver(servers=[(host, int(port))])))


class _LookupErrorsOnly:
    """A SERVFAIL or a timeout is a failed lookup like any other (no traceback in the log)."""

    def __init__(self, resolver):
        self.resolver = resolver

    def getHostByName(self, name, timeout=()):
        from twisted.internet import defer
        from twisted.internet.error import DNSLookupError

        return self.resolver.getHostByName(name).addErrback(lambda failure: defer.fail(DNSLookupError(name)))
