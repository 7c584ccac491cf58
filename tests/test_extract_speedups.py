"""The compiled element searches in crawler/extract/_walk.pyx must return exactly what the XPath queries
they replace return (the same elements or strings, in the same order) on every real page the tests hold."""
import re
from pathlib import Path

import pytest

from crawler.extract import _parse, body, clean, decode_html, govmeta
from crawler.extract.clean import drop_invisible, preclean_text
from crawler.extract.dom import body_of

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p for p in FIXTURES.rglob("*.html") if p.is_file())

pytestmark = pytest.mark.skipif(body._compiled_walker is None,
                                reason="crawler.extract._walk not built (pip install -e . compiles it)")


def _trees(path: Path):
    """The page's tree as parsed, and as drop_hidden and attachments see it (cleaned; its body)."""
    text, _ = decode_html(path.read_bytes(), None)
    tree = _parse(preclean_text(text, []), None)
    if tree is None:
        return []
    raw = tree
    tree = _parse(preclean_text(text, []), None)
    drop_invisible(tree)
    return [raw, tree, body_of(tree)]


def test_fixture_pages_exist():
    assert len(PAGES) >= 40


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_hidden_candidates_match_xpath(path):
    from crawler.extract._walk import hidden_candidates
    for root in _trees(path):
        _same_hidden(hidden_candidates(root), clean._STYLED(root))
        for el in root.iter("div", "table"):  # any element as the root, not only <html>
            _same_hidden(hidden_candidates(el), clean._STYLED(el))


def _is_hidden(el) -> bool:
    """drop_hidden's own test."""
    st = el.get("style")
    return el.get("hidden") is not None or bool(st and ("none" in st.lower() or "hidden" in st.lower())
                                                and clean._HIDDEN_STYLE.search(st))


def _same_hidden(candidates, styled):
    """The candidates are a subsequence of the XPath's elements and keep every hidden one."""
    it = iter(styled)
    assert all(any(c is s or c == s for s in it) for c in candidates)
    assert [el for el in candidates if _is_hidden(el)] == [el for el in styled if _is_hidden(el)]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_file_hrefs_match_xpath(path):
    for root in _trees(path):
        _same_files(root)
        for el in root.iter("a", "div", "ul"):  # `.//a` below an <a> excludes the <a> itself
            _same_files(el)


_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|ofd|wps|et|pptx?|zip|rar|7z|csv)", re.I)


def _same_files(root):
    """file_hrefs: the XPath's hrefs that hold an extension, in order; attachments' gate agrees."""
    from crawler.extract._walk import file_hrefs
    found, every = file_hrefs(root), govmeta._HREFS(root)
    assert [h for h in found if _EXT.search(h)] == [h for h in every if _EXT.search(h)]
    it = iter(every)
    assert all(any(h == x for x in it) for h in found)  # a subsequence
    assert bool(govmeta._ATTACH_ANY.search("\n".join(found))) == bool(govmeta._ATTACH_ANY.search("\n".join(every)))


def test_edge_cases():
    from lxml import etree

    from crawler.extract._walk import file_hrefs, hidden_candidates
    root = etree.fromstring(b'<html><body style="x" hidden><a href=" a.pdf ">x<a href="">y</a></a>'
                            b'<p hidden=""><!-- c --><a>no href</a><span STYLE="y" title="t">z</span></p>'
                            b'<i style="Display: NONE">1</i><b style="visibility:hidDen">2</b><u style="">3</u>'
                            b'<s style="display:n\xc3\xb6ne">4</s><q style="non">5</q>'
                            b'<a href="b&amp;c.doc"></a><a href="/x.ZIP?y"></a><a href="/a.html"></a>'
                            b'<a href="/b.z\xc4\xb0p"></a><a href="/c.7z"></a></body></html>', parser=etree.HTMLParser(encoding="utf-8"))
    assert [el.tag for el in hidden_candidates(root)] == ["body", "p", "i", "b", "s"]
    _same_hidden(hidden_candidates(root), clean._STYLED(root))
    assert govmeta._HREFS(root) == [" a.pdf ", "", "b&c.doc", "/x.ZIP?y", "/a.html", "/b.zİp", "/c.7z"]
    assert file_hrefs(root) == [" a.pdf ", "b&c.doc", "/x.ZIP?y", "/b.zİp", "/c.7z"]
    _same_files(root)
    a = root.find(".//a")
    assert file_hrefs(a) == govmeta._HREFS(a) == []  # (the parser closes an <a> at the next <a>)
    assert hidden_candidates(a) == clean._STYLED(a) == []


def test_tone_gate_matches_the_pinyin_regex():
    """The compiled gate on UTF-8 bytes says what clean._PINYIN_GATE says on the decoded text: on every
    fixture page, on the seeds' pinyin layer and on seeded random strings of the characters that matter."""
    import random

    texts = [decode_html(p.read_bytes(), None)[0] for p in PAGES]
    texts += ["頁(yè)", "動(dòng)", "(記者龐革平)", "x(üǎ)", "(abcdefǎ)", "(abcdefgǎ)", "(ABǎ)", "ǎ", "(", "é(a)", "(ü", "(üüüüüüǎ)"]
    rng = random.Random(7)
    alphabet = ["(", ")", "a", "q", "z", "ü", "é", "ǎ", "ḿ", "ń", "A", " ", "頁", "\n", "ǖ", "Ã"] + list(clean._TONES[:6])
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(5000)]
    gate = clean._tone_gate
    assert gate is not None
    differ = [t for t in texts if gate(t.encode("utf-8", "surrogatepass")) != bool(clean._PINYIN_GATE.search(t))]
    assert differ == []
    assert sum(gate(t.encode()) for t in texts) > 100


def test_first_end_tag_matches_the_regex():
    from crawler.extract import _END_TAG
    from crawler.extract._walk import first_end_tag

    pages = [p.read_bytes() for p in PAGES]
    pages += [b"", b"<", b"</body", b"</BODY>", b"x</Html \n\t>y", b"</bodyx></html>", b"</ body></body >", b"<</html>",
              b"</htm></html\x0b>", b"</body\xe3\x80\x80></body>", b"a" * 10 + b"</bOdY" + b" " * 5]
    for data in pages:
        m = _END_TAG.search(data)
        assert first_end_tag(data) == (m.span() if m else None), data[:80]



def test_control_bytes_test_matches_the_memchr_one():
    from crawler.extract._walk import has_control_bytes
    from crawler.extract.page import _CONTROL_SINGLES

    def reference(data):
        return any(c in bytes(data) for c in _CONTROL_SINGLES)
    for page in PAGES:
        data = page.read_bytes()
        assert has_control_bytes(data) == reference(data)
    for b in range(256):  # every byte value, in a 64-byte block and in the tail after the blocks
        for at in (0, 63, 64, 127, 130):
            data = bytearray(b"a" * 140)
            data[at] = b
            assert has_control_bytes(bytes(data)) == reference(data), (b, at)
    for data in (b"", b"\x01", bytearray(b"ab\x0b"), memoryview(b"\x7f")):
        assert has_control_bytes(data) == reference(data)
