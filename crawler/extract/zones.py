"""Where the metadata sits: the headline's line, the header zone from the headline to the body (the
date/来源/byline lines split off the top of the chosen block), the body's lead and trailer. Dates and
people are read from these texts, not from the whole page."""
from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract import body as body_mod
from crawler.extract.dates import EN_DATE, FULL
from crawler.extract.links import CRUMB_START, ORIGINAL, trail_to
from crawler.extract.people import looks_like_person
from crawler.extract.titles import leading_title, norm, strip_page_number

_SENTENCE_END = re.compile(r"[。！？!?]|\.(?:\s|$)")
_META_LINE = re.compile(r"(?:来源|來源|作者|记者|發布|发布|时间|時間|日期|浏览|阅读|点击|Posted|By\b|Published|Updated)"
                        r"[^。！？]*?(?:(?:19|20)\d\d[-/.年]\d|\d{1,2}:\d\d)|(?:(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}[^。！？]{0,30}"
                        r"(?:来源|來源|作者|浏览|阅读|编辑))", re.I)
# what every _META_LINE match contains: a digit, a date separator or ':', two digits (its year "2023-1" holds
# "023-1", its time "9:30" is one). Much cheaper than _META_LINE (which has no prefix to skip ahead on).
_META_LINE_GATE = re.compile(r"\d(?:\d\d[-/.年]|:\d)\d")
# a short line that is a date (+ time, + source) and nothing sentence-like: "2023-12-28 澎湃新闻·媒体1230"
# the same in English: "Jun 20, 2024", "Published on Thursday, 20 June 2024 at 9:30 am EDT"
_EN_DATE_ONLY = re.compile(r"^\s*(?:(?:Published|Posted|Updated)(?: on)?:?\s+)?(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?"
                           r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+"
                           r"(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d\d(?:,?\s+(?:at\s+)?\d{1,2}:\d\d(?:\s*[ap]\.?m\.?)?"
                           r"(?:\s+[A-Z]{2,4})?)?\s*$", re.I)
_BYLINE_WORD = re.compile(r"\b(?:by|min read|updated|published|posted)\b", re.I)
_DATE_ONLY = re.compile(r"^\s*(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d\d(?::\d\d)?)?(?:\s+[^，。！？,.!?]{0,30})?$")


@dataclass
class Header:
    title_idx: int | None  # the line showing the headline
    chosen: list  # the body lines left after the header lines were split off
    subtitle: str | None
    zone: str  # header zone (headline to body) and the body's lead lines
    date_zone: str  # the header zone alone (a date in the lead is only a fallback)
    lead: str  # short lines opening the body before its first real paragraph


@dataclass
class Zones:
    """The texts the metadata readers search, most specific first."""
    zone: str
    date_zone: str
    near: str  # short lines just around the body (and the lead, and a closing short line)
    after_title: str  # the first 3000 characters from the headline on
    pre_zone: str  # short lines just above the headline (news.cn prints 来源 there)
    first: str  # the body's first two lines
    last: str  # the body's last lines, the trailer after it, an author box
    head: str  # the body's first short lines
    from_title: str  # the page's text from the headline on, when it holds " by " (forum footers)
    after_body_start: str  # the page's text from the body on (the editor trailer)


def read_header(lines: list, chosen: list, body_start: int, title_key: str) -> Header:
    title_idx = title_line(lines, body_start, title_key)
    if title_idx is not None and title_idx < body_start:
        zone_lines = [ln for ln in lines[title_idx + 1:body_start][:15] if not _tag_link(ln)]
    else:  # no headline line: the lines above the body, less Chinese links (a menu's "阳光执法", "文化" are no
        # byline; an English byline often links the author's page)
        zone_lines = [ln for ln in lines[max(0, body_start - 8):body_start]
                      if not (ln.links and ln.links * 2 >= ln.n and not ln.text.isascii())]
    zone_extra, chosen, subtitle = split_header_lines(chosen, title_key)
    # between the block's start and its first body line, in page order: the header lines the split took out
    # and the lines the walk excluded there (a byline or date block classed "byline", "meta", …)
    first_body = lines.index(chosen[0]) if chosen else body_start
    taken = set(zone_extra)
    between = [ln.text for ln in lines[body_start:first_body]
               if ln.text in taken or (ln.excluded and not body_mod.is_caption(ln))]
    in_between = set(between)
    zone_extra = between + [x for x in zone_extra if x not in in_between]
    # photo credits ("Image by: Agency") are not bylines
    zone = "\n".join([line.text for line in zone_lines if not body_mod.is_caption(line)] + zone_extra)
    lead = "\n".join(_lead_lines(chosen))
    date_zone = zone
    if lead:
        zone = zone + "\n" + lead if zone else lead
    return Header(title_idx, chosen, subtitle, zone, date_zone, lead)


