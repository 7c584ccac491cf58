"""Attachment links of an article: the file links the extractor found (crawler.extract.govmeta:
.pdf, .docx, .xlsx, .ofd, …) plus links named 附件 whose URL shows no file type
(download.jsp?id=…), which the type-by-extension rule cannot see."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import html as lxml_html

_NAMED = re.compile(r"^\s*附\s*件")
_PAGE_URL = re.compile(r"\.(s?html?)(?:$|[?#])|^(?:javascript:|mailto:|#)", re.I)
_ATTACHMENT_WORD = "附件".encode()


def named_attachments(html: bytes, base_url: str) -> list[dict[str, str]]:
    """Links whose text starts with 附件 ("附件1：名单", "附件下载"), except links to web pages."""
    if _ATTACHMENT_WORD not in html:  # most pages: no parse at all
        return []
    try:
        root = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    found = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        text = " ".join(anchor.text_content().split())
        if href and _NAMED.match(text) and not _PAGE_URL.search(href):
            found.append({"name": text, "url": urljoin(base_url, href)})
    return found


def attachment_links(extracted: list[dict], named: list[dict], limit: int) -> list[dict]:
    """The extractor's links first, then the named ones it missed; each URL once."""
    seen, out = set(), []
    for link in [*(extracted or []), *(named or [])]:
        if link.get("url") and link["url"] not in seen:
            seen.add(link["url"])
            out.append({"name": link.get("name") or link["url"].rsplit("/", 1)[-1], "url": link["url"]})
    return out[:limit]
