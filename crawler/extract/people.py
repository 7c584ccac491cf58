"""来源 (publisher), 作者/记者 (author), 责任编辑 (editor) from labelled text.

Labels are searched in the header zone (headline to body) first, then in the whole page text:
editors are usually in the trailer, sources in the header. Names stop at the next label or at
separators, so "来源：新华网 作者：张三" gives two fields."""
from __future__ import annotations

import itertools
import re
from pathlib import Path
from urllib.parse import urlparse

from crawler.extract import byline
from crawler.extract.dom import text as el_text
from crawler.extract.labels import strip_label
from crawler.extract.meta import names
from crawler.extract.scan import keyed_matches
from crawler.extract.titles import leading_title
from crawler.textnorm import to_simplified

_STOP = r"(?=\s*(?:[|｜/【】\[\]()（）。，,；;]|\s{2,}|来源|來源|作者|记者|記者|编辑|編輯|责编|责任编辑|时间|時間|发布|發布|日期|" \
        r"浏览|阅读|点击|字号|字體|字体|分享|打印|校对|摄影|摄|供稿|$))"
# an empty slot: the next label right after the colon ("作者： 责任编辑：…", "来源: 更新时间:…") is no value
_NO_LABEL = r"(?!(?:" + "|".join(sorted(byline.LABEL_WORDS, key=len, reverse=True)) + r")\s*[:：])"
# the source of something else than the article: a photo's, a report's data, a project's funds ("数据来源：国家统计局",
# "资金来源：财政资金"); read before a match, not in the pattern (lookbehinds at its start made re try every
# position: 28x slower)
_OTHER_SOURCE = frozenset(("图片", "圖片", "照片", "视频", "視頻", "资料", "資料", "数据", "數據", "指标", "指標", "资金", "資金",
                           "经费", "經費", "题图", "題圖", "配图", "配圖", "头图", "頭圖"))
# (no colon inside the value: "来源： 访问量：199" is an empty 来源 and the next label)
_PUBLISHER = re.compile(r"(?:信息来源|文章来源|新闻来源|稿件来源|稿源|稿件|来源|來源|出处|发布单位|發布單位|Source)"
                        r"\s*[:：]\s*" + _NO_LABEL +
                        r"(?P<v>[^\s|｜【】\[\]:：]{2,40}?)"
                        r"(?=\s|$|" + _STOP[6:], re.M)
# "来源CSDN" without a colon: only trusted in the header zone
_PUBLISHER_BARE = re.compile(r"(?:来源|來源)(?![于於自])(?P<v>[A-Za-z\u4e00-\u9fff][^\s|｜:：]{1,20}?)"
                             r"(?=\s|$|" + _STOP[6:], re.M)
# "2019-09-26 10:56:28 证券时报网": the unlabelled name after the date on the header line (or after a dot there:
# "2024-05-20 14:33 · 新华社")
# (or on the line under the date: "2017年12月9日 00:26" / "ETtoday新聞雲", see _after_date)
_AFTER_DATE = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ \t]*\d{1,2}:\d\d(?::\d\d)?)?(?P<gap>\s+)(?:[·•・][ \t]*)?"
                         r"(?P<v>[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z·\-－]{1,20}\+?)[ \t]*$", re.M)
# the same name with more after it, or written against the time: "2018-02-28 14:31中央社 澎湖縣28日電",
# "2019-03-18 23:59聯合報 記者陳嘉寧／…": trusted only with an organisation's ending (which a name opening with a
# number needs: "2021-01-20 04:29:44 39健康网", not "… 12人阅读")
_AFTER_DATE_ORG = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?[ \t]*\d{1,2}:\d\d(?::\d\d)?[ \t]*"
                             r"(?P<v>(?:[\u4e00-\u9fff]|\d{1,4}(?=[\u4e00-\u9fff]))[\u4e00-\u9fff·]{1,10}?(?:报|報|社|网|網|台))"
                             r"(?=\s|$|[/／|｜])", re.M)
_AUTHOR = re.compile(
    # a one-character gate first: every alternative starts at whitespace, a CJK character, a bracket or
    # A/B (Author/By); the lookbehinds below are then tried at few positions (3x faster on English text)
    r"(?=[\s\u4e00-\u9fff《》【(（AaBb])(?:"
    # (not "告诉记者：…" in prose: the label starts the text or follows 本报/特约/… or a non-CJK character,
    # or a date it is written against: "2017年02月17日作者：唐碧迟")
    r"(?:(?<![\u4e00-\u9fff])|(?<=本报|本報|本刊|本网|本網|特约|特約|见习|實習|实习|首席|驻站|\d日)"
    r"|(?<=新华社|新華社|中新社|全媒体|全媒體|融媒体|融媒體))"
    r"(?:作者|撰文|撰稿|文字|采写|記者|记者|通讯员|通訊員|执笔人|执笔|Author|By|文)\s*[:：︱｜|丨]\s*" + _NO_LABEL +
    # (a desk and a rank before the name: "撰文：广州日报全媒体记者曾俊" -> 曾俊, "作者：《中国企业家》记者 林涛" -> 林涛,
    # "文丨政能亮特约评论员 韩涵" -> 韩涵)
    r"(?:[\u4e00-\u9fff]{2,10}?(?:记者|記者|通讯员|通訊員|评论员|評論員)[ \t]*(?=[\u4e00-\u9fff])"
    r"|《[^《》\n]{1,15}》[ \t]*(?:记者|記者|通讯员|通訊員)[ \t]*)?"
    r"(?P<v>[^\s|｜:：【】。，,]{2,30}?)(?:" + _STOP + "|(?<=[\u4e00-\u9fff])(?=[ \t\u3000][\u4e00-\u9fff]))" +
    # ("作者/蔡骏", "采访/朱渍" only where a line or a bracket starts: "上一篇：… 作者/吴惠子" is another item's)
    r"|[【(（]?\s*(?:文|编译|編譯|(?<![^\n【(（])(?:作者|采访|採訪))\s*[/|｜]\s*(?:[^\s】]{0,12}作者\s*)?(?P<v2>[^\s|｜/】)）]{2,12})" +
    r"|(?<![\u4e00-\u9fff])作者(?P<v3>[\u4e00-\u9fffA-Za-z]{2,4})(?=\s|$|\|)" +  # (not "观点仅为作者所有")
    r"|[（(]\s*(?:本报|本報|新华社|新華社|本网|本網|通讯员)?\s*(?:记者|記者)\s*(?P<v4>[^）)\n]{2,40})(?:[）)]|$)" +
    r"|(?:^|\s)[\u4e00-\u9fff《》]{0,10}(?:记者|作者)\s+(?P<v5>[\u4e00-\u9fff·]{2,4}(?:[ \t][\u4e00-\u9fff·]{2,4}){0,3})(?=\s|$)"  # (one line)
    r"(?!\s*(?:图|圖|摄|攝)(?:片|影)?\s*$))",
    re.I | re.M)
_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[ 、，,][\u4e00-\u9fff·]{2,4}){0,5}"
# "本报记者罗科苏盈发自北京", "记者马俊峰/文", "本报实习生 刘国栋 周炜"
_NAMES_NO_PHOTO = _NAMES.replace("\\u4e00-\\u9fff", "\\u4e00-\\u6443\\u6445-\\u651c\\u651e-\\u9fff")  # not 摄/攝
# a rank between two names separates them too: "早报记者陈良飞实习生马英之"
_NAMES_NO_PHOTO = _NAMES_NO_PHOTO.replace("[ 、，,]", "(?:[ 、，,]|实习生|實習生|通讯员|通訊員)")
_REPORTER_LABELS = ("记者", "記者", "实习生", "實習生", "通讯员", "通訊員")  # every _REPORTER match starts with one
# what follows the names: "/文", "发自", "报道", "／桃園機場報導", a dateline "桃園19日電", a bracket, the end
# (not a photo credit: "澎湃新闻记者 陈绪厚 图", "记者 张三 摄")
_REPORTER = re.compile(r"(?:记者|記者|实习生|實習生|通讯员|通訊員)\s*(?P<v>" + _NAMES_NO_PHOTO + r")(?=\s*(?:/文|发自|發自|报道|報道|"
                       r"$|\s|[）)／/]|[\u4e00-\u9fff]{2,3}\d{1,2}日[电電]))(?!\s*(?:图|圖|摄|攝)(?:片|影)?\s*(?:$|[）)]))",
                       re.M)
# "……佳节。（常书香 马丹阳 ）", "（姚峰 上海报道）", "（总台记者 张倩）" at the end of the article
# (the name may be followed by its role: "（李茜 文/图）")
_TRAILING = re.compile(r"[（(]\s*(?:[^（()）\n]{0,8}(?:记者|記者)\s*)?(?P<v>" + _NAMES + r")\s*(?:[\u4e00-\u9fff]{0,4}报道|"
                       r"[ \t]文\s*/\s*图|[ \t]图\s*/\s*文)?\s*[）)]\s*$")
