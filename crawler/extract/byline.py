"""The byline zone read once as label → value pairs: "来源：钱江晚报 作者：记者 李华 编辑：叶海涵 责任编辑：方志华",
"时间：2016-04-26 12:14 来源：永宁县 编辑：YF352", "来源:【广州日报】". One parser for every labelled field: a
value runs from its label's colon to the next label, a separator (｜ | 【 】, two spaces) or the line's end.

The labels need their colon here ("来源于" or "记者从…获悉" in prose are no labels); the unlabelled shapes
(a name beside the date, "（记者 张三）") stay with the field readers in people.py."""
from __future__ import annotations

import re

# (field, labels), longest labels first within a field; "other" labels only end the value before them
_LABELS = (
    ("publisher", ("信息来源", "文章来源", "新闻来源", "稿件来源", "稿源", "稿件", "来源", "來源", "出处", "出處",
                   "发布单位", "發布單位")),
    ("editor", ("责任编辑", "責任編輯", "责编", "責編", "编辑", "編輯")),
    ("author", ("作者", "撰文", "撰稿", "采写", "执笔人", "执笔", "记者", "記者")),
    ("date", ("发布时间", "發布時間", "发布日期", "發布日期", "发表时间", "發表時間", "发稿时间", "时间", "時間", "日期")),
    ("other", ("浏览次数", "浏览", "瀏覽", "阅读", "閱讀", "点击", "點擊", "字号", "字號", "评论", "評論", "分享", "打印",
               "责任校对", "校对", "校對", "摄影", "攝影", "供稿", "更新时间", "更新時間", "修改时间", "审核", "審核",
               "初审", "复审", "终审", "录入", "錄入", "通讯员", "通訊員", "访问量", "访问次数")),
)
_FIELD_OF = {label: name for name, labels in _LABELS for label in labels}
LABEL_WORDS = tuple(_FIELD_OF)
# a label with its colon, not inside a word: "来源：", "责任编辑 :", "【编辑：" (not "资金来源：" in prose: the
# label follows the line start, a space, a bracket or a separator)
_LABEL = re.compile(r"(?:^|(?<=[\s【\[(（|｜/·•]))(?P<label>" + "|".join(sorted(_FIELD_OF, key=len, reverse=True)) +
                    r")\s*[:：]\s*", re.M)
# after a first label on the line, the next ones may be written against the value before them (81.cn:
# "来源：中国武警网作者：李华时责任编辑：杨剑"): a label of two characters or more, with its colon
_GLUED = re.compile(r"(?P<label>" + "|".join(sorted(_FIELD_OF, key=len, reverse=True)) + r")\s*[:：]\s*")
_CUT = re.compile(r"\s{2,}|[|｜【】\[\]()（）]|\n")
# a rank before a name in an author slot: "记者 李华", "本报记者李华", "见习记者 张三"
_RANK = re.compile(r"^(?:本报|本報|本刊|本网|本網|本台|新华社|新華社|中新社)?(?:全媒体|全媒體|融媒体|融媒體|见习|見習|实习|實習|特约|特約|"
                   r"首席|资深|資深)?(?:记者|記者|通讯员|通訊員|实习生|實習生|撰稿人)\s*")
# a desk or medium written before the rank, apart: "作者：上观新闻 记者 王五"
# (an organisation's ending, so "张三 通讯员 李四" keeps both names)
_ORG_BEFORE_RANK = re.compile(r"^[\u4e00-\u9fff·]{1,10}(?:新闻|新聞|网|網|报|報|社|台|中心|频道|頻道|客户端|客戶端|传媒|傳媒)\s+"
                              r"(?=(?:全媒体|融媒体|见习|見習|实习|實習|特约|特約|首席|资深|資深)?"
                              r"(?:记者|記者|通讯员|通訊員)\s*[\u4e00-\u9fff])")
# a desk and a writer's title before the name, apart: "作者：英国《金融时报》中文网专栏作家 叶檀"
_DESK_TITLE = re.compile(r"^\S{0,20}?(?:专栏作家|專欄作家|特约评论员|特約評論員|评论员|評論員|撰稿人|主笔|主筆)\s+(?=[\u4e00-\u9fff·]{2,4}$)")
_NAME_TOKEN = re.compile(r"^(?:[\u4e00-\u9fff·]{2,12}|[A-Za-z][\w.'-]*)$")


def _cut(value: str) -> str:
    value = value.strip()
    if value[:1] in "【[（(":  # a bracketed value: "来源:【广州日报】"
        value = value[1:]
    m = _CUT.search(value)
    return (value[:m.start()] if m else value).strip(" ,，;；、·")


def pairs(text: str) -> list[tuple[str, str, str]]:
    """(field, label, value) in text order, one per label with a colon; empty values left out."""
    if "：" not in text and ":" not in text:
        return []
    found = []
    for line in text.split("\n"):
        if "：" not in line and ":" not in line:
            continue
        marks = list(_LABEL.finditer(line))
        if marks:
            marks = marks[:1] + list(_GLUED.finditer(line, marks[0].end()))
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
            value = _cut(line[m.end():end])
            field = _FIELD_OF[m.group("label")]
            if field == "author":
                value = _author_value(value)
            elif field in ("publisher", "editor"):
                value = value.split(" ")[0]
            if value:
                found.append((field, m.group("label"), value))
    return found


def _author_value(value: str) -> str:
    """Names only: a rank off the front, then the space-separated names up to the first token that is no
    name ("记者 李华" -> "李华", "谭林 张昊 翟宇星" stays; a rank between names goes: "张三 通讯员 李四")."""
    value = _RANK.sub("", _ORG_BEFORE_RANK.sub("", _DESK_TITLE.sub("", value)))
    names = []
    for token in value.split():
        if _RANK.fullmatch(token):
            continue
        if not _NAME_TOKEN.match(token):
            break
        names.append(token)
    return " ".join(names)


def first(text: str, field: str) -> str | None:
    """The first value of a field in the text's labelled pairs."""
    for name, _, value in pairs(text):
        if name == field:
            return value
    return None
