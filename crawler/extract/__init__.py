"""Chinese-aware article extraction. Pure: bytes in, `Article` out, never raises.

Pipeline (each step a module of pure functions on one parsed tree):
decode (bytes -> text) -> string clean-up (controls, pinyin layer) -> parse once -> meta (head tags,
JSON-LD) -> clean (invisible and hidden blocks) -> body.lines_of (one walk: lines + block spans) ->
titles / body selection / dates / people / govmeta / translation.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

from crawler.extract import body as body_mod
from crawler.extract.clean import drop_hidden, drop_invisible, is_spam, preclean_text
from crawler.extract.dates import EN_DATE, find_published
from crawler.extract.decode import decode_html, decode_page, header_charset, header_charset_lie, mojibake_count
from crawler.extract.dom import body_of, css, text as el_text
from crawler.extract.govmeta import LABEL_ANYWHERE, attachments, doc_number, gov_table, issuing_agency
from crawler.extract.meta import read_meta
from crawler.extract.people import byline_editor, find_author, find_editor, find_publisher
from crawler.extract.record import Article
from crawler.extract.titles import find_title, leading_title, norm
from crawler.extract.translation import split_translation
from crawler.textnorm import cjk_count, is_traditional, to_simplified

__all__ = ["extract", "decode_html", "Article"]

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False,
                           encoding="utf-8")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"
_CONTROL_SINGLES = [bytes([b]) for b in _CONTROL_BYTES]  # one memchr-speed search each: no copy of the page
_BINARY_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0e, 0x1b))  # the control bytes of binary data
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# </body> or </html> in the page's UTF-8 bytes. The lookahead only repeats what follows (same matches): it keeps
# the pattern's literal prefix to the one character '<', which `re` scans for with a tighter loop
_END_TAG = re.compile(rb"<(?=/[bh])/(?:body|html)\s*>", re.I)
try:  # the same search compiled (memchr from '<' to '<')
    from crawler.extract._walk import first_end_tag as _first_end_tag
except ImportError:
    def _first_end_tag(data: bytes):
        return m.span() if (m := _END_TAG.search(data)) else None
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"[。！？!?]|\.(?:\s|$)")
_ORIGINAL = re.compile(r"^\s*(?:【来源】|【來源】|原文链接|原文地址|原文網址|来源链接|Source)\s*[:：]?\s*(https?://\S+)\s*$")
_META_LINE = re.compile(r"(?:来源|來源|作者|记者|發布|发布|时间|時間|日期|浏览|阅读|点击|Posted|By\b|Published|Updated)"
                        r"[^。！？]*?(?:(?:19|20)\d\d[-/.年]\d|\d{1,2}:\d\d)|(?:(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}[^。！？]{0,30}"
                        r"(?:来源|來源|作者|浏览|阅读|编辑))", re.I)
# what every _META_LINE match contains: a digit, a date separator or ':', two digits (its year "2023-1" holds
# "023-1", its time "9:30" is one). Much cheaper than _META_LINE (which has no prefix to skip ahead on).
_META_LINE_GATE = re.compile(r"\d(?:\d\d[-/.年]|:\d)\d")
# a short line that is a date (+ time, + source) and nothing sentence-like: "2023-12-28 澎湃新闻·媒体1230"
# the same in English: "Jun 20, 2024", "Published on Thursday, 20 June 2024 at 9:30 am EDT"
_EN_DATE_ONLY = re.compile(r"^\s*(?:(?:Published|Posted|Updated)(?: on)?:?\s+)?(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?"
                           r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+"
                           r"(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d\d(?:,?\s+(?:at\s+)?\d{1,2}:\d\d(?:\s*[ap]\.?m\.?)?"
                           r"(?:\s+[A-Z]{2,4})?)?\s*$", re.I)
_BYLINE_WORD = re.compile(r"\b(?:by|min read|updated|published|posted)\b", re.I)
_DATE_ONLY = re.compile(r"^\s*(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d\d(?::\d\d)?)?(?:\s+[^，。！？,.!?]{0,30})?$")
_BREADCRUMB_SPLIT = re.compile(r"\s*(?:>>|>|›|»|→|＞|\s/\s)\s*")
_CRUMB_START = re.compile(r"^(?:当前位置|您的位置|你的位置|您现在的位置|所在位置|当前位置为)?\s*[:：]?\s*(?:首页|首頁|网站首页|主页|Home)\s*(?:>|›|»|→|/|＞)")


def extract(html: bytes, url: str | None = None, *, content_type: str | None = None,
            selectors: dict[str, str] | None = None) -> Article:
    article = Article()
    try:
        _extract(article, html or b"", url, content_type, selectors or {})
    except Exception as exc:  # noqa: BLE001 -- the contract: never raise on a page; the flag keeps the reason
        article.flags.append(f"extract_error:{type(exc).__name__}")
    if not article.body and "no_article_body" not in article.flags:
        article.flags.append("no_article_body")
    return article


_LABELLED_FIELDS = ("publisher", "author", "editor", "published")
_LABEL_WORDS = ("信息来源", "文章来源", "新闻来源", "稿件来源", "稿源", "来源", "來源", "出处", "作者", "撰稿", "撰文", "记者", "記者",
                "责任编辑", "責任編輯", "责编", "責編", "编辑", "編輯", "发布时间", "發布時間", "发布日期", "發布日期", "发表时间",
                "发稿时间", "更新时间", "时间", "時間", "日期", "Source", "Author", "By", "Editor", "Published", "Posted", "Date")
# "来源：新华网", "【责任编辑:王蔚】", "作 者 ： 张三": the label (spaces allowed inside it) and a colon
_FIELD_LABEL = re.compile(r"^[\s【\[（(]*(?:" + "|".join(r"\s*".join(w) for w in _LABEL_WORDS) + r")\s*[:：]\s*", re.I)


def strip_label(value: str) -> str:
    """A selected 来源/作者/责任编辑/发布时间 element's text without its label and brackets."""
    m = _FIELD_LABEL.match(value)
    if not m:
        return value.strip()
    rest = value[m.end():].strip()
    if any(c in m.group(0) for c in "【[（("):
        rest = rest.rstrip("】]）)").strip()
    return rest


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    # bytes.translate deletes the control bytes in C: the count of removed bytes, no match objects
    return head.count(b"\x00") > 8 or len(head) - len(head.translate(None, _BINARY_BYTES)) > len(head) // 10