_AUTHOR_MARK = re.compile(r"author|reporter|writer|journalist|byline|zuozhe|jizhe", re.I)


def _tag_link(line) -> bool:
    """A line that is one link reading like a name, to no author's page: a channel, tag or place link under the
    headline ("文化", "房产", "江苏": 9 in 10 of the bench's lone surname-initial words are links), not a byline.
    A reporter's link stays (chinatimes: <div class=author><a href=/reporter/899>謝明俊</a>)."""
    if not line.links or line.links < line.n or line.n > 12 or line.text.isascii():
        return False
    text = line.text.strip()
    if not looks_like_person(text):
        return False
    el = line.el
    marks = [el.get("class"), el.get("id")] + [x for a in el.iter("a") for x in (a.get("href"), a.get("class"))]
    return not any(m and _AUTHOR_MARK.search(m) for m in marks)


def _lead_lines(chosen) -> list[str]:
    """Short lines opening the body before its first real paragraph (a byline block the header split kept:
    "本报记者 王燕平", "2003-7-24 钱江晚报", "作者： 周思博"): read for dates and people, left in the body."""
    lead = []
    for line in chosen[:8]:
        if line.n >= 60 or (line.n >= 25 and _SENTENCE_END.search(line.text)):
            break
        lead.append(line.text)
    return lead


def zones_of(lines: list, header: Header, body_lines: list[str], body_start: int, visible_text: str) -> Zones:
    chosen, title_idx = header.chosen, header.title_idx
    body_end = lines.index(chosen[-1]) + 1 if chosen else body_start
    near = "\n".join(ln.text for ln in lines[max(0, body_start - 12):body_start] + lines[body_end:body_end + 3]
                     if ln.n < 60)
    near = header.lead + "\n" + near if header.lead else near
    near += "".join("\n" + x for x in body_lines[-2:] if len(x) < 60)  # a closing "——《刊名》1998年3月号"
    pre_zone = "\n".join(ln.text for ln in lines[max(0, title_idx - 4):title_idx] if ln.n < 40) \
        if title_idx is not None else ""
    last = "\n".join(body_lines[-6:] + [line.text for line in lines[body_end:body_end + 4]]
                     + body_mod.author_box(lines, body_end))
    from_title = visible_text[sum(len(ln.text) + 1 for ln in lines[:title_idx or 0]):] if " by " in visible_text else ""
    after_body_start = "\n".join([line.text for line in lines[body_start:]]) \
        or "\n".join(line.text for line in lines[(title_idx or 0):])
    return Zones(zone=header.zone, date_zone=header.date_zone, near=near,
                 after_title=join_upto(lines, title_idx or 0, 3000), pre_zone=pre_zone,
                 first="\n".join(body_lines[:2]), last=last,
                 head="\n".join(x for x in body_lines[:10] if len(x) < 40),
                 from_title=from_title, after_body_start=after_body_start)


def join_upto(lines, start: int, limit: int) -> str:
    """Line texts from `start` joined by newlines, stopping once `limit` characters are reached."""
    out, size = [], 0
    for line in lines[start:]:
        out.append(line.text)
        size += len(line.text) + 1
        if size >= limit:
            break
    return "\n".join(out)


