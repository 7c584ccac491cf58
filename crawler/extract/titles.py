"""Headline: the on-page heading that the <title> confirms, never a spam-hijacked <title>, no site
suffix. <title> usually is "headline - site"; the heading element matching a part of it is the
displayed headline (so a site-name <h1> or a sidebar <h2> does not win)."""
from __future__ import annotations

import difflib
import re
import unicodedata

from crawler.extract.clean import is_spam
from crawler.extract.dates import FULL
from crawler.extract.dom import text as el_text

# a bare "-" separates only next to CJK ("标题-新华网"); in Latin text it is a hyphen ("direct-to-consumer")
_SEP = re.compile(r"\s*(?:[_|｜]|--|\s-\s|(?<=[\u4e00-\u9fff）》」?!？！])-|-(?=[\u4e00-\u9fff《「])|—+|\s–\s|::|\s·\s)\s*")
_NORM = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


# the ASCII characters [\W_] removes: for an ASCII text norm() is a bytes.translate (NFKC keeps ASCII as is,
# and \w on ASCII is [A-Za-z0-9_]), about 3x faster than the regex
_ASCII_NON_ALNUM = bytes(i for i in range(128) if not chr(i).isalnum())


def norm(text: str) -> str:
    text = text or ""
    if text.isascii():
        return text.lower().encode("ascii").translate(None, _ASCII_NON_ALNUM).decode("ascii")
    return _NORM.sub("", unicodedata.normalize("NFKC", text).lower())


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


# a page number after the headline: "标题(页 1)" (Discuz archiver), "标题（第2页）", "Title (Page 2)"
_PAGE_NUMBER = re.compile(r"\s*[(（]\s*(?:第\s*\d+\s*页|页\s*\d+|[Pp]age\s*\d+)\s*[)）]")
# and at the end of a heading: a paginated article's "标题(2)", "标题 1/3"
_PAGE_NUMBER_END = re.compile(r"(?<=\S)(?:[(（]\d{1,2}[)）]|\s+\d{1,2}\s*/\s*\d{1,2})\s*$")


def strip_page_number(text: str) -> str:
    text = _PAGE_NUMBER.sub("", text) if ("页" in text or "age" in text) else text
    return _PAGE_NUMBER_END.sub("", text) if text[-1:] in ")）0123456789" else text


def leading_title(text: str) -> str:
    """What comes before the first title separator ("标题(页 1) - 栏目 - 论坛名" -> "标题"), page number removed."""
    return strip_page_number(_SEP.split(text, 1)[0])


def doc_title(raw: str, flags: list[str]) -> str:
    """<title> without spam segments (hijacked pages prepend porn/gambling keyword lists) and without a
    page number."""
    if not raw:
        return ""
    raw = strip_page_number(raw)
    if is_spam(raw):
        parts = [p for p in _SEP.split(raw) if p and not is_spam(p) and len(p) > 3]
        flags.append("spam_title_ignored")
        return " ".join(parts) if parts and not any(is_spam(p) for p in parts) and len(parts) == 1 else ""
    return raw


_NET = r"(?<![落上触觸联聯撒织織漏结結收入拉破])[网網]$"  # (not a verb's 网: "嫌犯落网")
# the endings of a site's or an edition's name ("证券时报多媒体数字报刊平台", "阳光南皮门户网站", "邵阳日报电子版")
# (a bare 网 only on a short name: a headline ends in 落网, 上网)
# and a site's tagline naming its sponsor ("山东妇女创业网-省妇联主办")
_SITE_END = re.compile(r"(?:网站|網站|门户|門戶|平台|平臺|在线|在線|电子版|電子版|数字报|數字報|报刊|報刊|频道|頻道|客户端|客戶端|主办|主辦)$"
                       r"|^.{1,7}" + _NET)
# a whole <title> of one segment is the site's name up to a longer length ("中国114OTC招商网")
_SITE_ALONE = re.compile(r"^.{1,15}" + _NET)


def strip_site_suffix(title: str) -> str:
    """The headline segment of a <title>: the longer of its first two parts, unless that one is named like a
    site and the other is not (a short headline before a long site name)."""
    parts = _parts(title)
    if len(parts) <= 1:
        return title.strip()
    first, second = parts[:2]
    long_, short = (first, second) if len(first) >= len(second) else (second, first)
    if _site_like(long_) and not _site_like(short) and len(norm(short)) >= 4:
        return short
    return long_


def _parts(title: str) -> list[str]:
    """The <title>'s segments between its separators, stripped, the empty ones left out."""
    return [p.strip() for p in _SEP.split(title) if p.strip()]


def _site_like(part: str) -> bool:
    """Named like a site: a site's ending, short, no sentence punctuation ("…搭建现代化信息平台：…" is a headline)."""
    return len(part) <= 16 and bool(_SITE_END.search(part)) and not _HEADLINE_MARK.search(part)


