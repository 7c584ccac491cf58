"""RedirectStubs rules a meta refresh out from the bytes: it must follow exactly what Scrapy's
MetaRefreshMiddleware (which decodes every page) follows, and leave alone what it leaves."""
from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.fetch.middlewares import RedirectStubs

URL = "http://example.test/a/1.html"
REFRESH = '<meta http-equiv="refresh" content="0;url=/b/2.html">'
TEXT = "卫生健康委员会发布通知。" * 600  # 7,200 characters, 21,600 bytes of UTF-8


def page(head: str, body: str = TEXT, charset: str | None = "utf-8") -> str:
    declared = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{declared}{head}<title>t</title></head><body><p>{body}</p></body></html>"


CASES = {
    "ordinary page": (page(""), "utf-8", None),
    "refresh in the head": (page(REFRESH), "utf-8", None),
    "refresh upper case": (page(REFRESH.upper().replace("/B/2.HTML", "/b/2.html")), "utf-8", None),
    "refresh after 4,096 characters": (page("", TEXT + REFRESH), "utf-8", None),
    "refresh within 4,096 characters, past 4,096 bytes": (page("", TEXT[:2000] + REFRESH), "utf-8", None),
    "refresh in a comment": (page(f"<!-- {REFRESH} -->"), "utf-8", None),
    "refresh in a script": (page(f"<script>var a = '{REFRESH}';</script>"), "utf-8", None),
    "long s (IGNORECASE's fold of s)": (page(REFRESH.replace("refresh", "refre\u017fh")), "utf-8", None),
    "entity in the attribute": (page(REFRESH.replace("refresh", "&#114;efresh")), "utf-8", None),
    "GBK page": (page(REFRESH, charset="gbk"), "gbk", None),
    "GBK page without one": (page("", charset="gbk"), "gbk", None),
    "undeclared encoding": (page(REFRESH, charset=None), "utf-8", None),
    "declared in the header only": (page(REFRESH, charset=None), "utf-8", "text/html; charset=utf-8"),
    "UTF-16 with a BOM": (page(REFRESH, charset=None), "utf-16", None),
    "UTF-16 declared in the header": (page(REFRESH, charset=None), "utf-16-le", "text/html; charset=utf-16le"),
    "UTF-16 header, no refresh": (page("", charset=None), "utf-16-le", "text/html; charset=utf-16le"),
    "unknown charset": (page(REFRESH, charset="x-no-such"), "utf-8", None),
}


def followed(middleware, html: str, encoding: str, content_type: str | None):
    body = html.encode(encoding)
    headers = {"Content-Type": content_type} if content_type else {}
    response = HtmlResponse(URL, body=body, headers=headers)
    result = middleware.process_response(Request(URL), response)
    return None if result is response else result.url


@pytest.mark.parametrize("case", sorted(CASES))
def test_meta_refresh_as_scrapy_follows_it(case):
    crawler = get_crawler()
    ours, scrapys = RedirectStubs.from_crawler(crawler), MetaRefreshMiddleware.from_crawler(crawler)
    html, encoding, content_type = CASES[case]
    assert followed(ours, html, encoding, content_type) == followed(scrapys, html, encoding, content_type)


def test_an_ordinary_page_is_not_decoded():
    """The saving itself: no text decoded for a page that declares its encoding and no refresh."""
    crawler = get_crawler()
    response = HtmlResponse(URL, body=page("").encode())
    assert RedirectStubs.from_crawler(crawler).process_response(Request(URL), response) is response
    assert response._cached_ubody is None


def test_the_refreshes_are_followed():
    crawler = get_crawler()
    ours = RedirectStubs.from_crawler(crawler)
    for case in ("refresh in the head", "refresh within 4,096 characters, past 4,096 bytes", "GBK page",
                 "UTF-16 with a BOM"):
        assert followed(ours, *CASES[case]) == "http://example.test/b/2.html", case
