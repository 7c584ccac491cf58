"""来源 (publisher), 作者/记者 (author), 责任编辑 (editor) from labelled text.

Labels are searched in the header zone (headline to body) first, then in the whole page text:
editors are usually in the trailer, sources in the header. Names stop at the next label or at
separators, so "来源：新华网 作者：张三" gives two fields."""
from __future__ import annotations

import re

from crawler.extract.dom import text as el_text
from crawler.extract.labels import strip_label
from crawler.extract.meta import names

_STOP = r"(?=\s*(?:[|｜/【】\[\]()（）。，,；;]|\s{2,}|来源|來源|作者|记者|記者|编辑|編輯|责编|责任编辑|时间|時間|发布|發布|日期|" \
        r"浏览|阅读|点击|字号|字體|字体|分享|打印|校对|摄影|摄|供稿|$))"
_PUBLISHER = re.compile(r"(?:信息来源|文章来源|新闻来源|稿件来源|稿源|来源|來源|出处|Source)\s*[:：]\s*(?P<v>[^\s|｜【】\[\]]{2,40}?)"
                        r"(?=\s|$|" + _STOP[6:], re.M)
# "来源CSDN" without a colon: only trusted in the header zone
_PUBLISHER_BARE = re.compile(r"(?:来源|來源)(?![于於自])(?P<v>[A-Za-z\u4e00-\u9fff][^\s|｜:：]{1,20}?)(?=\s|$|" + _STOP[6:], re.M)
# "2019-09-26 10:56:28 证券时报网": the unlabelled name after the date on the header line
_AFTER_DATE = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d\d(?::\d\d)?)?\s+"
                         r"(?P<v>[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z·\-－]{1,20})\s*$", re.M)
_AUTHOR = re.compile(
    # a one-character gate first: every alternative starts at whitespace, a CJK character, a bracket or
    # A/B (Author/By); the lookbehinds below are then tried at few positions (3x faster on English text)
    r"(?=[\s\u4e00-\u9fff《》【(（AaBb])(?:"
    # (not "告诉记者：…" in prose: the label starts the text or follows 本报/特约/… or a non-CJK character)
    r"(?:(?<![\u4e00-\u9fff])|(?<=本报|本報|本刊|本网|本網|特约|特約|见习|實習|实习|首席|驻站)|(?<=新华社|新華社|中新社))"
    r"(?:作者|撰文|撰稿|文字|采写|記者|记者|执笔人|执笔|Author|By|文)\s*[:：]\s*(?P<v>[^\s|｜:：【】。，,]{2,30}?)(?:" + _STOP + "|(?<=[\u4e00-\u9fff])(?=[ \t\u3000][\u4e00-\u9fff]))" +
    r"|[【(（]?\s*文\s*[/|｜]\s*(?:[^\s】]{0,12}作者\s*)?(?P<v2>[^\s|｜/】)）]{2,12})" +
    r"|作者(?P<v3>[\u4e00-\u9fffA-Za-z]{2,4})(?=\s|$|\|)" +
    r"|[（(]\s*(?:本报|本報|新华社|新華社|本网|本網|通讯员)?\s*(?:记者|記者)\s*(?P<v4>[^）)\n]{2,40})(?:[）)]|$)" +
    r"|(?:^|\s)[\u4e00-\u9fff《》]{0,10}(?:记者|作者)\s+(?P<v5>[\u4e00-\u9fff·]{2,4}(?:\s[\u4e00-\u9fff·]{2,4}){0,3})(?=\s|$))",
    re.I | re.M)
