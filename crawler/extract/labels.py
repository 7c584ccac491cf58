"""The labels Chinese (and English) pages print before a field's value: "来源：新华网", "【责任编辑:王蔚】"."""
from __future__ import annotations

import re

_LABEL_WORDS = ("信息来源", "文章来源", "新闻来源", "稿件来源", "稿源", "来源", "來源", "出处", "作者", "撰稿", "撰文", "记者", "記者",
                "责任编辑", "責任編輯", "责编", "責編", "编辑", "編輯", "发布时间", "發布時間", "发布日期", "發布日期", "发表时间",
                "发稿时间", "更新时间", "时间", "時間", "日期", "Source", "Author", "By", "Editor", "Published", "Posted", "Date")
# "来源：新华网", "【责任编辑:王蔚】", "作 者 ： 张三": the label (spaces allowed inside it) and a colon
_FIELD_LABEL = re.compile(r"^[\s【\[（(]*(?:" + "|".join(r"\s*".join(w) for w in _LABEL_WORDS) + r")\s*[:：]\s*", re.I)


def strip_label(value: str) -> str:
    """A selected 来源/作者/责任编辑/发布时间 element's text without its label and brackets."""
    m = _FIELD_LABEL.match(value)
    if not m:
        return value.strip()
    rest = value[m.end():].strip()
    if any(c in m.group(0) for c in "【[（("):
        rest = rest.rstrip("】]）)").strip()
    return rest
