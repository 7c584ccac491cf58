"""Headline: the on-page heading that the <title> confirms, never a spam-hijacked <title>, no site
suffix. <title> usually is "headline - site"; the heading element matching a part of it is the
displayed headline (so a site-name <h1> or a sidebar <h2> does not win)."""
from __future__ import annotations

import re
import unicodedata

from crawler.extract.clean import is_spam
from crawler.extract.dom import text as el_text

_SEP = re.compile(r"\s*(?:[_|｜]|--?|—+|–|::|\s-\s|\s·\s)\s*")
_NORM = re.compile(r"[\W_]+")
_TITLE_CLASS = re.compile(r"title|headline|tit\b|biaoti|^bt$|h-title|news_title|art_tit|article-?tit", re.I)


_CANDIDATES = ("//h1|//h2|//h3|//*[contains(@class,'tit') or contains(@id,'tit') or contains(@class,'Tit') "
               "or contains(@class,'headline')]")


def norm(text: str) -> str:
    return _NORM.sub("", unicodedata.normalize("NFKC", text or "").lower())


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def doc_title(raw: str, flags: list[str]) -> str:
    """<title> without spam segments (hijacked pages prepend porn/gambling keyword lists)."""
    if not raw:
        return ""
    if is_spam(raw):
        parts = [p for p in _SEP.split(raw) if p and not is_spam(p) and len(p) > 3]
        flags.append("spam_title_ignored")
        return " ".join(parts) if parts and not any(is_spam(p) for p in parts) and len(parts) == 1 else ""
    return raw


def strip_site_suffix(title: str) -> str:
    parts = [p for p in _SEP.split(title) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    return max(parts[:2], key=len).strip()


def find_title(tree, meta: dict, flags: list[str]) -> str | None:
    page_title = doc_title(meta["title"], flags)
    page_key = norm(page_title)
    if len(page_key) < 4:  # "x", "首页": not a headline
        page_title, page_key = "", ""
    candidates = []  # (priority, -position, text)
    for pos, el in enumerate(tree.xpath(_CANDIDATES)[:60]):
        tag = el.tag
        if tag not in ("h1", "h2", "h3"):
            attrs = (el.get("class") or "") + " " + (el.get("id") or "")
            if not _TITLE_CLASS.search(attrs):
                continue
        text = el_text(el)
        if not (4 <= len(text) <= 150) or is_spam(text):
            continue
        key = norm(text)
        if len(key) < 4:
            continue
        prio = {"h1": 4, "h2": 2, "h3": 1}.get(tag, 3)
        if page_key and (key in page_key or (page_key in key and len(key) <= len(page_key) + 4)):
            prio += 10 + min(len(key), 60) / 60
        candidates.append((prio, -pos, text))
    best = max(candidates) if candidates else None
    if best and best[0] >= 10:
        return best[2]
    if best and not page_key:  # no usable <title> (hijacked or missing): the most headline-like element
        return best[2]
    m = meta["meta"]
    for key in ("og:title", "articletitle", "twitter:title", "title"):
        if m.get(key) and not is_spam(m[key]):
            return strip_site_suffix(_clean(m[key]))
    if meta["jsonld"].get("headline") and isinstance(meta["jsonld"]["headline"], str):
        return _clean(meta["jsonld"]["headline"])
    if page_title:
        return strip_site_suffix(page_title)
    if best and best[0] >= 4:
        return best[2]
    return None
