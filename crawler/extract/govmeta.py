"""Government document metadata: 文号, the 索引号/发文机关/成文日期/主题分类 table, attachments.

Gov CMS pages (gov.cn `table.bd1`, gkmlpt, TRS) show the metadata as label/value cells or as
"label：value" text; both are read by label, so the template does not matter."""
from __future__ import annotations

import re

from lxml import etree
from urllib.parse import urljoin

GOV_LABELS = ("索引号", "发文机关", "发布机构", "发布机关", "发文单位", "发布单位", "制发机关", "成文日期", "发文日期", "发布日期",
              "发布时间", "公布日期", "公开日期", "生成日期", "责任部门", "主题分类", "主题词",
              "发文字号", "文号", "公文种类", "体裁分类", "组配分类", "信息分类", "有效性", "生效日期", "废止日期",
              "主送机关", "标题", "名称", "文件编号", "公开方式", "公开范围")
_LABEL_KEY = re.compile(r"^\s*(" + "|".join(GOV_LABELS) + r")\s*[:：]?\s*$")
# a value's character: not the start of the next "label：" (cells joined without a space: "发布时间：2024-05-09来源：
# 国家医疗保障局", "发布机构：国家医疗保障局发布日期：2024-05-09")
_NEXT_LABEL = "|".join(GOV_LABELS + ("信息来源", "文章来源", "来源", "作者", "浏览次数", "点击数", "访问次数", "字号", "责任编辑", "编辑"))
_VALUE_CHAR = r"(?:(?!(?:" + _NEXT_LABEL + r")\s*[:：])[^\s:：])"
_LABEL_TEXT = re.compile(r"(" + "|".join(GOV_LABELS) + r")\s*[:：]\s*(" + _VALUE_CHAR + "{1,80}(?: " + _VALUE_CHAR + "{1,40})?)")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,15}\s*[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*第?\s*\d{1,5}\s*号")
_ATTACH = re.compile(r"\.(pdf|docx?|xlsx?|ofd|wps|et|pptx?|zip|rar|7z|csv)(?:$|[?#])", re.I)


from crawler.extract.dom import text as _cell_text


# a label anywhere in a line's text (spaced-out labels too: "发 布 日 期")
LABEL_ANYWHERE = re.compile("|".join(r"[ \u3000]*".join(label) for label in GOV_LABELS))
_CELL_TAGS = ("td", "th", "span", "li", "div", "p", "dt", "b", "strong", "label")


def _cells(root, blocks):
    if blocks is None:
        yield from root.iter(*_CELL_TAGS)
        return
    seen = set()
    for block in blocks:
        for cell in block.iter(*_CELL_TAGS):
            if cell not in seen:
                seen.add(cell)
                yield cell


def gov_table(root, blocks=None) -> dict[str, str]:
    """Label/value pairs. `blocks`: the block elements whose text shows a label (from the line walk);
    only their cells are read. None reads every cell under `root`."""
    found: dict[str, str] = {}
    for cell in _cells(root, blocks):
        if len(cell) > 3:
            continue
        text = _cell_text(cell)
        if len(text) > 120 or not text:
            continue
        m = _LABEL_KEY.match(text.replace(" ", "").replace("\u3000", ""))
        if m:
            nxt = cell.getnext()
            if nxt is not None and isinstance(nxt.tag, str):
                value = _cell_text(nxt)
                if value and not _LABEL_KEY.match(value) and len(value) < 200:
                    found.setdefault(m.group(1), value)
            elif (tail := (cell.tail or "").strip(" :：\n\t")):
                found.setdefault(m.group(1), tail)
            continue
        text = re.sub(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff]{1,3}\s*[:：])", "", text)
        for m in _LABEL_TEXT.finditer(text):
            found.setdefault(m.group(1), m.group(2).strip())
    return found


def doc_number(gov: dict[str, str], texts: list[str]) -> str | None:
    """The 文号: the table's cell, else one printed on a line of its own (under the headline, in the headline)."""
    for key in ("发文字号", "文号", "文件编号"):
        if key in gov and DOC_NUMBER.search(gov[key]):
            return re.sub(r"\s+", "", DOC_NUMBER.search(gov[key]).group(0))
        if key in gov and any(c.isdigit() for c in gov[key]):  # ("便函", "无": the document has no number)
            return gov[key]
    for text in texts:
        if not text or "号" not in text:  # (every match ends in 号: a C-speed test first)
            continue
        for m in DOC_NUMBER.finditer(text):
            if not _in_sentence(text, m.start(), m.end()):
                return re.sub(r"\s+", "", m.group(0))
    return None


def _in_sentence(text: str, start: int, end: int) -> bool:
    """Whether a match sits in a sentence ("根据《…办法》（黔人发〔2006〕4号）、…"): a cited document's number."""
    line = text[text.rfind("\n", 0, start) + 1:(text.find("\n", end) + 1 or len(text) + 1) - 1]
    return "，" in line or "。" in line or "；" in line


def issuing_agency(gov: dict[str, str]) -> str | None:
    # 责任部门: the office answering for the item in a 信息公开 table that names no issuer (江西's county portals)
    for key in ("发文机关", "发布机构", "发布机关", "发文单位", "发布单位", "制发机关", "责任部门"):
        if gov.get(key):
            return gov[key]
    return None


_HREFS = etree.XPath(".//a/@href", smart_strings=False)
try:  # a compiled walk over the nodes: only the hrefs holding ".pdf" & co (no XPath node set, no string per link)
    from crawler.extract._walk import file_hrefs as _hrefs
except ImportError:
    _hrefs = _HREFS
# _ATTACH on any stripped href, read on the unstripped hrefs: `\s*` before the line end allows the
# whitespace strip() would remove (a superset gate: hrefs that pass are checked one by one below)
_ATTACH_ANY = re.compile(r"\.(?:pdf|docx?|xlsx?|ofd|wps|et|pptx?|zip|rar|7z|csv)(?:\s*$|[?#])", re.I | re.M)


def attachments(root, base_url: str | None) -> list[dict[str, str]]:
    # one regex pass over all hrefs decides whether any link is a file at all
    if not _ATTACH_ANY.search("\n".join(_hrefs(root))):
        return []
    out, seen = [], set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or not _ATTACH.search(href) or href.startswith(("javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href) if base_url else href
        if url in seen:
            continue
        seen.add(url)
        name = _cell_text(a) or (a.get("title") or "").strip() \
            or href.rsplit("/", 1)[-1]
        out.append({"name": name, "url": url})
    return out


def gov_table_of(page) -> dict[str, str]:
    """The 索引号 / 发文机关 / 文号 / 发布机构 table of a gov document page, if it has one."""
    text = page.visible_text
    # a one-character `in` is a memchr-speed scan, a longer needle a much slower one: 号, 机 or 单 is in each label
    if ("号" in text or "机" in text or "单" in text) and (
            "索引号" in text or "发文机关" in text or "文号" in text or "发布机构" in text
            or "索 引 号" in text or "索\u3000引\u3000号" in text  # (labels spaced out to a column's width)
            or "发文单位" in text or "发布单位" in text):
        blocks = list(dict.fromkeys(ln.el for ln in page.lines if LABEL_ANYWHERE.search(ln.text)))
        return gov_table(page.root, blocks) if blocks else {}
    return {}


def gov_title(gov: dict[str, str]) -> str | None:
    title = (gov.get("标题") or gov.get("名称") or "").strip()
    return title if 6 <= len(title) <= 150 else None
