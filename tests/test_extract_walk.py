"""The compiled body walk (crawler/extract/_walk.pyx) must emit exactly what the Python walk does:
the same lines (text, block element, token and link counts, heading/pre), block spans, headline and
来源 candidates and flagged spans, on every real page the tests hold."""
import sys
from pathlib import Path

import pytest

from crawler.extract import _parse, decode_html
from crawler.extract import body
from crawler.extract.clean import drop_hidden, drop_invisible, preclean_text
from crawler.extract.dom import body_of

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".html", ".htm") and p.is_file())

needs_compiled = pytest.mark.skipif(body._compiled_walker is None,
                                    reason="crawler.extract._walk not built (pip install -e . compiles it)")


def _root(raw: bytes):
    """The page's body as the extractor walks it (the test is skipped for a page that does not parse)."""
    text, _ = decode_html(raw, None)
    tree = _parse(preclean_text(text, []), None)
    if tree is None:
        pytest.skip("unparseable page")
    drop_invisible(tree)
    drop_hidden(tree, [])
    return body_of(tree)


def _comparable(result):
    lines, spans, containers, titles, sources, excluded = result
    return ([(ln.text, ln.el, ln.n, ln.links, ln.heading, ln.pre, ln.excluded) for ln in lines],
            spans, containers, titles, sources, excluded)


def test_fixture_pages_exist():
    assert len(PAGES) >= 40


@needs_compiled
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_compiled_walk_equals_python_walk(page):
    root = _root(page.read_bytes())
    lines, *rest = body.walk_python(root)
    python = _comparable((lines, *rest))
    *walked, values = body._compiled_walker.walk(root)
    compiled = _comparable(walked)
    assert compiled[0] == python[0]
    assert compiled[1:] == python[1:]
    assert values == [body.line_value(line) for line in lines]


@needs_compiled
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_compiled_exclusions_equal_python_ones(page):
    root = _root(page.read_bytes())
    outcomes = []
    for apply in (body._apply_exclusions, body._compiled_exclusions):
        lines, _, _, _, _, excl_spans, values = body._compiled_walker.walk(root)
        apply(lines, values, excl_spans)
        outcomes.append(([ln.excluded for ln in lines], values))
    assert outcomes[1] == outcomes[0]


@needs_compiled
@pytest.mark.parametrize("spans", [[], [(0, 4)], [(1, 3), (0, 4)], [(0, 1), (2, 4), (1, 4)], [(0, 0)], [(3, 4), (0, 2)]])
@pytest.mark.parametrize("values", [[3.0, -2.0, 5.5, -1.0], [0.0, 0.0, 0.0, 0.0], [-3, -1.0, -4, -2.0], [40.0, 1.0, -6, 2.5]])
def test_compiled_exclusions_on_made_up_spans(values, spans):
    outcomes = []
    for apply in (body._apply_exclusions, body._compiled_exclusions):
        lines = [body.Line("x", None, 1, 0, False, False, False) for _ in values]
        vals = list(values)
        apply(lines, vals, list(spans))
        outcomes.append(([ln.excluded for ln in lines], [(v, type(v)) for v in vals]))
    assert outcomes[1] == outcomes[0]


@needs_compiled
@pytest.mark.parametrize("html", [
    b"<html><body><div>a<span>b</span><span>c</span>\xe4\xb8\xad<span>\xe6\x96\x87</span></div></body></html>",
    b"<html><body>text<!-- gone -->tail &unknown; more<br>line<pre> x\n\n  y </pre></body></html>",
    b"<html><body><div class='comment-list'><p>one, two, three.</p></div><nav>menu</nav>after</body></html>",
    b"<html><body><h2 class='title'>Head</h2><p class='' id=''>x</p><a href='#'>link <b>bold</b></a> t</body>tail",
    b"<html><body>" + b"<div>" * 3000 + b"deep" + b"</div>" * 3000 + b"</body></html>",
])
def test_compiled_walk_on_edge_cases(html):
    root = _root(html)
    assert _comparable(body._compiled_walker.walk(root)[:6]) == _comparable(body.walk_python(root))


