"""A news site on 127.0.0.1 for tests: real captured article pages behind generated, paginated
list pages that answer conditional GETs like a real CMS. It counts every request it serves."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
import time
from collections import Counter
from email.utils import formatdate
from pathlib import Path

from tests.localserver import LocalServer, QuietHandler

FIXTURES = Path(__file__).parent / "fixtures" / "site"
PER_PAGE = 5


def fixture_articles() -> list[dict]:
    """Real pages: {"id", "html" (bytes as captured), "truth" (labels)}."""
    out = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        out.append({
            "id": folder.name,
            "html": gzip.decompress((folder / "page.html.gz").read_bytes()),
            "truth": json.loads((folder / "truth.json").read_text(encoding="utf-8")),
        })
    return out


class NewsSite(LocalServer):
    """Articles at /news/<yyyymm>/<id>.html, listed newest first on /news/index.html,
    /news/index_2.html, ... ; special pages can be added with `add_raw`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.articles: list[tuple[str, bytes, str]] = []  # (path, body, content type), oldest first
        self.raw: dict[str, tuple[int, bytes, str]] = {}  # path -> (status, body, content type)
        self.hits: Counter[str] = Counter()
        self.statuses: list[tuple[str, int]] = []
        self.changed_at = time.time()
        self.hang_seconds: float = 0.0  # > 0: every request waits this long (a hung server)
        super().__init__(self._handler())

    # -- content ------------------------------------------------------------------------------

    def publish(self, slug: str, html: bytes, month: str = "202405", content_type: str = "text/html") -> str:
        path = f"/news/{month}/{slug}.html"
        with self.lock:
            self.articles.append((path, html, content_type))
            self.changed_at = time.time() + 1  # Last-Modified has one-second resolution
        return self.url(path)

    def add_raw(self, path: str, status: int, body: bytes, content_type: str = "text/html",
                listed: bool = True) -> str:
        with self.lock:
            self.raw[path] = (status, body, content_type)
            if listed:
                self.articles.append((path, b"", content_type))
                self.changed_at = time.time() + 1
        return self.url(path)

    def list_page(self, number: int) -> bytes:
        newest_first = list(reversed(self.articles))
        pages = max(1, -(-len(newest_first) // PER_PAGE))
        chunk = newest_first[(number - 1) * PER_PAGE: number * PER_PAGE]
        items = "".join(f'<li><a href="{path}">文章 {path}</a><span>2024-05-20</span></li>' for path, _, _ in chunk)
        nav = "".join(
            f'<a href="{"index.html" if n == 1 else f"index_{n}.html"}">{n}</a>' for n in range(1, pages + 1)
        )
        return (
            '<html><head><meta charset="utf-8"><title>卫生健康新闻</title></head><body>'
            '<div class="nav"><a href="/">首页</a><a href="/about.html">关于我们</a></div>'
            f'<ul class="list">{items}</ul><div class="pages">{nav}</div></body></html>'
        ).encode("utf-8")

    # -- server -------------------------------------------------------------------------------

    def intercept(self, handler, path: str) -> bool:
        """Answer the request some other way (True) or let the normal routes answer (False)."""
        return False

    def article_hits(self) -> int:
        return sum(n for path, n in self.hits.items() if path.startswith("/news/") and "index" not in path)

    def _handler(self):
        site = self

        class Handler(QuietHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                site.hits[path] += 1
                if site.intercept(self, path):  # a fault-injecting subclass answered (tests/faultsite.py)
                    return
                if site.hang_seconds:
                    time.sleep(site.hang_seconds)
                status, body, ctype, headers = self._route(path)
                site.statuses.append((path, status))
                self.reply(status, body, ctype, headers)

            def _route(self, path):
                with site.lock:
                    if path in ("/news/", "/news/index.html") or path.startswith("/news/index_"):
                        number = 1 if "index_" not in path else int(path.rsplit("_", 1)[1].split(".")[0])
                        body = site.list_page(number)
                        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
                        headers = {"ETag": etag, "Last-Modified": formatdate(site.changed_at, usegmt=True)}
                        if self.headers.get("If-None-Match") == etag:
                            return 304, b"", "text/html", headers
                        return 200, body, "text/html", headers
                    if path in site.raw:
                        status, body, ctype = site.raw[path]
                        return status, body, ctype, {}
                    for article_path, body, ctype in site.articles:
                        if article_path == path:
                            return 200, body, ctype, {}
                return 404, b"<html><body>not found</body></html>", "text/html", {}

        return Handler


def write_config(path: Path, site: NewsSite, name: str = "demo-news", **overrides) -> Path:
    """A config for the site, as a user would write it."""
    return write_sources(path, [(name, site, overrides)])


def write_sources(path: Path, sources: list[tuple[str, NewsSite, dict]], **top) -> Path:
    """A config with several sources, one (name, site, options) each; `top` adds top-level keys."""
    lines = ["allow_private_addresses = true", *(f"{k} = {json.dumps(v)}" for k, v in top.items())]
    for name, site, overrides in sources:
        options = {"max_pages": 5, "delay": 0, "concurrency": 4, **({} if "cron" in overrides else {"schedule": "30m"}),
                   **overrides}
        lines += [
            "",
            "[[sources]]",
            f'name = "{name}"',
            f'start_urls = ["{site.url("/news/index.html")}"]',
            r"article_pattern = '/news/\d{6}/[\w-]+\.html$'",
            r"page_pattern = '/news/index_\d+\.html$'",
        ]
        lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in options.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_DATE_TEXT = re.compile(rb"(?:19|20)\d{2}\s*(?:-|/|\.|\xe5\xb9\xb4)\s*\d{1,2}\s*(?:-|/|\.|\xe6\x9c\x88)\s*\d{1,2}\s*"
                        rb"(?:\xe6\x97\xa5)?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")  # 2024-05-20, 2024年5月20日 10:00
_DATE_META = re.compile(rb"<meta[^>]+(?:date|time|publish)[^>]*>", re.I)


def without_date_line(html: bytes) -> bytes:
    """The same real page after a template change that dropped its date line (and date metas)."""
    return _DATE_META.sub(b"", _DATE_TEXT.sub(b"", html))


class ChangingSite(NewsSite):
    """A NewsSite that changes under the crawler between runs: `mode` "redesigned" lists its
    articles under a new URL shape (the source's article_pattern no longer matches), "challenge"
    answers its list pages with a 412 JavaScript challenge (瑞数 style), "normal" is itself."""

    CHALLENGE = (b'<html><head><meta charset="utf-8"><script>var $_ts=window["$_ts"];if(!$_ts)$_ts={};'
                 b'$_ts.nsd=84729;$_ts.cd="qxcDrrAlD";</script></head><body></body></html>')

    def __init__(self):
        super().__init__()
        self.mode = "normal"

    def list_page(self, number: int) -> bytes:
        page = super().list_page(number)
        if self.mode == "redesigned":  # /news/202405/x.html -> /content/x?from=news
            page = re.sub(rb'href="/news/\d{6}/([\w-]+)\.html"', rb'href="/content/\1?from=news"', page)
        return page

    def _handler(self):
        base = super()._handler()
        site = self

        class Handler(base):
            def _route(self, path):
                if site.mode == "challenge" and path.startswith("/news/index"):
                    return 412, site.CHALLENGE, "text/html", {}
                return super()._route(path)

        return Handler