# a <title> part naming the kind of page, not the item
_PAGE_WORDS = frozenset(("首页", "首頁", "正文", "详情", "詳情", "详情页", "内容页", "文章页", "新闻详情", "文章详情", "信息详情",
                         "内容", "文章", "新闻", "新聞", "资讯", "資訊"))
_HEADLINE_MARK = re.compile(r"[，。：:！？!?“”\"《》、；;（）()\s]")


_PRIORITY = {"h1": 4, "h2": 2, "h3": 1}  # other title candidates (title-classed elements): 3


def find_title(elements: list, meta: dict, flags: list[str], crumbs=None, dated_below=None) -> str | None:
    """The headline, without a paginated article's page number ("标题(2)", "标题 1/3")."""
    title = _find_title(elements, meta, flags, crumbs, dated_below)
    return strip_page_number(title) if title else title


def _find_title(elements: list, meta: dict, flags: list[str], crumbs=None, dated_below=None) -> str | None:
    """`elements`: h1-h3 and title-classed elements in document order (collected by the body walk);
    `crumbs()`: the normalised crumbs of the page's breadcrumb trail (read only when the <title> is the answer);
    `dated_below(el)`: whether a date shows within the 3 lines under an element (read only without a <title>)."""
    page_title = doc_title(meta["title"], flags)
    page_key = norm(page_title)
    named_site = set()  # a <title> that names only the site ("健康中国网", "健康中国网-权威健康资讯平台", "首页 - …")
    parts = _parts(page_title) if page_title else []
    # a one-segment <title> named like a site, though longer than _site_like allows: still the answer when no
    # heading is found
    alone = parts[0] if len(parts) == 1 and _SITE_ALONE.search(parts[0]) and not _HEADLINE_MARK.search(parts[0]) \
        and not _site_like(parts[0]) else ""
    if parts and (alone or all(_site_like(p) or p in _PAGE_WORDS for p in parts)):
        named_site = {k for k in (norm(p) for p in parts) if len(k) >= 4}
        page_title, page_key = "", ""
    if len(page_key) < 4:  # "x", "首页": not a headline
        page_title, page_key = "", ""
    og = meta["meta"].get("og:title") or ""
    og_key = norm(og) if og and not is_spam(og) else ""
    confirm = [k for k in (page_key, og_key) if len(k) >= 4]
    # the site-name segment of "Headline | Site" (the last, shorter part): a logo or masthead element
    # holding it is no headline although the <title> holds it
    sites = set(named_site)
    for t in (page_title, og):
        parts = [p for p in _SEP.split(t) if p.strip()] if t else []
        if len(parts) >= 2 and len(parts[-1]) < len(parts[0]):
            sites.add(norm(parts[-1]))
        # a Latin-script brand before a Chinese headline is the site's name too ("Solidot | 标题")
        elif len(parts) >= 2 and not _CJK.search(parts[0]) and _CJK.search(parts[-1]):
            sites.add(norm(parts[0]))
        # a later segment named like a site ("证券时报多媒体数字报刊平台"), whatever its length; a masthead holding
        # part of it ("证券时报多媒体数字报") is none of the headline either
        sites.update(k for p in parts[1:] if _site_like(p.strip()) and len(k := norm(p)) >= 4)
        # and, of a <title> of three segments or more led by one twice as long as any other, each later one: a
        # channel's or the site's name ("标题_考试资讯中心_公务员考试网_…": a "考试资讯中心" box heading is no headline;
        # "书名最新章节_第588章 孤雁儿_小说网" is led by no headline)
        if len(parts) >= 3 and all(len(parts[0]) >= 2 * len(p) for p in parts[1:]):
            sites.update(k for p in parts[1:] if len(k := norm(p)) >= 4)
    # the <title>'s headline segment: a candidate matching it outranks one matching only a later segment (the
    # site's or the channel's name, whatever their lengths: "房价，深港创业者之殇？-证券时报多媒体数字报刊平台" over
    # an <h1> masthead "证券时报多媒体数字报")
    # (Chinese only: an English <title>'s "Headline: The Complete Guide" segments split a headline)
    lead_key = norm(leading_title(page_title)) if page_title and _CJK.search(page_title) else ""
    segmented = len(lead_key) >= 4 and lead_key != page_key  # a headline segment and more
    rows = []  # (position, element, text) of the elements of a headline's length
    for pos, el in enumerate(elements[:60]):
        text = el_text(el)
        if 4 <= len(text) <= 150:
            rows.append((pos, el, text))
    # a text is spam only with 3+ distinct terms: fewer in all the texts together means none is (one
    # regex pass instead of one per element)
    spam_possible = bool(rows) and is_spam("\n".join([text for _, _, text in rows]))
    candidates = []  # (priority, -position, text)
    h1s = []  # Latin-script <h1> headlines (several words), for a page whose <title> confirms none
    for pos, el, text in rows:
        if spam_possible and is_spam(text):
            continue
        key = norm(text)
        if len(key) < 4 or any(key in s for s in named_site):  # (the site's name on its logo is no headline)
            continue
        tag = el.tag
        prio = _PRIORITY.get(tag, 3)
        if tag == "h1":
            h1s.append(text)
        # confirmed by <title> or og:title: a part of it, or (an <h1>) the full headline the title shortens
        if not any(key in s for s in sites) and any(ck in key and (tag == "h1" or len(key) <= len(ck) + 4) or key in ck
                                    for ck in confirm) and not _cut_link_title(el, key, lead_key):
            prio += 10 + min(len(key), 60) / 60
            # (a bonus, not a veto: an e-paper's "邵阳日报电子版_2015-10-11_时事_标题" puts the headline last)
            if segmented and (lead_key in key or key in lead_key):
                prio += 3
        candidates.append((prio, -pos, text, el))
    best = max(candidates) if candidates else None
    if best and best[0] >= 10:
        return without_tags(_without_byline(best[2], lead_key), lead_key)
    # a <title> that shortens or rewords the displayed headline ("标题 - 站名" over an <h1> "标题 副题", one
    # character changed, a word dropped): the heading holding most of the title's headline segment in order
    # (the <title>'s longer segment when its first is too short to be the headline: "湖南_邵阳养老保险查询")
    lead = leading_title(page_title)
    if len(norm(lead)) < 6:
        lead = strip_site_suffix(page_title)
    if best and page_key and (near := _nearly_confirmed(candidates, lead, sites)):
        return without_tags(near, lead_key)
    if best and not page_key:  # no usable <title> (hijacked or missing): the most headline-like element, the
        # one the header's date sits under first (a notice heading above it, "网络版郑重声明", is no headline)
        if dated_below is not None and not (og_key and best[0] >= 10):
            for cand in sorted(candidates, reverse=True):
                if cand[0] >= 2 and dated_below(cand[3]):
                    return cand[2]
        return best[2]
    # a single <h1> of several words the <title> does not confirm (a rewritten SEO <title>): the visible
    # headline; Latin script only (a Chinese page's lone <h1> is often the site's logo)
    if len(h1s) == 1 and len(h1s[0].split()) >= 3 and not _CJK.search(h1s[0]):
        return _clean(h1s[0])
    m = meta["meta"]
    for key in ("og:title", "articletitle", "twitter:title", "title"):
        if m.get(key) and not is_spam(m[key]):
            return strip_site_suffix(_clean(m[key]))
    if meta["jsonld"].get("headline") and isinstance(meta["jsonld"]["headline"], str):
        return _clean(meta["jsonld"]["headline"])
    if page_title:
        # a <title> naming the page's section ("行政处罚公开-阳光南皮门户网站", the section a crumb of the page's
        # trail) names no article: the headline-like element, if there is one
        if best and best[0] >= 2 and lead_key and crumbs is not None and lead_key in crumbs():
            return best[2]
        return without_tags(strip_site_suffix(page_title))
    if best and best[0] >= 4:
        return best[2]
    return alone or None