_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[ 、，,][\u4e00-\u9fff·]{2,4}){0,5}"
# "本报记者罗科苏盈发自北京", "记者马俊峰/文", "本报实习生 刘国栋 周炜"
_NAMES_NO_PHOTO = _NAMES.replace("\\u4e00-\\u9fff", "\\u4e00-\\u6443\\u6445-\\u651c\\u651e-\\u9fff")  # not 摄/攝
_REPORTER_LABELS = ("记者", "記者", "实习生", "實習生", "通讯员", "通訊員")  # every _REPORTER match starts with one
_REPORTER = re.compile(r"(?:记者|記者|实习生|實習生|通讯员|通訊員)\s*(?P<v>" + _NAMES_NO_PHOTO + r")(?=\s*(?:/文|发自|發自|报道|報道|$|\s|[）)]))", re.M)
# "……佳节。（常书香 马丹阳 ）", "（姚峰 上海报道）", "（总台记者 张倩）" at the end of the article
_TRAILING = re.compile(r"[（(]\s*(?:[^（()）\n]{0,8}(?:记者|記者)\s*)?(?P<v>" + _NAMES + r")\s*(?:[\u4e00-\u9fff]{0,4}报道)?\s*[）)]\s*$")
# a header line holding only person names ("犬儒病(上)" then "胡平"): surname-checked
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝眉闻")
_UI_WORDS = re.compile(r"查看|评论|點擊|点击|更多|返回|首页|分享|打印|关闭|收藏|登录|注册|搜索|热门|推荐|专题|新闻|视频|图片|频道")
_NAME_LINE = re.compile(r"^\s*(?P<v>" + _NAMES + r")\s*$")
_EDITOR = re.compile(
    r"(?:责任编辑|責任編輯|责编|責編)\s*[:：|｜]?\s*(?P<v>[^\s)）】\]|｜]{2,30}?(?:[、，,][^\s)）】\]|｜]{2,10})*?)"
    r"(?=\s|[)）】\]|｜]|校对|$)")
_EDITOR_WEAK = re.compile(r"(?:^|[\s【\[(（])(?:编辑|編輯)\s*[:：|｜/]\s*(?P<v>[^\s)）】\]|｜,，]{2,12})", re.M)
_JUNK_NAME = re.compile(r"^(?:本站|本网|admin|管理员|佚名|未知|null|none|小编|小編|编辑|網絡|网络|字号|字體|字体|分享|打印|"
                        r"微信公众平台)$", re.I)
# "健康报 2024-05-20": the unlabelled name before the date on a header line
_BEFORE_DATE = re.compile(r"^\s*(?P<v>[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z·]{1,15})\s+(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}",
                          re.M)
_NOT_A_SOURCE = re.compile(r"(?:时间|時間|日期|于|於|发布|發布|更新|发表|發表|修改|录入|浏览|首页|当前|位置|来源|作者|记者|编辑)$|^(?:发布|發布|更新|时间|日期)")
# "石佳/中国青年报": the byline slot of thepaper-style headers, author / source
_AUTHOR_SLASH_SOURCE = re.compile(r"^\s*(?P<a>[\u4e00-\u9fff·]{2,4})\s*/\s*(?P<s>[\u4e00-\u9fff·]{2,15})\s*$", re.M)
_TRAIL = re.compile(r"(?:整合|报道|報道|摄影?|供稿|综合|编译|编辑|實習生|实习生|通讯员)$")


def _tidy(value: str | None) -> str | None:
    if not value:
        return None
    if "\ufffd" in value:  # names garbled by lossy decoding: keep the intact ones before the damage
        value = "、".join(n for n in re.split(r"[、，,\s]", value.split("\ufffd")[0]) if len(n) >= 2)
    value = value.strip(" :：,，。.;；、·|｜-—")
    value = _TRAIL.sub("", value).strip(" ,，、")
    if len(value) < 2 or _JUNK_NAME.match(value) or re.fullmatch(r"[\d\s:：\-/.]+", value):
        return None
    return value


# every _AUTHOR alternative holds one of these CJK labels, or is "Author:" / "By:" (any case; spaces may
# precede the colon): texts with neither (most English pages) need no _AUTHOR scan, the costliest regex here
_AUTHOR_CJK = ("文", "作者", "记者", "記者", "撰稿", "采写", "执笔")


def _may_hold_author(text: str) -> bool:
    if not text.isascii() and any(s in text for s in _AUTHOR_CJK):
        return True
    for colon in (":", "："):  # few colons in a text: look behind each for the English label
        i = text.find(colon)
        while i != -1:
            j = i
            while j and text[j - 1].isspace():  # the \s* before the colon (str.isspace is re's \s)
                j -= 1
            if text[max(0, j - 6):j].lower().endswith(("by", "author")):
                return True
            i = text.find(colon, i + 1)
    return False