# a closing credit line: names, then in brackets where the piece came from ("徐勇（新华社供本报特稿）")
_CREDIT_LINE = re.compile(r"^\s*(?P<v>" + _NAMES + r")\s*[（(][^（()）\n]{0,16}(?:供稿|特稿|专稿|專稿|撰稿|报道|報道)[）)]\s*$")
# a header line holding only person names ("犬儒病(上)" then "胡平"): surname-checked
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝眉闻")
# (and the words of a page's furniture that begin with a surname character: "时间", "全文", "关键词", "简介")
_UI_WORDS = re.compile(r"查看|评论|點擊|点击|更多|返回|首页|分享|打印|关闭|收藏|登录|注册|搜索|热门|推荐|专题|新闻|视频|图片|频道|"
                       r"关注|關注|订阅|訂閱|正文|全文|原文|时间|時間|日期|简介|簡介|导读|導讀|摘要|标签|標籤|关键|關鍵|附件|下载|"
                       r"下載|目录|目錄|上一|下一|字体|字號|字号|全屏|大图|大圖")
# a dateline byline without a label: "凤凰卫视 王恳 周铭吉 北京报道", "王恳 北京报道" (the organisation optional)
_DATELINE = re.compile(r"^\s*(?:[\u4e00-\u9fff]{2,8}\s+)?(?P<v>[\u4e00-\u9fff·]{2,4}(?:\s[\u4e00-\u9fff·]{2,4}){0,3})"
                       r"\s+[\u4e00-\u9fff]{2,4}(?:报道|報導|报导)\s*$", re.M)
# (a bullet may mark the byline line: "●奚旭初 奚菊芬")
_NAME_LINE = re.compile(r"^\s*[●•■◆▲★]?\s*(?P<v>" + _NAMES + r")\s*$")
_EDITOR = re.compile(
    r"(?:责任编辑|責任編輯|责编|責編)\s*[:：|｜]?\s*" + _NO_LABEL + r"(?P<v>[^\s)）】\]|｜]{2,30}?(?:[、，,][^\s)）】\]|｜]{2,10})*?)"
    r"(?=\s|[)）】\]|｜]|校对|$)")
_EDITOR_WEAK = re.compile(r"(?:^|[\s【\[(（])(?:编辑|編輯)\s*[:：|｜/]\s*(?P<v>[^\s)）】\]|｜,，]{2,12})", re.M)
# (a label word alone is an empty slot before the next label: "来源： 作者：来源：人民网")
_JUNK_NAME = re.compile(r"^(?:本站|本网|admin|管理员|佚名|匿名|未知|不详|null|none|小编|小編|编辑|網絡|网络|互联网|網絡轉載|网络转载|"
                        r"转载|轉載|转自网络|网络整理|整理|综合|綜合|原创|原創|字号|字體|字体|分享|打印|"
                        # a button's word ("管不饿" / "关注" over the date, "举报/反馈" over it)
                        r"关注|關注|反馈|反饋|举报|舉報|点赞|點讚|下载|下載|纠错|糾錯|投诉|投訴|"
                        r"微信公众平台|作者|来源|來源|记者|記者|责任编辑|責任編輯|责编|責編|出处|出處|"
                        # a web digest, a maker's or a dealer's copy ("来源： 网络文摘", "厂商供稿"): no one named
                        r"(?:网络|網絡)(?:文摘|摘编|摘編)|网摘|網摘|厂商|廠商|商家)$", re.I)
# "健康报 2024-05-20": the unlabelled name before the date on a header line
# (a Latin start too, with Chinese after it: "TNW中文站 2016年10月14日07:17", not "Posted 2024-05-20")
_BEFORE_DATE = re.compile(r"^\s*(?:(?:转载|轉載|转自|轉自)\s+)?(?P<v>(?:[\u4e00-\u9fff]|[A-Za-z]{1,8}(?=[\u4e00-\u9fff]))[\u4e00-\u9fffA-Za-z·\-－]{1,15})\s+(?:@\s*)?"
                          r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}", re.M)
_NOT_A_SOURCE = re.compile(r"(?:时间|時間|日期|于|於|发布|發布|更新|发表|發表|修改|录入|浏览|首页|当前|位置|来源|作者|记者|编辑)$|"
                           r"^(?:发布|發布|更新|修改|时间|日期|星期|禮拜|礼拜|周[一二三四五六日]|週[一二三四五六日])")
# "石佳/中国青年报": the byline slot of thepaper-style headers, author / source
_AUTHOR_SLASH_SOURCE = re.compile(r"^\s*(?P<a>[\u4e00-\u9fff·]{2,4})\s*/\s*(?P<s>[\u4e00-\u9fff·]{2,15})\s*$", re.M)
_TRAIL = re.compile(r"(?:整合|报道|報道|摄影?|供稿|综合|编译|编辑|實習生|实习生|通讯员)$")


def _tidy(value: str | None) -> str | None:
    if not value:
        return None
    if "\ufffd" in value:  # names garbled by lossy decoding: keep the intact ones before the damage
        value = "、".join(n for n in re.split(r"[、，,\s]", value.split("\ufffd")[0]) if len(n) >= 2)
    value = value.strip(" :：,，。.;；、·|｜-—\u200b\u200c\u200d\u2060\ufeff")  # (and zero-width characters)
    if value[:1] in "（(【[" and not any(c in value for c in "）)】]"):  # a bracket the value was cut from: "（陆凤龙"
        value = value[1:].strip()
    value = _TRAIL.sub("", value).strip(" ,，、")
    if len(value) < 2 or _JUNK_NAME.match(value) or re.fullmatch(r"[\d\s:：\-/.]+", value) or _RANK.fullmatch(value):
        return None
    return value


# every _AUTHOR alternative holds one of these CJK labels, or is "Author:" / "By:" (any case; spaces may
# precede the colon): texts with neither (most English pages) need no _AUTHOR scan, the costliest regex here
_AUTHOR_CJK = ("文", "作者", "记者", "記者", "撰稿", "采写", "执笔", "编译", "編譯", "通讯员", "通訊員")


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


def _first(rx, texts, skip=None) -> str | None:
    """The first tidy value of `rx` in the texts; not a match `skip(text, start)` refuses."""
    for text in texts:
        for m in rx.finditer(text):
            if skip and skip(text, m.start()):
                continue
            for g in ("v", "v2", "v3", "v4", "v5"):
                if m.groupdict().get(g) and (v := _tidy(m.group(g))):
                    return v
    return None


_NOTICE = ("注明", "註明", "转载", "轉載")


def _not_the_article_source(text: str, start: int) -> bool:
    """A 来源 label right after a photo's, data's or funds' word ("数据来源：国家统计局"; the two characters before
    it), or inside a reprint notice ("如需转载，请注明作者以及来源：鸵鸟电台")."""
    if text[max(0, start - 2):start] in _OTHER_SOURCE:
        return True
    line_start = text.rfind("\n", 0, start) + 1
    return any(w in text[line_start:start] for w in _NOTICE)


def _labelled_publisher(text: str) -> str | None:
    # every _PUBLISHER label holds 源 (来源, 稿源, …) or is 出处 / Source: a substring test spares the scan
    if "源" not in text and "出处" not in text and "Source" not in text:
        return None
    return _first(_PUBLISHER, [text], skip=_not_the_article_source)


# a script variable naming the 来源 ("var source = '健康报'", "mediaName":"扬眼"): a Chinese value, the same in
# every assignment (read only when the page's text states none). The lookahead lets the scan skip the
# positions no key starts at: 2.8x faster on a 200 KB page.
_SCRIPT_SOURCE = re.compile(r"""(?=[smcl])(?:\bsource|media_?name|copy_?from|laiyuan|source_?name)["']?\s*[:=]\s*["']"""
                            r"""(?P<v>[^"'<>\\]{2,20})["']""", re.I)


SCRIPT_SOURCE_KEYS = ("source", "media", "copy", "laiyuan")  # what every match starts with


def script_source(html_text: str) -> str | None:
    # (keyed_matches: the matches of finditer, ~10x faster; a page without Chinese finds no Chinese value)
    values = {m["v"].strip() for m in keyed_matches(_SCRIPT_SOURCE, html_text or "", SCRIPT_SOURCE_KEYS, 6)}
    v = values.pop() if len(values) == 1 else None
    return _tidy(v) if v and _CJK_CHAR.search(v) and not re.search(r"[\d/%]", v) else None


# a self-media account named over or before its platform's label ("扬眼" then "企鹅号"): the account is the 来源
_ACCOUNT = re.compile(r"(?:^|[ \t])(?P<v>[^\s|｜:：]{2,20})[ \t]*\n?[ \t]*(?:企鹅号|百家号|头条号|澎湃号|网易号|搜狐号|大风号|一点号)"
                      r"[ \t]*$", re.M)