# a byline label run into a heading ("标题 栏目分类： 国际 发布日期：2017-01-30")
_BYLINE_LABEL = re.compile(r"(?:栏目分类|栏目|分类|发布日期|发布时间|发表时间|日期|时间|来源|作者|点击|浏览)\s*[:：]")


def _byline_starts(text: str, timed: bool) -> list[int]:
    """Where a byline run into a heading may start, in order: its date (with a time, when `timed`) or its first
    label, past the heading's first character."""
    date, label = FULL.search(text), _BYLINE_LABEL.search(text)
    if date and timed and not date["H"]:
        date = None
    return sorted(m.start() for m in (date, label) if m and m.start() > 0)


def _without_byline(text: str, lead_key: str) -> str:
    """A heading with the byline run into it ("标题...<label>2016-09-04 22:24 丝路云仓 |</label>", "标题 栏目分类： 国际
    发布日期：…"): the part before the date and time or the first label, where the <title>'s headline segment is
    that part."""
    for cut in _byline_starts(text, timed=True):
        if cut >= 4 and norm(text[:cut]) == lead_key:
            return _clean(text[:cut])
    return text


def _cut_link_title(el, key: str, lead_key: str) -> bool:
    """A link's text that stops short inside the <title>'s headline ("媒体评“八千湘女上天" of "媒体评“八千湘女上天
    山”争议：…"): a list of headlines cut to a width, not the page's own headline (never an <h1>)."""
    return el.tag != "h1" and len(key) + 2 <= len(lead_key) and lead_key.startswith(key) \
        and (el.tag == "a" or el.find(".//a") is not None)


