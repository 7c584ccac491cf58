"""HTML list pages: article links and pagination links, chosen by the source's URL patterns."""
from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

from crawler.config import Source
from crawler.discovery.base import Discovered, Link
from crawler.extract import decode_html
from crawler.fetch.urls import canonical_url, is_http_url


_QUOTED = re.compile(r"""["'](https?://[^"'\s<>]+|/[^"'\s<>]+)["']""")


def _absolute(base: str, href: str) -> str | None:
    """The link made absolute and checked to parse, or None for a malformed one ("http://[::1")."""
    try:
        absolute = urljoin(base, href)
        canonical_url(absolute)
        return absolute
    except ValueError:
        return None


def discover(source: Source, body: bytes, url: str, content_type: str | None = None) -> Discovered:
    text, _ = decode_html(body, content_type)
    if not text.strip():
        return Discovered()
    try:
        tree = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return Discovered()
    article_re = re.compile(source.article_pattern or r"(?!)")
    page_re = re.compile(source.page_pattern) if source.page_pattern else None
    found, seen = Discovered(), set()
    regions = tree.cssselect(source.list_selector) if source.list_selector else [tree]
    in_region = {a for region in regions for a in region.iter("a")}  # holds the proxies: identity stays
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = _absolute(url, href)
        if absolute is None:
            found.skipped += 1
            continue
        if not is_http_url(absolute):
            continue
        key = canonical_url(absolute)
        if key in seen:
            continue
        if article_re.search(absolute) and anchor in in_region:
            seen.add(key)
            title = (anchor.get("title") or anchor.text_content() or "").strip() or None
            found.articles.append(Link(absolute, title=title))
        elif page_re and page_re.search(absolute):
            seen.add(key)
            found.pages.append(absolute)
    # Lists filled by JavaScript carry their links in inline JSON or script text (健康报's
    # div#ttde_data, data-source blobs): any quoted URL there that matches article_pattern.
    for region in regions:
        blob = lxml.etree.tostring(region, encoding="unicode", method="html").replace("\\/", "/")
        for quoted in _QUOTED.finditer(blob):
            absolute = _absolute(url, quoted.group(1))
            if absolute and is_http_url(absolute) and article_re.search(absolute) and canonical_url(absolute) not in seen:
                seen.add(canonical_url(absolute))
                found.articles.append(Link(absolute))
    return found