def _class_pairs():
    from lxml import etree
    pairs = {("post-comments", ""), ("", "commentList"), ("entry_author_bio x", "a1"), ("col-md-6 h2title", ""),
             ("ＫＥＬＶＩＮ \u212a-share", "İd"), ("news_title", "Title"), ("a_source", ""), ("", "js_name"),
             ("about", "posts"), ("d-lg-none", ""), ("post-12345", "related_99x"), ("", ""),
             # ASCII cases the compiled byte path handles itself: upper case, str.split()'s control-character
             # separators, names longer than its stack buffers, labels in the id
             ("Post-Comments ARTICLE", "JS_NAME"), ("a\tcomment\x1cshare\x0bx", ""), ("entry " * 60, "related"),
             ("col " * 140 + "sidebar", "x"), ("Author-Bio", "Source"), ("media-name", "account_9"), ("BiaoTi", "bt")}
    for page in PAGES:
        tree = etree.fromstring(page.read_bytes(), etree.HTMLParser())
        for el in tree.iter() if tree is not None else ():
            if isinstance(el.tag, str) and (el.get("class") or el.get("id")):
                pairs.add((el.get("class") or "", el.get("id") or ""))
    return sorted(pairs)


@needs_compiled
@pytest.mark.parametrize("flaggable", [1, 0])
def test_compiled_classification_equals_python(flaggable):
    from crawler.extract import _walk

    pairs = _class_pairs()
    body._TOKEN_CACHE.clear()
    body._PART_CACHE.clear()
    python = [body._classify(c, i, flaggable) for c, i in pairs]
    body._TOKEN_CACHE.clear()
    body._PART_CACHE.clear()
    compiled = [_walk.classify(body, c, i, flaggable) for c, i in pairs]
    assert len(pairs) > 500 and any(python)
    assert [p for p, a, b in zip(pairs, python, compiled) if a != b] == []


def test_ascii_title_class_pattern_agrees_with_the_case_insensitive_one():
    lowered = {f"{c} {i}".lower() for c, i in _class_pairs()} | {"bt", "x bt", "art_tit", "article-tit", "subtit x"}
    ascii_only = [low for low in lowered if low.isascii()]
    assert len(ascii_only) > 500
    assert [low for low in ascii_only
            if bool(body._TITLE_CLASS_ASCII.search(low)) != bool(body._TITLE_CLASS.search(low))] == []


def test_walks_in_threads_match_sequential_walks():
    """Each walk has its own state: threads extracting at once get what one thread gets."""
    from concurrent.futures import ThreadPoolExecutor

    from crawler.extract import extract

    pages = [p.read_bytes() for p in PAGES[:24]]
    expected = [extract(raw).body for raw in pages]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often, also in the middle of a walk
    try:
        with ThreadPoolExecutor(4) as pool:
            for _ in range(6):
                assert list(pool.map(lambda raw: extract(raw).body, pages)) == expected
    finally:
        sys.setswitchinterval(interval)


@needs_compiled
def test_token_and_whitespace_rules_match_on_awkward_text():
    """Token counts and whitespace folding agree on text mixing str-only whitespace (\\x1c, \\x85, \\u3000),
    zero-width spaces, CJK and ASCII, inside and outside links (seeded, so the same pages every run)."""
    import random

    from lxml import etree

    rng = random.Random(7)
    pieces = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u3000", "\u2028", "a", "b",
              "1", "中", "文", "é", "-", ".", "\u200b", "\ufeff"]
    for _ in range(500):
        text, link = ("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(2))
        html = f"<html><body><p>x {text}<a href='#'>{link}</a> y</p><pre>{text}</pre></body></html>"
        root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser()).find("body")
        assert _comparable(body._compiled_walker.walk(root)[:6]) == _comparable(body.walk_python(root))