def _parse(text: str, raw: bytes | None = None):
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
        tail = _END_TAG.sub(b"", data[end:])
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


def _extract(article: Article, html: bytes, url: str | None, content_type: str | None, selectors: dict) -> None:
    blank = not html or html.isspace()  # (html.strip() would copy the page)
    if _looks_binary(html) or blank:
        article.flags.append("empty" if blank else "not_html")
        return
    if not html.startswith((b"\xff\xfe", b"\xfe\xff")) and any(c in html for c in _CONTROL_SINGLES):
        # anti-copy control characters; byte-level removal is safe in UTF-8 and GB18030 (no multibyte
        # sequence contains a byte below 0x20)
        html = html.translate(None, _CONTROL_BYTES)
    text, article.encoding, exact = decode_page(html, content_type)
    flags = article.flags
    declared = header_charset(content_type)
    if declared and declared != article.encoding and header_charset_lie(html, declared):
        flags.append(f"charset_header_ignored:{declared}")
    # the UTF-8 bytes `text` is exactly the decoding of: what libxml2 and the pinyin gate read
    raw = (html[3:] if html.startswith(b"\xef\xbb\xbf") else html) if exact and article.encoding == "utf-8" else None
    decoded = text
    text = preclean_text(text, flags, raw)
    tree = _parse(text, raw if text is decoded else None)
    if tree is None:
        flags.append("unparseable")
        return
    meta = read_meta(tree)
    # selectors run before the clean-up, so one may name a <meta> (its content is the value)
    picked = {k: _select(tree, v) for k, v in selectors.items()} if selectors else {}
    meta_values = {k: [(el.get("content") or "").strip() for el in found if el.tag == "meta"]
                   for k, found in picked.items() if found}
    drop_invisible(tree)
    drop_hidden(tree, flags)
    base = urljoin(url, meta["base"]) if url and meta["base"] else (meta["base"] or url)

    def sel_text(field: str) -> str | None:
        found = picked.get(field)
        if not found:
            return None
        parts = meta_values.get(field) or [el_text(el) for el in found if el.tag != "meta"]
        value = " ".join(p for p in parts if p).strip()
        if value and field in _LABELLED_FIELDS:
            value = strip_label(value)
        return value or None

    root = body_of(tree)
    lines, spans, marked = body_mod.lines_of(root)

    # title
    article.title = sel_text("title") or find_title(marked["title"], meta, flags)
    article.subtitle = sel_text("subtitle")

    # body
    title_key = norm(article.title or "")
    simplify = to_simplified if is_traditional("".join(ln.text for ln in lines[:400:4])) else None
    if picked.get("body"):
        chosen = []
        for el in picked["body"]:
            s, e = spans.get(el, (0, 0)) if el in spans else _span_of(el, lines)
            chosen.extend(body_mod.select_lines(lines, [], (s, e), article.title, simplify))
        body_start = lines.index(chosen[0]) if chosen else len(lines)
    else:
        body_mod.drop_furniture(root, lines, marked["values"], spans)
        container, values = body_mod.best_container(lines, spans, marked["values"], marked["containers"])
        chosen = body_mod.select_lines(lines, values, spans[container], article.title, simplify, spans) \
            if container is not None else []
        if not chosen:  # no prose anywhere: a table or list page
            container, values = body_mod.fallback_container(lines, spans)
            if container is not None:
                s, e = spans[container]
                chosen = body_mod.select_lines(lines, values, (s, e), article.title, simplify) or \
                    [ln for ln in lines[s:e] if not ln.excluded and ln.links * 2 <= ln.n]  # cells too short to survive the trim
                if chosen:
                    flags.append("body_fallback")
        body_start = lines.index(chosen[0]) if chosen else len(lines)

    # the visible text once: substring gates for the passes below (labels, links live there)
    page_text = "\n".join([line.text for line in lines])
    has_url = "http" in page_text  # every 【来源】/原文链接 line shows its URL
    for line in lines if has_url else ():  # a reprint's 【来源】 link, wherever it sits (often the last, short line)
        if line.n < 40 and (m := _ORIGINAL.match(line.text)):
            article.original_url = m.group(1)
            break

    # header zone: from the headline line to the first body line
    title_idx = _title_line(lines, body_start, title_key)
    if title_idx is not None and title_idx < body_start:
        zone_lines = lines[title_idx + 1:body_start][:15]
    else:
        zone_lines = lines[max(0, body_start - 8):body_start]
    zone_extra, chosen, subtitle = _split_header_lines(chosen, title_key)
    if subtitle and not article.subtitle:
        article.subtitle = subtitle
    # between the block's start and its first body line, in page order: the header lines the split took out
    # and the lines the walk excluded there (a byline or date block classed "byline", "meta", …)
    first_body = lines.index(chosen[0]) if chosen else body_start
    taken = set(zone_extra)
    between = [ln.text for ln in lines[body_start:first_body]
               if ln.text in taken or (ln.excluded and not body_mod.is_caption(ln))]
    in_between = set(between)
    zone_extra = between + [x for x in zone_extra if x not in in_between]
    # photo credits ("Image by: Agency") are not bylines
    zone = "\n".join([line.text for line in zone_lines if not body_mod.is_caption(line)] + zone_extra)
    # short lines opening the body before its first real paragraph (a byline block the header split kept:
    # "本报记者 王燕平", "2003-7-24 钱江晚报", "作者： 周思博"): read for dates and people, left in the body
    lead = []
    for line in chosen[:8]:
        if line.n >= 60 or (line.n >= 25 and _SENTENCE_END.search(line.text)):
            break
        lead.append(line.text)
    lead_text = "\n".join(lead)
    date_zone = zone  # a date in the lead is only a fallback (a gov document's 成文日期 must not beat the meta)
    if lead:
        zone = zone + "\n" + lead_text if zone else lead_text

    body_lines = [line.text for line in chosen]
    # 【来源】 / 原文链接 lines
    if has_url:  # (without a URL on the page no line can match)
        kept = []
        for line in body_lines:
            if m := _ORIGINAL.match(line):
                article.original_url = article.original_url or m.group(1)
                continue
            kept.append(line)
        body_lines = kept
    split = split_translation(body_lines)
    if split:
        body_lines, tr = split
        article.translation_title, article.translation_keywords, article.translation_body = tr["title"], tr["keywords"], tr["body"]
        flags.append("translation_split")
    # one scan of all short lines first: a line is spam only with 3+ distinct terms, so fewer in the
    # union means no line qualifies (most pages: one regex pass instead of one per line)
    short = [x for x in body_lines if len(x) < 300]
    spam = [x for x in short if is_spam(x)] if short and is_spam("\n".join(short)) else []
    if spam:
        body_lines = [x for x in body_lines if x not in spam]
        flags.append("spam_text_removed")
    article.body = "\n".join(body_lines)

    # CJK characters in the body's first 2000 (the language test below) and 3000 characters
    cjk_2000 = cjk_count(article.body[:2000])
    cjk_3000 = cjk_2000 + cjk_count(article.body[2000:3000]) if article.body else cjk_count(_join_upto(lines, 0, 3000))
    chinese = cjk_3000 > 30 or bool(_CJK.search(article.title or ""))

    # dates / people
    body_end = lines.index(chosen[-1]) + 1 if chosen else body_start
    near = "\n".join(ln.text for ln in lines[max(0, body_start - 12):body_start] + lines[body_end:body_end + 3]
                     if ln.n < 60)
    near = lead_text + "\n" + near if lead_text else near
    near += "".join("\n" + x for x in body_lines[-2:] if len(x) < 60)  # a closing "——《刊名》1998年3月号"
    article.published = find_published(date_zone, meta, text, url, chinese, sel_text("published"), near)
    after_title = _join_upto(lines, title_idx or 0, 3000)  # find_publisher reads the first 3000 characters
    # news.cn and others print the 来源 line above the headline: a few short lines before it
    pre_zone = "\n".join(ln.text for ln in lines[max(0, title_idx - 4):title_idx] if ln.n < 40) \
        if title_idx is not None else ""
    article.publisher = sel_text("publisher") or find_publisher(zone, after_title, meta,
                                                                lambda: _source_element(marked["source"]), pre_zone)
    first = "\n".join(body_lines[:2])
    trailer_idx = body_end  # (the line after the body, found above)
    last = "\n".join(body_lines[-6:] + [line.text for line in lines[trailer_idx:trailer_idx + 4]]
                     + body_mod.author_box(lines, trailer_idx))
    head = "\n".join(x for x in body_lines[:10] if len(x) < 40)
    # from the headline on: a forum thread's first "… by NAME" footer
    from_title = page_text[sum(len(ln.text) + 1 for ln in lines[:title_idx or 0]):] if " by " in page_text else ""
    article.author = sel_text("author") or find_author(zone, first, last, meta, head, from_title)
    if not article.author:
        article.author = byline_editor(zone + "\n" + last)
    article.editor = sel_text("editor") or find_editor("\n".join([line.text for line in lines[body_start:]])
                                                       or "\n".join(line.text for line in lines[(title_idx or 0):]))

    # keywords, breadcrumbs, canonical
    kw = meta["meta"].get("keywords") or ""
    article.keywords = [k for k in (x.strip() for x in re.split(r"[,，;；|、]+|\s{2,}", kw)) if k and len(k) < 40][:30]
    for line in lines[:max(title_idx or 0, 1) + 40]:
        if len(line.text) < 200 and (_CRUMB_START.match(line.text) or (title_key and _trail_to(line.text, title_key))):
            crumb = re.sub(r"^(?:当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*[:：]\s*", "", line.text)
            article.breadcrumbs = [c for c in (x.strip(" -") for x in _BREADCRUMB_SPLIT.split(crumb)) if c]
            break
    canonical = meta["canonical"] or meta["meta"].get("og:url")
    article.declared_canonical_url = urljoin(url, canonical) if canonical and url else canonical

    # gov documents
    gov = {}
    # a one-character `in` is a memchr-speed scan, a longer needle a much slower one: 号 or 机 is in each label
    if ("号" in page_text or "机" in page_text) and (
            "索引号" in page_text or "发文机关" in page_text or "文号" in page_text or "发布机构" in page_text):
        blocks = list(dict.fromkeys(ln.el for ln in lines if LABEL_ANYWHERE.search(ln.text)))
        gov = gov_table(root, blocks) if blocks else {}
    article.gov_meta = gov
    article.doc_number = doc_number(gov, [article.title or "", zone, "\n".join(body_lines[:3])])
    article.issuing_agency = issuing_agency(gov)
    article.attachments = attachments(root, base)  # a C-filtered pass over <a>: cheaper than a regex over the page

    # original link of a reprint
    if not article.original_url and "原" in page_text and "原文" in page_text:  # ("原": memchr-speed gate)
        for a in root.iter("a"):
            t = el_text(a)
            if t.startswith(("原文链接", "阅读原文", "查看原文", "原文地址")) and (a.get("href") or "").startswith("http"):
                article.original_url = a.get("href")
                break

    # language, script, quality
    if chinese and (cjk_2000 > 20 or not article.body):
        article.lang = "zh"
    else:
        article.lang = (meta["lang"] or "").split("-")[0] or ("en" if article.body else None)
    if article.lang == "zh" and article.body and is_traditional(article.body):
        article.body_simplified = to_simplified(article.body)
        flags.append("traditional")
    if mojibake_count(article.body) >= 2 or (article.title and mojibake_count(article.title)):
        flags.append("mojibake")


