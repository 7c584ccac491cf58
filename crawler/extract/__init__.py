"""Baseline extraction: decoding, headline and main-text block. Pure (bytes in, record out).

The Chinese-aware engine (issue 3) replaces the body of this module; the contract stays:
`extract(html, url=None, *, content_type=None, selectors=None) -> Article`.
"""
from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from crawler.extract.record import Article

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w-]+)", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DATE = re.compile(r"(20\d\d|19\d\d)\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})[:：时](\d{2}))?")
_PUBLISHER = re.compile(r"来源\s*[:：]\s*([^\s|｜　]{2,30})")
_DROP = ("script", "style", "noscript", "iframe", "form", "nav", "footer", "header", "aside", "select", "button")


def _normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    try:
        name = codecs.lookup(name.decode() if isinstance(name, bytes) else name).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "gb18030" if name in ("gb2312", "gbk", "gb18030") else name


def decode_html(html: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes: BOM, then HTTP charset, then meta charset (GBK read as GB18030);
    a declaration the bytes contradict is dropped in favour of strict UTF-8, GB18030, detection."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if html.startswith(bom):
            return html[len(bom):].decode(name, "replace"), name
    declared = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        declared.append(_normalise_charset(m.group(1)))
    if m := _META_CHARSET.search(html[:4096]):
        declared.append(_normalise_charset(m.group(1)))
    for name in [*filter(None, declared), "utf-8", "gb18030"]:
        try:
            return html.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(html[:200_000]).best()
    name = best.encoding if best else "utf-8"
    return html.decode(name, "replace"), name


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.text_content()).strip()


def _own_text_length(node) -> int:
    """Text directly inside the node (not in child elements): <br>-separated article text."""
    own = (node.text or "") + "".join(child.tail or "" for child in node if child.tag not in ("a",))
    return len(own.strip())


def extract(html: bytes, url: str | None = None, *, content_type: str | None = None,
            selectors: dict[str, str] | None = None) -> Article:
    article = Article()
    try:
        text, article.encoding = decode_html(html or b"", content_type)
        tree = lxml.html.document_fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError, RecursionError):
        tree = None
    if tree is None:
        article.flags.append("no_article")
        return article
    for bad in tree.xpath("|".join(f"//{tag}" for tag in _DROP)):
        bad.drop_tree()
    selectors = selectors or {}

    def pick(field: str):
        if field in selectors:
            found = tree.cssselect(selectors[field])
            return found[0] if found else None
        return None

    title_node = pick("title")
    if title_node is not None:
        article.title = _text(title_node)
    else:
        og = tree.xpath('//meta[@property="og:title"]/@content')
        h1 = [_text(h) for h in tree.xpath("//h1") if _text(h)]
        page_title = (tree.findtext(".//title") or "").strip()
        article.title = (og[0].strip() if og else None) or (h1[0] if h1 else None) or (
            re.split(r"\s*[-_|｜—]\s*", page_title)[0] if page_title else None)

    body_node = pick("body")
    if body_node is None:
        best, best_score = None, 0.0
        for node in tree.iter("div", "article", "section", "td"):
            score = _own_text_length(node) + sum(
                len(t) for t in (_text(p) for p in node.findall(".//p")) if len(t) > 15)
            score -= sum(len(_text(a)) for a in node.findall(".//a"))
            if score > best_score:
                best, best_score = node, score
        body_node = best
    if body_node is not None:
        for br in body_node.iter("br"):
            br.tail = "\n" + (br.tail or "")
        if _own_text_length(body_node) > sum(len(_text(p)) for p in body_node.findall(".//p")):
            lines = body_node.text_content().split("\n")
        else:
            lines = [p.text_content() for p in body_node.findall(".//p")]
        article.body = "\n".join(t for t in (re.sub(r"\s+", " ", line).strip() for line in lines) if t)
    if not article.body:
        article.flags.append("no_article")

    head_text = _text(tree.body) if tree.body is not None else ""
    anchor = head_text.find(article.title[:10]) if article.title else 0
    window = head_text[max(anchor, 0): max(anchor, 0) + 400]
    node = pick("published")
    for source_text in ([_text(node)] if node is not None else []) + [window, head_text]:
        if m := _DATE.search(source_text):
            y, mo, d, h, mi = m.groups()
            article.published = f"{y}-{int(mo):02d}-{int(d):02d}" + (
                f"T{int(h):02d}:{mi}:00+08:00" if h else "")
            break
    node = pick("publisher")
    if node is not None:
        article.publisher = _text(node)
    elif m := _PUBLISHER.search(window):
        article.publisher = m.group(1)
    article.lang = "zh" if len(_CJK.findall(article.body[:2000])) > 50 else (tree.get("lang") or None)
    return article
