"""Publication date. The date shown near the headline wins (with its time when shown); meta tags of
gov CMSes (PubDate, firstpublishedtime, publishdate), OpenGraph, JSON-LD and WeChat's `var ct` fill in
a missing year or stand in when nothing is shown; the URL is the last resort. Own regexes: Chinese
dates are a handful of shapes and dateparser is ~1 ms per call."""
from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone

from crawler.extract.scan import keyed_matches

_Y = r"(?P<y>(?:19|20)\d{2})"
# a time zone word between the date and the time: "2010-05-25 HKT 08:57", "2012年12月10日, 格林尼治标准时间10:41"
_ZONE_WORDS = {"GMT": "+00:00", "UTC": "+00:00", "格林尼治标准时间": "+00:00", "格林威治標準時間": "+00:00",
               "格林尼治时间": "+00:00", "HKT": "+08:00", "北京时间": "+08:00", "北京時間": "+08:00",
               "香港时间": "+08:00", "香港時間": "+08:00"}
_ZONE = r"(?:\s*[,，]?\s*(?P<zone>" + "|".join(_ZONE_WORDS) + r")\s*)?"
# between the date and the time: a bar or dot ("2005-09-07 | 11:57"), a weekday ("2018-09-16 星期日 15:31", "2024年5月20日（星期一）\n香港時間16時30分") and the half of the day ("下午 03:31"; Taiwan's
# and Hong Kong's sites print a 12-hour clock), or AM/PM after it
_WEEKDAY = r"(?:\s*[,，]?\s*[（(]?(?:星期|禮拜|礼拜|周|週)[一二三四五六日天][）)]?)?"
_HALF_DAY = r"(?:(?P<ap>上午|下午|中午|晚上|晚间|凌晨|早上)\s*)?"
_AM_PM = r"(?:\s*(?P<ap2>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
_TIME = (r"(?:\s*(?:T|日|\s|[|｜丨·•]\s*)?" + _WEEKDAY + _ZONE + _WEEKDAY + r"\s*" + _HALF_DAY + r"(?P<H>[01]?\d|2[0-3])\s*[:：时時]\s*(?P<M>[0-5]\d)"
         r"(?:\s*[:：分]\s*(?P<S>[0-5]\d))?" + _AM_PM + ")?")
FULL = re.compile(_Y + r"\s*[-/.年]\s*(?P<m>1[0-2]|0?[1-9])\s*[-/.月]\s*(?P<d>3[01]|[12]\d|0?[1-9])(?!\d)\s*日?" + _TIME)
# "2019 09/07 19:02" (qq), "18-03-08 23:16" (two-digit year), "10-08 12:00" (no year, baidu)
SPACED = re.compile(_Y + r"\s+(?P<m>1[0-2]|0[1-9])/(?P<d>3[01]|[12]\d|0[1-9])" + _TIME)
SHORT_YEAR = re.compile(r"(?<![\d-])(?P<y>[0-2]\d)-(?P<m>1[0-2]|0[1-9])-(?P<d>3[01]|[12]\d|0[1-9])" + _TIME)
NO_YEAR = re.compile(r"(?<![\d-])(?P<m>1[0-2]|0[1-9])-(?P<d>3[01]|[12]\d|0[1-9])\s*(?P<H>[01]\d|2[0-3]):(?P<M>[0-5]\d)|"
                     r"(?<![\d年])(?P<m2>1[0-2]|0?[1-9])月(?P<d2>3[01]|[12]\d|0?[1-9])日\s*(?P<H2>[01]?\d|2[0-3])[:：](?P<M2>[0-5]\d)")
MONTH_ONLY = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>1[0-2]|0?[1-9])\s*月(?!\s*\d)")
_LABEL = re.compile(r"(?:发布时间|發布時間|发布日期|發布日期|发表时间|发表于|发稿时间|时间|時間|日期|更新时间|"
                    r"Published|Posted|Updated|Date)\s*[:：]?\s*", re.I)
_TIME_BEFORE = re.compile(r"(?<![\d:])" + _HALF_DAY + r"(?P<H>[01]?\d|2[0-3]):(?P<M>[0-5]\d)" + _AM_PM + r"[ \t]+$")
_PM = ("下午", "晚上", "晚间", "P", "p")
# "最新更新：2016/03/19 10:48", "更新时间：", "修改日期:", "Updated:": the label right before an updated date
_CN_UPDATED = re.compile(r"(?:更新|修改|修订|修訂|Updated)(?:时间|時間|日期|于|於)?\s*[:：]?\s*$", re.I)
# "成文日期：", "印发日期：", "实施时间：": a gov document's signing or effective date, not its publication (bench/pages/
# README.md, conventions), nor an event's ("报名时间：", "开标时间：" in a notice): taken only when the text shows no other date
_CN_NOT_PUBLISHED = re.compile(r"(?:成文|印发|签发|签署|生效|施行|实施|废止|失效|截止|报名|考试|活动|会议|开标|投标|举办|开始|结束)"
                               r"(?:日期|时间|時間)\s*[:：]?\s*$")
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
EN_DATE = re.compile(r"\b(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?[ \t\u00a0]+)?(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?"
                     r"\s+(?:(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+)?(?P<y>(?:19|20)\d{2})\b", re.I)
