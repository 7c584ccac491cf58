"""Anti-bot challenge pages: recognise them so a run says "blocked by challenge" instead of
storing an empty article or reporting "no new items". Judged on status and markers together
with the page being nearly empty of text, so an article that merely mentions a marker passes."""
from __future__ import annotations

import re

# Status codes challenge products answer with (../shared/notes/sources.md §3).
_STATUS = {
    412: "JavaScript cookie challenge (HTTP 412, 瑞数/Botgate style)",
    521: "JavaScript cookie challenge (HTTP 521, 加速乐 style)",
    493: "WAF block page (HTTP 493, WZWS style)",
}
_MARKERS = (
    (b"$_ts", "瑞数/Botgate JavaScript challenge"),
    (b"wzwschallenge", "WZWS JavaScript challenge"),
    (b"WZWSREL", "WZWS JavaScript challenge"),
    (b"__jsluid", "加速乐 JavaScript challenge"),
    (b"Just a moment", "Cloudflare challenge"),
    (b"cf-chl", "Cloudflare challenge"),
    ("安全验证".encode(), "security check page (安全验证)"),
    ("访问异常".encode(), "access blocked page (访问异常)"),
    ("请稍候".encode(), "challenge page (请稍候)"),
)
_TAGS = re.compile(rb"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)
_SPACE = re.compile(rb"\s+")
SMALL_TEXT = 400  # bytes of visible text; a real list or article page has far more


def challenge(status: int, body: bytes) -> str | None:
    """What kind of challenge the response is, or None for a normal page."""
    head = body[:200_000]
    text = _SPACE.sub(b"", _TAGS.sub(b"", head))
    small = len(text) < SMALL_TEXT
    marker = next((name for needle, name in _MARKERS if needle in head), None)
    if status in _STATUS and (small or marker):
        return _STATUS[status] + (f": {marker}" if marker else "")
    if marker and small and (status in (200, 202, 403, 503) or status >= 400):
        return f"{marker} (HTTP {status})"
    return None
