"""Bytes -> text. BOM, then HTTP charset, then <meta charset>; GBK/GB2312 are read as GB18030 (its
superset, so GBK-only characters such as 喆 survive); a declaration the bytes contradict is dropped
in favour of strict UTF-8, GB18030, then detection."""
from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w-]+)", re.I)
# Invisible C0 controls: anti-copy noise on mirror sites, and lxml rejects some of them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _normalise_charset(name: str | bytes | None) -> str | None:
    if not name:
        return None
    try:
        name = codecs.lookup(name.decode() if isinstance(name, bytes) else name).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "gb18030" if name in ("gb2312", "gbk", "gb18030") else name


# Western single-byte charsets decode any bytes, so a wrong one never fails: an old Java server's
# default "charset=ISO-8859-1" on a UTF-8 (or GB18030) Chinese page would be read as mojibake.
_WESTERN = {"iso8859-1", "cp1252", "ascii", "iso8859-15", "latin-1"}
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def header_charset(content_type: str | None) -> str | None:
    m = _HEADER_CHARSET.search(content_type) if content_type else None
    return _normalise_charset(m.group(1)) if m else None


def header_charset_lie(html: bytes, name: str | None) -> bool:
    """A Western charset in the header on bytes that are strict UTF-8 or GB18030 holding CJK text."""
    if name not in _WESTERN or html.isascii():
        return False
    for candidate in ("utf-8", "gb18030"):
        try:
            text = html.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _CJK.search(text):
            return True
    return False


def decode_html(html: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, encoding used)."""
    text, name, _ = decode_page(html, content_type)
    return text, name


def decode_page(html: bytes, content_type: str | None = None) -> tuple[str, str, bool]:
    """(text, encoding used, whether the text is exactly the bytes after any BOM decoded, nothing replaced)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if html.startswith(bom):
            text = html[len(bom):].decode(name, "replace")
            return text, name, "\ufffd" not in text
    declared = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        header = _normalise_charset(m.group(1))
        if not header_charset_lie(html, header):
            declared.append(header)
    if m := _META_CHARSET.search(html[:4096]):
        declared.append(_normalise_charset(m.group(1)))
    for name in [*filter(None, declared), "utf-8", "gb18030"]:
        try:
            return html.decode(name), name, True
        except (UnicodeDecodeError, LookupError):
            continue
    # a few stray bad bytes in an otherwise valid page (truncated character, a pasted fragment): keep the
    # declared charset rather than letting detection guess a Western code page for Chinese text
    for name in [*filter(None, declared), "utf-8", "gb18030"]:
        try:
            text = html.decode(name, "replace")
        except LookupError:
            continue
        if text.count("\ufffd") <= max(3, len(text) // 500):
            return text, name, False
    from charset_normalizer import from_bytes

    best = from_bytes(html[:200_000]).best()
    name = best.encoding if best else "utf-8"
    try:
        text = html.decode(name, "replace")
    except LookupError:
        name, text = "utf-8", html.decode("utf-8", "replace")
    return text, name, "\ufffd" not in text


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


# U+FFFD, the GBK-as-UTF-8 "锟斤拷" and CJK text broken by '?' are what lossy decoding leaves behind.
# (the CJK character before the '?' is consumed, not looked behind: same count, and `re` can skip ahead)
_MOJIBAKE = re.compile(r"\ufffd|锟斤拷|烫烫烫|[\u4e00-\u9fff]\?{1,3}(?=[\u4e00-\u9fff])")


def _cjk_question(text: str) -> bool:
    """Whether some '?' may follow a CJK character (English prose has many '?', and a regex pass over it
    is slow). Looks at the first 64 '?' only: a text full of them is left to the regex."""
    i = text.find("?")
    for _ in range(64):
        if i == -1:
            return False
        if i and "\u4e00" <= text[i - 1] <= "\u9fff":
            return True
        i = text.find("?", i + 1)
    return True


def mojibake_count(text: str) -> int:
    if not ("\ufffd" in text or "锟" in text or "烫" in text or _cjk_question(text)):  # C-speed gates
        return 0
    return len(_MOJIBAKE.findall(text))
