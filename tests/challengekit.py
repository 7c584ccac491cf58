"""A site on 127.0.0.1 that behaves like NHC's 瑞数 challenge: a request without a valid cookie
gets HTTP 412 and an inline script that computes a cookie and reloads the page; with the cookie
it gets the page; a cookie is spent after `expire_after` requests (then 412 again).

It logs every request: path, status, whether it carried a valid cookie, and whether a real
browser sent it (Chromium sends Sec-Fetch-* headers, Scrapy does not)."""
from __future__ import annotations

import hashlib
import secrets
import threading
from http.cookies import SimpleCookie

from tests.localserver import LocalServer, QuietHandler

COOKIE = "hw_ts"


def challenge_page(token: str) -> bytes:
    # the cookie value is computed by the script (a client that does not run JavaScript cannot know it)
    return ('<html><head><meta charset="utf-8"><script>var $_ts=window["$_ts"]||{};$_ts.nsd=8412;'
            f'document.cookie="{COOKIE}="+(6*7)+"-{token}; path=/; max-age=3600";'
            'location.reload();</script></head><body></body></html>').encode()


class ChallengeSite(LocalServer):
    def __init__(self, expire_after: int = 1000):
        self.expire_after = expire_after
        self.lock = threading.Lock()
        self.pages: dict[str, tuple[bytes, str]] = {}  # path -> (body, content type)
        self.uses: dict[str, int] = {}  # valid cookie value -> requests answered with it
        self.log: list[dict] = []
        super().__init__(self._handler())

    def add(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> str:
        self.pages[path] = (body, content_type)
        return self.url(path)

    def publish_list(self, count: int, attachments: dict[int, list[tuple[str, str]]] | None = None) -> list[str]:
        """A list page at /list.shtml and `count` articles in NHC's shape; returns their URLs."""
        urls = []
        for number in range(count):
            slug = hashlib.md5(str(number).encode()).hexdigest()
            path = f"/yzygj/202405/{slug}.shtml"
            links = "".join(f'<p><a href="{href}">{name}</a></p>' for name, href in (attachments or {}).get(number, []))
            body = (f'<html><head><meta charset="utf-8"><title>通知{number}</title></head><body>'
                    f'<div class="list"><div class="tit">关于做好第{number}项医疗卫生工作的通知</div>'
                    '<div class="source"><span>发布时间：2024-05-16</span><span class="mr">来源: 医政司</span></div>'
                    f'<div class="con" id="xw_box"><p>各省、自治区、直辖市卫生健康委：为做好第{number}项工作，'
                    '现将有关事项通知如下。各地要高度重视，加强组织领导，确保各项措施落实到位，'
                    f'并于2024年6月30日前报送工作进展。</p><p>本通知第{number}号附件请一并阅知。</p>{links}</div>'
                    '</div></body></html>').encode()
            urls.append(self.add(path, body))
        items = "".join(f'<li><a href="{u}" title="通知">关于做好第{i}项医疗卫生工作的通知</a><span class="ml">2024-05-16</span></li>'
                        for i, u in enumerate(urls))
        self.add("/wjw/zcfg/list.shtml", ('<html><head><meta charset="utf-8"><title>政策法规</title></head><body>'
                                          f'<ul class="zxxx_list">{items}</ul></body></html>').encode())
        return urls

    # -- what happened ------------------------------------------------------------------------

    def browser_requests(self) -> list[dict]:
        return [entry for entry in self.log if entry["browser"]]

    def plain_requests(self) -> list[dict]:
        return [entry for entry in self.log if not entry["browser"]]

    def challenges_issued_to_browsers(self) -> int:
        return sum(1 for entry in self.browser_requests() if entry["status"] == 412)

    # -- server -------------------------------------------------------------------------------

    def _valid(self, cookie_header: str | None) -> bool:
        cookie = SimpleCookie()
        try:
            cookie.load(cookie_header or "")
        except Exception:
            return False
        value = cookie[COOKIE].value if COOKIE in cookie else None
        with self.lock:
            if value not in self.uses or self.uses[value] >= self.expire_after:
                return False
            self.uses[value] += 1
            return True

    def _handler(self):
        site = self

        class Handler(QuietHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                browser = "Sec-Fetch-Mode" in self.headers
                if path in ("/robots.txt", "/favicon.ico"):  # served to anyone, as real sites do
                    return self._send(404, b"", "text/plain", browser, valid=None)
                valid = site._valid(self.headers.get("Cookie"))
                if not valid:
                    token = secrets.token_hex(8)
                    with site.lock:
                        site.uses[f"42-{token}"] = 0
                    return self._send(412, challenge_page(token), "text/html; charset=utf-8", browser, valid)
                if path not in site.pages:
                    return self._send(404, b"not found", "text/plain", browser, valid)
                body, content_type = site.pages[path]
                self._send(200, body, content_type, browser, valid)

            def _send(self, status, body, content_type, browser, valid):
                with site.lock:
                    site.log.append({"path": self.path, "status": status, "browser": browser, "valid_cookie": valid,
                                     "user_agent": self.headers.get("User-Agent", "")})
                self.reply(status, body, content_type)

        return Handler
