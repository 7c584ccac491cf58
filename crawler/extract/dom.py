"""Small helpers over plain lxml.etree elements. Plain etree (not lxml.html's element classes)
because the per-element class lookup of lxml.html costs more than our whole walk."""
from __future__ import annotations

import re

from lxml import etree

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(el) -> str:
    """Visible text of an element, whitespace collapsed."""
    try:
        raw = etree.tostring(el, method="text", encoding=str, with_tail=False)
    except (ValueError, TypeError):
        raw = "".join(el.itertext())
    # split()/join collapse and strip the same whitespace as `\s+` -> " " then strip() (one C pass, no
    # regex); control characters are never printable, so most texts skip the removal pass
    out = " ".join(raw.split())
    return out if out.isprintable() else _CONTROL.sub("", out).strip()


def drop(el) -> None:
    """Remove an element, keeping its tail text (lxml.html's drop_tree for plain etree)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def body_of(tree):
    body = tree.find("body")
    return body if body is not None else tree


def css(tree, selector: str) -> list:
    from lxml.cssselect import CSSSelector

    return CSSSelector(selector, translator="html")(tree)
