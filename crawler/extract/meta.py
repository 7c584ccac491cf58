"""<head> metadata read once: meta tags (name/property/itemprop, lower-cased keys), JSON-LD,
canonical link, <title>, <html lang>, <base href>."""
from __future__ import annotations

import json
import re

from crawler.extract.dom import text


def read_meta(tree) -> dict:
    metas: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if key and content and key not in metas:
            metas[key] = content
    jsonld: dict[str, object] = {}
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for item in _flatten(data):
            if isinstance(item, dict) and re.search(r"Article|Posting|Report|WebPage|Blog",
                                                    str(item.get("@type", ""))):
                for k in ("headline", "datePublished", "dateCreated", "author", "publisher", "keywords", "url"):
                    if k in item and k not in jsonld:
                        jsonld[k] = item[k]
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    base = tree.xpath("//base/@href")
    title_el = tree.find(".//title")
    html = tree if tree.tag == "html" else tree.getroottree().getroot()
    return {
        "meta": metas,
        "jsonld": jsonld,
        "canonical": canonical[0].strip() if canonical else None,
        "base": base[0].strip() if base else None,
        "title": text(title_el) if title_el is not None else "",
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