def _after_date(zone: str) -> str | None:
    """The name after the header's date on its line, or alone on the next line if it has an organisation's
    ending ("ETtoday新聞雲"; the line under "发布时间：2020-09-11" is a table's "序号", not a 来源)."""
    for m in _AFTER_DATE.finditer(zone):
        # (a medium's ending only: "序号" heads a table's column, "…服务中心功能提升" is a listing's headline)
        if (v := _tidy(m["v"])) and ("\n" not in m["gap"] or _MEDIA_END.search(v)):
            return v
    return None


# the source the text itself states, with no label: a dateline's "唐尧网讯（记者…）", "长江网10月4日讯", "央视网消息",
# "中新网南昌1月1日电" (not 本报讯: 本报 names no one; not "据新华社消息", a sentence), a reprint's "《人民日报》
# （2016年12月19日 04 版）", a medium's name closing the article in 《》 or over the editor's credit
# ("《中国国门时报》", "新华网" / "责任编辑： 霍然")
_MEDIUM = r"[\u4e00-\u9fffA-Za-z·]{1,12}?(?:网|網|报|報|社|台|刊|杂志|雜誌|客户端|客戶端)"
_DATELINE_SOURCE = re.compile(r"^\s*(?!本|据|據)(?P<v>" + _MEDIUM + r")(?:[\u4e00-\u9fff]{0,6}?\d{1,2}月\d{1,2}日)?(?:讯|訊|消息)"
                              r"|^\s*(?!本|据|據)(?P<v2>" + _MEDIUM + r")[\u4e00-\u9fff]{0,6}?\d{1,2}月\d{1,2}日(?:电|電)", re.M)
_CITATION = re.compile(r"^\s*《\s*(?P<v>[^《》\n]{2,15}?)\s*》\s*[（(]\s*(?:19|20)\d\d年\d{1,2}月\d{1,2}日\s*第?\s*[\dA-Z]*\s*版\s*[）)]",
                       re.M)
_CLOSING_MEDIUM = re.compile(r"^[ \t]*(?:《\s*(?P<v>" + _MEDIUM + r")\s*》|(?P<v2>" + _MEDIUM + r")(?=[ \t]*\n[ \t]*[【\[(（]?"
                             r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯)))[ \t]*$", re.M)


def _stated_sources(lead: str, trailer: str):
    """The unlabelled statements of the source: the lead's dateline or citation, a closing medium line or
    sentence ("以上信息来源于和讯网。")."""
    for rx, text in ((_DATELINE_SOURCE, lead), (_CITATION, lead), (_CLOSING_MEDIUM, trailer), (_SOURCE_SENTENCE, trailer)):
        if text and (m := rx.search(text)):
            yield _tidy(m.group("v") or m.groupdict().get("v2"))


def find_publisher(zone: str, page_text: str, meta: dict, source_element, pre_zone: str = "",
                   valid=None, trailer: str = "", own_site=None, html_text: str = "", lead: str = "",
                   meta_lines=None) -> str | None:
    """`source_element` is a callable (class-named candidates, read only when the labels fail);
    `pre_zone`: the short lines just above the headline (news.cn prints 来源 there); `valid(value, kind)`:
    whether a candidate may be the 来源 (kind "labelled", "unlabelled", "author slot", "stated" or "meta"); the
    first valid one wins, except that an unlabelled value `own_site(value)` calls the site's own name waits for
    a labelled one (and the site's name in the 作者 slot is none), and a labelled one gives way to a reprint's
    source in the body's closing or opening lines;
    `trailer`: the body's last lines and what follows them; `html_text`: the page with its scripts (a 来源
    variable); `lead`: the body's first lines (a dateline's "唐尧网讯"); `meta_lines()`: the page's lines
    that hold a date and a 来源 label, wherever they are."""
    deferred = None  # an unlabelled site's own name beside the date ("2016-01-13 07:55:53 杭州网")
    for value, kind in _publisher_candidates(zone, page_text, meta, source_element, pre_zone, trailer, html_text,
                                             lead, meta_lines):
        if value and (valid is None or valid(value, kind)):
            if own_site and kind in ("unlabelled", "author slot") and own_site(value):
                # (the site naming itself in the 作者 slot states no 来源 at all)
                deferred = deferred or (value if kind == "unlabelled" else None)
                continue
            if own_site and kind == "labelled" and own_site(value) \
                    and (other := _reprinted_from(trailer, lead, valid, own_site)):
                return other
            # it gives way to a 来源 labelled or stated further on (a trailer "来源：钱江晚报" of a reprint), not
            # to meta
            return deferred if deferred and kind not in ("labelled", "stated") else value
    return deferred


def _reprinted_from(trailer: str, lead: str, valid, own_site) -> str | None:
    """A 来源 the body's closing lines or its opening ones (a copied original's header) state for another outlet
    than the site: labelled, a citation ("《人民日报海外版》（2016年09月05日 第10版）"), a sentence ("以上信息来源于和讯网")
    or a copied header's name after its date ("2005年01月27日 10:31 中国新闻网 …"); the piece's source, where the
    header's 来源 names only the hosting site."""
    found = [(_labelled_publisher(trailer), "labelled"), (_labelled_publisher(lead), "labelled"),
             (_first(_CITATION, [trailer, lead]), "stated"), (_first(_SOURCE_SENTENCE, [trailer]), "stated"),
             (_first(_COPIED_HEADER, [lead]), "stated")]
    for v, kind in found:
        if v and (valid is None or valid(v, kind)) and not own_site(v):
            return v
    return None


# "以上信息来源于和讯网。", "本文来自新华网": a closing sentence naming the source (not "本文来源于网络": 网络 is no name)
_SOURCE_SENTENCE = re.compile(r"(?:以上|本文|此文|文章)(?:信息|内容|文章)?(?:均)?(?:来源于|來源於|来自|來自|转自|轉自|摘自)"
                              r"(?P<v>[^\s。，,；;：:、]{2,20}?)(?=[。，,；;])", re.M)  # (a sentence's end: not "…扫码查看")
# a copied original's header opening the text: its date and time, then its medium
_COPIED_HEADER = re.compile(r"^\s*(?:19|20)\d\d年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d\d\s+(?P<v>" + r"[\u4e00-\u9fffA-Za-z·]{1,12}?(?:网|網|报|報|社|台|刊)" +
                            r")(?=\s)", re.M)


# the endings of an outlet's or an office's name: a medium, an agency, a company (not a column or a platform label:
# "作者：亦观察" names no publisher either)
_OUTLET_END = re.compile(r"(?:网|網|报|報|社|台|刊|客户端|客戶端|新闻|新聞|杂志|雜誌|科技|中心|公司|集团|集團|委员会|委員會|"
                         r"办公厅|辦公廳|办公室|辦公室|政府|局|厅|廳|部|院)$")


_SLOT_DESK = re.compile(r"作者\s*[:：]\s*《(?P<v>[^《》\n]{2,15})》\s*(?:记者|記者|通讯员|通訊員)")


def _author_slot_outlet(zone: str) -> str | None:
    """An outlet or office the header's 作者 slot names ("作者：腾讯科技 日期：… 来源：未知", "作者: 国家食品药品监督管理总局",
    the desk of "作者：《中国企业家》记者 林涛"): no author, and the 来源 where no label states one."""
    if m := _SLOT_DESK.search(zone):
        return _tidy(m["v"])
    for field, label, value in byline.pairs(zone):
        if field == "author" and label == "作者":
            v = _tidy(value)
            return v if v and _OUTLET_END.search(v) and not looks_like_person(v) else None
    return None


