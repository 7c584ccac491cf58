"""Where the page sits and where it came from: breadcrumbs, keywords, the declared canonical URL and a
reprint's original link (【来源】 / 原文链接)."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.extract.dom import text as el_text
from crawler.extract.titles import norm

BREADCRUMB_SPLIT = re.compile(r"\s*(?:>>|>|›|»|→|＞|\s/\s)\s*")
CRUMB_START = re.compile(r"^(?:当前位置|您的位置|你的位置|您现在的位置|所在位置|当前位置为)?\s*[:：]?\s*(?:首页|首頁|网站首页|主页|Home)\s*(?:>|›|»|→|/|＞)")
_CRUMB_LABEL = re.compile(r"^(?:当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*[:：]\s*")
# a reprint's source line: "【来源】 https://…", "原文链接：https://…"
ORIGINAL = re.compile(r"^\s*(?:【来源】|【來源】|原文链接|原文地址|原文網址|来源链接|Source)\s*[:：]?\s*(https?://\S+)\s*$")
_KEYWORD_SPLIT = re.compile(r"[,，;；|、]+|\s{2,}")


def trail_to(text: str, title_key: str) -> bool:
    """A breadcrumb trail of 3+ crumbs ending in the headline ("论坛名 » 栏目 » 标题")."""
    if len(text) <= len(title_key) or not (">" in text or "»" in text or "›" in text or "→" in text or "＞" in text
                                           or " / " in text):  # (BREADCRUMB_SPLIT's separators: cheap tests first)
        return False
    crumbs = BREADCRUMB_SPLIT.split(text)
    return len(crumbs) >= 3 and norm(crumbs[-1]) == title_key


def breadcrumbs(lines, title_idx: int | None, title_key: str) -> list[str]:
    """The first trail line near the top ("首页 > 新闻 > 正文", or one ending in the headline)."""
    for line in lines[:max(title_idx or 0, 1) + 40]:
        if len(line.text) < 200 and (CRUMB_START.match(line.text) or (title_key and trail_to(line.text, title_key))):
            crumb = _CRUMB_LABEL.sub("", line.text)
            return [c for c in (x.strip(" -") for x in BREADCRUMB_SPLIT.split(crumb)) if c]
    return []


def keywords(meta: dict) -> list[str]:
    kw = meta["meta"].get("keywords") or ""
    return [k for k in (x.strip() for x in _KEYWORD_SPLIT.split(kw)) if k and len(k) < 40][:30]


def canonical(meta: dict, url: str | None) -> str | None:
    found = meta["canonical"] or meta["meta"].get("og:url")
    return urljoin(url, found) if found and url else found


def original_in_lines(lines) -> str | None:
    """A reprint's 【来源】 link, wherever it sits (often the last, short line)."""
    for line in lines:
        if line.n < 40 and (m := ORIGINAL.match(line.text)):
            return m.group(1)
    return None


def drop_original_lines(body_lines: list[str]) -> tuple[list[str], str | None]:
    """The body without its 【来源】 / 原文链接 lines, and the first such link."""
    kept, found = [], None
    for line in body_lines:
        if m := ORIGINAL.match(line):
            found = found or m.group(1)
            continue
        kept.append(line)
    return kept, found


def original_anchor(root) -> str | None:
    """An <a> reading 原文链接 / 阅读原文 to an absolute URL."""
    for a in root.iter("a"):
        t = el_text(a)
        if t.startswith(("原文链接", "阅读原文", "查看原文", "原文地址")) and (a.get("href") or "").startswith("http"):
            return a.get("href")
    return None
