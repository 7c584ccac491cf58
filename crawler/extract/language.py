"""The page's language and script, and the quality flags that depend on them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.decode import mojibake_count
from crawler.textnorm import cjk_count, is_traditional, to_simplified

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Script:
    chinese: bool  # dates get +08:00, Chinese date and label rules apply
    cjk_head: int  # CJK characters in the body's first 2000 characters (the language test)


def script_of(body: str, title: str | None, page_start: str) -> Script:
    """`page_start`: the page's first 3000 characters of text, read when there is no body."""
    cjk_2000 = cjk_count(body[:2000])
    cjk_3000 = cjk_2000 + cjk_count(body[2000:3000]) if body else cjk_count(page_start)
    return Script(cjk_3000 > 30 or bool(_CJK.search(title or "")), cjk_2000)


def language(script: Script, body: str, declared: str | None) -> str | None:
    if script.chinese and (script.cjk_head > 20 or not body):
        return "zh"
    return (declared or "").split("-")[0] or ("en" if body else None)


def simplified_copy(lang: str | None, body: str, flags: list[str]) -> str | None:
    """OpenCC's Simplified copy of a Traditional Chinese body."""
    if lang == "zh" and body and is_traditional(body):
        flags.append("traditional")
        return to_simplified(body)
    return None


def flag_mojibake(body: str, title: str | None, flags: list[str]) -> None:
    if mojibake_count(body) >= 2 or (title and mojibake_count(title)):
        flags.append("mojibake")
