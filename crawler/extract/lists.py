"""Lists inside the article container that are not the article: a related / recommended / comments box
under its heading ("相关新闻", "热门评论 7条", "作者最近文章", "More from this channel"), a run of dated
entries ("标题 2019-09-07", "评论… 13小时前"). Found by their shape, not by class names: the class words of
body.py miss a site whose names are not in their vocabulary (or a page without any).

A headed list: a short line naming such a list, whose box (the block it opens, else the sibling blocks
after it) is mostly item-like lines (link text, short fragments, dates, durations); only after some
article text. A dated run: three or more entries, each a few short lines closed by a date or time."""
from __future__ import annotations

import re

# the words of a list heading (Simplified; Traditional pages are read through their Simplified copy). Chinese
# pages only: an English heading's words recur in article subheadings, and English lists are short lines too
# (their related boxes are body.py's _RELATED_HEAD)
_HEAD_WORDS = re.compile(
    r"相关|推荐|热点|热门|热评|热读|猜你|延伸阅读|更多|最新|排行|往期|精彩|评论|留言|跟帖|网友|最近文章|其他文章|其它文章|近期文章|"
    r"专题|头条|要闻|大家都在看|还看了|看过|编辑推荐|友情链接|今日|24小时|滚动|图片|视频")
# what a heading may carry after its words: a count ("7条", "(12)"), a "more" link ("更多>>"), arrows
_HEAD_TAIL = re.compile(r"(?:\s*[(（]?\s*\d+\s*[条條)）]?|\s*(?:更多|more|MORE|More)|\s*[>›»\+]+)+\s*$")
_SENTENCE = re.compile(r"[。！？!?；;]")
_MD = r"(?<!\d)(?:1[0-2]|0?[1-9])[-/.月](?:3[01]|[12]\d|0?[1-9])(?!\d)"  # a month and a day
# an entry's date or time closing its line ("2019-09-07", "(05-20)", "09-07 12:00", "13小时前")
_ENTRY_DATE = re.compile(
    r"(?:(?:19|20)\d\d[-/.年])?" + _MD + r"日?(?:\s*\d{1,2}:\d\d(?::\d\d)?)?\s*[)\]）】]?\s*$|"
    r"(?<![\d:])\d{1,2}:\d\d\s*[)\]）】]?\s*$|\d+\s*(?:秒|分钟|分鐘|小时|小時|天|周|週|个月|個月)前\s*$")
# a line that is only an entry's date: a full date (+ time), a relative time, a duration
_ENTRY_ONLY = re.compile(r"^\s*[(\[（【]?\s*(?:(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d\d(?::\d\d)?)?|"
                         r"\d+\s*(?:秒|分钟|分鐘|小时|小時|天|周|週|个月|個月)前|\d{1,2}['′]\d\d[\"″]?)\s*[)\]）】]?\s*$")


def heading_key(text: str) -> str | None:
    """The words of a line that may head a list ("热门评论 7条" -> "热门评论"), or None for a longer line or a
    sentence."""
    if len(text) > 40 or _SENTENCE.search(text):
        return None
    key = _HEAD_TAIL.sub("", text).replace(" ", "").replace("\u3000", "")
    if not key or len(key) > 10:
        return None
    return key


def is_list_heading(text: str) -> bool:
    key = heading_key(text)
    return key is not None and bool(_HEAD_WORDS.search(key))


def item_like(line) -> bool:
    """A line of a list entry: mostly link text, a short fragment that is no sentence, a date or a time."""
    if line.links * 2 > line.n or (line.n < 15 and not _SENTENCE.search(line.text[-1:])):
        return True
    return bool(_ENTRY_DATE.search(line.text))


def _mostly_items(lines, s: int, e: int) -> bool:
    items = sum(1 for x in lines[s:e] if item_like(x))
    return e - s >= 3 and items * 2 >= e - s


def _box_of(lines, spans: dict, i: int) -> tuple[int, int] | None:
    """The lines of the list line `i` heads: the largest block it opens (when that block holds more than the
    heading), else the sibling blocks after the heading's block while each is mostly item-like."""
    box = lines[i].el
    while (p := box.getparent()) is not None and p in spans and spans[p][0] == i and p.tag not in ("body", "html"):
        box = p
    s, e = spans.get(box, (i, i + 1))
    if e - s > 1:
        return (s, e) if _mostly_items(lines, s + 1, e) else None
    stop = i + 1
    sib = box.getnext()
    while sib is not None:
        span = spans.get(sib)
        if span is not None:
            if sum(item_like(x) for x in lines[span[0]:span[1]]) * 2 < span[1] - span[0]:
                break
            stop = span[1]
        sib = sib.getnext()
    return (i, stop) if _mostly_items(lines, i + 1, stop) else None