def _publisher_candidates(zone: str, page_text: str, meta: dict, source_element, pre_zone: str, trailer: str = "",
                          html_text: str = "", lead: str = "", meta_lines=None):
    """(value, kind) in the order of trust: labelled in the header zone, above the headline, a self-media
    account, the unlabelled name beside the header date, a class-named element, labelled further down,
    the meta tags."""
    yield (_labelled_publisher(zone)
           or (_first(_PUBLISHER_BARE, [zone], skip=_not_the_article_source) if "源" in zone else None)), "labelled"
    yield _tidy(byline.first(zone, "publisher")), "labelled"  # the pairs parser: a bracketed value ("来源:【广州日报】")
    if pre_zone:
        yield _labelled_publisher(pre_zone), "labelled"
    if "作者" in zone:
        yield _author_slot_outlet(zone), "author slot"
    if "号" in zone and (m := _ACCOUNT.search(zone)):
        yield _tidy(m.group("v")), "unlabelled"
    for v in (_after_date(zone), _first(_AFTER_DATE_ORG, [zone])):
        if v and not _NOT_A_SOURCE.search(v):  # not "2024-05-21 08:00 更新"
            yield v, "unlabelled"
    # (and the date line above the headline: "极客网 2017-03-20 热度：" over it)
    for m in itertools.chain(_BEFORE_DATE.finditer(zone), _BEFORE_DATE.finditer(pre_zone.rsplit("\n", 1)[-1])):
        if not _NOT_A_SOURCE.search(m.group("v")):
            yield _tidy(m.group("v")), "unlabelled"
    if m := _AUTHOR_SLASH_SOURCE.search(zone):
        yield m.group("s"), "unlabelled"
    if trailer:  # a labelled trailer line after the body ("来源：钱江晚报 作者：记者 李华 责任编辑：方志华")
        yield _tidy(byline.first(trailer, "publisher")), "labelled"
    if source_element and (t := source_element()):
        yield (v := _tidy(t)), "unlabelled"
        if v is None:  # an element classed as the source holding no name: the page names none
            return
    yield _labelled_publisher(page_text[:3000]), "labelled"
    if meta_lines:  # a meta line far from the headline ("发布时间：2024-07-12 来源：保险和非银机构检查局")
        yield _labelled_publisher(meta_lines()), "labelled"
    for v in _stated_sources(lead, trailer):
        yield v, "stated"
    if html_text:
        yield script_source(html_text), "unlabelled"
    m = meta["meta"]
    for key in ("contentsource", "source", "article:publisher", "og:site_name", "sitename"):
        # a Chinese value of these is the site's own name (a gov CMS's ContentSource is its own office), no 来源
        # the page states (bench/pages/README.md, conventions); an English page keeps them
        if m.get(key) and not m[key].startswith("http") and not _CJK_CHAR.search(m[key]):
            yield m[key].strip(), "meta"
    # JSON-LD's publisher is the site's organisation: on a Chinese page no stated 来源 (it named the site
    # where the page shows no 来源 on 2 of 2 bench pages it decided); an English one keeps it
    if (v := names(meta["jsonld"].get("publisher"))) and not _CJK_CHAR.search(v):
        yield v, "meta"


# the bracket after a dateline names its reporters: "中新网南昌1月1日电 (王昊阳)", "新华社北京5月20日电（记者 张三、李四）"
_DATELINE_BRACKET = re.compile(r"\d{1,2}日[电電]\s*[（(](?P<v>[^（()）\n]{2,40})[）)]")
_BRACKET_RANKS = re.compile(r"(?:本报|本報|新华社|新華社|中新社|总台|總台)?(?:见习|見習|实习|實習|特约|特約|首席)?"
                            r"(?:记者|記者|通讯员|通訊員|实习生|實習生)")


def _dateline_names(text: str) -> str | None:
    """The names in a dateline's bracket, all of them person-shaped, ranks dropped; else None."""
    if "日" not in text or not (m := _DATELINE_BRACKET.search(text)):
        return None
    names_ = [t for t in _PARTS.split(_BRACKET_RANKS.sub(" ", m["v"])) if t]
    return " ".join(names_) if names_ and all(looks_like_person(t) for t in names_) else None


def _without_place(m) -> str:
    """The names of a closing "（姚峰 上海报道）": the word written against 报道 is the place, not a name."""
    v = m.group("v").strip()
    rest = m.group(0)[m.end("v") - m.start():].lstrip()
    if " " in v and (v.endswith(("报道", "報道")) or rest.startswith(("报道", "報道"))):
        return v.rsplit(" ", 1)[0]
    return v


def _reporter(texts: list[str]) -> str | None:
    """The first "记者 NAME" whose names are person-shaped ("记者了解到" in a short lead line is a sentence: it
    must not end the search, see find_author)."""
    for text in texts:
        for m in _REPORTER.finditer(text):
            if (v := _tidy(m.group("v"))) and looks_like_person(strip_rank(v)):
                return v
    return None


def _reporter_line(text: str) -> str | None:
    """A line that is a reporter's byline and nothing else: an organisation (up to 8 characters), the rank,
    the names."""
    for line in text.split("\n"):
        if any(s in line for s in _REPORTER_LABELS) and (m := _REPORTER.search(line)) and m.start() <= 8 \
                and not line[m.end():].strip(" /）)") and not _SENTENCE_MARK.search(line) \
                and (v := _tidy(m.group("v"))) and looks_like_person(strip_rank(v)):
            return v  # (person-shaped: a short line "记者了解到" is a sentence, and would end the search)
    return None


_SENTENCE_MARK = re.compile(r"[，。！？,!?：:]")


def _name_line(zone: str) -> str | None:
    lines = zone.split("\n")[:6]
    for i, line in enumerate(lines):
        m = _NAME_LINE.match(line)
        # (a line under a "label：" line is that label's value: an info table's "公开时限：" / "常年公开"; so is a
        # line under a label cell without its colon, "文号" / "关键词")
        if m and looks_like_person(m.group("v")) and not (i and _label_cell(lines[i - 1])) \
                and not _word_of_four(m.group("v")):
            return m.group("v")
    return None


def _word_of_four(value: str) -> bool:
    """One four-character "name" with a one-character surname: a word ("王者荣耀", "全部楼层", "边防要闻": every such
    lone line on the bench pages), not a byline; compound surnames and transliterations stay."""
    return len(value) == 4 and not value.startswith(_COMPOUND_SURNAMES) and "·" not in value \
        and not to_simplified(value[:2]).startswith(_COMPOUND_SURNAMES)


def _label_cell(line: str) -> bool:
    line = line.strip()
    return line.endswith(("：", ":")) or len(line) <= 6 and bool(_CELL_LABEL.search(line))


_AUTHOR_BIO = re.compile(r"(?:^|\n)\s*[【\[]?作者简介[】\]]?\s*[:：]?\s*(?P<v>[\u4e00-\u9fff·]{2,4})\s*[，,（(]")
# a forum post's footer: "发布时间 2005/05/17 22:11:42 by 眉间尺", "2003-5-29 09:07 by 高山流水": the first is the poster
_FORUM_BY = re.compile(r"(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d\d(?::\d\d)?\s+by\s+"
                       r"(?P<v>[^\s〓|｜<>]{2,30})(?=\s|$)", re.I)
# the part of every _FORUM_BY match from the time's colon on: a literal ':' first, so `re` skips to the
# colons of the page instead of trying the full pattern at each position
_FORUM_BY_TAIL = re.compile(r":\d\d(?::\d\d)?\s+by\s", re.I)


def find_author(zone: str, first_lines: str, last_lines: str, meta: dict, body_head: str = "",
                page_text: str = "", valid=None) -> str | None:
    """`body_head`: the first short lines of the body (a name line under the headline of a reprint);
    `page_text`: the text from the headline on (a forum thread's first "… by NAME" footer); `valid(value,
    kind)`: whether the first candidate may be the author. If it may not, only a labelled byline or a
    reporter's credit further on may be ("作者 国际在线", a medium, then "……（央视记者 许骁）" closing the text):
    the other candidates are weaker readings of the same page, and a wrong author is worse than none."""
    rejected = False
    for value, kind in _author_candidates(zone, first_lines, last_lines, meta, body_head, page_text):
        if not value or rejected and kind not in ("labelled", "unlabelled"):
            continue
        if kind == "anonymous":
            return None
        if valid is None or valid(value, kind):
            return value
        rejected = True
    return None


# an author slot the page fills with "anonymous": it states there is no author (a meta tag's logins, a name
# further down are weaker readings)
# ("秩名": DedeCMS's default author, a misspelt 佚名)
_ANONYMOUS = frozenset(("佚名", "秩名", "匿名", "未知", "不详", "不詳", "无", "無"))


def _pair_author(text: str) -> str | None:
    """The author of the text's label pairs: the first name, then the next ones that look like persons
    (a word after the names, "阅读", is no co-author)."""
    value = byline.first(text, "author")
    if not value:
        return None
    names_ = value.split(" ")
    keep = names_[:1]
    latin = not _CJK_CHAR.search(names_[0])
    for name in names_[1:]:
        # (a Latin name runs on over its capitalised words: "John Smith")
        if not (looks_like_person(name) if not latin else name[:1].isupper() and not _CJK_CHAR.search(name)):
            break
        keep.append(name)
    return _tidy(" ".join(keep))


