from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Link:
    url: str
    title: str | None = None  # as the list/feed/API gives it
    published: str | None = None


@dataclass
class Discovered:
    articles: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # further list pages (pagination)