def title_line(lines, body_start: int, title_key: str):
    """Index of the line showing the headline (last match before the body)."""
    if not title_key:
        return None
    # backwards from the body: the first match is the last one (the headline sits near the body, so few
    # lines pay for norm()). A line that only holds the headline ("摘要：标题-", a summary box repeating it)
    # gives way to an exact copy up to 3 lines above it: the byline between them is the header's
    found = None
    for i in range(min(body_start, len(lines) - 1), -1, -1):
        if found is not None and i < found - 3:
            break
        line = lines[i]
        if line.n > 150 or line.excluded and line.n > 60:
            continue
        k = norm(strip_page_number(line.text))  # (the headline shown with its page number: "标题(30)")
        if k == title_key and k:
            return _first_dated_copy(lines, i, title_key)
        if found is None and k and ((len(k) >= 6 and k in title_key) or (title_key in k and len(k) < len(title_key) + 20)):
            found = i
    return found if found is None else _first_dated_copy(lines, found, title_key)


def _first_dated_copy(lines, i: int, title_key: str) -> int:
    """The headline's line `i`, or the first exact copy a few lines above it with a date line between them: a copied
    original's header repeated under the page's own ("标题 / 时间：2005-06-30 来源：… / 标题 / 文章来源：… 2005-4-9"),
    whose date and 来源 are the page's."""
    first = i
    for k in range(i - 1, max(-1, i - 6), -1):
        if norm(strip_page_number(lines[k].text)) == title_key and any(_dated(ln) for ln in lines[k + 1:i]):
            first = k
    return first


def _dated(line) -> bool:
    """A short line showing a date to the day ("zb.zh818.com 2016/3/7 16:14:23 中国采购与招标网")."""
    return line.n < 60 and bool(_META_LINE_GATE.search(line.text)) and bool(FULL.search(line.text))


def _titled_line(text: str, key: str, title_key: str) -> bool:
    """A headline copy with the site's suffixes ("标题 - 栏目 - 论坛名") or a trail ending in the headline
    ("论坛名 » 栏目 » 标题"): furniture above the body."""
    if title_key not in key:
        return False
    if key.startswith(title_key) and norm(leading_title(text)) == title_key:
        return True
    return trail_to(text, title_key)


def _dated_byline(text: str) -> bool:
    """An English date to the day on a byline ("December 11, 2023 - Words by The Team - 7 min read")."""
    return bool(_BYLINE_WORD.search(text) and any(m.group("d1") or m.group("d2") for m in EN_DATE.finditer(text)))


def split_header_lines(chosen, title_key: str):
    """Header furniture at the top of the chosen block: headline copies, breadcrumbs, the date/来源
    line, a subtitle heading. Returns (header texts, remaining lines, subtitle)."""
    header, subtitle, i = [], None, 0
    first_long = next((k for k, ln in enumerate(chosen) if ln.n >= 60), len(chosen))
    while i < min(len(chosen), first_long, 8):
        line = chosen[i]
        k = norm(strip_page_number(line.text))
        if title_key and k and (k == title_key or (len(k) >= 4 and k in title_key) or _titled_line(line.text, k, title_key)):
            pass
        elif CRUMB_START.match(line.text):
            pass
        elif line.n < 60 and ((_META_LINE_GATE.search(line.text) and _META_LINE.search(line.text))
                              or _DATE_ONLY.search(line.text) or _EN_DATE_ONLY.match(line.text)
                              or (line.n < 30 and _dated_byline(line.text))):
            header.append(line.text)
        elif subtitle is None and line.heading and line.n < 60 and i < 3:
            subtitle = line.text
        else:
            break
        i += 1
    rest = chosen[i:]
    # a date/来源 line further down (after a lead image caption, or a forum post's "发布时间 … by NAME") is
    # header furniture too; below the first lines only when it is no sentence ("2、初试时间：2004年3月底、4月初，
    # 我院寄发准考证时通知具体时间。" is body). (_META_LINE_GATE: a digit test that spares most _META_LINE searches)
    rest = [ln for k, ln in enumerate(rest)
            if not (ln.n < 50 and _META_LINE_GATE.search(ln.text) and _META_LINE.search(ln.text) and ln is not rest[-1]
                    and (k < 3 or not _SENTENCE_END.search(ln.text))
                    and not ORIGINAL.match(ln.text) and not header.append(ln.text))] or rest
    return header, rest, subtitle
