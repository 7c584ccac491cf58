"""JSON, JSONP and XML list endpoints (gov.cn policy library, NHSA's dataproxy, gkmlpt, Xinhua's
data sources, thepaper): the request for page N, and the article links in its answer."""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urljoin

import lxml.html
from lxml import etree

from crawler.config import ApiSpec, Source
from crawler.discovery.base import Discovered, Link
from crawler.discovery.listed_dates import to_iso
from crawler.extract import decode_html
from crawler.fetch.urls import is_http_url

_JSONP = re.compile(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)


def page_request(spec: ApiSpec, page: int) -> dict:
    """url, method, headers and body of the request for list page `page`."""
    values = {"page": page, "page0": page - spec.first_page, "start": (page - spec.first_page) * spec.page_size + 1,
              "end": (page - spec.first_page + 1) * spec.page_size}
    request = {"url": spec.url.format(**values), "method": spec.method, "headers": {}, "body": None}
    if spec.body is None:
        return request
    if isinstance(spec.body, str):
        request["body"] = spec.body.format(**values)
        request["headers"]["Content-Type"] = ("application/json" if spec.body_format == "json"
                                              else "application/x-www-form-urlencoded")
        return request
    filled = {key: _fill(value, values) for key, value in spec.body.items()}
    if spec.body_format == "json":
        request["body"] = json.dumps(filled, ensure_ascii=False)
        request["headers"]["Content-Type"] = "application/json"
    else:
        request["body"] = urlencode(filled)
        request["headers"]["Content-Type"] = "application/x-www-form-urlencoded"
    return request


def _fill(value, values: dict):
    if isinstance(value, str):
        if value in ("{page}", "{page0}", "{start}", "{end}"):
            return values[value[1:-1]]  # a number stays a number in JSON
        return value.format(**values)
    return value


def discover(source: Source, body: bytes, url: str, content_type: str | None = None) -> Discovered:
    spec = source.api
    try:
        items = _xml_items(body, spec) if spec.format == "xml" else _json_items(body, spec, content_type)
    except ValueError as exc:
        return Discovered(problem=f"unreadable {spec.format} answer: {exc}"[:200])
    pattern = re.compile(source.article_pattern) if source.article_pattern else None
    found, seen = Discovered(), set()
    for item in items:
        if not _kept(item, spec.keep):
            continue
        try:
            links = _links(item, spec, url)
        except ValueError:  # a malformed URL in the answer: skip the item, keep the page
            found.skipped += 1
            continue
        for link in links:
            if link.url in seen or not is_http_url(link.url) or (pattern and not pattern.search(link.url)):
                continue
            seen.add(link.url)
            found.articles.append(link)
    return found


def _json_items(body: bytes, spec: ApiSpec, content_type: str | None) -> list:
    text, _ = decode_html(body, content_type)
    text = text.strip()
    if spec.format == "jsonp" and (match := _JSONP.match(text)):
        text = match.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(str(exc)) from None
    items = [data]
    for step in filter(None, spec.items.split(".")):
        walked = []
        for node in items:
            if step == "*":
                walked.extend(node.values() if isinstance(node, dict) else node if isinstance(node, list) else [])
            elif isinstance(node, dict) and step in node:
                walked.append(node[step])
        items = walked
    flat = []
    for node in items:
        flat.extend(node if isinstance(node, list) else [node])
    return flat


def _xml_items(body: bytes, spec: ApiSpec) -> list:
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(body.strip() or b"<empty/>", parser)
    if root is None:
        raise ValueError("not XML")
    tag = spec.items or "record"
    return [{"html": node.text or "", **{child.tag: child.text for child in node if isinstance(child.tag, str)}}
            for node in root.iter(tag)]


def _get(item, path: str | None):
    for step in (path or "").split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(step)
    return item


def _kept(item, keep: dict[str, list[str]]) -> bool:
    return all(any(word in str(_get(item, field) or "") for word in words) for field, words in keep.items())


def _links(item, spec: ApiSpec, base: str) -> list[Link]:
    title, published = _get(item, spec.title_field), to_iso(_get(item, spec.date_field))
    title = lxml.html.fromstring(title).text_content().strip() if isinstance(title, str) and "<" in title else title
    if spec.html_field:
        fragment = item if isinstance(item, str) else _get(item, spec.html_field)
        if not isinstance(fragment, str) or not fragment.strip():
            return []
        tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
        return [Link(urljoin(base, a.get("href").strip()), title=(a.get("title") or a.text_content()).strip() or None,
                     published=published) for a in tree.iter("a") if a.get("href")]
    if spec.url_template:
        try:
            url = spec.url_template.format_map(item if isinstance(item, dict) else {})
        except (KeyError, ValueError, AttributeError):
            return []
    else:
        url = _get(item, spec.url_field)
    if not isinstance(url, str) or not url.strip():
        return []
    return [Link(urljoin(base, url.strip()), title=title if isinstance(title, str) else None, published=published)]