_ISO = re.compile(r"(?P<y>(?:19|20)\d{2})-?(?P<m>[01]\d)-?(?P<d>[0-3]\d)(?:[T\s-]?(?P<H>[0-2]\d):?(?P<M>[0-5]\d)"
                  r"(?::?(?P<S>[0-5]\d))?(?:\.\d+)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?")
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})[-/_]?(?P<m>[01]\d)[-/_]?(?P<d>[0-3]\d)(?:/|\D)")
# "/2019-01/17/", "/2024/05/09/", and unpadded: the Hanweb CMS of many gov sites ("/art/2024/5/9/art_104_12298.html")
_URL_DATE2 = re.compile(r"/(?P<y>(?:19|20)\d{2})[-/](?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])/")

META_KEYS = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "pubtime", "article:published_time",
             "og:article:published_time", "article_date_original", "datepublished", "published_time",
             "publication_date", "sailthru.date", "parsely-pub-date", "dc.date.issued", "dc.date", "date",
             "weibo: article:create_at", "dateupdate", "apub:time", "og:release_date", "datecreated",
             "article:modified_time", "lastmodifiedtime", "dc.date.created", "citation_publication_date",
             "citation_date", "citation_online_date", "w-published-date")
# month first, "/" or "-": "09/25/2025", "03-09-2026" (a US CMS's meta value)
_US_DATE = re.compile(r"(?<![\d/-])(?P<m>1[0-2]|0?[1-9])(?P<sep>[/-])(?P<d>3[01]|[12]\d|0?[1-9])(?P=sep)(?P<y>(?:19|20)\d{2})(?![\d/-])")
_WECHAT_CT = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{10})""")


class Found:
    __slots__ = ("y", "m", "d", "H", "M", "S", "tz")

    def __init__(self, y, m, d, H=None, M=None, S=None, tz=None):
        self.y, self.m, self.d, self.H, self.M, self.S, self.tz = y, m, d, H, M, S, tz

    def valid(self) -> bool:
        try:
            datetime(self.y, self.m, self.d)
        except (ValueError, TypeError):
            return False
        return 1990 <= self.y <= datetime.now().year + 1

    def iso(self, default_tz: str | None) -> str:
        day = f"{self.y:04d}-{self.m:02d}-{self.d:02d}"
        if self.H is None:
            return day
        tz = self.tz or default_tz or ""
        if tz == "Z":
            tz = "+00:00"
        elif tz and ":" not in tz:
            tz = tz[:3] + ":" + tz[3:]
        return f"{day}T{self.H:02d}:{self.M:02d}:{self.S or 0:02d}{tz}"


def _from_match(m) -> Found:
    g = m.groupdict()
    year = int(g["y"]) if g.get("y") else None
    if year is not None and year < 100:
        year += 2000
    H = g.get("H")
    tz = g.get("tz") or (_ZONE_WORDS[g["zone"]] if H and g.get("zone") else None)
    return Found(year, int(g["m"]), int(g["d"]), _hour(g) if H else None,
                 int(g["M"]) if H else None, int(g["S"]) if H and g.get("S") else None, tz)


def _hour(g) -> int:
    """The hour on a 24-hour clock: "下午 03:31", "3:31 PM" are 15:31; "上午 12:05", "12:05 AM" are 00:05."""
    hour, half = int(g["H"]), g.get("ap") or (g.get("ap2") or "")[:1]
    if not half or hour > 12:
        return hour
    if half.startswith(_PM) or half == "中午" and hour < 11:
        return hour % 12 + 12
    return 0 if hour == 12 and half in ("上午", "凌晨", "早上", "A", "a") else hour


def _has_year(text: str) -> bool:
    """Whether a 19xx/20xx year may be in the text: FULL, SPACED, EN_DATE and _DOTTED all need one
    (a substring test spares their scans of a text without)."""
    return "19" in text or "20" in text


def _numeric(text: str) -> tuple:
    """(FULL, SPACED, SHORT_YEAR), less those the text cannot match (SHORT_YEAR needs a '-')."""
    if _has_year(text):
        return (FULL, SPACED, SHORT_YEAR) if "-" in text else (FULL, SPACED)
    return (SHORT_YEAR,) if "-" in text else ()


# right after a date: an "updated" mark ("2024-05-21 08:00 更新") or a masthead's weekday ("2024年5月22日 星期三",
# the day the page was rendered, when no time follows)
_UPDATED_AFTER = re.compile(r"^\s*(?:更新|修改|修订|修訂|updated)", re.I)
_WEEKDAY_AFTER = re.compile(r"^\s*[,，]?\s*(?:星期|禮拜|礼拜|周|週)[一二三四五六日天]\s*$|^\s*[,，]?\s*(?:星期|禮拜|礼拜)[一二三四五六日天](?!\s*\d)")


def _label_before(text: str, start: int) -> str:
    """The text before a date on its line (a label of the line before is not this date's), or, when the date opens
    its line, that line when it is a label alone ("成文日期：" above "2022年01月27日": a table's cells in a column)."""
    before = text[max(0, start - 12):start]
    line = before[before.rfind("\n") + 1:]
    if line.strip() or "\n" not in before:
        return line
    prev = text[max(0, start - 24):start].rstrip().rsplit("\n", 1)[-1].replace(" ", "").replace("\u3000", "")
    return prev if len(prev) <= 8 and prev.endswith((":", "：")) else line


def _date_rank(text: str, m, f: Found) -> int:
    """0: labelled as published (or any label but an update's), 1: unlabelled, 2: a masthead's day or a signing or
    effective date, 3: an update."""
    before = _label_before(text, m.start())
    after = text[m.end():m.end() + 8]
    if _CN_UPDATED.search(before) or _UPDATED_AFTER.match(after):
        return 3
    if f.H is None and _WEEKDAY_AFTER.match(after) or _CN_NOT_PUBLISHED.search(before) or _FIELD_DATE.search(before) \
            or _IN_OUTLET.match(after):
        return 2
    return 0 if _LABEL.search(before) or _on_meta_line(text, m) else 1


# a bare 时间/日期 label after a word naming another date or after a list item's number: a field of the text
# ("招标公告日期：", "中标日期：", "资格复审时间：", "注册时间：", "2.时间：2017年4月15日"), not the page's publication (the
# words that name it, 发布/发表/更新 …, and a label alone stay labels); and a range's end ("2009/8/7 ～ 2009/8/30")
_FIELD_DATE = re.compile(r"(?:至|到|～|~)\s*$|(?:(?<!发布|發布|發佈|发佈|发表|發表|发稿|發稿|刊登|刊出|出版|公开|公開|公布|生成|上传|上傳|录入|錄入|添加|创建|"
                         r"建立|发文|發文|新闻|新聞|文章|信息|稿件|更新|修改|提交|入库|上线|编辑|編輯)(?<=[\u4e00-\u9fff]{2})"
                         r"|(?:^|\s)(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*[.、．]\s*)(?:时间|時間|日期)\s*[:：]\s*$")


# "本文发表于2015年3月23日的《瞭望》": the date a copied piece first appeared in another outlet, not this page's
_IN_OUTLET = re.compile(r"\s*(?:的|在)?\s*《")


# the header's meta line: a date with a 来源/作者/… label beside it ("2021年06月10日 17:35 来源： 【打印】"); its date
# is the item's, as a labelled one is (over "本项目招标公告日期：2021年05月26日", an event's date further down)
_META_LABELS = re.compile(r"(?:来源|來源|作者|记者|記者|编辑|編輯|浏览|瀏覽|点击|點擊|阅读|閱讀)\s*[:：]")


def _on_meta_line(text: str, m) -> bool:
    """The date is on a short line with a 来源/作者/… label, the first line of the text holding a date (a post's
    footer further down, "作者： 流泉 访问统计： 2005年08月30日", is a blog's repost date, not the header's)."""
    start, end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
    line = text[start:end if end != -1 else len(text)]
    return len(line) <= 80 and bool(_META_LABELS.search(line)) and not _A_DATE.search(text, 0, start)


_A_DATE = re.compile(r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}")


# the token a date starts inside of is a web address ("http://epaper.x.cn/html/2017-01/04/content_1.htm"): the
# path of a printed link, not a date the page shows
_URL_TOKEN = re.compile(r"(?:https?://|www\.|\w\.(?:com|cn|net|org|gov|edu)\b)\S*$", re.I)


def _in_url(text: str, start: int) -> bool:
    token = text[max(0, start - 200):start]
    token = token[max(token.rfind(" "), token.rfind("\n"), token.rfind("\t")) + 1:]
    return "/" in token and bool(_URL_TOKEN.search(token))


def parse_text_date(text: str) -> Found | None:
    """The date of visible text: a labelled one first (发布时间：…), then the first unlabelled one; a masthead's
    day and an "updated" one only when nothing else is shown."""
    return ranked_text_date(text)[0]


def ranked_text_date(text: str) -> tuple[Found | None, int]:
    """parse_text_date's date and its rank (`_date_rank`; 1 for an English or Chinese-numeral date)."""
    best = None
    for rx in _numeric(text):
        for k, m in enumerate(rx.finditer(text)):
            if k == 8:  # (a list of dates is no header)
                break
            f = _from_match(m)
            if not f.valid() or _in_url(text, m.start()):
                continue
            before = text[max(0, m.start() - 12):m.start()]
            if f.H is None and (t := _TIME_BEFORE.search(before)):  # "15:31 2018/09/16": the time first
                f.H, f.M = _hour(t.groupdict()), int(t["M"])
            rank = (_date_rank(text, m, f), m.start())
            if best is None or rank < best[0]:
                best = (rank, f)
    if best:
        return best[1], best[0][0]
    for m in EN_DATE.finditer(text) if _has_year(text) else ():
        if m.group("d1") or m.group("d2"):
            f = Found(int(m.group("y")), _MONTHS[m.group("mon")[:3].lower()], int(m.group("d1") or m.group("d2")))
            if f.valid():
                return f, 1
    return _cn_numeral_date(text), 1


# "二〇二二年一月二十七日", "一九九八年三月六日": written in Chinese numerals (a document's 落款, literary pages)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "O": 0}
_CN_NUMERAL_DATE = re.compile(r"(?P<y>[〇零○ＯO一二三四五六七八九]{4})\s*年\s*(?P<m>十[一二]?|[一二三四五六七八九])\s*月\s*"
                              r"(?P<d>[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号]")


def _cn_number(text: str) -> int:
    """一..九, 十, 十一..十九, 二十.., 三十一 (a month's or a day's number)."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _cn_numeral_date(text: str) -> Found | None:
    if "年" not in text or "月" not in text:
        return None
    for m in _CN_NUMERAL_DATE.finditer(text):
        f = Found(int("".join(str(_CN_DIGITS[c]) for c in m["y"])), _cn_number(m["m"]), _cn_number(m["d"]))
        if f.valid():
            return f
    return None


# a label naming the publication itself (not "时间：", "日期：", which also label events and deadlines)
_PUBLISH_LABEL = re.compile(r"(?:发布|發布|發佈|发佈|发表|發表|发稿|發稿|刊登|刊出|出版|公开|公開|生成)(?:时间|時間|日期)\s*[:：]?\s*$")


def labelled_published(text: str) -> Found | None:
    """The first date of the text labelled as the publication ("发布时间：…", "发布日期：\n…"), when every such
    date is of that day (a list of items, each with its 发布时间, names no one page's date)."""
    if "发" not in text and "發" not in text and "公" not in text and "生" not in text and "刊" not in text \
            and "出" not in text:
        return None
    found = [f for rx in _numeric(text) for m in rx.finditer(text)
             if _PUBLISH_LABEL.search(_label_before(text, m.start())) and (f := _from_match(m)).valid()]
    return found[0] if found and len({(f.y, f.m, f.d) for f in found}) == 1 else None


def _updated_in(text: str, found: Found) -> bool:
    """Whether the text shows `found`'s day as an "updated" one."""
    if "更" not in text and "修" not in text and "pdated" not in text:
        return False
    for rx in _numeric(text):
        for m in rx.finditer(text):
            f = _from_match(m)
            if (f.y, f.m, f.d) == (found.y, found.m, found.d):
                return _date_rank(text, m, f) == 3
    return False


def parse_meta_value(value: str) -> Found | None:
    value = value.strip()
    if re.fullmatch(r"\d{10}(\d{3})?", value):
        ts = int(value[:10])
        dt = datetime.fromtimestamp(ts, timezone(timedelta(hours=8)))
        return Found(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, "+08:00")
    m = _ISO.search(value) or FULL.search(value)
    if m:
        f = _from_match(m)
        if f.valid():
            return f
    if m := _US_DATE.search(value):  # "Thu, 09/25/2025 - 11:38" (Drupal's JSON-LD and meta values)
        f = Found(int(m["y"]), int(m["m"]), int(m["d"]))
        if f.valid():
            return f
    m = EN_DATE.search(value)
    if m and (m.group("d1") or m.group("d2")):
        f = Found(int(m.group("y")), _MONTHS[m.group("mon")[:3].lower()], int(m.group("d1") or m.group("d2")))
        return f if f.valid() else None
    return None


_MODIFIED_KEYS = frozenset(("dateupdate", "article:modified_time", "lastmodifiedtime"))


def meta_date(meta: dict, html_text: str, published_only: bool = False, tags_only: bool = False) -> Found | None:
    """`tags_only`: <meta> tags only (not JSON-LD nor WeChat's variable)."""
    metas = meta["meta"]
    for key in META_KEYS:
        if published_only and key in _MODIFIED_KEYS:
            continue
        if key in metas and (f := parse_meta_value(metas[key])):
            return f
    if tags_only:
        return None
    jd = meta["jsonld"]
    for key in ("datePublished", "dateCreated"):
        if isinstance(jd.get(key), str) and (f := parse_meta_value(jd[key])):
            return f
    # from the first "var ct" on: the regex opens with \b, so `re` would try every position of the page
    if (i := html_text.find("var ct")) != -1 and (m := _WECHAT_CT.search(html_text, i)):
        return parse_meta_value(m.group(1))
    return None


# a script variable holding the publish time ("var pubtime = '2024-05-20 10:30'", "publishTime":"…"): read only
# when the page shows no date and its meta has none; all its values must agree (a list's items would not)
# (a date in quotes, "2024-05-20 10:30" or "2024/5/20 10:30", or an epoch number: "publishTime":1716172200000)
_SCRIPT_DATE = re.compile(r"""(?:publish_?time|pub_?time|pub_?date|publish_?date|first_?publish_?time|ptime|release_?time|"""
                          r"""news_?time)["']?\s*[:=]\s*(?:["'](?P<v>(?:19|20)\d\d[-/]\d\d?[-/]\d\d?(?:[ T]\d\d:\d\d(?::\d\d)?)?)["']"""
                          r"""|["']?(?P<ts>1\d{9}(?:\d{3})?)(?![\d.]))""",
                          re.I)


SCRIPT_DATE_KEYS = ("pub", "first", "ptime", "release", "news")  # what every match starts with


def script_date(html_text: str) -> Found | None:
    found = [parse_meta_value(m["v"] or m["ts"]) for m in keyed_matches(_SCRIPT_DATE, html_text, SCRIPT_DATE_KEYS, 6)]
    days = {(f.y, f.m, f.d, f.H, f.M) if f else None for f in found}
    return found[0] if len(days) == 1 else None


# "datePublished":"2025-11-17T09:00:00-05:00" outside JSON-LD: a framework's page data (Next.js props, often
# HTML-escaped in an attribute); read only when nothing else dates the page, and only if every value agrees
_SCRIPT_PUBLISHED = re.compile(r"""datePublished(?:"|&quot;|\\")\s*:\s*(?:"|&quot;|\\")(?P<v>(?:19|20)\d\d-\d\d-\d\d[^"&\\]{0,20})""")


def script_published(html_text: str) -> Found | None:
    if "datePublished" not in html_text:
        return None
    values = [m["v"] for m in itertools.islice(_SCRIPT_PUBLISHED.finditer(html_text), 6)]
    return parse_meta_value(values[0]) if values and len({v[:10] for v in values}) == 1 else None


_PUBLISHED_HINT = re.compile(r"publish|posted|entry-date|created|post-date|article-date|byline|meta", re.I)


def time_element_date(meta: dict) -> Found | None:
    """The page's <time datetime>: one hinted as the publish time (itemprop/class), else the first
    one when it is the only kind of date the page gives (a list of dated posts comes later)."""
    times = meta.get("times") or []
    for value, hint in times:
        if hint and "modif" not in hint and "updat" not in hint and _PUBLISHED_HINT.search(hint) \
                and (f := parse_meta_value(value)):
            return f
    for value, hint in times[:1]:
        if "modif" not in hint and "updat" not in hint and (f := parse_meta_value(value)):
            return f
    return None


def url_date(url: str | None) -> Found | None:
    if not url:
        return None
    for rx in (_URL_DATE2, _URL_DATE):
        if m := rx.search(url):
            f = Found(int(m["y"]), int(m["m"]), int(m["d"]))
            if f.valid():
                return f
    if m := re.search(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)/", url):
        f = Found(int(m["y"]), int(m["m"]), int(m["d"]))
        if f.valid():
            return f
    if m := _URL_MONTH_NAME.search(url):  # "/blog/2023/october/03/"
        f = Found(int(m["y"]), _MONTHS[m["mon"][:3].lower()], int(m["d"]))
        if f.valid():
            return f
    return None


_URL_MONTH_NAME = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/"
                             r"(?P<d>3[01]|[12]\d|0?[1-9])/", re.I)


def find_published(zone_text: str, meta: dict, html_text: str, url: str | None, chinese: bool,
                   selected: str | None = None, near_text: str = "", lead_text: str = "",
                   table_date: Found | None = None, pre_text: str = "") -> str | None:
    """The published date, ISO: the date the page shows (a selector's, else `_shown_date`), else the meta's, a
    script variable's, the URL's, a month. `zone_text`: headline-to-body lines; `lead_text`: the short lines
    opening the body; `near_text`: the lines just around the body; `table_date`: a gov table's 发文日期."""
    tz = "+08:00" if chinese else None
    shown = parse_text_date(selected) if selected else None
    if not chinese and shown is None:
        return _find_published_en(zone_text, meta, html_text, url, near_text, pre_text)
    weak = None  # the header zone's date when it is a masthead's day or a signing/effective date: after the meta
    if shown is None:
        shown, weak = _shown_date(zone_text, lead_text, near_text, table_date)
    if shown is not None:
        if (first := _first_version(shown, zone_text, meta, html_text)) is not None:
            return first.iso(tz if first.H is not None else None)
        if shown.H is None:  # a day without time: the meta date (read for its time zone) is not needed
            return shown.iso(tz)
    from_meta = meta_date(meta, html_text)
    if chinese and from_meta is not None:
        from_meta = in_china_time(from_meta)
    if shown is None and from_meta is None:
        shown = weak
    if shown is None:
        shown = _unshown_date(zone_text, near_text, url, from_meta, chinese)
    if shown is not None:
        if from_meta and from_meta.H is not None and shown.H is not None and not shown.tz and from_meta.tz \
                and (shown.y, shown.m, shown.d, shown.H) == (from_meta.y, from_meta.m, from_meta.d, from_meta.H):
            shown.tz = from_meta.tz  # the meta's time zone for the same hour
        return shown.iso(tz)
    if from_meta:
        return from_meta.iso(tz if from_meta.H is not None else None)
    if f := script_date(html_text):
        return f.iso(tz if f.H is not None else None)
    if f := url_date(url):
        return f.iso(None)
    # a magazine issue ("——《北京之春》1998年3月号") or a month-only line: reduced precision "YYYY-MM"
    if chinese and (m := MONTH_ONLY.search(zone_text + "\n" + near_text)):
        return f"{int(m['y']):04d}-{int(m['m']):02d}"
    return None


_TZ = re.compile(r"^(?P<sign>[+-])(?P<h>\d\d):?(?P<m>\d\d)$")


def in_china_time(f: Found) -> Found:
    """A meta time with another UTC offset ("2025-03-31T00:37:22+00:00") as the same instant at +08:00: a Chinese
    page shows its local time (sspai_1: "03/31 08:37"), and the other dates of a Chinese page are +08:00."""
    if f.H is None or not f.tz or f.tz in ("+08:00", "+0800"):
        return f
    m = _TZ.match("+00:00" if f.tz == "Z" else f.tz)
    if not m:
        return f
    offset = (1 if m["sign"] == "+" else -1) * timedelta(hours=int(m["h"]), minutes=int(m["m"]))
    try:
        local = datetime(f.y, f.m, f.d, f.H, f.M or 0, f.S or 0, tzinfo=timezone(offset)).astimezone(
            timezone(timedelta(hours=8)))
    except (ValueError, OverflowError):
        return f
    return Found(local.year, local.month, local.day, local.hour, local.minute, local.second if f.S is not None else None,
                 "+08:00")


def _shown_date(zone_text: str, lead_text: str, near_text: str, table_date: Found | None) \
        -> tuple[Found | None, Found | None]:
    """(the date the page shows for the item, the best candidate first: each one beats the meta date; the header
    zone's masthead day or signing/effective date, which does not)."""
    weak = None
    f, rank = ranked_text_date(zone_text)  # the header zone: labelled > unlabelled > a masthead's day > an update
    if f is not None and rank != 2:
        return f, None
    weak = f
    if lead_text and (f := parse_text_date(lead_text)) is not None and f.H is not None:
        # a time stamp opening the body ("中国质量新闻网 2015-12-04 09:59:47") is the header's date printed in
        # the body's block; a bare day there may be a gov document's 成文日期, which must not beat the meta
        return f, weak
    if near_text and (f := labelled_published(near_text)):
        # "发布日期：2017-05-15 10:49" under the headline when the body repeats the headline (the zone from that copy
        # on is empty): a date labelled as the publication, shown by the body, beats the meta (often a re-save time)
        return f, weak
    return table_date, weak


def _first_version(shown: Found, zone_text: str, meta: dict, html_text: str) -> Found | None:
    """The header shows when it was updated ("最新更新：…"): a published meta date no later is the first version."""
    if not _updated_in(zone_text, shown):
        return None
    published = meta_date(meta, html_text, published_only=True)
    if published is not None and (published.y, published.m, published.d, published.H or 0, published.M or 0) \
            <= (shown.y, shown.m, shown.d, shown.H or 0, shown.M or 0):
        return published
    return None


def _unshown_date(zone_text: str, near_text: str, url: str | None, from_meta: Found | None, chinese: bool) -> Found | None:
    """Nothing shown in the header: a date of the lines around the body when no meta date is given; a year-less
    header date ("10-08 12:00", "5月20日 10:30") with the meta's (or the URL's) year; none from either, no date."""
    if near_text and chinese and from_meta is None and (f := parse_text_date(near_text)):
        return f
    if m := NO_YEAR.search(zone_text):
        if ref := from_meta or url_date(url):
            f = Found(ref.y, *(int(m[k] or m[k + "2"]) for k in ("m", "d", "H", "M")))
            if f.valid():
                return f
    return None


# "Updated on June 18, 2025", "Last Updated: Dec 17, 2025", "Modified 3/4/2024": the label right before the date
_UPDATED_BEFORE = re.compile(r"(?:updated|modified|revised|reviewed)(?:\s+on)?\s*[:：]?\s*$", re.I)
# "23.07.2025": day-first with dots (European sites writing in English)
_DOTTED = re.compile(r"(?<![\d.])(?P<d>3[01]|[12]\d|0?[1-9])\.(?P<m>1[0-2]|0?[1-9])\.(?P<y>(?:19|20)\d{2})(?![\d.])")
_EN_MONTH_YEAR = re.compile(r"\b(?P<mon>January|February|March|April|May|June|July|August|September|October|November|"
                            r"December)\s+(?P<y>(?:19|20)\d{2})\b")


def _updated_label(text: str, start: int) -> bool:
    before = text[max(0, start - 30):start]
    return bool(_UPDATED_BEFORE.search(before[before.rfind("\n") + 1:]))


def _en_header_date(text: str) -> tuple[Found | None, bool]:
    """(the header's date, whether it is labelled as an update). A date labelled "Updated" gives way
    to a later unlabelled one in the same header."""
    numeric = []
    for rx in _numeric(text):
        numeric.extend(m for m in rx.finditer(text) if _from_match(m).valid())
    if numeric:  # as parse_text_date: a labelled one first, else the first; its own label is checked
        f = parse_text_date(text)
        for m in numeric:
            g = _from_match(m)
            if (g.y, g.m, g.d) == (f.y, f.m, f.d):
                return f, _updated_label(text, m.start())
        return f, False
    if not _has_year(text):  # nor can EN_DATE or _DOTTED match
        return None, False
    updated = None
    found = [m for m in EN_DATE.finditer(text) if m.group("d1") or m.group("d2")]
    if len(found) >= 3:  # a list of dated posts (related articles), not a header
        return None, False
    for m in found:
        g = Found(int(m.group("y")), _MONTHS[m.group("mon")[:3].lower()], int(m.group("d2") or m.group("d1")))
        if not g.valid():
            continue
        if not _updated_label(text, m.start()):
            return g, False
        updated = updated or g
    if updated is not None:
        return updated, True
    for m in _DOTTED.finditer(text):
        g = Found(int(m["y"]), int(m["m"]), int(m["d"]))
        if g.valid():
            return g, _updated_label(text, m.start())
    return None, False


_EN_PUBLISHED_LABEL = re.compile(r"\b(?:published|posted)(?:\s+on)?\s*[:：]?\s*$", re.I)


def _en_published_label(text: str, start: int) -> bool:
    line = text[max(0, start - 20):start]
    return bool(_EN_PUBLISHED_LABEL.search(line[line.rfind("\n") + 1:]))


def _en_labelled_published(text: str) -> Found | None:
    """The date labelled "Published"/"Posted" in the text, when every such date is of one day."""
    if "ublished" not in text and "osted" not in text:
        return None
    found = []
    for m in EN_DATE.finditer(text):
        if (m["d1"] or m["d2"]) and _en_published_label(text, m.start()):
            f = Found(int(m["y"]), _MONTHS[m["mon"][:3].lower()], int(m["d1"] or m["d2"]))
            if f.valid():
                found.append(f)
    for rx in _numeric(text):  # "Published: 2024-10-29 09:30"
        found.extend(f for m in rx.finditer(text) if _en_published_label(text, m.start()) and (f := _from_match(m)).valid())
    return found[0] if found and len({(f.y, f.m, f.d) for f in found}) == 1 else None


def _modified_meta(meta: dict) -> Found | None:
    for key in ("article:modified_time", "dateupdate", "lastmodifiedtime"):
        if (v := meta["meta"].get(key)) and (f := parse_meta_value(v)):
            return f
    v = meta["jsonld"].get("dateModified")
    return parse_meta_value(v) if isinstance(v, str) else None


def _find_published_en(zone_text: str, meta: dict, html_text: str, url: str | None, near_text: str,
                       pre_text: str = "") -> str | None:
    """Pages in English: the header's visible date; then the publish meta (article:published_time,
    JSON-LD datePublished; a modified time only later), a <time datetime>, the lines around the
    body, a modified-time meta, the URL. (Meta before the header date measured worse on wcxb: the
    JSON-LD datePublished of many sites is the page's, not the article's.) The header's date gives
    way to an earlier published <meta> when it is labelled "Updated …" or is the modified meta's day."""
    shown, updated = _en_header_date(zone_text)
    above = False
    if shown is None and near_text and (f := _en_labelled_published(near_text)):
        shown, updated = f, False  # "Published: October 29, 2024" just above the body, past the zone's first lines
    if shown is None and pre_text:
        # the date line above the headline ("Travel September 8, 2021 -- min read", "December 17, 2025 • 8 minutes")
        shown, updated = _en_header_date(pre_text)
        above = shown is not None
    if shown is not None:
        # <meta> tags only: the JSON-LD datePublished of many sites is the page's first version
        published = meta_date(meta, html_text, published_only=True, tags_only=True)
        if published is not None and (published.y, published.m, published.d) == (shown.y, shown.m, shown.d):
            return published.iso(None)  # the same day, and the meta's time of day
        if published is not None and (published.y, published.m, published.d) < (shown.y, shown.m, shown.d):
            if updated:
                return published.iso(None)
            mod = _modified_meta(meta)
            if mod is not None and (mod.y, mod.m, mod.d) == (shown.y, shown.m, shown.d):
                return published.iso(None)
        # above the headline: a published JSON-LD or a <time datetime> of that day gives its time of day
        for f in (meta_date(meta, html_text, published_only=True), time_element_date(meta)) if above else ():
            if f is not None and (f.y, f.m, f.d) == (shown.y, shown.m, shown.d):
                return f.iso(None)
        return shown.iso(None)
    if f := meta_date(meta, html_text, published_only=True):
        return f.iso(None)
    if f := time_element_date(meta):
        return f.iso(None)
    if near_text and (f := parse_text_date(near_text)):
        return f.iso(None)
    # the modified-time tags now: JSON-LD and WeChat's variable gave nothing to the published_only call above
    if f := meta_date(meta, html_text, tags_only=True):
        return f.iso(None)
    if f := script_published(html_text):
        return f.iso(None)
    if f := url_date(url):
        return f.iso(None)
    if m := _EN_MONTH_YEAR.search(zone_text):  # a magazine's "November 2015": month precision
        return f"{int(m['y']):04d}-{_MONTHS[m['mon'][:3].lower()]:02d}"
    return None


# the labels of a gov document's metadata table that name its publication, most specific first (not 成文日期, the
# signing date; see bench/pages/README.md, labelling conventions); 公开日期/生成日期: 信息公开 tables (江西's county
# portals: 生成日期 beside 索引号, no 发布日期)
_GOV_PUBLISHED = ("发布日期", "发布时间", "公布日期", "公开日期", "生成日期")
# 发文日期 is the publication on some tables (宜春: the bulletin dated 4月12日 in its text, 发文日期 4-18) and the
# document's own date on others (湖北: 发文日期 8-25, 发布时间 8-28 under the headline): below a shown date, above the meta
_GOV_ISSUED = "发文日期"


def gov_published(gov: dict | None, meta: dict, html_text: str) -> str | None:
    """The 发布日期 of a gov document's label table, with the meta date's time of day when it is the same day."""
    for key in _GOV_PUBLISHED:
        if gov and gov.get(key) and (f := parse_text_date(gov[key])):
            if f.H is None and (m := meta_date(meta, html_text)) and m.H is not None and (m.y, m.m, m.d) == (f.y, f.m, f.d):
                return m.iso("+08:00")
            return f.iso("+08:00")
    return None


def page_published(page, zones, chinese: bool, gov: dict | None = None) -> str | None:
    selected = page.selected("published")
    if not selected and chinese and gov and (found := gov_published(gov, page.meta, page.text)):
        return found
    # zones.zone is the header zone and then the body's lead lines (zones.read_header)
    lead = zones.zone[len(zones.date_zone):].lstrip("\n") if zones.zone.startswith(zones.date_zone) else ""
    issued = parse_text_date(gov[_GOV_ISSUED]) if chinese and gov and gov.get(_GOV_ISSUED) else None
    found = find_published(zones.date_zone, page.meta, page.text, page.url, chinese, selected, zones.near, lead,
                           issued, zones.pre_zone)
    if found is None and chinese and (f := labelled_published(page.visible_text)):
        # nothing shown near the headline: a 发布日期 the page states anywhere (a box below the text, "发布日期：2016年
        # 05月12日 所属分类：…"), when every such date is of one day
        return f.iso("+08:00")
    return found
