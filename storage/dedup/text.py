"""Normalising article text for duplicate detection: what a repost adds is cut, script and
punctuation folded."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from crawler.textnorm import fold_for_matching, fold_pieces, strip_pinyin_layer, to_simplified

# -- text -----------------------------------------------------------------------------------------

# Start of an appended translation: everything from here on is dropped.
_TRANSLATION_START = re.compile(
    r"^\s*(?:[（(【\[]?\s*(?:英[语文]|English)\s*(?:如下|版|翻译|译文|version|translation)\s*[:：]?"
    r"|(?:Title|Keywords|Content)\s*[:：])",
    re.IGNORECASE,
)
# Whole lines that are navigation, source or editor credits rather than story.
_BOILERPLATE_LINE = re.compile(
    r"^[\s\-–•·*|>]*(?:"
    r"[【\[（(]?\s*(?:责任编辑|编辑|编审|审核|校对|作者|记者|来源|稿源|原标题|原文链接|本文来源|文章来源|出处)\s*[:：】\]）)]"
    r"|(?:views|阅读|浏览|阅读量|点击量)\s*[:：]?\s*\d+\s*$"
    r"|[（(【\[]?\s*(?:英[语文]|English)\s*(?:如下|版|翻译|译文|version|translation)\s*[:：]?\s*[)）】\]]?\s*$"
    r"|(?:首页|民文|English|举报专区|登录|注册|返回顶部|打印|关闭窗口|分享到|分享让更多人看到|热门排行|扫一扫|点击关注|收藏|纠错)\s*$"
    r"|[【\[（(]\s*(?:完|纠错|责编|编辑)[^】\])）]{0,30}[】\])）]\s*$"
    r"|(?:本文|文章|内容)?(?:转载|转自)[^。]{0,40}$"
    r"|(?:声明|免责声明|版权声明)\s*[:：]"
    r"|(?:copyright|©)"
    r")",
    re.IGNORECASE,
)
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EDGE_LINES = 4  # boilerplate is trimmed only among the first and last few lines
_EDGE_MAX_LEN = 80


def split_text(body: str | None, translation_body: str | None = None) -> tuple[str, str]:
    """(story, extra): the story part of a body — appended translation cut, Latin-script lines and
    head/tail boilerplate lines dropped — and the translation/Latin lines that were set aside.
    Still in the page's script; `fold` does the rest."""
    parts = _split(body, translation_body)
    return (parts.story(), parts.extra()) if parts else ("", "")


class _Parts:
    """A body's lines (NFKC, stripped) and which of them are its story and its extra."""

    def __init__(self, text: str, lines: list[str], story: list[int], last: str | None, lead: list[str],
                 extra: list[int]):
        self.text, self.lines, self.story_at, self.extra_at = text, lines, story, extra  # text: the body, NFKC
        self.last = last  # the story's last line with a glued editor credit cut off
        self.lead = lead  # texts before the extra lines: the extractor's translation

    def story(self) -> str:
        return "\n".join([self.lines[i] for i in self.story_at[:-1]] + ([self.last] if self.story_at else []))

    def extra(self) -> str:
        return "\n".join(self.lead + [self.lines[i] for i in self.extra_at])


def _split(body: str | None, translation_body: str | None) -> _Parts | None:
    if not body:
        return None
    whole = text = unicodedata.normalize("NFKC", body)
    lead: list[str] = []
    if translation_body:  # split out by the extractor, or still inside the body
        tb = unicodedata.normalize("NFKC", translation_body).strip()
        if tb:
            text = text.replace(tb, "\n")
            lead.append(tb)
    extra: list[int] = []
    kept: list[int] = []
    lines = [ln.strip() for ln in text.split("\n")]
    for pos, ln in enumerate(lines):
        if not ln:
            continue
        if kept and _TRANSLATION_START.match(ln):
            extra.extend(i for i in range(pos, len(lines)) if lines[i])
            break
        if _LATIN.search(ln):
            cjk = len(_CJK.findall(ln))
            if cjk == 0 or len(_LATIN.findall(ln)) > 4 * cjk:
                extra.append(pos)  # an English line (translation, navigation), not the Chinese story
                continue
        kept.append(pos)
    # head/tail boilerplate: short lines among the edges that look like credits or navigation
    start, end = 0, len(kept)
    while start < min(end, _EDGE_LINES) and _is_boilerplate(lines[kept[start]]):
        start += 1
    while end > start and end > len(kept) - _EDGE_LINES and _is_boilerplate(lines[kept[end - 1]]):
        end -= 1
    story = kept[start:end]
    # an editor credit glued to the last paragraph: "...的新局面。【编辑:张三】"
    last = _TRAILING_CREDIT.sub("", lines[story[-1]]) if story else None
    return _Parts(whole, lines, story, last, [x for x in lead if not _is_boilerplate(x)],
                  [i for i in extra if not _is_boilerplate(lines[i])])


def split_folded(body: str | None, translation_body: str | None = None) -> tuple[str, str, str, str, str | None]:
    """(story, extra, fold(story), fold(extra), fold(body)) with the body folded once: its lines' folds
    (textnorm.fold_pieces) serve the story, the extra and the whole. fold(body) is None where the lines
    do not give it (a line with spaces at its ends, a translation cut out): the caller folds the body."""
    parts = _split(body, translation_body)
    if parts is None:
        return "", "", "", "", None
    story, extra = parts.story(), parts.extra()
    joined = "\n".join(parts.lines)
    pieces = fold_pieces(joined)
    if pieces is None:  # a pinyin annotation across a line break: fold each part apart
        return story, extra, fold(story), fold(extra) if extra else "", None
    folded_story = "".join([pieces[i] for i in parts.story_at[:-1]])
    if parts.story_at:  # (the last line's own fold where a glued credit was cut off it)
        at = parts.story_at[-1]
        folded_story += pieces[at] if parts.last == parts.lines[at] else fold_pieces(parts.last)[0]
    if parts.lead:  # an appended translation: its own text leads the extra
        folded_extra = fold(extra)
    else:
        folded_extra = "".join([pieces[i] for i in parts.extra_at]).lower()
    # the lines as they are in the body (nothing cut out, no spaces stripped off): their folds make the body's
    whole = "".join(pieces).lower() if joined == parts.text else None
    return story, extra, folded_story.lower(), folded_extra, whole


def _is_boilerplate(line: str) -> bool:
    return len(line) <= _EDGE_MAX_LEN and bool(_BOILERPLATE_LINE.match(to_simplified(strip_pinyin_layer(line)[0])))


def matching_text(body: str | None, translation_body: str | None = None) -> str:
    """The story part of a body, as compared by shingles (see `split_text`)."""
    return split_text(body, translation_body)[0]


_TRAILING_CREDIT = re.compile(r"[【\[（(]\s*(?:责任编辑|编辑|责编|完)[^】\])）]{0,30}[】\])）]\s*$")


# NFKC, pinyin layer removed, Traditional→Simplified, lower case, no whitespace or punctuation:
# the comparison form the rest of the crawler uses too.
fold = fold_for_matching


def normalise(body: str | None, translation_body: str | None = None) -> str:
    return fold(matching_text(body, translation_body))


def exact_key(folded: str) -> str | None:
    return hashlib.sha1(folded.encode("utf-8")).hexdigest() if len(folded) >= 20 else None
