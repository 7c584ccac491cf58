"""HTML list pages: article links and pagination links, chosen by the source's URL patterns."""
from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

from crawler.config import Source
from crawler.discovery.base import Discovered, Link
from crawler.extract import decode_html
from crawler.urls import canonical_url, is_http_url


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
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = urljoin(url, href)
        if not is_http_url(absolute):
            continue
        key = canonical_url(absolute)
        if key in seen:
            continue
        if article_re.search(absolute):
            seen.add(key)
            title = (anchor.get("title") or anchor.text_content() or "").strip() or None
            found.articles.append(Link(absolute, title=title))
        elif page_re and page_re.search(absolute):
            seen.add(key)
            found.pages.append(absolute)
    return found