def _author_candidates(zone: str, first_lines: str, last_lines: str, meta: dict, body_head: str, page_text: str):
    # the byline pairs of the header zone ("作者: 阙政 阅读 ( 1391 )【 来源 : 新民周刊 】" -> 阙政), then the labels
    # anywhere near the body, then the pairs of the trailer ("作者：记者 李华 编辑：叶海涵" -> 李华)
    if byline.first(zone, "author") in _ANONYMOUS:
        yield "-", "anonymous"
        return
    yield _pair_author(zone), "labelled"
    for texts in ((zone, first_lines), (last_lines,)):
        v = _first(_AUTHOR, [t for t in texts if _may_hold_author(t)])
        if v:
            v = re.split(r"\s{2,}|[|｜]", v)[0]
            if v := _tidy(v):
                yield v, "labelled"
        if texts[0] is zone:
            yield _pair_author(last_lines), "labelled"
    yield _dateline_names(first_lines) or _dateline_names(zone), "unlabelled"
    m = _AUTHOR_SLASH_SOURCE.search(zone)
    v = (m.group("a") if m else None) or _reporter([t for t in (zone, first_lines, last_lines) if any(
        s in t for s in _REPORTER_LABELS)])
    if not v and (v := _tidy(_name_line(zone))):
        yield v, "name line"
        v = None
    if not v:  # "……（姚峰 上海报道）" closing the last paragraph
        # (only lines ending in a closing bracket can match)
        tail = [line for line in last_lines.split("\n") if line.rstrip().endswith((")", "）"))]
        m = next((m for line in reversed(tail) if (m := _TRAILING.search(line))), None)
        v = _without_place(m) if m else None
        # "徐勇（新华社供本报特稿）": a closing credit line, the name before a note on where the piece came from
        v = v or next((m["v"] for line in reversed(tail) if (m := _CREDIT_LINE.match(line))
                       and looks_like_person(m["v"])), None)
    if v := _tidy(v):
        yield v, "unlabelled"
    for text in (zone, body_head):
        if ("报" in text or "報" in text) and (m := _DATELINE.search(text)):
            yield m.group("v"), "unlabelled"
    for m in _BEFORE_DATE.finditer(zone):  # "冀勇庆 2015-06-25 08:46:42": a person's name before the date
        if looks_like_person(m.group("v")):
            yield m.group("v"), "unlabelled"
    if " by " in page_text and _FORUM_BY_TAIL.search(page_text) and (m := _FORUM_BY.search(page_text)) \
            and (v := _tidy(m.group("v"))):
        yield v, "poster"
    if body_head and (v := _tidy(_name_line(body_head))):
        yield v, "name line"
    # a reporter's byline line among the body's first short lines (under a photo caption and the lead:
    # "早报记者陈良飞实习生马英之")
    if body_head and (v := _reporter_line(body_head)):
        yield v, "unlabelled"
    # a byline further down the body's first short lines (under a summary box: "《棱镜》作者 周纯")
    if body_head and _may_hold_author(body_head) and (v := _tidy(_first(_AUTHOR, [body_head]))):
        yield v, "labelled"
    # a closing author's note: "作者简介：汪海军，西姆股权激励研究院副院长…"
    if "简介" in last_lines and (m := _AUTHOR_BIO.search(last_lines)):
        yield m.group("v"), "unlabelled"
    m = meta["meta"]
    for key in ("citation_author", "citation_authors", "author", "article:author", "dc.creator", "byl",
                "sailthru.author", "parsely-author"):
        if m.get(key) and not m[key].startswith("http") and len(m[key]) < 60 and (v := _tidy(m[key])):
            yield re.sub(r"^by\s+", "", v, flags=re.I), "meta"
    yield names(meta["jsonld"].get("author")), "meta"
    yield _en_byline([zone, first_lines, last_lines]), "byline"


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


def find_editor(page_text: str, strong_only: bool = False) -> str | None:
    """`strong_only`: a 责任编辑/责编 label only, not a plain 编辑."""
    # every _EDITOR label holds 责 or 責: a substring test spares the regex scan of the page's text
    v = _first(_EDITOR, [page_text]) if "责" in page_text or "責" in page_text else None
    if v or strong_only:
        return v
    if not _contains(page_text, "编辑") and not _contains(page_text, "編輯"):
        return None
    return _first(_EDITOR_WEAK, [page_text])


# a class that holds "source" or "account" and names something else: a resource basket ("resource fr"), a player's,
# a picture's or a "view the original" link's source ("audio_source", "js_view_source"), a form to submit an
# account ("account-submit-head")
_NOT_SOURCE_CLASS = re.compile(r"resource|(?:audio|video|img|image|pic|photo|data|view)[-_]?source|submit", re.I)


def source_element(candidates: list) -> str | None:
    """Text of a short element classed as the source (qq `a_source`, xinhua `#source`, baidu account name);
    `candidates` come from the body walk (class/id containing source, author-name, account, ...)."""
    for el in candidates[:6]:
        if _NOT_SOURCE_CLASS.search((el.get("class") or "") + " " + (el.get("id") or "")):
            continue
        t = strip_label(el_text(el))
        if len(el) <= 2 and 2 <= len(t) <= 30 and not re.search(r"\d{4}|[:：]", t) and "授权" not in t:
            return t
    return None


# ---------------------------------------------------------------- what may be a 来源, what may be a person
# Chinese values only: the English rules live in the byline patterns above.
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
# organisations, columns, platforms, desks: the endings no person's name has ("新华网", "中央通訊社", "亦观察",
# "企鹅号", "社會中心", "国务院办公厅")
_ORG_END = re.compile(r"(?:网|網|报|報|社|台|刊|周刊|週刊|新闻|新聞|新聞雲|新闻云|电子报|電子報|中心|公司|集团|集團|委员会|委員會|"
                      r"办公厅|辦公廳|办公室|辦公室|政府|局|厅|廳|部|院|所|站|号|號|自媒体|自媒體|观察|觀察|评论|評論|时评|時評|"
                      r"频道|頻道|客户端|客戶端|平台|编辑部|編輯部|工作室|团队|團隊|小组|小組|单位|單位|党委|黨委|支部)$")
# a rank or role before the name: "见习记者 张三", "本报特约记者李四", "新华社记者 王五" -> the name alone
_RANK = re.compile(r"^(?:本报|本報|本刊|本网|本網|本台|新华社|新華社|中新社|中新网|中新網)?(?:全媒体|全媒體|融媒体|融媒體|见习|見習|实习|實習|"
                   r"特约|特約|首席|资深|資深|驻站|駐站|驻[\u4e00-\u9fff]{1,3}|駐[\u4e00-\u9fff]{1,3})?"
                   r"(?:记者|記者|通讯员|通訊員|评论员|評論員|实习生|實習生|撰稿人)[\s:：]*")
# words of the page's furniture that a 来源 slot sometimes holds ("我要分享", "打印本页") or a sentence about
# sources (a copyright notice: 凡本网注明"来源：…"的作品)
_NOT_SOURCE_WORDS = re.compile(r"分享|打印|关闭|關閉|收藏|字号|字號|评论|評論|登录|登錄|注册|註冊|返回|我要|扫一扫|二维码|点击|點擊|"
                               r"浏览|瀏覽|凡本|转载|轉載|账号|帐号|帳號|密码|密碼|订阅|訂閱|欢迎|歡迎|全文|原文地址|原文链接|阅读原文|[\"“”「」]|"
                               # a sentence, not a name ("该彩种开奖数据来源于500.com", "53兼职网，本文链接")
                               r"[，。！？；]|来源于|來源於|^.{31,}$")
# the place a platform shows the poster writing from ("2024年01月25日 18:03:35 来自内蒙古自治区", "IP属地：北京"): no 来源
_POSTERS_PLACE = re.compile(r"来自|來自|IP\s*属地|IP\s*屬地")
# a name in quotes is the name ("“人民前线”微信公众号"); a quote left open is a sentence's (凡本网注明“来源：…”的作品)
_QUOTED = re.compile(r"“[^“”\"]{1,20}”|「[^「」\"]{1,20}」")
# the endings of a section's heading, no medium's name: an unlabelled "工作动态" or "通知公告" beside a date is the
# page's section (a medium may end in 新闻, "澎湃新闻", so that ending is left to _CHANNEL's list)
_SECTION_END = re.compile(r"(?:动态|動態|公告|公开|公開|要闻|要聞|资讯|資訊|频道|頻道|专栏|專欄|栏目|欄目|快讯|快訊|通知|信息|"
                          r"专题|專題)$")
# a channel or section heading ("国内新闻", "社會", "要闻"): a 来源 slot's neighbour, not a publisher
_CHANNEL = re.compile(r"^(?:国内|國內|国际|國際|社会|社會|财经|財經|体育|體育|娱乐|娛樂|科技|健康|军事|軍事|图片|圖片|视频|視頻|本地|地方|"
                      r"时政|時政|政务|政務|综合|綜合|滚动|滾動|即时|即時|热点|熱點|今日|最新|头条|頭條|政治|生活|国内外|两岸|兩岸|"
                      r"港澳|台湾|臺灣|台灣|大陆|大陸|要闻|要聞|新闻|新聞|资讯|資訊)(?:新闻|新聞|要闻|要聞|资讯|資訊|频道|頻道)?$")
