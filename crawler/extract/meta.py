"""<head> metadata read once: meta tags (name/property/itemprop, lower-cased keys), JSON-LD,
canonical link, <title>, <html lang>, <base href>."""
from __future__ import annotations

import json
import re

from crawler.extract.dom import text


_LD_TYPE = re.compile(r"Article|Posting|Report|WebPage|Blog")
# markup a CMS copied into a meta value with the headline ('…力量<div>——热烈祝贺…</div>')
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def read_meta(tree) -> dict:
    metas: dict[str, str] = {}
    jsonld: dict[str, object] = {}
    canonical = base = title_el = None
    # one C-filtered pass over the few head-ish tags (a `//x` XPath per tag costs a full tree scan each)
    times: list[tuple[str, str]] = []  # <time datetime>: (value, itemprop/class/parent class), first few
    for el in tree.iter("meta", "script", "link", "base", "title", "time"):
        tag = el.tag
        if tag == "time":
            if len(times) < 8 and (dt := el.get("datetime")):
                parent = el.getparent()
                hint = " ".join(x for x in (el.get("itemprop"), el.get("class"),
                                            parent.get("class") if parent is not None else None) if x)
                times.append((dt.strip(), hint.lower()))
        elif tag == "meta":
            key = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
            content = (el.get("content") or "").strip()
            if "<" in content:
                content = _TAG.sub("", content).strip()
            if key and content and key not in metas:
                metas[key] = content
        elif tag == "script":
            if el.get("type") != "application/ld+json":
                continue
            try:
                data = json.loads(el.text or "")
            except (ValueError, RecursionError):
                continue
            for item in _flatten(data):
                if isinstance(item, dict) and _LD_TYPE.search(str(item.get("@type", ""))):
                    for k in ("headline", "datePublished", "dateCreated", "author", "publisher", "keywords", "url"):
                        if k in item and k not in jsonld:
                            jsonld[k] = item[k]
        elif tag == "link":
            if canonical is None and el.get("rel") == "canonical" and el.get("href") is not None:
                canonical = el.get("href")
        elif tag == "base":
            if base is None and el.get("href") is not None:
                base = el.get("href")
        elif title_el is None:
            title_el = el
    html = tree if tree.tag == "html" else tree.getroottree().getroot()
    return {
        "meta": metas,
        "jsonld": jsonld,
        "canonical": canonical.strip() if canonical else None,
        "base": base.strip() if base else None,
        "title": text(title_el) if title_el is not None else "",
        "times": times,
        "lang": (html.get("lang") or html.get("xml:lang") or "").strip().lower() or None,
    }


def _flatten(data, depth=0):
    if depth > 4:
        return
    if isinstance(data, list):
        for x in data:
            yield from _flatten(x, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"], depth + 1)


def names(value) -> str | None:
    """JSON-LD author/publisher (str, dict or list) -> a display string."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return names(value.get("name"))
    if isinstance(value, list):
        parts = [n for n in (names(v) for v in value[:5]) if n]
        return ", ".join(parts) or None
    return None
