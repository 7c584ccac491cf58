"""Tree clean-up before field extraction: invisible markup, hidden blocks, spam text.

The pinyin layer and control characters are removed on the decoded string before parsing
(one C-level regex pass instead of a walk over every text node)."""
from __future__ import annotations

import re

from lxml import etree

from crawler.extract.dom import drop
from crawler.textnorm import strip_pinyin_layer

# Never visible text.
_INVISIBLE = ("script", "style", "noscript", "svg", "template", "select", "textarea", "input", "link", "meta")
# Unwrapped, not dropped: a self-closed `<button/>` or `<iframe/>` is not closed by the HTML parser, so
# the element swallows the rest of the page (gov.cn's header search button does this).
_UNWRAP = ("button", "iframe", "canvas", "object", "embed", "map", "audio", "video", "font")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"

# Spam injected into titles and footers of hijacked pages: porn / gambling vocabulary.
# The two Latin terms share no character with the CJK ones, so no match of one kind can overlap a match of
# the other: a substring test finds every "av"/"AV" the combined alternation would, and the CJK regex has
# no 'a' among its first characters (in English text every 'a' started a match attempt).
_SPAM_LATIN = ("av", "AV")
_SPAM_TERMS = re.compile(
    r"久久|精品|国产|國產|欧美|歐美|亚洲|亞洲|一区二区|一區二區|在线观看|在線觀看|性爱|性愛|人妻|无码|無碼|"
    r"自拍|偷拍|激情|日韩|日韓|成人|伦理|倫理|三级片|黄色|黃色|色情|少妇|熟女|丝袜|美女视频|"
    r"视频在线|午夜|一级片|一級片|福利|娱乐城|娛樂城|百家乐|百家樂|博彩|赌场|賭場|彩票|六合彩|时时彩|"
    r"老虎机|真人|棋牌|开户|葡京|澳门|威尼斯人|太阳城|天天|人人|青青|啪啪|成年")


# every annotation opens with "(" then pinyin letters and a tone mark: a literal-prefixed search is cheap
_PINYIN_GATE = re.compile(r"\([a-zü]{0,6}[" + _TONES + r"]")
_PINYIN_AFTER_LOST = re.compile(r"\?\((?=[a-zü" + _TONES + r"]*[" + _TONES + r"])[a-zü" + _TONES + r"]{1,7}\s?\)")


def spam_score(text: str) -> int:
    """Number of distinct spam terms in the text."""
    text = text or ""
    latin = sum(term in text for term in _SPAM_LATIN)
    return latin if text.isascii() else latin + len(set(_SPAM_TERMS.findall(text)))  # (isascii: O(1))


def is_spam(text: str) -> bool:
    return spam_score(text) >= 3


try:  # the gate on the page's UTF-8 bytes, compiled
    from crawler.extract._walk import ToneGate
    _tone_gate = ToneGate(_TONES)
except ImportError:
    _tone_gate = None


def preclean_text(text: str, flags: list[str], raw: bytes | None = None) -> str:
    """String-level clean-up: pinyin annotations of mirror sites (頁(yè) -> 頁). `raw`: the UTF-8 bytes
    `text` was decoded from, when it is exactly their decoding (the gate then reads them)."""
    # the layer always carries tone-marked vowels (never ASCII; isascii is O(1)): a cheap test spares the
    # regex pass
    if not text.isascii() and (_tone_gate(raw) if raw is not None and _tone_gate else _PINYIN_GATE.search(text)):
        text, n = strip_pinyin_layer(text)
        # after a character lost to lossy decoding ("日?(qǐng)") the layer follows a '?'
        text, lost = _PINYIN_AFTER_LOST.subn("?", text)
        if n or lost:
            flags.append("pinyin_layer_removed")
    return text


# a form of a few fields (newsletter sign-up, contact, search): its labels ("First Name*", "Email") are
# not text; a page wrapped whole in one <form> (ASP.NET) holds far more text and stays
_FORM_TEXT_MAX = 600


def drop_invisible(tree) -> None:
    # one scan finds the forms and whether any _UNWRAP tag occurs (stripping elements creates none, so
    # strip_tags and its second tree scan are skipped on pages without them)
    forms = []
    unwrap = False
    for el in tree.iter("form", *_UNWRAP):
        if el.tag != "form":
            unwrap = True
        elif el.find(".//input") is not None or el.find(".//select") is not None or el.find(".//textarea") is not None:
            forms.append(el)
    etree.strip_elements(tree, *_INVISIBLE, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for form in forms:  # measured without its <option> lists
        if form.getparent() is not None and _text_len(form) < _FORM_TEXT_MAX:
            drop(form)
    if unwrap:
        etree.strip_tags(tree, *_UNWRAP)


def _text_len(el) -> int:
    """Length of an element's visible text, whitespace collapsed (C-level serialisation, no regex)."""
    try:
        raw = etree.tostring(el, method="text", encoding=str, with_tail=False)
    except (ValueError, TypeError):
        raw = "".join(el.itertext())
    words = raw.split()  # the length of " ".join(words), without building it
    return sum(map(len, words)) + len(words) - 1 if words else 0


# elements carrying a style or hidden attribute, in document order: libxml2 finds the attributes, so Python
# tests a few dozen elements instead of all of them (an attribute-first path: a predicate on every element
# was slower than the Python loop)
_STYLED = etree.XPath("(descendant-or-self::*/@style | descendant-or-self::*/@hidden)/..")
try:  # a compiled walk over the nodes: the XPath's elements minus styles that cannot hide (the XPath's node set
    # and a Python test per styled element were ~3% of a page); the test below still decides
    from crawler.extract._walk import hidden_candidates as _candidates
except ImportError:
    _candidates = _STYLED


def drop_hidden(root, flags: list[str]) -> None:
    """Remove display:none / hidden blocks (spam link farms, duplicate menus). A hidden block that
    holds most of the page's text is kept: WeChat and others reveal the article with JS."""
    hidden = [el for el in _candidates(root) if (el.get("hidden") is not None
                                            or ((st := el.get("style")) and ("none" in (sl := st.lower()) or "hidden" in sl)
                                                and _HIDDEN_STYLE.search(st)))]
    if not hidden:
        return
    total = 0
    removed = False
    for el in hidden:
        if el.getparent() is None:
            continue
        size = _text_len(el)
        if size > 200:
            total = total or _text_len(root) or 1
            if size > 0.4 * total:
                continue
        drop(el)
        removed = removed or size > 0
    if removed:
        flags.append("hidden_block_removed")
