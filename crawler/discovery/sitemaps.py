"""XML sitemaps: <urlset> (also Google News sitemaps) lists articles, <sitemapindex> lists
further sitemaps, newest first so the page budget goes to recent ones."""
from __future__ import annotations

import gzip
import re

from lxml import etree

from crawler.config import Source
from crawler.discovery.base import Discovered, Link
from crawler.discovery.listed_dates import to_datetime, to_iso
from crawler.fetch.urls import is_http_url

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


def discover(source: Source, body: bytes, url: str, content_type: str | None = None) -> Discovered:
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except OSError:
            return Discovered(problem="broken gzip sitemap")
    try:
        root = etree.fromstring(body.strip(), _PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return Discovered(problem="not an XML sitemap")
    kind = etree.QName(root).localname
    entries = [(_child_text(node, "loc"), _entry_date(node)) for node in root if _local(node) in ("url", "sitemap")]
    entries = [(loc, date) for loc, date in entries if loc and is_http_url(loc)]
    found = Discovered()
    if kind == "sitemapindex":
        entries.sort(key=lambda e: to_datetime(e[1]) or to_datetime("1970-01-01"), reverse=True)
        found.pages = [loc for loc, _ in entries]
        return found
    if kind != "urlset":
        return Discovered(problem=f"not a sitemap (<{kind}>)")
    pattern = re.compile(source.article_pattern) if source.article_pattern else None
    for node in root:
        if _local(node) != "url":
            continue
        loc = _child_text(node, "loc")
        if not loc or not is_http_url(loc) or (pattern and not pattern.search(loc)):
            continue
        found.articles.append(Link(loc, title=_child_text(node, "title"), published=to_iso(_entry_date(node))))
    return found


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _child_text(node, name: str) -> str | None:
    for child in node.iter():
        if _local(child) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _entry_date(node) -> str | None:
    return _child_text(node, "publication_date") or _child_text(node, "lastmod")
