"""The challenge check's prefilter (crawler.fetch.challenge.surely_text): it may only ever skip the
full check where the full check finds no challenge."""
from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from crawler.fetch import challenge as ch
from tests.challengekit import challenge_page

BENCH = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench"


def full_check(status: int, body: bytes) -> str | None:
    """challenge() without its prefilter, as it was written before it."""
    head = body[:ch.HEAD_BYTES]
    marker = next((name for needle, name in ch._MARKERS if needle in head), None)
    if status not in ch._STATUS and not marker:
        return None
    small = ch.visible_text_bytes(head, ch.SMALL_TEXT) < ch.SMALL_TEXT
    if status in ch._STATUS and (small or marker):
        return ch._STATUS[status] + (f": {marker}" if marker else "")
    if marker and small and (status in (200, 202, 403, 503) or status >= 400):
        return f"{marker} (HTTP {status})"
    return None


# pieces that make blocks, tags cut open, closing tags without openers, names in any case, marker
# text, and runs long enough to cross the prefilter's 2 kB pieces
PARTS = [b"<script>", b"<SCRIPT type=x>", b"</script>", b"</Script >", b"</scripts>", b"</script", b"<script",
         b"<style>", b"</style>", b"</STYLE >", b"<style", b"</style", b"<stylex>", b"<", b">", b"<p>", b"</p>",
         b"<a href='x'>", b"<b", b"<!-- c -->", b"text", "中文正文".encode(), b" ", b"\n", b"\t", b"$_ts", b"cf-chl",
         "请稍候".encode(), b"x" * 90, b"y" * 700, b"<div class='" + b"z" * 900 + b"'>", b" " * 300]


def random_page(rng: random.Random) -> bytes:
    return b"".join(rng.choice(PARTS) for _ in range(rng.randint(0, rng.choice((10, 60, 400)))))


def test_prefilter_never_claims_more_text_than_there_is():
    rng = random.Random(14)
    for _ in range(4000):
        page = random_page(rng)
        visible = ch.visible_text_bytes(page[:ch.HEAD_BYTES])
        assert not ch.surely_text(page, visible + 1), page
        for status in (200, 403, 412, 503):
            assert ch.challenge(status, page) == full_check(status, page), (status, page)


def test_prefilter_past_the_head():
    """Text beyond HEAD_BYTES is not the head's: a challenge padded past it is still one."""
    page = challenge_page("t") + b"<p>" + b"x" * 300_000 + b"</p>"
    pad = b"<script>" + b"v" * ch.HEAD_BYTES + b"</script>"
    for body in (page, pad + "正文".encode() * 1000, b"<p>" + b"w" * (ch.HEAD_BYTES - 200) + b"</p>" + b"y" * 1000):
        assert not ch.surely_text(body, ch.visible_text_bytes(body[:ch.HEAD_BYTES]) + 1)
        assert ch.challenge(200, body) == full_check(200, body)


def test_challenge_pages_are_still_challenges():
    page = challenge_page("tok")
    assert ch.challenge(200, page) == full_check(200, page) == "瑞数/Botgate JavaScript challenge (HTTP 200)"
    assert ch.challenge(412, page) == full_check(412, page)
    article = b"<html><body><script>var $_ts={};</script>" + "<p>正文，很长的正文。</p>".encode() * 40
    assert ch.challenge(200, article) is None and ch.surely_text(article, ch.SMALL_TEXT)


@pytest.mark.skipif(not BENCH.is_dir(), reason="needs ../shared/bench")
def test_prefilter_on_the_bench_pages():
    """Real pages: the prefilter decides most of them, and never against the full check."""
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(BENCH.glob("*/*/page.html.gz"))]
    decided = 0
    for page in pages:
        visible = ch.visible_text_bytes(page[:ch.HEAD_BYTES])
        assert not ch.surely_text(page, visible + 1)
        decided += ch.surely_text(page, ch.SMALL_TEXT)
        assert ch.challenge(200, page) == full_check(200, page)
    assert decided > 0.8 * len(pages)