# the endings of a column, a platform or a channel: not a person even where a label says 作者 ("作者：亦观察")
_COLUMN_END = re.compile(r"(?:观察|觀察|评论|評論|评论员|評論員|时评|時評|专栏|專欄|栏目|欄目|社论|社論|自媒体|自媒體|号|號|频道|頻道|"
                         r"客户端|客戶端|平台|编辑部|編輯部|编辑组|編輯組|编委会|編委會)$")
_PARTS = re.compile(r"[\s、，,]+")
# the endings of a medium's name: a publisher, never the author
_MEDIA_END = re.compile(r"(?:网|網|报|報|社|台|刊|客户端|客戶端|新闻|新聞|新闻云|新聞雲|杂志|雜誌)$")
# less common single surnames (the set above holds the common ones) and the compound ones ("上官云")
_MORE_SURNAMES = set("冀赖傅洪阎储楚封丰班冼蔺满扈糜荆井奚廉慕都乐令凡诸丘官粘阙辜练籍战双郜晋蒯鞠逯隗矫仝权相厉薄帅邸郁竺宿"
                 "郦阚衣贲昝荀栗暴勾佐惠那原钮揭钦郗门展乌银晁谈伏敬步来茅")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "端木", "长孙",
                      "宇文", "司徒", "澹台", "申屠", "西门", "独孤", "南宫", "万俟", "闻人", "轩辕", "呼延")
# words that fill a byline slot without being a name: share-button platforms, list headings, placeholders
_NOT_NAME = re.compile(r"文章|最新|热门|熱門|推荐|推薦|相关|相關|阅读|閱讀|原创|原創|作者|用户|用戶|网友|網友|微信|微博|易信|"
                       r"腾讯|騰訊|网易|網易|新浪|搜狐|百度|头条|頭條|抖音|快手|朋友圈|空间|空間|豆瓣|人人|QQ|公示|异议|異議|如有|"
                       r"公开|公開|申请|申請|单位|單位|"
                       # a credit's role ("（张青津 编辑整理）": the editor's credit, not an author's)
                       r"编辑|編輯|整理|编译|編譯|校对|校對|审核|審核|楼主|樓主|"
                       # a surname and the editor's title ("作者:王编")
                       r"^.[编編]$")


def _surname_first(name: str) -> bool:
    if name.startswith(_COMPOUND_SURNAMES) or name[0] in _SURNAMES or name[0] in _MORE_SURNAMES:
        return True
    simplified = to_simplified(name[:2])  # Traditional script: 陳, 張, 劉 …
    return simplified.startswith(_COMPOUND_SURNAMES) or simplified[0] in _SURNAMES or simplified[0] in _MORE_SURNAMES


def looks_like_person(value: str) -> bool:
    """A Chinese personal name (or a few): 2-4 characters each with a surname first, or a transliterated
    name with '·'; no organisation ending, no furniture or placeholder word."""
    parts = [p for p in _PARTS.split(value.strip()) if p]
    if len(parts) >= 2 and all(len(p) == 1 for p in parts):  # "赵  培": a two-character name spaced out
        parts = ["".join(parts)]
    # the first name is surname-checked; the others (a co-author, "姚峰 上海" of a closing "上海报道") only shaped
    return bool(parts) and len(parts) <= 4 and (_surname_first(parts[0]) or "·" in parts[0]) and all(
        _CJK_CHAR.match(p) and not _ORG_END.search(p) and not _UI_WORDS.search(p) and not _NOT_NAME.search(p)
        and (2 <= len(p) <= 4 or "·" in p and len(p) <= 12) for p in parts)


def _norm(value: str) -> str:
    return re.sub(r"[\W_]+", "", value or "").lower()


def site_names(page, publisher: str | None = None) -> set[str]:
    """The names the site gives itself: og:site_name and similar, the end segments of the <title> shorter
    than the rest, the 来源 found. A byline holding one of them names the site, not a person."""
    meta = page.meta["meta"]
    found = {meta.get(k) for k in ("og:site_name", "application-name", "sitename", "site_name")}
    title = page.meta.get("title") or ""
    parts = [p.strip() for p in re.split(r"\s*(?:[_|｜]|--|\s-\s|-(?=[^\s])|—+|\s–\s)\s*", title) if p.strip()]
    if len(parts) >= 2:
        found.update(p for p in (parts[0], parts[-1]) if len(p) < max(len(x) for x in parts))
    found.add(publisher)
    return {n for n in (_norm(x) for x in found if x) if len(n) >= 2}


def is_organisation(value: str, sites: set[str], ending=_ORG_END) -> bool:
    """A Chinese byline value naming the site itself or (by its `ending`) an organisation, a column, a
    platform."""
    key = _norm(value)
    if any(k in key or key in k for k in sites):
        return True
    return any(ending.search(p) for p in _PARTS.split(value.strip()) if p)


def channel_names(page) -> set[str]:
    """Section headings of this page: its section meta, its breadcrumb crumbs, its navigation links."""
    meta = page.meta["meta"]
    names_ = {meta.get(k) for k in ("article:section", "section", "category", "column", "columnname")}
    for line in page.lines:
        if line.excluded and line.links and line.links * 2 >= line.n and len(line.text) <= 8 and line.el.tag == "li":
            names_.add(line.text)
    return {_norm(x) for x in names_ if x}


def own_site_name(page):
    """Whether a value is the site's own name: an og:site_name-like meta or a <title> segment after the
    headline is in it or holds it ("浙江在线新闻网站" on a page titled "… -身份证-浙江在线-浙江新闻")."""
    meta = page.meta["meta"]
    found = {meta.get(k) for k in ("og:site_name", "application-name", "sitename", "site_name")}
    parts = [p.strip() for p in re.split(r"\s*(?:[_|｜]|--|\s-\s|-(?=[^\s])|—+|\s–\s)\s*", page.meta.get("title") or "")]
    found.update(parts[1:])
    # (a channel segment is no site name: "…_新闻_腾讯网" would make every "…新闻网" the site's own)
    keys = {k for k in (_norm(x) for x in found if x and not _CHANNEL.match(x)) if len(k) >= 2}

    host = host_labels(page.url)

    def own(value: str) -> bool:
        # (each part of a name joined by '·': "新蓝网·浙江网络广播电视台" on a page titled "… - 手机新蓝网"; the host's
        # own label in a Latin value: "chinaeclaw.com" on www.chinaeclaw.com)
        parts = {_norm(x) for x in re.split(r"[·・•]", value)} | {_norm(value)}
        return any(k in key or key in k for k in keys for key in parts if len(key) >= 2) \
            or value.isascii() and any(label in value.lower() for label in host if len(label) >= 4)
    return own


# a CMS account in a source slot: an underscore, or letters then digits ("CICNN_NEWS", "cnfol001"; not "36Kr")
_SOURCE_CODE = re.compile(r"[A-Za-z][A-Za-z\d]*\d{2,}|[\w.-]*_[\w.-]*", re.A)


# a rank or byline label right before a name: the person the page credits ("通讯员：刘宗", "记者 张三")
_CREDIT_BEFORE = re.compile(r"(?:作者|记者|記者|通讯员|通訊員|实习生|實習生|撰文|文)\s*[:：/]?\s*$")


def _credited(value: str, text: str) -> bool:
    """Whether the text credits `value` as a person, behind a rank or byline label (each place the value stands is
    looked at, not the whole text scanned for the label)."""
    start = text.find(value)
    while start != -1:
        if _CREDIT_BEFORE.search(text, max(0, start - 8), start):
            return True
        start = text.find(value, start + 1)
    return False


_CLAUSE_END = frozenset("，,：:！!？?、 ")


