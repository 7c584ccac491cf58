"""One page, read once: the decoded text, the parse tree, the <head> metadata, the walked lines. Every
field family is a function of this value (fundus calls it `precomputed`): nothing re-decodes, re-parses
or re-walks the page."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urljoin

from lxml import etree

from crawler.extract import body as body_mod
from crawler.extract.clean import drop_hidden, drop_invisible, preclean_text
from crawler.extract.decode import decode_page, header_charset, header_charset_lie
from crawler.extract.dom import body_of, css, text as el_text
from crawler.extract.labels import strip_label
from crawler.extract.meta import read_meta

# huge_tree: libxml2 otherwise stops at 256 levels of nesting and silently drops what lies deeper (table
# layouts of old CMSs, generated pages); its own hard limit is then 2048. Input size is capped by the
# crawler's DOWNLOAD_MAXSIZE.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False,
                           encoding="utf-8", huge_tree=True)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"
_CONTROL_SINGLES = [bytes([b]) for b in _CONTROL_BYTES]  # one memchr-speed search each: no copy of the page
try:  # the same test in one vectorised pass, compiled
    from crawler.extract._walk import has_control_bytes as _has_control
except ImportError:
    def _has_control(data: bytes) -> bool:
        return any(c in data for c in _CONTROL_SINGLES)
_BINARY_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0e, 0x1b))  # the control bytes of binary data
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# </body> or </html> in the page's UTF-8 bytes. The lookahead only repeats what follows (same matches): it keeps
# the pattern's literal prefix to the one character '<', which `re` scans for with a tighter loop
END_TAG = re.compile(rb"<(?=/[bh])/(?:body|html)\s*>", re.I)
try:  # the same search compiled (memchr from '<' to '<')
    from crawler.extract._walk import first_end_tag as _first_end_tag
except ImportError:
    def _first_end_tag(data: bytes):
        return m.span() if (m := END_TAG.search(data)) else None

# fields whose selected element shows a label before its value ("来源：新华网")
_LABELLED_FIELDS = ("publisher", "author", "editor", "published")


@dataclass(eq=False)
class Page:
    url: str | None
    text: str  # the decoded page after the string clean-up (what scripts are searched in)
    encoding: str | None
    tree: object
    root: object  # <body> (or the tree)
    meta: dict  # read_meta(): meta tags, JSON-LD, canonical, <title>, lang, <time> elements
    base: str | None  # the URL links resolve against
    lines: list  # body.Line, in page order
    spans: dict  # block element -> (first line, end line)
    marked: dict  # the walk's collections: title candidates, line values, containers, source elements
    flags: list[str]
    picked: dict = field(default_factory=dict)  # field -> elements its source selector found
    picked_meta: dict = field(default_factory=dict)  # field -> content of the <meta> elements it found

    def selected(self, name: str) -> str | None:
        """The text a source's selector gives for a field (a <meta>'s content), label removed."""
        found = self.picked.get(name)
        if not found:
            return None
        parts = self.picked_meta.get(name) or [el_text(el) for el in found if el.tag != "meta"]
        value = " ".join(p for p in parts if p).strip()
        if value and name in _LABELLED_FIELDS:
            value = strip_label(value)
        return value or None

    @cached_property
    def visible_text(self) -> str:
        """The walked lines' texts: substring gates for the passes that look for a label anywhere."""
        return "\n".join([line.text for line in self.lines])


@dataclass
class Decoded:
    text: str
    encoding: str | None
    raw: bytes | None  # the UTF-8 bytes `text` is exactly the decoding of, else None


def decode(html: bytes, content_type: str | None, flags: list[str]) -> Decoded | None:
    """Bytes to text; None (flagged) for an empty or binary payload."""
    blank = not html or html.isspace()  # (html.strip() would copy the page)
    if _looks_binary(html) or blank:
        flags.append("empty" if blank else "not_html")
        return None
    if not html.startswith((b"\xff\xfe", b"\xfe\xff")) and _has_control(html):
        # anti-copy control characters; byte-level removal is safe in UTF-8 and GB18030 (no multibyte
        # sequence contains a byte below 0x20)
        html = html.translate(None, _CONTROL_BYTES)
    text, encoding, exact = decode_page(html, content_type)
    declared = header_charset(content_type)
    if declared and declared != encoding and header_charset_lie(html, declared):
        flags.append(f"charset_header_ignored:{declared}")
    # the UTF-8 bytes `text` is exactly the decoding of: what libxml2 and the pinyin gate read
    raw = (html[3:] if html.startswith(b"\xef\xbb\xbf") else html) if exact and encoding == "utf-8" else None
    return Decoded(text, encoding, raw)


def build(decoded: Decoded, url: str | None, selectors: dict, flags: list[str]) -> Page | None:
    """Clean, parse, read the head, run the selectors, drop invisible blocks, walk. None: unparseable."""
    text = preclean_text(decoded.text, flags, decoded.raw)
    tree = parse(text, decoded.raw if text is decoded.text else None)
    if any("Excessive depth" in entry.message for entry in _PARSER.error_log):
        flags.append("nesting_too_deep")  # past libxml2's 2048 levels the rest is lost: say so
    if tree is None:
        return None
    meta = read_meta(tree)
    # selectors run before the clean-up, so one may name a <meta> (its content is the value)
    picked = {k: _select(tree, v) for k, v in selectors.items()} if selectors else {}
    picked_meta = {k: [(el.get("content") or "").strip() for el in found if el.tag == "meta"]
                   for k, found in picked.items() if found}
    drop_invisible(tree)
    drop_hidden(tree, flags)
    base = urljoin(url, meta["base"]) if url and meta["base"] else (meta["base"] or url)
    root = body_of(tree)
    lines, spans, marked = body_mod.lines_of(root)
    return Page(url, text, decoded.encoding, tree, root, meta, base, lines, spans, marked, flags, picked, picked_meta)


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    # bytes.translate deletes the control bytes in C: the count of removed bytes, no match objects
    return head.count(b"\x00") > 8 or len(head) - len(head.translate(None, _BINARY_BYTES)) > len(head) // 10


def parse(text: str, raw: bytes | None = None):
    """Parse once. `raw`: the page's UTF-8 bytes when `text` is exactly their decoding (handed to
    libxml2 as they are, sparing a re-encode)."""
    if m := _XML_DECL.match(text):
        text, raw = text[m.end():], None
    if not text or text.isspace():  # (strip() would copy the page)
        return None
    data = raw if raw is not None else text.encode("utf-8", "replace")
    # libxml2 drops everything after a stray </html> (and puts what follows a stray </body> outside the body;
    # gov.cn includes a header template that closes the document); the end tags are optional, so remove them
    # all -- unless the first one is the ordinary end of the page (nothing but end tags and whitespace after it)
    if found := _first_end_tag(data):
        start, end = found
        tail = END_TAG.sub(b"", data[end:])
        if b"<" in tail or (len(data) - end > 400 and len(data[end:].decode("utf-8", "replace")) > 400):  # (characters)
            data = data[:start] + tail
    try:
        return etree.fromstring(data, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _select(tree, css_text: str | None):
    if not css_text:
        return None
    try:
        found = css(tree, css_text)
    except Exception:  # a bad selector in a source config must not sink the page
        return None
    return found
