"""Bundled sources against pages in their sites' shape, served on 127.0.0.1 (fundus-style: per
source a saved list/feed/API answer and article page, plus the expected result).

A case is `tests/fixtures/sources/<source name>/case.json`:

    {"source": "people-health",
     "provenance": "where the pages come from (real capture, or built from sources.md's description)",
     "routes": [{"url": "http://www.people.com.cn/rss/health.xml", "file": "feed.xml",
                 "content_type": "application/rss+xml"},
                {"url": "https://x.gov.cn/api?p=1", "file": "p1.json"},          # query: a subset to match
                {"url": "https://x.gov.cn/proxy.jsp", "method": "POST", "body_contains": "columnid=104",
                 "file": "p1.xml", "status": 200,
                 "requires_cookie": "JSESSIONID=abc"},                          # else 403
                {"url": "https://x.gov.cn/col/index.html", "file": "col.html", "set_cookie": "JSESSIONID=abc"}],
     "expect": {"status": "ok", "count": 2,
                "articles": {"<real article URL>": {"title": "…", "published": "…", "publisher": "…",
                                                    "body_contains": ["…"], "flags_contain": ["…"]}}}}

Every real origin of the routes gets its own local server; real URLs in the config and in served
text are rewritten to it, so relative and absolute links both work. Files ending in .gz are
served decompressed.
"""
from __future__ import annotations

import gzip
import json
import re
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from crawler.config import BUNDLED_CONFIG
from tests.localserver import LocalServer, QuietHandler

CASES = Path(__file__).parent / "fixtures" / "sources"
TEXT_TYPES = ("html", "xml", "json", "javascript", "text")


def case_names() -> list[str]:
    return sorted(p.parent.name for p in CASES.glob("*/case.json"))


def load_case(name: str) -> dict:
    case = json.loads((CASES / name / "case.json").read_text(encoding="utf-8"))
    case["dir"] = CASES / name
    return case


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class FixtureHosts:
    """One local HTTP server per real origin named in the case's routes."""

    def __init__(self, cases: list[dict]):
        self.routes: dict[str, list[dict]] = {}  # host -> routes
        for case in cases:
            for route in case["routes"]:
                route = {**route, "dir": case["dir"]}
                self.routes.setdefault(urlsplit(route["url"]).netloc, []).append(route)
        self.servers = {host: LocalServer(self._handler(host)) for host in self.routes}
        self.running = ExitStack()
        self.requests: list[tuple[str, str]] = []  # (method, real URL)

    def local(self, host: str) -> str:
        return self.servers[host].url("")

    def rewrite(self, text: bytes) -> bytes:
        """Real origins (https, http, protocol-relative) -> their local servers."""
        for host in sorted(self.routes, key=len, reverse=True):
            local = self.local(host).encode()
            text = re.sub(rb"(?:https?:)?//" + re.escape(host.encode()) + rb"(?![\w.-])", local, text)
        return text

    def real_url(self, local_url: str) -> str:
        parts = urlsplit(local_url)
        for host in self.routes:
            if parts.netloc == urlsplit(self.local(host)).netloc:
                scheme = next(urlsplit(r["url"]).scheme for r in self.routes[host])
                return parts._replace(scheme=scheme, netloc=host).geturl()
        return local_url

    def __enter__(self):
        for server in self.servers.values():
            self.running.enter_context(server)
        return self

    def __exit__(self, *exc):
        self.running.close()

    def _find(self, host: str, method: str, target: str, body: bytes, cookie: str | None = None) -> dict | None:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        for route in self.routes[host]:
            want = urlsplit(route["url"])
            if want.path != parts.path or route.get("method", "GET") != method:
                continue
            if any(query.get(k) != v for k, v in parse_qsl(want.query, keep_blank_values=True)):
                continue
            if route.get("body_contains") and route["body_contains"].encode() not in body:
                continue
            if route.get("requires_cookie") and route["requires_cookie"] not in (cookie or ""):
                return {**route, "status": 403, "file": None}
            return route
        return None

    def _handler(self, host: str):
        hosts = self

        class Handler(QuietHandler):
            def do_GET(self):
                self._answer("GET", b"")

            def do_POST(self):
                self._answer("POST", self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def _answer(self, method, body):
                scheme = urlsplit(hosts.routes[host][0]["url"]).scheme
                hosts.requests.append((method, f"{scheme}://{host}{self.path}"))
                route = hosts._find(host, method, self.path, body, self.headers.get("Cookie"))
                if route is None:
                    status, data, ctype = 404, b"<html><body>not found</body></html>", "text/html"
                elif route["file"] is None:  # a cookie the site wants is missing
                    status, data, ctype = route["status"], b"<html><body>forbidden</body></html>", "text/html"
                else:
                    data = (route["dir"] / route["file"]).read_bytes()
                    if route["file"].endswith(".gz"):
                        data = gzip.decompress(data)
                    ctype = route.get("content_type", "text/html; charset=utf-8")
                    if any(t in ctype for t in TEXT_TYPES):
                        data = hosts.rewrite(data)
                    status = route.get("status", 200)
                cookie = {"Set-Cookie": route["set_cookie"] + "; Path=/"} if route and route.get("set_cookie") else {}
                self.reply(status, data, ctype, cookie)

        return Handler


def source_block(name: str) -> str:
    """The [[sources]] block that defines `name` in the bundled config, as written."""
    for path in sorted(BUNDLED_CONFIG.glob("*.toml")):
        blocks = re.split(r"(?m)^(?=\[\[sources\]\])", path.read_text(encoding="utf-8"))
        for block in blocks[1:]:
            if re.search(rf'(?m)^name\s*=\s*"{re.escape(name)}"\s*$', block):
                return block
    raise LookupError(f"no bundled source named {name!r}")


def local_config(name: str, hosts: FixtureHosts) -> str:
    """The bundled source's block pointed at the local servers: enabled, no politeness delay,
    no browser tier (the fixture serves plain pages)."""
    lines = [line for line in source_block(name).splitlines()
             if not re.match(r"\s*(enabled|disabled_reason|delay|browser|obey_robots)\s*=", line)]
    at = next(i for i, line in enumerate(lines) if line.startswith("name"))
    lines[at + 1:at + 1] = ["enabled = true", "delay = 0", "obey_robots = false"]
    return hosts.rewrite("\n".join(lines).encode("utf-8")).decode("utf-8") + "\n"
