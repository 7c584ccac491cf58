"""Articles that live as JSON inside the page (Next.js `__NEXT_DATA__`, e.g. thepaper.cn): a
source's `[sources.json_fields]` names the script element and a dotted path per field. Pure."""
from __future__ import annotations

import json

import lxml.html

from crawler.discovery.listed_dates import to_iso
from crawler.extract.record import Article

JSON_FIELDS = ("title", "subtitle", "body", "published", "publisher", "author", "editor", "keywords")
_BLOCKS = ("p", "div", "h2", "h3", "h4", "li", "blockquote", "figcaption", "td")


def apply_json_fields(record: Article, html: str, mapping: dict[str, str]) -> None:
    """Overwrite the record's fields with the values the page's JSON holds (when present)."""
    try:
        tree = lxml.html.document_fromstring(html)
        scripts = tree.cssselect(mapping["script"])
        data = json.loads(scripts[0].text_content()) if scripts else None
    except (ValueError, lxml.etree.ParserError):
        data = None
    if data is None:
        record.flags.append("json_fields_missing")
        return
    for name in JSON_FIELDS:
        value = _get(data, mapping.get(name))
        if value in (None, "", []):
            continue
        if name == "body":
            record.body = html_paragraphs(value) if isinstance(value, str) else record.body
        elif name == "published":
            record.published = to_iso(value) or record.published
        elif name == "keywords":
            record.keywords = [str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value] \
                if isinstance(value, list) else [k.strip() for k in str(value).split(",") if k.strip()]
        else:
            setattr(record, name, str(value).strip())


def html_paragraphs(fragment: str) -> str:
    """An HTML string's text, one paragraph a line."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = []
    for node in root.iter(*_BLOCKS):
        if any(child.tag in _BLOCKS for child in node):
            continue  # its block children speak for it
        lines.extend(node.text_content().split("\n"))
    if not lines:
        lines = root.text_content().split("\n")
    return "\n".join(line.strip() for line in lines if line.strip())


def _get(data, path: str | None):
    if not path:
        return None
    for step in path.split("."):
        if isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        elif isinstance(data, dict):
            data = data.get(step)
        else:
            return None
    return data
