"""RSS and Atom feeds (feedparser): each entry's link is an article, newest first as listed."""
from __future__ import annotations

import re

import feedparser

from crawler.config import Source
from crawler.discovery.base import Discovered, Link
from crawler.discovery.listed_dates import to_iso
from crawler.fetch.urls import is_http_url


def discover(source: Source, body: bytes, url: str, content_type: str | None = None) -> Discovered:
    parsed = feedparser.parse(body, response_headers={"content-location": url, **(
        {"content-type": content_type} if content_type else {})})
    pattern = re.compile(source.article_pattern) if source.article_pattern else None
    found = Discovered()
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not is_http_url(link) or (pattern and not pattern.search(link)):
            continue
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        found.articles.append(Link(link, title=entry.get("title"), published=to_iso(published)))
    if not found.articles and parsed.bozo and not parsed.entries:
        found.problem = f"not a readable feed ({type(parsed.bozo_exception).__name__})"
    return found