def valid_publisher(page, credits: str = "", own_site=None):
    """`credits`: the header zone and the body's first lines, where a person in the 来源 slot ("来源： 刘宗") is
    credited as the reporter ("【…消息，通讯员：刘宗】"): that 来源 names the author, not a publisher; `own_site`:
    own_site_name(page), when the caller has it."""
    channels = None
    own_site = own_site or own_site_name(page)
    lead = leading_title(page.meta.get("title") or "").strip()
    headline = _norm(lead)

    def valid(value: str, kind: str) -> bool:
        nonlocal channels
        if not _CJK_CHAR.search(value):
            # a CMS account ("CICNN_NEWS", "cnfol001"); a writer's name beside the date ("Nina" over "本文作者：Nina")
            return not _SOURCE_CODE.fullmatch(value) \
                and not (kind == "unlabelled" and _credited(value, page.visible_text))
        if _NOT_SOURCE_WORDS.search(_QUOTED.sub("", value)) or _CHANNEL.match(value) or _POSTERS_PLACE.match(value):
            return False
        if kind == "meta":
            return True
        # a slot holding the headline ("来源：德企拒下架辱华T恤"), not an organisation it names ("上海宝冶集团…项目开工")
        # (or its opening clause: "信息来源： 含冤19年，山西囚犯…", not a name opening it: "文都网校英语四六级…")
        key = _norm(value)
        if (len(key) >= 6 and key in headline or len(key) >= 4 and lead.startswith(value)
                and lead[len(value):len(value) + 1] in _CLAUSE_END) and not _ORG_END.search(value):
            return False
        if credits and looks_like_person(value) and _credited(value, credits):
            return False
        if channels is None:
            channels = channel_names(page)
        # (the site's own name is a stated 来源 even where the navigation lists it: '来源：丁香园', and so is a medium a
        # label or the text states, which the navigation lists as a sister or partner outlet: '来源： 中国青年报')
        if _norm(value) in channels and not own_site(value) \
                and not (kind in ("labelled", "stated") and _MEDIA_END.search(value)):
            return False
        # an unlabelled name beside the date that is a person's (the byline) or a section's heading ("工作动态",
        # "通知公告", "政务公开"), not the 来源
        return not (kind in ("unlabelled", "stated", "author slot")
                    and (looks_like_person(value) or _SECTION_END.search(value)))
    return valid


# words of an organisation or a software in a Latin value
_LATIN_ORG = re.compile(r"\b(?:Team|Inc|Ltd|LLC|Corp|Corporation|Group|Studio|Network|Software|Admin|Webmaster|Powered|"
                        r"Discuz|Comsenz|PHPWind|DedeCMS|WordPress)\b", re.I)


# a login or staff code, no person's name: letters with digits or an underscore ("L_204236", "cnfol001")
_CODE = re.compile(r"(?=[\w.-]*[A-Za-z])(?=[\w.-]*[\d_])[A-Za-z\d_.-]+", re.A)
# a login's shape: one lower-case word (a Latin name on a Chinese page is capitalised: "Jan Hvizdak", "Cobra")
_HANDLE = re.compile(r"[a-z][a-z.]{1,11}", re.A)
# the generic labels of a host name ("www", "news", "com"): no site's name
_GENERIC_HOST = frozenset(("www", "m", "wap", "news", "com", "cn", "net", "org", "gov", "edu", "co", "info", "hk", "tw"))


def host_labels(url: str | None) -> set[str]:
    """The host's own labels ("cicnn" of www.cicnn.com): a Latin byline equal to one names the site."""
    host = urlparse(url or "").hostname or ""
    return {x for x in host.lower().split(".") if x and x not in _GENERIC_HOST and not x.isdigit()}


def _government_host(url: str | None) -> bool:
    return ("." + (urlparse(url or "").hostname or "")).endswith(".gov.cn")


# the endings of an office or a unit that may sign an item ("医技药剂党支部", "宣传科", "课题组", "办公室")
_UNIT_END = re.compile(r"(?:支部|党委|黨委|总支|總支|委员会|委員會|办公室|辦公室|科|处|處|中心|小组|小組|组|組|局|厅|廳|部|院|所|站|"
                       r"队|隊|会|會|室|馆|館|校|学院|學院|医院|醫院|公司|集团|集團|政府|团队|團隊)$")


# what no Chinese byline's names hold: digits, an address, sentence or label punctuation, a hyphen joining two words,
# Latin letters against Chinese ones ("发表于2016-03-10", "书和墨：http", "图等稿件均为转载稿，本站", "校长办-校园短波",
# "puxin资讯组")
_NOT_CJK_NAME = re.compile(r"[\d:：，。！？；;/\\_\-－]|http|www|[A-Za-z][\u4e00-\u9fff]|[\u4e00-\u9fff][A-Za-z]", re.I)
# a Latin author: no address or credits line
_NOT_LATIN_NAME = re.compile(r"[:;/]|\w\.(?:com|net|org|cn|info)\b|www\.", re.I)
_COMMON_WORDS: frozenset[str] | None = None


def _name_shaped(value: str) -> bool:
    """A Chinese byline value that may be names: none of _NOT_CJK_NAME's shapes, no common word."""
    return not _NOT_CJK_NAME.search(value) and not _common_word(value)


def _common_word(value: str) -> bool:
    """Whether a part of the value is a common word, no name ("关灯", "展开", "施工": common_words.txt)."""
    global _COMMON_WORDS
    if _COMMON_WORDS is None:
        text = (Path(__file__).parent / "common_words.txt").read_text(encoding="utf-8")
        _COMMON_WORDS = frozenset(w for w in text.split("\n") if w and not w.startswith("#"))
    return any(p in _COMMON_WORDS for p in _PARTS.split(value) if p)


def _handle_like(value: str) -> bool:
    """A labelled Chinese value of one word (3 characters or more) that is neither a person's name nor an
    office's: a publicity tag ("芝公宣"), an account or a brand ("医学界", "健康君"), a dateline word ("本网讯"), a
    name run into an affiliation ("方敏北京大学经济学院教授"), a search phrase ("哈尔滨网站优化"). (Two characters are
    left: pen names, "春春"; several words are co-authors.)"""
    v = value.strip()
    return bool(_CJK_CHAR.match(v)) and " " not in v and "、" not in v and 3 <= len(v) and "·" not in v \
        and not looks_like_person(v) and not _UNIT_END.search(v)


def _in_headline(value: str, page) -> bool:
    """Whether the value is in the <title>'s headline segment (its first, before the site's name)."""
    head = re.split(r"\s*(?:[_|｜]|--|\s-\s|—+|\s–\s)\s*", page.meta.get("title") or "")[0]
    key = _norm(value)
    return len(key) >= 2 and key in _norm(head)


def valid_author(page, publisher: str | None, strong_editor: str | None):
    sites = None

    def chinese_page() -> bool:
        sample = page.visible_text[:2000]
        return len(_CJK_CHAR.findall(sample)) * 3 > len(sample)

    def valid(value: str, kind: str) -> bool:
        """A labelled author may be an office ("作者：医技药剂党支部"), not a column or the site; a meta tag
        or an unlabelled name must be a person's. (A document's signing office is no author: it is the
        issuing agency, see bench/pages/README.md.)"""
        nonlocal sites
        if "@" in value or value.lower() in _PLACEHOLDERS:  # a template's placeholder ("name, email@gmail.com")
            return False
        # (a forum's poster is whatever handle he chose)
        if kind != "poster" and all(_CODE.fullmatch(x) for x in value.replace(",", " ").split()):
            return False  # a login or staff code, or several ("huangjinwen_gz wangguimei_gz")
        if not _CJK_CHAR.search(value):
            if kind != "poster" and chinese_page() and (_HANDLE.fullmatch(value) or any(c.isdigit() for c in value)
                                                         or value.isupper() and " " not in value):
                return False  # a handle, a code or an acronym in a Chinese page's byline ("snn", "chn 357", "NETGEAR")
            if _NOT_LATIN_NAME.search(value):  # an address or a credits line ("Sojump.com", "Design:Shiyu.Kuang; …")
                return False
            # a CMS's or a site's name in a Chinese page's author meta ("Discuz! Team and Comsenz UI Team"),
            # the host's name ("CICNN" on www.cicnn.com)
            return not (chinese_page() and (kind == "meta" and _LATIN_ORG.search(value)
                                            or _norm(value) in host_labels(page.url)))
        if kind == "meta" and strong_editor and value == strong_editor:  # a CMS's meta author: its 责任编辑
            return False
        # a government CMS fills its author meta with its operator, a name the page never shows ("马娟", gov.cn)
        if kind == "meta" and _government_host(page.url) and not any(n in page.visible_text for n in _PARTS.split(value) if n):
            return False
        if _NOT_NAME.search(value) or kind != "poster" and not _name_shaped(value):
            return False
        if sites is None:
            sites = site_names(page, publisher)
        if kind in ("labelled", "poster"):  # an office may write ("作者：医技药剂党支部"), a medium is the 来源
            if is_organisation(value, sites, _COLUMN_END) or _MEDIA_END.search(value) and not looks_like_person(value):
                return False
            return kind == "poster" or not _handle_like(value)
        if _in_headline(value, page):  # a name in the headline is its subject, not its author
            return False
        if kind == "name line" and _recurs(value, page):
            return False
        return looks_like_person(value) and not is_organisation(value, sites)
    return valid


def _recurs(value: str, page) -> bool:
    """Whether a name standing alone on a header line shows on other lines of the page too (not behind a byline
    label): a word of the page's menus, tags or text ("文化", "江苏"), not a byline; every name-line author of the
    bench pages shows once (or again only behind "作者：")."""
    names_ = [n for n in _PARTS.split(value) if n]
    if all(page.visible_text.count(n) <= 1 for n in names_):  # (the common case: one count per name)
        return False
    alone = 0  # lines holding the name line's text alone: itself, and a menu's copy
    for line in page.lines:
        if line.text.strip(" ●•■◆▲★") == value:
            alone += 1
        elif any(n in line.text and not _credited(n, line.text) for n in names_):
            return True
    return alone >= 2


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PLACEHOLDERS = frozenset(("name", "admin", "author", "user", "email", "your name"))