# keyword tags a CMS appends to the headline ("标题|王林|朱明国"): short words the headline already holds
_TAG_SEP = re.compile(r"\s*[|｜]\s*")


def without_tags(title: str, lead_key: str = "") -> str:
    """`lead_key`: the <title>'s normalised headline segment; a heading that is that segment and "|" parts after it
    is the headline with its tags too."""
    if "|" not in title and "｜" not in title:
        return title
    head, *tags = _TAG_SEP.split(title)
    if tags and all(tag and len(tag) <= 6 and (tag in head or norm(head) == lead_key) for tag in tags):
        return head
    return title


def _coverage(short: str, long: str) -> float:
    """The share of `short`'s characters found in order in `long` (difflib's matching blocks)."""
    matcher = difflib.SequenceMatcher(None, short, long, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(short)


def _nearly_confirmed(candidates: list, lead: str, sites: set) -> str | None:
    """The first <h1>, else <h2>, else <h3> (not a title-classed block: it often holds the byline too) that
    holds at least 80% of the <title>'s headline segment in order and opens like it; a segment of 6+
    characters only. Chinese titles only: an English <title> is often an SEO rewording whose words an
    unrelated heading shares."""
    lead_key = norm(lead)
    if len(lead_key) < 6 or not _CJK.search(lead_key):
        return None
    for prio, _, text, _el in sorted(candidates, reverse=True):
        # a byline inside the heading ("标题<br><span>2013-01-24 来源：…", "标题 栏目分类： 国际 发布日期：…")
        if cuts := _byline_starts(text, timed=False):
            text = text[:cuts[0]]
        key = norm(text)
        if prio in (4, 2, 1) and key not in sites and key[:1] == lead_key[:1] and len(key) <= 3 * len(lead_key) \
                and _coverage(lead_key, key) >= 0.8:
            return _clean(text)
    return None


def page_title(page) -> str | None:
    return page.selected("title") or find_title(page.marked["title"], page.meta, page.flags, lambda: crumbs_of(page.lines),
                                                lambda el: dated_below(page, el))


def headline_part(page, heading: str | None) -> str | None:
    """The text of the element inside the heading that holds the <title>'s (or og:title's) headline exactly,
    where the heading holds more beside it (a "listen" control: <h1><span>标题</span><div>播报文章</div></h1>);
    else the heading. (The heading as a whole stays what the body and the header are told apart by.)"""
    title, og = page.meta["title"] or "", page.meta["meta"].get("og:title") or ""
    keys = {k for k in (norm(leading_title(doc_title(title, []))), norm(og)) if len(k) >= 4} - {norm(heading or "")}
    if not keys or not heading or not any(k in norm(heading) for k in keys):
        return heading
    for el in page.marked["title"]:
        if len(el) and el_text(el) == heading:
            for part in el.iterdescendants():
                if isinstance(part.tag, str) and norm(el_text(part)) in keys and _beside_in_blocks(el, part):
                    return el_text(part)
    return heading


_BLOCKS = frozenset(("div", "p", "ul", "ol", "section", "figure", "aside", "nav"))


def _beside_in_blocks(heading, part) -> bool:
    """What the heading holds beside `part` sits in blocks of its own (a control's <div>), not in inline
    parts of the heading (<span class="entry-subtitle">, a subtitle shown on the headline's line)."""
    top = part
    while top.getparent() is not heading:
        top = top.getparent()
    rest = [child for child in heading if child is not top and el_text(child)]
    loose = (heading.text or "").strip() or any((child.tail or "").strip() for child in heading)
    return bool(rest) and all(child.tag in _BLOCKS for child in rest) and not loose


def dated_below(page, el) -> bool:
    """A date within the 3 lines under the element's block (the header's meta line under the headline)."""
    span = page.spans.get(el)
    if span is None:
        return False
    return any(FULL.search(line.text) for line in page.lines[span[1]:span[1] + 3])


# a breadcrumb trail: "您现在的位置： 首页 > 行政处罚公开 > 正文" (links.CRUMB_START, which imports this module)
_TRAIL = re.compile(r"^(?:[^>›»→＞\n]{0,12}[:：])?\s*(?:首页|首頁|网站首页|主页|Home)\s*(?:>|›|»|→|/|＞)")
_CRUMB_SPLIT = re.compile(r"\s*(?:>>|>|›|»|→|＞|\s/\s)\s*")


def crumbs_of(lines) -> set[str]:
    """The normalised crumbs of the breadcrumb trails among the page's first 80 lines."""
    found = set()
    for line in lines[:80]:
        if len(line.text) < 200 and _TRAIL.match(line.text):
            found.update(norm(c) for c in _CRUMB_SPLIT.split(line.text)[1:])
    return found - {""}
