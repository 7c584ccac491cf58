from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Link:
    url: str
    title: str | None = None  # as the list/feed/API gives it
    published: str | None = None  # ISO 8601, when the list gives a date


@dataclass
class Discovered:
    articles: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # further list pages (pagination, child sitemaps)
    problem: str | None = None  # the document could not be read as this kind of list
    skipped: int = 0  # malformed links left out (an unparsable href must not lose the page)