def _first(rx, texts) -> str | None:
    for text in texts:
        for m in rx.finditer(text):
            for g in ("v", "v2", "v3", "v4", "v5"):
                if m.groupdict().get(g) and (v := _tidy(m.group(g))):
                    return v
    return None


def _labelled_publisher(text: str) -> str | None:
    # every _PUBLISHER label holds 源 (来源, 稿源, …) or is 出处 / Source: a substring test spares the scan
    if "源" not in text and "出处" not in text and "Source" not in text:
        return None
    return _first(_PUBLISHER, [text])


# a self-media account named over or before its platform's label ("扬眼" then "企鹅号"): the account is the 来源
_ACCOUNT = re.compile(r"(?:^|[ \t])(?P<v>[^\s|｜:：]{2,20})[ \t]*\n?[ \t]*(?:企鹅号|百家号|头条号|澎湃号|网易号|搜狐号|大风号|一点号)"
                      r"[ \t]*$", re.M)


def find_publisher(zone: str, page_text: str, meta: dict, source_element, pre_zone: str = "") -> str | None:
    """`source_element` is a callable (class-named candidates, read only when the labels fail);
    `pre_zone`: the short lines just above the headline (news.cn prints 来源 there)."""
    v = _labelled_publisher(zone) or (_first(_PUBLISHER_BARE, [zone]) if "源" in zone else None)
    if v:
        return v
    if pre_zone and (v := _labelled_publisher(pre_zone)):
        return v
    if "号" in zone and (m := _ACCOUNT.search(zone)) and (v := _tidy(m.group("v"))):
        return v
    v = _first(_AFTER_DATE, [zone])
    if v:
        return v
    for m in _BEFORE_DATE.finditer(zone):
        if not _NOT_A_SOURCE.search(m.group("v")) and (v := _tidy(m.group("v"))):
            return v
    if m := _AUTHOR_SLASH_SOURCE.search(zone):
        return m.group("s")
    if source_element and (t := source_element()):
        return _tidy(t)
    v = _labelled_publisher(page_text[:3000])
    if v:
        return v
    m = meta["meta"]
    for key in ("contentsource", "source", "article:publisher", "og:site_name", "sitename"):
        if m.get(key) and not m[key].startswith("http"):
            return m[key].strip()
    return names(meta["jsonld"].get("publisher"))


def _name_line(zone: str) -> str | None:
    for line in zone.split("\n")[:6]:
        m = _NAME_LINE.match(line)
        if m and m.group("v")[0] in _SURNAMES \
                and not _UI_WORDS.search(m.group("v")):
            return m.group("v")
    return None


# a document signed at its end: "吉林省人民政府" then "2022年1月27日" on the last lines
_SIGNATURE = re.compile(r"^[\s\u3000]*(?P<v>[\u4e00-\u9fff（）()]{2,30}(?:人民政府|政府办公厅|政府办公室|办公厅|委员会|"
                        r"卫生健康委|卫健委|管理局|监督局|局|厅))[\s\u3000]*\n[\s\u3000]*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月"
                        r"\s*\d{1,2}\s*日[\s\u3000]*$", re.M)
# a forum post's footer: "发布时间 2005/05/17 22:11:42 by 眉间尺", "2003-5-29 09:07 by 高山流水": the first is the poster
_FORUM_BY = re.compile(r"(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d\d(?::\d\d)?\s+by\s+"
                       r"(?P<v>[^\s〓|｜<>]{2,30})(?=\s|$)", re.I)
# the part of every _FORUM_BY match from the time's colon on: a literal ':' first, so `re` skips to the
# colons of the page instead of trying the full pattern at each position
_FORUM_BY_TAIL = re.compile(r":\d\d(?::\d\d)?\s+by\s", re.I)


