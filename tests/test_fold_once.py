"""The body is folded once per article (storage.dedup.text.split_folded) and folding is cheaper
(crawler.textnorm): every output must be what the plain definitions give, on the fixture pages'
bodies and on built texts at the edges."""
import gzip
import re
import unicodedata
from pathlib import Path

import pytest

from crawler import textnorm
from crawler.extract import extract
from storage import store
from storage.dedup import minhash, text as dedup_text
from storage.dedup.text import split_folded, split_text

FIXTURES = Path(__file__).parent / "fixtures"
_TONES = textnorm._TONE_VOWELS
# the pinyin pattern as it was written first (lookbehind first): the reordered one must match the same
PINYIN_AS_WRITTEN = re.compile(r"(?<=[\u3400-\u9fff])\((?=[a-zü" + _TONES + r"]*[" + _TONES + r"])[a-zü" + _TONES
                               + r"]{1,7}\s?\)")


def plain_fold(text: str) -> str:
    """fold_for_matching by its definition."""
    text = unicodedata.normalize("NFKC", text)
    text = PINYIN_AS_WRITTEN.sub("", text)
    return re.sub(r"[\W_]+", "", textnorm.to_simplified(text)).lower()


def _bodies() -> list[dict]:
    pages = [p.read_bytes() for p in sorted(FIXTURES.rglob("*.html"))]
    pages += [gzip.decompress(p.read_bytes()) for p in sorted(FIXTURES.rglob("page.html.gz"))]
    articles = [extract(html, "http://example.test/a.html") for html in pages]
    return [{"body": a.body, "translation_body": a.translation_body} for a in articles if a.body]


EDGES = [
    {"body": "汉字(hàn)字(zì)的拼音层。\n第二段(yè\n)跨行的括号"},  # a pinyin annotation across a line break
    {"body": "  前后有空格的一行  \n\n中文第二行\u3000"},  # spaces stripped off lines: the body folds apart
    {"body": "第一段，内容足够长的一段正文。\n第二段正文到此结束。【编辑:张三】"},  # a credit cut off the last line
    {"body": "责任编辑：李四\n正文第一段，足够长的一段话。\n正文第二段。\n来源：新华网"},  # boilerplate edges
    {"body": "English only, line one.\nAnd line two, with_underscores."},
    {"body": "中文正文的一段话。\nEnglish translation follows here.\n英文版：\nTitle: X"},
    {"body": "中文正文很长很长的一段话。\nThe English text here.", "translation_body": "The English text here."},
    {"body": "ΑΣ\nΑ 希腊字母的最后一个 sigma"},  # lower-casing's one context (final sigma)
    {"body": "表情\U0001f600与\U00020000扩展区字符，全角ＡＢＣ１２３，〔2024〕5号"},
    {"body": "(yè)\n字\n(zì)"}, {"body": ""}, {"body": None}, {"body": "\n\n"},
]


@pytest.fixture(scope="module")
def bodies():
    found = _bodies()
    assert len(found) >= 60
    return found + EDGES


def test_fold_for_matching_is_its_definition(bodies):
    for item in bodies:
        for text in (item["body"] or "", (item["body"] or "")[:150], (item["body"] or "")[:60]):
            assert textnorm.fold_for_matching(text) == plain_fold(text)


def test_word_characters_keeps_what_the_regex_keeps_over_the_whole_plane():
    plane = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    for at in range(0, len(plane), 4096):
        chunk = plane[at:at + 4096]
        assert textnorm.word_characters(chunk) == re.sub(r"[\W_]+", "", chunk)
        assert textnorm.word_characters(chunk, keep_lines=True) == re.sub(r"[^\w\n]+|_+", "", chunk)
    assert "\n" in textnorm.word_characters("中" * 100 + "\n" + "文" * 100, keep_lines=True)


def test_pinyin_layer_matches_as_written(bodies):
    texts = [unicodedata.normalize("NFKC", item["body"] or "") for item in bodies]
    texts += ["頁(yè)動(dòng) (記者龐革平) (2024) 字(zì )", "(yè)字(yè)"]
    for text in texts:
        assert [m.span() for m in textnorm.PINYIN_LAYER.finditer(text)] == \
            [m.span() for m in PINYIN_AS_WRITTEN.finditer(text)]


def test_split_folded_gives_the_folds_of_split_text(bodies):
    whole_given = 0
    for item in bodies:
        story, extra, folded_story, folded_extra, whole = split_folded(item["body"], item.get("translation_body"))
        assert (story, extra) == split_text(item["body"], item.get("translation_body"))
        assert folded_story == plain_fold(story)
        assert folded_extra == (plain_fold(extra) if extra else "")
        if whole is not None:
            whole_given += 1
            assert whole == plain_fold(item["body"] or "")
    assert whole_given >= len(bodies) * 3 // 4  # (most bodies fold once)


def test_split_folded_falls_back_where_lines_do_not_fold_apart():
    assert split_folded(EDGES[0]["body"])[4] is None  # "(yè\n)"
    assert split_folded(EDGES[1]["body"])[4] is None  # stripped spaces
    assert split_folded(EDGES[6]["body"], EDGES[6]["translation_body"])[4] is None  # the translation cut out
    assert split_folded(EDGES[2]["body"])[4] == plain_fold(EDGES[2]["body"])


def test_presign_hashes_and_signs_as_the_store_would(bodies):
    for item in bodies:
        article = dict(item)
        store.presign(article)
        assert article["_content_hash"] == store.content_hash(item["body"] or "")
        signed = minhash.sign(item)
        assert (article["_signed"].folded_len, article["_signed"].text_hash, article["_signed"].original_key) == \
            (signed.folded_len, signed.text_hash, signed.original_key)
        story, extra = split_text(item["body"], item.get("translation_body"))
        folded_extra = plain_fold(extra) if extra else ""
        assert signed.text_hash == dedup_text.exact_key(plain_fold(story) + ("\x00" + folded_extra if folded_extra else ""))
        if signed.sig is None:
            assert article["_signed"].sig is None
        else:
            assert (article["_signed"].sig == signed.sig).all()


def test_index_separators_are_the_regexs(bodies):
    """storage.search._separate (numpy) against the regex it stands for, on bodies, the whole BMP and edges."""
    from storage import search

    plane = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    texts = [item["body"] or "" for item in bodies] + [plane[at:at + 3000] for at in range(0, len(plane), 3000)]
    texts += ["，。" * 150 + "中", "中" + "_" * 300, search.SEPARATOR * 250 + "a" + " " * 10, "词 " * 200,
              "表情\U0001f600 " * 60, "孤\ud800 " * 80]
    for text in texts:
        assert search._separate(text) == search._SEPARATORS.sub(f" {search.SEPARATOR} ", text)