def cut_lists(lines: list, spans: dict, chosen: list, simplify=None, stop: int | None = None) -> list:
    """The chosen lines minus the headed lists and dated runs inside their range; `stop`: the end of the
    container's lines (an entry's date line may have been trimmed off the chosen end)."""
    if len(chosen) < 3 or not _chinese(chosen):
        return chosen
    first = lines.index(chosen[0])
    end = lines.index(chosen[-1], first) + 1
    total = sum(x.n for x in chosen)
    kept_ids = {id(x) for x in chosen}
    drop: set[int] = set()
    before = 0  # article tokens chosen before line i
    i = first
    while i < end:
        line = lines[i]
        if id(line) in kept_ids:
            before += line.n
        if i > first and line.n <= 30 and before >= max(50, 0.1 * total) and \
                is_list_heading(simplify(line.text) if simplify else line.text):
            box = _box_of(lines, spans, i)
            if box is not None:
                drop.update(range(box[0], box[1]))
                i = box[1]
                continue
        i += 1
    drop.update(_dated_runs(lines, first, max(end, min(stop or end, end + 40))))
    if not drop:
        return chosen
    return [x for k, x in enumerate(lines[first:end], first) if id(x) in kept_ids and k not in drop]


# a comment board's heading ("热门评论 7条", "网友留言", "全部跟帖") and an entry's relative time ("13小时前"): the
# board is left out before the article's block is chosen (on a short article it is the longest prose)
_BOARD_WORDS = ("评论", "評論", "留言", "跟帖", "热评", "熱評", "回复", "回覆")  # a board heading ends with one
_RELATIVE = re.compile(r"^\s*\d+\s*(?:秒|分钟|分鐘|小时|小時|天)前\s*$")


def exclude_boards(lines: list, values: list[float], spans: dict) -> None:
    """Mark a comment board's lines excluded (prose in it worth 0): the box a board heading opens, and runs of 3+ entries
    closed by a relative time. Chinese pages only."""
    if not lines or not _chinese(lines[:200]):
        return
    drop: set[int] = set()
    for i, line in enumerate(lines):
        if line.n <= 12 and not line.excluded and any(w in line.text for w in _BOARD_WORDS) \
                and (key := heading_key(line.text)) and key.endswith(_BOARD_WORDS) \
                and (box := _box_of(lines, spans, i)) is not None:
            drop.update(range(*box))
    drop.update(_dated_runs(lines, 0, len(lines), _RELATIVE, gap=8))  # (a comment's buttons between its times)
    for k in drop:
        lines[k].excluded = True
        values[k] = min(values[k], 0.0)  # (a board of links keeps its negative worth: a wrapper still pays for it)


def _chinese(chosen: list) -> bool:
    """Most of the chosen text is CJK (Line.n counts CJK characters one by one, other words whole)."""
    sample = "".join(x.text for x in chosen[:20])
    return len(sample.encode("ascii", "ignore")) * 2 < len(sample)


def _dated_runs(lines, first: int, end: int, closer=None, gap: int = 3) -> set[int]:
    """Line indexes of runs of 3+ entries, each closed by a date or time: a short line ending in one after short
    lines, or a line that is only a full date, a relative time ("13小时前") or a duration after lines of any
    length (a comment's text); `closer`: only lines it matches close an entry, at most `gap` lines apart. Not in
    a table: a schedule there is the document's."""
    out: set[int] = set()
    run: list[int] = []  # the closing line of each entry
    for k in range(first, end):
        line = lines[k]
        if line.el.tag in ("td", "th"):
            continue
        if closer is not None:
            if line.n > 6 or not closer.match(line.text):
                continue
            alone = True
        else:
            alone = bool(_ENTRY_ONLY.match(line.text))
            if not (alone or line.n < 40 and _ENTRY_DATE.search(line.text)):
                continue
        if run and k - run[-1] <= gap and (alone or all(x.n < 40 for x in lines[run[-1] + 1:k])) \
                and not any(x.el.tag in ("td", "th") for x in lines[run[-1] + 1:k]):
            run.append(k)
            continue
        _close(run, first, out)
        run = [k]
    _close(run, first, out)
    return out


def _close(run: list[int], first: int, out: set[int]) -> None:
    if len(run) >= 3:
        size = run[1] - run[0]  # the first entry is as long as the second
        out.update(range(max(first, run[0] - size + 1), run[-1] + 1))