def find_author(zone: str, first_lines: str, last_lines: str, meta: dict, body_head: str = "",
                page_text: str = "") -> str | None:
    """`body_head`: the first short lines of the body (a name line under the headline of a reprint);
    `page_text`: the text from the headline on (a forum thread's first "… by NAME" footer)."""
    v = _first(_AUTHOR, [t for t in (zone, first_lines, last_lines) if _may_hold_author(t)])
    if v:
        v = re.split(r"\s{2,}|[|｜]", v)[0]
        if v := _tidy(v):
            return v
    m = _AUTHOR_SLASH_SOURCE.search(zone)
    v = (m.group("a") if m else None) or _first(_REPORTER, [t for t in (zone, first_lines, last_lines) if any(
        s in t for s in _REPORTER_LABELS)]) or _name_line(zone)
    if not v:  # "……（姚峰 上海报道）" closing the last paragraph
        # (only lines ending in a closing bracket can match)
        tail = [line for line in last_lines.split("\n") if line.rstrip().endswith((")", "）"))]
        v = next((m.group("v") for line in reversed(tail) if (m := _TRAILING.search(line))), None)
    if v := _tidy(v):
        return v
    # (a signature's date holds 年)
    if "年" in last_lines and (m := _SIGNATURE.search(last_lines)) and (v := _tidy(m.group("v"))):
        return v
    if " by " in page_text and _FORUM_BY_TAIL.search(page_text) and (m := _FORUM_BY.search(page_text)) \
            and (v := _tidy(m.group("v"))):
        return v
    if body_head and (v := _tidy(_name_line(body_head))):
        return v
    # a byline further down the body's first short lines (under a summary box: "《棱镜》作者 周纯")
    if body_head and _may_hold_author(body_head) and (v := _tidy(_first(_AUTHOR, [body_head]))):
        return v
    m = meta["meta"]
    for key in ("citation_author", "citation_authors", "author", "article:author", "dc.creator", "byl",
                "sailthru.author", "parsely-author"):
        if m.get(key) and not m[key].startswith("http") and len(m[key]) < 60 and (v := _tidy(m[key])):
            return re.sub(r"^by\s+", "", v, flags=re.I)
    return names(meta["jsonld"].get("author")) or _en_byline([zone, first_lines, last_lines])


# an English byline: "By Jane Doe", "Posted by Colin Watson on …", "Written by A. J. Neal" -- capitalised
# words only, so "by the time" or "by 2030" do not pass
# a date right after the name ("By Jane Doe August 12, 2021", "By Jane Doe Aug. 12"): the month is no name word
_EN_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?[ \t]+\d"
_EN_BYLINE = re.compile(r"(?:^|[\s|•·—-])(?:[Bb]y|BY|(?:[Pp]osted|[Ww]ritten|[Aa]uthored) by:?|[Aa]uthors?:)\s+"
                        r"(?P<v>(?!" + _EN_MONTH + r")[A-Z][\w.'’-]*(?:[ \t](?:(?!" + _EN_MONTH + r")[A-Z][\w.'’-]*|van|de|von|da|di|"
                        r"and[ \t][A-Z][\w.'’-]*)){0,4})"
                        r"(?=[ \t]*(?:$|[,|•·—–(]|[ \t](?:on|in|at|and|Updated|Published|\d+)\b|[ \t]" + _EN_MONTH +
                        r"|[ \t][a-z]))", re.M)
_EN_NOT_NAME = re.compile(r"^(?:The|This|A|An|Our|Admin|Staff|Editor|Editors|Team|Getty|AP|Reuters|AFP|Disqus|"
                          r"Gov|Dr|Mr|Mrs|Ms|Sen|Rep|Pres|Prof|Gen|Lt|Col|St)$")


# an "Author" label on its own line, the name on the next ("Author" / "Jane Doe", "About the Author" / "Jane
# Doe") or the line before (an author card: "Jane Doe" / "Author")
_EN_NAME = r"[A-Z][\w.'’-]*(?:[ \t][A-Z][\w.'’-]*){0,3}"
_EN_AUTHOR_LINE = re.compile(r"^[ \t]*(?:About the |ABOUT THE )?(?:Author|AUTHOR):?[ \t]*\n[ \t]*(?P<v>" + _EN_NAME +
                             r")[ \t]*$|^[ \t]*(?P<v2>" + _EN_NAME + r")[ \t]*\n[ \t]*(?:Author|AUTHOR)[ \t]*$", re.M)


