"""Finding article links: one module per discovery kind, each a pure function of a fetched
list document (bytes) to the article links and the further list pages it names."""
from __future__ import annotations

from crawler.config import Source
from crawler.discovery import api, feeds, list_pages, sitemaps
from crawler.discovery.base import Discovered, Link

KINDS = {"list": list_pages.discover, "feed": feeds.discover, "sitemap": sitemaps.discover, "api": api.discover}


def discover(source: Source, body: bytes, url: str, content_type: str | None = None) -> Discovered:
    return KINDS[source.kind](source, body, url, content_type)


__all__ = ["Discovered", "Link", "discover"]
