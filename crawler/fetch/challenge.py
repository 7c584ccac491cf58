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
    if status not in _STATUS and surely_text(body, SMALL_TEXT):  # (the usual page: the check below could only say None)
        return None
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


# -- the prefilter: an ordinary page shows SMALL_TEXT bytes of text within its first few kB -----------
#
# At a status of its own a challenge needs a marker and a nearly empty page, so a page surely holding
# SMALL_TEXT visible bytes in its head is none, whatever its markers (the nine scans of 200 kB cost
# ~0.5 ms a page). `surely_text` counts, in 2 kB pieces until it has enough, only text that
# visible_text_bytes surely counts too: text outside every <script>/<style> block the blocks'
# regexes could match (an opening tag's name anywhere starts a stretch that may be a block, up to
# the next closing one, the style's counted only where no script block can hold it), not inside a
# tag that may begin or end beyond the stretch (trimmed to its first "<" or just past its first
# ">", and before a last "<" no ">" follows). Each piece is measured as visible_text_bytes measures.
_BLOCK_EDGE = re.compile(rb"<(/?)(?:(script)|style)", re.IGNORECASE)
_PIECE = 2048
_EDGE_SPAN = len(b"</script") - 1  # an edge that starts this near a piece's end may run past it
_WHITESPACE = b" \t\n\r\x0b\x0c"  # what _SPACE matches (removed by translate: ~10x faster than the regex)


def surely_text(body: bytes, enough: int) -> bool:
    """Whether visible_text_bytes(body[:HEAD_BYTES]) is surely at least `enough` (False: not known).
    The block edges are looked for _PIECE bytes at a time, the text before them counted as they come:
    a page's first text is found before a tag name far on is."""
    end = min(len(body), HEAD_BYTES)
    found, script, style, start, at = 0, False, False, 0, 0  # start: where text may count (None: in a block)
    while at < end:
        upto = min(end, at + _PIECE)
        edge = _BLOCK_EDGE.search(body, at, upto)
        stop = edge.start() if edge else (upto if upto == end else upto - _EDGE_SPAN)
        if start is not None and start < stop:
            found += _stretch_text(body, start, stop, enough - found)
            if found >= enough:
                return True
            if edge is None:  # (the stretch goes on: from where no tag can reach back across the cut)
                start = _resume(body, stop, end)
        if edge is None:  # (an edge begun in the last bytes is looked for again from there)
            at = stop if upto < end else end
            continue
        closing = bool(edge.group(1))
        if edge.group(2):
            script = not closing
        elif not closing:
            style = True
        elif not script:  # a </style a script block may hold is gone before the style blocks are looked for
            style = False
        # past the edge's own tag (the end of a block, gone with it) and what may join it once it is gone
        start = None if script or style else _resume(body, _tag_end(body, edge.end(), end), end)
        at = edge.end()
    return found >= enough


def _tag_end(body: bytes, at: int, end: int) -> int:
    """Past the ">" that ends the tag begun before `at`, or at the "<" that leaves it unclosed."""
    lt, gt = body.find(b"<", at, end), body.find(b">", at, end)
    if gt != -1 and (lt == -1 or gt < lt):
        return gt + 1
    return lt if lt != -1 else end


def _resume(body: bytes, at: int, end: int) -> int:
    """From `at` in a stretch no block covers, where no tag begun before can reach: the first "<", or
    past the first ">"."""
    lt, gt = body.find(b"<", at, end), body.find(b">", at, end)
    if lt != -1 and (gt == -1 or lt < gt):
        return lt
    return gt + 1 if gt != -1 else end


def _stretch_text(body: bytes, start: int, end: int, wanted: int) -> int:
    """Visible bytes of body[start:end], a stretch no block covers and no earlier tag reaches into,
    counted as far as `wanted`, but for a last "<" no ">" follows (the tag it opens may close
    beyond, once a block there is gone)."""
    lt = body.rfind(b"<", start, end)
    if lt > body.rfind(b">", start, end):
        end = lt
    found = 0
    while start < end and found < wanted:
        cut = body.find(b"<", start + _PIECE, end) if start + _PIECE < end else -1
        cut = end if cut == -1 else cut  # pieces begin at a "<": no tag runs across two
        found += len(_TAG.sub(b"", body[start:cut]).translate(None, _WHITESPACE))
        start = cut
    return found