# a header line of a name and a date, no label: "Jane Doe July 3, 2025", "September 29, 2025 / Jane Doe"
_EN_DAY = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?[ \t]+\d{1,2}(?:st|nd|rd|th)?,?[ \t]+(?:19|20)\d\d"
_EN_PERSON = r"(?!(?:Updated|Published|Posted|Last|Modified|Date|Released|Reviewed|Created|Edited|Written|Home|News|Press|Guest|Staff|Sponsored|Featured|Latest|Breaking|Editorial|Event|Events|Blog)\b)" \
             r"[A-Z][a-z'’-]+(?:[ \t][A-Z]\.)?(?:[ \t][A-Z][a-z'’-]+){1,2}"
_EN_NAME_DATE = re.compile(r"^[ \t]*(?:(?P<v>" + _EN_PERSON + r")[ \t]*[|/·•—–-]?[ \t]*" + _EN_DAY + r"|" + _EN_DAY +
                           r"[ \t]*[|/·•—–-][ \t]*(?P<v2>" + _EN_PERSON + r"))[ \t]*$", re.M)


def _en_name_date(zone: str) -> str | None:
    if " 19" not in zone and " 20" not in zone:
        return None
    for m in _EN_NAME_DATE.finditer(zone):
        v = m.group("v") or m.group("v2")
        if not _EN_NOT_NAME.match(v.split()[0]):
            return v
    return None


def _en_byline(texts: list[str]) -> str | None:
    for text in texts:
        if "by" not in text.lower() and "Author" not in text and "author" not in text and "AUTHOR" not in text:
            continue
        if "\nAuthor" in text or "Author\n" in text or "AUTHOR" in text:
            for m in _EN_AUTHOR_LINE.finditer(text):
                v = m.group("v") or m.group("v2")
                if not _EN_NOT_NAME.match(v.split()[0]) and len(v) >= 3:
                    return v
        for m in _EN_BYLINE.finditer(text):
            # a sentence ends inside ("Gov. Kristi Noem. The", "USF. It"): keep up to the first word-final
            # period that is not an initial ("A. J. Neal" stays whole)
            v = re.sub(r"(?<=\w\w)\.(?:\s.*)?$", "", m.group("v").strip())
            if not _EN_NOT_NAME.match(v) and len(v) >= 3:
                return v
    return _en_name_date(texts[0]) if texts else None


def _contains(text: str, word: str) -> bool:
    """`word in text`, testing its last character first: a one-character search (memchr) is many times
    faster than a two-character one on a long text that holds neither."""
    return word[-1] in text and word in text


def byline_editor(text: str) -> str | None:
    """A plain "编辑：苏亮" (not 责任编辑) on a byline or trailer: on small sites the only person named."""
    if not _contains(text, "编辑") and not _contains(text, "編輯"):
        return None
    return _first(_EDITOR_WEAK, [text])


def find_editor(page_text: str) -> str | None:
    # every _EDITOR label holds 责 or 責: a substring test spares the regex scan of the page's text
    v = _first(_EDITOR, [page_text]) if "责" in page_text or "責" in page_text else None
    if v:
        return v
    if not _contains(page_text, "编辑") and not _contains(page_text, "編輯"):
        return None
    return _first(_EDITOR_WEAK, [page_text])


def source_element(candidates: list) -> str | None:
    """Text of a short element classed as the source (qq `a_source`, xinhua `#source`, baidu account name);
    `candidates` come from the body walk (class/id containing source, author-name, account, ...)."""
    for el in candidates[:6]:
        t = strip_label(el_text(el))
        if len(el) <= 2 and 2 <= len(t) <= 30 and not re.search(r"\d{4}|[:：]", t) and "授权" not in t:
            return t
    return None


def page_publisher(page, zones) -> str | None:
    return page.selected("publisher") or find_publisher(
        zones.zone, zones.after_title, page.meta, lambda: source_element(page.marked["source"]), zones.pre_zone)


def page_author(page, zones) -> str | None:
    return page.selected("author") or find_author(zones.zone, zones.first, zones.last, page.meta, zones.head,
                                                  zones.from_title) or byline_editor(zones.zone + "\n" + zones.last)


def page_editor(page, zones) -> str | None:
    return page.selected("editor") or find_editor(zones.after_body_start)