def _source_element(candidates: list) -> str | None:
    """Text of a short element classed as the source (qq `a_source`, xinhua `#source`, baidu account name);
    `candidates` come from the body walk (class/id containing source, author-name, account, ...)."""
    for el in candidates[:6]:
        t = strip_label(el_text(el))
        if len(el) <= 2 and 2 <= len(t) <= 30 and not re.search(r"\d{4}|[:：]", t) and "授权" not in t:
            return t
    return None


def _join_upto(lines, start: int, limit: int) -> str:
    """Line texts from `start` joined by newlines, stopping once `limit` characters are reached."""
    out, size = [], 0
    for line in lines[start:]:
        out.append(line.text)
        size += len(line.text) + 1
        if size >= limit:
            break
    return "\n".join(out)


def _title_line(lines, body_start: int, title_key: str):
    """Index of the line showing the headline (last match before the body)."""
    if not title_key:
        return None
    # backwards from the body: the first match is the last one (the headline sits near the body, so few
    # lines pay for norm())
    for i in range(min(body_start, len(lines) - 1), -1, -1):
        line = lines[i]
        if line.n > 150 or line.excluded and line.n > 60:
            continue
        k = norm(line.text)
        if k and (k == title_key or (len(k) >= 6 and k in title_key) or (title_key in k and len(k) < len(title_key) + 20)):
            return i
    return None


