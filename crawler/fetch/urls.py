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
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def canonical_url(url: str) -> str:
    """The one spelling of a URL under which an article is stored and compared."""
    url = url.strip()
    try:
        url = normalize_url(url)
    except (ValueError, TypeError):
        pass
    parts = urlsplit(url)
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


def is_public_address(ip: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