def clean_byline(value: str | None) -> str | None:
    """The name alone: e-mail addresses out ("Jan Hvizdak, postmaster@…"), a rank off ("见习记者 张三")."""
    if value and "@" in value:
        value = _EMAIL.sub("", value).strip(" ,;/|·-") or value
    return strip_rank(value)


def _without_medium(value: str | None) -> str | None:
    """"潍坊金融网/杨军" -> 杨军: the medium before a slash in an editor's slot."""
    if value and "/" in value:
        medium, _, name = value.partition("/")
        if _ORG_END.search(medium.strip()) and looks_like_person(name.strip()):
            return name.strip()
    return value


# an organisation or desk written before the rank: "新京报记者", "央视记者", "杨浦区融媒体中心记者"
_ORG_RANK = re.compile(r"^(?P<org>[\u4e00-\u9fff·]{1,12}?)(?:全媒体|融媒体|见习|見習|实习|實習|特约|特約|首席|资深|資深)?"
                       r"(?:记者|記者|通讯员|通訊員)\s*(?=[\u4e00-\u9fff])")
_INNER_RANK = re.compile(r"(?<=[\u4e00-\u9fff])\s*[、，,]?\s*(?:通讯员|通訊員|实习生|實習生|记者|記者)\s*(?=[\u4e00-\u9fff])")


def strip_rank(value: str | None) -> str | None:
    """"见习记者 张三" -> "张三"; the value itself when nothing but the rank would be left."""
    if not value or not _CJK_CHAR.search(value):
        return value
    if (m := _ORG_RANK.match(value)) and not looks_like_person(m["org"]):  # "新京报记者 彭冲", "总台记者张倩"
        value = value[m.end():]
    rest = _RANK.sub("", value).strip()
    # a rank between two names: "李兴民通讯员苏哲娥" -> "李兴民 苏哲娥"
    rest = _INNER_RANK.sub(" ", rest) if "员" in rest or "員" in rest or "生" in rest or "者" in rest else rest
    return rest if len(rest) >= 2 else value


# separators a 来源 slot leaves on a Chinese value ("健康报 ⋅", "| 新华网")
_EDGE_SEPARATORS = " \t:：,，;；、。·⋅•・‧|｜/\\-–—_~"


# a page's meta line: a 来源 label and a date on one short line
_META_LINE_SOURCE = re.compile(r"^(?=[^\n]{0,80}(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2})[^\n]{0,80}(?:来源|來源)[:：][^\n]{0,80}$",
                               re.M)


# an info table's 来源 cell and its value cell, walked one per line, no colon needed ("信息来源" / "市卫生健康委")
_SOURCE_CELL = re.compile(r"^[ \t]*(?:信息来源|文章来源|稿件来源|来源|來源|发布单位|發布單位)[ \t]*[:：]?[ \t]*\n"
                          r"[ \t]*(?P<v>[^\s:：]{2,30})[ \t]*$", re.M)


# the next cell's label, when the 来源 cell is empty ("信息来源" / "发布日期")
_CELL_LABEL = re.compile(r"(?:日期|时间|時間|机构|機構|机关|機關|来源|來源|作者|编辑|編輯|分类|分類|方式|范围|範圍|时限|時限|索引号|"
                         r"文号|文號|主题|主題|名称|名稱)$")


def meta_lines(text: str) -> str:
    """The page's short lines holding a 来源 label and a date, and its 来源 table cells, wherever they are
    (a template that prints the meta line far below a long navigation), as "来源：…" lines."""
    if "来源" not in text and "來源" not in text and "发布单位" not in text:
        return ""
    return "\n".join([m.group(0) for m in _META_LINE_SOURCE.finditer(text)] +
                     ["来源：" + m["v"] for m in _SOURCE_CELL.finditer(text) if not _CELL_LABEL.search(m["v"])])


def page_publisher(page, zones, chinese: bool = True) -> str | None:
    """`chinese`: the page's text is Chinese; else its scripts are not searched for a 来源 variable (the value must
    be Chinese: on an English page the scan, ~0.3 ms, finds none)."""
    own_site = own_site_name(page)  # (one reading for the validity test and the candidates' order)
    v = page.selected("publisher") or find_publisher(
        zones.zone, zones.after_title, page.meta, lambda: source_element(page.marked["source"]), zones.pre_zone,
        valid_publisher(page, zones.zone + "\n" + zones.first, own_site), zones.last, own_site,
        page.text if chinese else "", zones.first, lambda: meta_lines(page.visible_text))
    return _publisher_name(v) if v and _CJK_CHAR.search(v) else v


_BRACKETED = re.compile(r"^[\[【(（]\s*(?P<v>[^\[\]【】()（）]+?)\s*[\]】)）]$")
# a note on how the piece came, after the medium's name: "PConline原创", "中关村在线 原创", "抚州网整理"
_HOW_IT_CAME = re.compile(r"\s*(?:综合|綜合)?(?:原创|原創|整理)$")
# a button's words run into the medium's name: "求是网参与互动", "湖北日报网进入电子报"
_BUTTON_TAIL = re.compile(r"(?<=[网網报報社台])(?:参与|參與|进入|進入|返回|查看|点击|點擊|打印|分享|收藏|评论|評論|关闭|關閉|我要)\S*$")
# a channel after the medium's name: "网易新闻.国内"
_DOT_CHANNEL = re.compile(r"^(?P<v>[^.]{2,})\.(?P<c>[^.]{2,6})$")


def _publisher_name(value: str) -> str | None:
    """A Chinese 来源 value's name alone: separators off its edges ("健康报 ⋅"), out of its brackets ("[ 中关村在线 原创
    ]"), without a note on how it came, a button's words or a channel after it, once where it is written twice
    ("新文化报-新文化报")."""
    v = value.strip(_EDGE_SEPARATORS)
    if m := _BRACKETED.match(v):
        v = m["v"]
    if (rest := _HOW_IT_CAME.sub("", v)) != v and len(rest) >= 2 and not _JUNK_NAME.match(rest):
        v = rest  # (not "本站原创": "本站" alone says less)
    v = _BUTTON_TAIL.sub("", v)
    if (m := _DOT_CHANNEL.match(v)) and _CHANNEL.match(m["c"]):
        v = m["v"]
    for sep in ("-", "－", "_", "|", "｜"):
        left, _, right = v.partition(sep)
        if right and left.strip() == right.strip():
            v = left.strip()
    return v.strip(_EDGE_SEPARATORS) or None


def page_author(page, zones, publisher: str | None = None) -> str | None:
    if v := page.selected("author"):
        return v
    # (the header's "责任编辑：康哲" too: a CMS fills its author meta with the editor)
    strong_editor = find_editor(zones.after_body_start, strong_only=True) or \
        find_editor(zones.zone + "\n" + zones.pre_zone, strong_only=True)
    valid = valid_author(page, publisher, strong_editor)
    v = find_author(zones.zone, zones.first, zones.last, page.meta, zones.head, zones.from_title,
                    lambda value, kind: valid(clean_byline(value), kind))
    # (a plain "编辑：…" is the editor, never the author: taking it for the author was wrong on 4 of 5 bench
    # pages, both halves)
    return clean_byline(v)


def page_editor(page, zones) -> str | None:
    if v := page.selected("editor"):
        return v
    # the trailer's 责任编辑/编辑, else the header byline's pairs ("2016-10-17 10:24 来源：央广网 编辑：张坷")
    # (a Chinese name only there: a Latin value in that slot was a CMS account on the bench, "YF352", "Cobra")
    v = find_editor(zones.after_body_start)
    if v is None and (w := _tidy(byline.first(zones.zone + "\n" + zones.pre_zone, "editor"))) and _CJK_CHAR.search(w):
        v = w
    v = _without_medium(v)
    if v and _CJK_CHAR.search(v) and not _editor_like(v):
        return None
    # the site's own name in the editor slot ("编辑：吉林在线") names no editor
    return None if v and _CJK_CHAR.search(v) and _norm(v) in site_names(page) else v


_STAFF_CODE = re.compile(r"_[A-Za-z\d]+$")  # "王文华_NF5982": the page shows the editor so, and so he is given


def _editor_like(value: str) -> bool:
    """A Chinese editor's value that may be a name or a handle: not a word of the page ("娱乐", "纠错": the
    common words), no digits, address or punctuation ("琪琳阅读：3934", "出版/印刷", "来源ltaaa.com")."""
    return _name_shaped(_STAFF_CODE.sub("", value))