def _titled_line(text: str, key: str, title_key: str) -> bool:
    """A headline copy with the site's suffixes ("标题 - 栏目 - 论坛名") or a trail ending in the headline
    ("论坛名 » 栏目 » 标题"): furniture above the body."""
    if title_key not in key:
        return False
    if key.startswith(title_key) and norm(leading_title(text)) == title_key:
        return True
    return _trail_to(text, title_key)


def _trail_to(text: str, title_key: str) -> bool:
    """A breadcrumb trail of 3+ crumbs ending in the headline ("论坛名 » 栏目 » 标题")."""
    if len(text) <= len(title_key) or not (">" in text or "»" in text or "›" in text or "→" in text or "＞" in text
                                           or " / " in text):  # (_BREADCRUMB_SPLIT's separators: cheap tests first)
        return False
    crumbs = _BREADCRUMB_SPLIT.split(text)
    return len(crumbs) >= 3 and norm(crumbs[-1]) == title_key


def _dated_byline(text: str) -> bool:
    """An English date to the day on a byline ("December 11, 2023 - Words by The Team - 7 min read")."""
    return bool(_BYLINE_WORD.search(text) and any(m.group("d1") or m.group("d2") for m in EN_DATE.finditer(text)))


def _split_header_lines(chosen, title_key: str):
    """Header furniture at the top of the chosen block: headline copies, breadcrumbs, the date/来源
    line, a subtitle heading. Returns (header texts, remaining lines, subtitle)."""
    header, subtitle, i = [], None, 0
    first_long = next((k for k, ln in enumerate(chosen) if ln.n >= 60), len(chosen))
    while i < min(len(chosen), first_long, 8):
        line = chosen[i]
        k = norm(line.text)
        if title_key and k and (k == title_key or (len(k) >= 4 and k in title_key) or _titled_line(line.text, k, title_key)):
            pass
        elif _CRUMB_START.match(line.text):
            pass
        elif line.n < 60 and ((_META_LINE_GATE.search(line.text) and _META_LINE.search(line.text))
                              or _DATE_ONLY.search(line.text) or _EN_DATE_ONLY.match(line.text)
                              or (line.n < 30 and _dated_byline(line.text))):
            header.append(line.text)
        elif subtitle is None and line.heading and line.n < 60 and i < 3:
            subtitle = line.text
        else:
            break
        i += 1
    rest = chosen[i:]
    # a date/来源 line further down (after a lead image caption, or a forum post's "发布时间 … by NAME") is
    # header furniture too; below the first lines only when it is no sentence ("2、初试时间：2004年3月底、4月初，
    # 我院寄发准考证时通知具体时间。" is body). (_META_LINE_GATE: a digit test that spares most _META_LINE searches)
    rest = [ln for k, ln in enumerate(rest)
            if not (ln.n < 50 and _META_LINE_GATE.search(ln.text) and _META_LINE.search(ln.text) and ln is not rest[-1]
                    and (k < 3 or not _SENTENCE_END.search(ln.text))
                    and not _ORIGINAL.match(ln.text) and not header.append(ln.text))] or rest
    return header, rest, subtitle


def _span_of(el, lines):
    members = set(el.iter())
    idx = [i for i, line in enumerate(lines) if line.el in members]
    return (idx[0], idx[-1] + 1) if idx else (0, 0)
