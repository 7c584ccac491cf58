"""URL canonicalisation and address checks.

courlan normalises case, default ports, query order and utm_* parameters; on top of it we drop
what Chinese news sites add (spm, isappinstalled, share tokens), index pages and the Big5
gateway prefix, which no library knows about.
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|spm|scm|isappinstalled|share_token|share_from|sharer_\w+|wxshare_count|"
    r"tt_from|fbclid|gclid|yclid|mc_cid|mc_eid|_hsenc|_hsmi|ivk_sa|vd_source)$",
    re.I,
)
INDEX_PAGE = re.compile(r"/(index|default)\.(html?|shtml|php|jsp|aspx?)$", re.I)
# big5.www.gov.cn/gate/big5/www.gov.cn/... and www.beijing.gov.cn/gate/big5/... serve Traditional
# copies of the page at the path after the prefix.
BIG5_GATEWAY = re.compile(r"^/gate/big5/([^/]+)(/.*)?$", re.I)


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1" and other malformed hosts
        return False


def canonical_url(url: str) -> str:
    """The one spelling of a URL under which an article is stored and compared."""
    url = url.strip()
    try:
        url = normalize_url(url)
    except (ValueError, TypeError):
        pass
    parts = urlsplit(url)  # raises ValueError on a malformed host: callers skip such links
    scheme, netloc, path = parts.scheme.lower(), parts.netloc.lower(), parts.path or "/"
    gateway = BIG5_GATEWAY.match(path)
    if gateway:
        netloc, path = gateway.group(1).lower(), gateway.group(2) or "/"
    path = INDEX_PAGE.sub("/", path)
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k))
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """Identity of a URL for 'have we seen it': canonical form without the scheme, so the
    http and https copies of one page are one article."""
    return canonical_url(url).split("://", 1)[-1]


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def is_public_address(ip: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved and unspecified addresses,
    also when an IPv6 form embeds one (IPv4-mapped, IPv4-compatible ::a.b.c.d, NAT64, 6to4, Teredo)."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address in SITE_LOCAL:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return embedded.is_global and not embedded.is_multicast
    return address.is_global and not address.is_multicast


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]  # the client's address (the server's is public by construction)
    if any(address in net for net in NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None
