"""crawler.extract.scan.keyed_matches must return exactly the matches finditer does: on every real page
the tests hold and on built texts at the edges (keys in any case, the case folds IGNORECASE knows
beyond ASCII, astral characters and lone surrogates before a match, overlapping keys, the limit)."""
import gzip
import itertools
import re
import sys
from pathlib import Path

import pytest

from crawler.extract import dates, people
from crawler.extract.decode import decode_html
from crawler.extract.scan import FOLDS_TO_ASCII, key_starts_python, keyed_matches

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p for p in FIXTURES.rglob("*") if p.suffix == ".html" or p.name == "page.html.gz")
# (pattern, its keys) as the extractor scans them
SCANS = [(people._SCRIPT_SOURCE, people.SCRIPT_SOURCE_KEYS), (dates._SCRIPT_DATE, dates.SCRIPT_DATE_KEYS)]


def _plain(pattern, text, limit):
    return [(m.span(), m.group(0)) for m in itertools.islice(pattern.finditer(text), limit)]


def _keyed(pattern, text, keys, limit):
    return [(m.span(), m.group(0)) for m in keyed_matches(pattern, text, keys, limit)]


def _text(path: Path) -> str:
    data = path.read_bytes()
    return decode_html(gzip.decompress(data) if path.suffix == ".gz" else data)[0]


def test_folds_to_ascii_is_every_non_ascii_character_ignorecase_matches_to_a_letter():
    letter = re.compile("[a-z]", re.I)
    found = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if letter.fullmatch(chr(c)))
    assert found == FOLDS_TO_ASCII


def test_fixture_pages_exist():
    assert len(PAGES) >= 80


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_same_matches_as_finditer_on_real_pages(path):
    text = _text(path)
    for pattern, keys in SCANS:
        for limit in (1, 6, 1000):
            assert _keyed(pattern, text, keys, limit) == _plain(pattern, text, limit)


def test_some_real_page_has_a_match():  # (else the test above proves little)
    assert any(_plain(pattern, _text(p), 1) for p in PAGES for pattern, _ in SCANS)


EDGES = [
    "var source = '健康报';",  # at the very start
    "x var SOURCE='新华网' y MediaName: \"扬眼\" CopyFrom=\"人民网\" LAIYUAN = '中新网'",  # every key, any case
    "datasource_name = '健康报'; resource = '央视'; source_name='网'",  # \bsource fails, source_?name matches
    "sourcesource = 'ab' source = 'cd'",  # a key inside a key
    "ſource = '健康报' source = '央视'",  # a long s IGNORECASE matches to s: the plain scan
    "\U0001f600 source = '健康报' \U00020000 media_name = \"扬眼\"",  # astral characters
    "\ud800 source = '健康报'",  # a lone surrogate
    "".join(f"source = '值{n}'; " for n in range(10)),  # more matches than the limit
    "\u4e73\u6f75 source = 'ab' \xd3OURCE = 'cd' \xc0 Source = '健康报'",  # bytes of ASCII letters in others
    "pubtime = '2024-05-20 10:30' PUB_DATE: \"2024-05-20\" first_publish_time='2024-05-21' newstime='2024-05-22'",
    "var ptime = '2024-05-20'; release_time = '2024-05-20'",
    "no key at all", "", "source", "source=",
]


@pytest.mark.parametrize("text", EDGES)
def test_same_matches_as_finditer_on_edges(text):
    for pattern, keys in SCANS:
        for limit in (1, 2, 6, 100):
            assert _keyed(pattern, text, keys, limit) == _plain(pattern, text, limit)


def test_edges_match_where_expected():
    assert [m.group("v") for m in keyed_matches(people._SCRIPT_SOURCE, EDGES[1], people.SCRIPT_SOURCE_KEYS, 6)] == \
        ["新华网", "扬眼", "人民网", "中新网"]
    assert len(keyed_matches(people._SCRIPT_SOURCE, EDGES[7], people.SCRIPT_SOURCE_KEYS, 6)) == 6


def test_script_source_reads_a_chinese_value_and_only_one():
    assert people.script_source("<script>var source = '健康报';</script>") == "健康报"
    assert people.script_source("<script>var source = 'Reuters';</script>") is None
    assert people.script_source("<script>source = '健康报'; source = '央视网'</script>") is None


def _compiled_key_starts():
    try:
        from crawler.extract._walk import key_starts
    except ImportError:
        pytest.skip("crawler.extract._walk not built (pip install -e . compiles it)")
    return key_starts


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_compiled_key_places_are_the_python_ones_on_real_pages(path):
    key_starts, text = _compiled_key_starts(), _text(path)
    for _, keys in SCANS:
        assert key_starts(text, keys) == key_starts_python(text, keys)


@pytest.mark.parametrize("text", EDGES + ["s", "xS", "İ", "a\u212a", "SOURCE", "\xff\u0100source"])
def test_compiled_key_places_are_the_python_ones_on_edges(text):
    key_starts = _compiled_key_starts()
    for keys in [k for _, k in SCANS] + [("s",), ("so", "s"), ("source", "sourcesource")]:
        assert key_starts(text, keys) == key_starts_python(text, keys)
    assert key_starts("x" + text, ("s",)) == key_starts_python("x" + text, ("s",))


def test_compiled_key_places_refuse_what_they_cannot_hold():
    key_starts = _compiled_key_starts()
    for keys in [("",), ("Source",), ("a?",), ("x" * 33,), tuple("abcdefghijklmnopq")]:
        with pytest.raises(ValueError):
            key_starts("source", keys)


@pytest.mark.parametrize("filler", ["x", "é", "中", "\U0001f600"])  # one, two and four bytes per character
def test_compiled_key_places_at_every_offset_of_its_blocks(filler):
    """The compiled scan skips 32-character blocks where no key's first three letters are: a key (or a fold)
    at any place of a block or across two, and the text's tail after its last block."""
    key_starts = _compiled_key_starts()
    keys = people.SCRIPT_SOURCE_KEYS
    for size in (33, 34, 35, 66, 100):
        for at in range(size):
            for word in ("SoUrce", "media", "cop", "LAIYUAN", "sou", "\u017fource", "i\u0130"):
                text = (filler * at + word + filler * size)[:size + len(word)]
                assert key_starts(text, keys) == key_starts_python(text, keys), (size, at, word)
