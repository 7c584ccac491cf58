"""Split an English translation appended to a Chinese article (AI-rewrite mirrors print
"英语如下:" then "Title: … Keywords: … Content: …"), so body stays the Chinese text."""
from __future__ import annotations

import re

_MARKER = re.compile(r"^\s*(?:英语如下|英文如下|英文版|English version|English Version|以下为英文|翻译如下)\s*[:：]?\s*$")
_TITLE = re.compile(r"^\s*(?:Title|TITLE|标题)\s*[:：]\s*(.*)$")
_KEYWORDS = re.compile(r"^\s*(?:Keywords?|KEYWORDS?|关键词)\s*[:：]\s*(.*)$")
_CONTENT = re.compile(r"^\s*(?:News Content|Content|Body|Text|正文)\s*[:：]\s*(.*)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def split_translation(lines: list[str]) -> tuple[list[str], dict] | None:
    """Return (Chinese lines, {"title", "keywords", "body"}) or None when there is no translation."""
    start = None
    for i, line in enumerate(lines):
        if _MARKER.match(line):
            start = i
            break
        if _TITLE.match(line) and not _CJK.search(line) and any(_CONTENT.match(x) for x in lines[i + 1:i + 6]):
            start = i
            break
    if start is None or start == 0 or not any(_CJK.search(x) for x in lines[:start]):
        return None
    title, keywords, body, in_body = None, [], [], False
    for line in lines[start:]:
        if _MARKER.match(line):
            continue
        if not in_body and (m := _TITLE.match(line)):
            title = m.group(1).strip() or None
        elif not in_body and (m := _KEYWORDS.match(line)):
            keywords = [k.strip() for k in re.split(r"[,，;；]", m.group(1)) if k.strip()]
        elif not in_body and (m := _CONTENT.match(line)):
            in_body = True
            if m.group(1).strip():
                body.append(m.group(1).strip())
        elif in_body or not _CJK.search(line):
            if _CJK.search(line) and len(_CJK.findall(line)) > 10:
                break  # Chinese again: the translation ended
            in_body = True
            body.append(line)
    return lines[:start], {"title": title, "keywords": keywords, "body": "\n".join(body)}
