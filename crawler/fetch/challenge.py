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
SMALL_TEXT = 400  # bytes of visible text; a real list or article page has far more
HEAD_BYTES = 200_000


def challenge(status: int, body: bytes) -> str | None:
    """What kind of challenge the response is, or None for a normal page.

    Linear in the page, and cheap for normal pages: the status and the markers (substring
    searches) decide first whether the page could be a challenge at all; only then is its visible
    text measured, in one forward pass that stops at SMALL_TEXT. (A tag regex such as
    `<[^>]+>` rescans to the end from every unclosed `<`: 40 kB of `<` took 14 s.)"""
    head = body[:HEAD_BYTES]
    marker = next((name for needle, name in _MARKERS if needle in head), None)
    if status not in _STATUS and not marker:
        return None
    small = visible_text_bytes(head, SMALL_TEXT) < SMALL_TEXT
    if status in _STATUS and (small or marker):
        return _STATUS[status] + (f": {marker}" if marker else "")
    if marker and small and (status in (200, 202, 403, 503) or status >= 400):
        return f"{marker} (HTTP {status})"
    return None


# Linear by construction: a tag cannot contain "<" (so a failed match stops at the next one), and a
# script/style block is only looked for before the last closing tag of its kind (so every attempt
# finds its end). `<[^>]+>` and `<script\b.*?</script>` rescanned to the end from every unclosed one.
_BLOCKS = {name: re.compile(rb"<" + name + rb"\b(?:[^<]|<(?!/" + name + rb"))*</" + name + rb"[^<>]*>")
           for name in (b"script", b"style")}
_TAG = re.compile(rb"<[^<>]*>")
_SPACE = re.compile(rb"\s+")


def visible_text_bytes(html: bytes, limit: int | None = None) -> int:
    """Non-space bytes outside tags, <script> and <style> (`limit` kept for callers that only need
    to know whether there are that many)."""
    text = html.lower()
    for name, block in _BLOCKS.items():
        last = text.rfind(b"</" + name)
        if last != -1:
            end = text.find(b">", last)
            cut = end + 1 if end != -1 else len(text)
            text = block.sub(b" ", text[:cut]) + text[cut:]
    return len(_SPACE.sub(b"", _TAG.sub(b"", text)))
