"""Main-text selection.

One walk over the tree turns it into "lines" (text between block boundaries, with its link text
counted) and records which line range each block element spans. Each line gets a value: positive
for sentence-like text, negative for link lists and short fragments. The article container is the
block element whose line range has the largest value sum (a maximum-weight subtree, computed from
prefix sums, so the whole selection is linear). Lines of that container then pass a boilerplate
filter (editor trailers, share bars, disclaimers, copyright, headline copies).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

BLOCK = frozenset((
    "p", "div", "td", "th", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
    "section", "article", "main", "body", "ul", "ol", "dl", "table", "tr", "tbody", "thead", "tfoot",
    "figure", "figcaption", "center", "form", "header", "footer", "nav", "aside", "address", "fieldset",
    "caption", "details", "summary", "hr", "html"))
# Containers allowed to be "the article".
CONTAINER = frozenset(("div", "td", "article", "section", "main", "body", "table", "tbody", "center",
                       "form", "blockquote", "font", "span", "ul", "ol", "dl", "tr", "dd", "li"))
_STRUCTURAL_DROP = ("nav", "footer", "aside", "header")

# class/id words of blocks that are never article text. Checked with substring tests on the
# lower-cased attribute (a big regex alternation costs ~0.3 µs per character in `re`).
_UNLIKELY_SUB = ("comment", "reply", "share", "social", "related", "recommend", "relevant", "hotnews", "hot-news",
                 "hotlist", "sidebar", "side-bar", "footer", "copyright", "breadcrumb", "crumb", "navbar", "pager",
                 "pagination", "popup", "modal", "cookie", "banner", "advert", "sponsor", "subscribe", "newsletter",
                 "keyword", "promo", "disclaimer", "toolbar", "login", "signup", "qrcode", "erweima",
                 "authorbox", "author-box", "author-bio", "outbrain", "taboola", "dianzan", "fenxiang", "xgyd",
                 "xgxw", "tuijian", "pinglun", "mianze", "jubao", "byline", "dateline", "more-link", "rank")
_UNLIKELY_WORDS = frozenset(("ad", "ads", "nav", "tag", "tags", "foot", "bio", "menu", "print", "footnav",
                             "topnav", "share", "hotnews", "header"))
_LIKELY_SUB = ("article", "content", "main", "body", "text", "detail", "entry", "post", "story", "zhengwen",
               "news_txt", "rich_media", "trs_editor", "ucap")
_LIKELY_WORDS = frozenset(("zw", "con", "txt", "wz", "nr"))
_SPLIT_ATTR = re.compile(r"[^a-z]+")


def _unlikely_attrs(attrs: str) -> bool:
    # word-wise: "commentList", "post-comments", "relatedPosts" -> tokens that start or end with a key
    toks = [t for t in _SPLIT_ATTR.split(attrs.lower()) if t]
    if not any(t in _UNLIKELY_WORDS or t.startswith(_UNLIKELY_SUB) or t.endswith(_UNLIKELY_SUB) for t in toks):
        return False
    return not any(t in _LIKELY_WORDS or t.startswith(_LIKELY_SUB) or t.endswith(_LIKELY_SUB) for t in toks)


def _likely_attrs(attrs: str) -> bool:
    low = attrs.lower()
    return any(k in low for k in _LIKELY_SUB)


_SENT_PUNCT = re.compile(r"[，。！？；,.!?;”\"]")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000\u200b\ufeff]+")

# Lines that are page furniture even inside the article container: a line starting with one of these
# (matched at the start only), or containing one of the phrases.
_BOILER_START = re.compile(
    r"[\(（【\[]?\s*(?:责任编辑|責任編輯|责编|責編|编辑|編輯|校对|审核|审校|监制|值班编辑|实习编辑|本文编辑)\s*[:：|｜/]|"
    r"[\(（【\[]\s*(?:编辑|責編|责编|作者|记者)[^)）】\]]{0,20}[\)）】\]]\s*$|"
    r"(?:分享到|分享至|分享：|分享让|一键分享|第一时间为您推送|微信微博|打印本页|关闭窗口|【打印】|【关闭】|【字体|字号[:：]|扫一扫|扫描二维码|"
    r"返回顶部|返回首页|返回搜狐|上一篇|下一篇|上一条|下一条|相关阅读|相关新闻|相关文章|延伸阅读|热门排行|"
    r"热点推荐|推荐阅读|猜你喜欢|热门文章|最新文章|发表回复|发表评论|网友评论|我要评论|评论\s*\(|点击排行|"
    r"更多精彩|更多内容|查看更多|阅读全文|本文来源|本文標題|本文地址|本文链接|原标题|原題|（原题|\(原题|"
    r"图集|【纠错】|举报|收藏|点赞|在看|阅读原文|关注我们|长按识别|微信扫|标签[:：]|关键词[:：]|相关标签|导读$|摘要$)|"
    r"[\(（]?\s*本文来自.{0,20}[\)）]?$|[\(（【]\s*文\s*[/／][^)）】]{1,20}[\)）】]$|"
    r"(?:share (?:this|on)|follow us|sign up|subscribe|advertisement|related:|related articles|read more|"
    r"click here|all rights reserved|copyright ©|© ?\d{4}|image credit|getty images$|"
    r"recommended|more from|you may also like|tags?:|filed under|posted in|leave a (?:comment|reply)|"
    r"skip to|back to top|we use cookies|accept (?:all )?cookies)", re.I)
_BOILER_PHRASES = ("免责声明", "免責聲明", "版权所有", "版權所有", "版权声明", "版權聲明", "ICP备", "ICP證", "ICP证",
                   "公网安备", "网安备", "转载请注明", "轉載請注明", "正文已结束", "按alt+4", "本文仅代表作者",
                   "请支持独立网站", "更多原创资讯请下载", "All rights reserved", "All Rights Reserved")
_BOILER_GATED = re.compile(r"未经(?:本网|本站|许可|授权|允许).{0,10}(?:转载|使用|复制)|反对\s*\d+\s*举报|举报\s*\d+\s*收藏|"
                           r"本文为.{0,12}原创文章|打开.{0,6}APP|下载.{0,6}客户端")


@dataclass(slots=True)
class Line:
    text: str
    el: object  # innermost block element
    n: int  # tokens: CJK characters + other words
    links: int  # tokens inside <a>
    heading: bool
    pre: bool
    excluded: bool  # inside nav/footer/aside/header or a class/id-flagged block


def _tokens(text: str) -> int:
    """Approximate metric tokens: non-ASCII characters (CJK) + ASCII words; C-speed string ops."""
    if text.isascii():
        return len(text.split())
    ascii_part = text.encode("ascii", "ignore")
    return len(text) - len(ascii_part) + len(ascii_part.split())


_ATTR_CACHE: dict[str, bool] = {}
# Only these tags are tested against the class/id patterns (inline tags never hold whole blocks).
_FLAGGABLE = frozenset(("div", "section", "ul", "ol", "table", "dl", "form", "aside", "nav", "footer", "header",
                        "li", "p", "span"))


def _excluded(el) -> bool:
    if el.tag in _STRUCTURAL_DROP:
        return True
    attrs = (el.get("class") or "") + " " + (el.get("id") or "")
    hit = _ATTR_CACHE.get(attrs)
    if hit is None:  # class names repeat within and across a site's pages
        hit = _unlikely_attrs(attrs)
        if len(_ATTR_CACHE) < 50_000:
            _ATTR_CACHE[attrs] = hit
    return hit


def lines_of(root) -> tuple[list[Line], dict]:
    """Walk once: lines in reading order and each block element's [start, end) line range.
    Hot loop: locals only, no per-event function calls unless a block boundary has text."""
    lines: list[Line] = []
    spans: dict = {}
    starts: dict = {}
    buf: list[str] = []
    link_buf: list[str] = []
    link = 0
    pre = 0
    block_stack = [root]
    excl_stack: list = []
    excl_spans: list = []
    block, flaggable, structural, headings = BLOCK, _FLAGGABLE, _STRUCTURAL_DROP, _HEADINGS
    cache = _ATTR_CACHE
    tokens = _tokens

    def flush():
        raw = "".join(buf)
        buf.clear()
        if "\u200b" in raw or "\ufeff" in raw:
            raw = raw.replace("\u200b", "").replace("\ufeff", "")
        if pre:
            text = "\n".join(_WS.sub(" ", x).rstrip() for x in raw.strip("\n").split("\n")).strip()
        else:
            text = " ".join(raw.split())
        if text and (n := tokens(text)):
            links = min(tokens("".join(link_buf)), n) if link_buf else 0
            el = block_stack[-1]
            lines.append(Line(text, el, n, links, el.tag in headings, bool(pre), False))
        link_buf.clear()

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if tag.__class__ is not str:  # comments/PIs are stripped; entities etc. carry only a tail
            if event == "end" and el.tail:
                buf.append(el.tail)
            continue
        if event == "start":
            if tag in block:
                if buf:
                    flush()
                block_stack.append(el)
                starts[el] = len(lines)
                if tag == "pre":
                    pre += 1
            elif tag == "a":
                link += 1
            elif tag == "br":
                if buf:
                    flush()
            if tag in flaggable:
                if tag in structural:
                    hit = True
                else:
                    cls = el.get("class")
                    ident = el.get("id")
                    if cls or ident:
                        attrs = f"{cls} {ident}"
                        hit = cache.get(attrs)
                        if hit is None:  # class names repeat within and across a site's pages
                            hit = _unlikely_attrs(attrs)
                            if len(cache) < 50_000:
                                cache[attrs] = hit
                    else:
                        hit = False
                if hit:
                    if buf:
                        flush()
                    excl_stack.append((el, len(lines)))
            t = el.text
            if t and (buf or not t.isspace()):
                buf.append(t)
                if link:
                    link_buf.append(t)
        else:
            if tag in block:
                if buf:
                    flush()
                block_stack.pop()
                spans[el] = (starts.pop(el), len(lines))
                if tag == "pre":
                    pre -= 1
            elif tag == "a":
                link -= 1
            if excl_stack and excl_stack[-1][0] is el:
                if buf:
                    flush()
                excl_spans.append((excl_stack.pop()[1], len(lines)))
            t = el.tail
            if t and (buf or not t.isspace()):
                buf.append(t)
                if link:
                    link_buf.append(t)
    if buf:
        flush()
    _apply_exclusions(lines, excl_spans)
    return lines, spans


def _apply_exclusions(lines: list[Line], excl_spans: list) -> None:
    """Mark lines inside flagged blocks, unless the block holds most of the page's text: a wrapper
    named "post-promo" or "page-footer-wrap" around the whole article must not sink it."""
    if not excl_spans:
        return
    values = [max(line_value(line), 0.0) for line in lines]
    total = sum(values) or 1.0
    for s, e in excl_spans:
        if sum(values[s:e]) < 0.6 * total:
            for i in range(s, e):
                lines[i].excluded = True


def line_value(line: Line) -> float:
    n, links = line.n, line.links
    if line.excluded:
        return 0.0
    if links * 2 > n:
        return -n - 2
    punct = len(_SENT_PUNCT.findall(line.text))
    own = n - links
    if punct and own >= 10:
        # inline links inside prose cost less than link-only lines
        return own - (0.5 if own >= 20 else 2) * links
    if own >= 25:
        return own * 0.5
    return -1.0


def best_container(lines: list[Line], spans: dict):
    values = [line_value(line) for line in lines]
    cum = [0.0]
    for v in values:
        cum.append(cum[-1] + v)
    best, best_score = None, 0.0
    for el, (s, e) in spans.items():
        if e <= s or el.tag not in CONTAINER:
            continue
        score = cum[e] - cum[s]
        if score * 1.15 <= best_score:
            continue
        attrs = el.get("class") or el.get("id")
        if attrs and _likely_attrs(attrs):
            score *= 1.15
        if score > best_score:
            best, best_score = el, score
    return best, values


def is_boilerplate(text: str) -> bool:
    if len(text) >= 200:
        return False
    if _BOILER_START.match(text) or any(p in text for p in _BOILER_PHRASES):
        return True
    return ("未经" in text or "举报" in text or "本文为" in text or "下载" in text or "打开" in text) \
        and bool(_BOILER_GATED.search(text))


def select_lines(lines: list[Line], values: list[float], span: tuple[int, int], title: str | None,
                 simplify=None) -> list[Line]:
    """Lines of the chosen block minus furniture. `simplify` (t2s) lets the Simplified patterns
    catch Traditional pages."""
    s, e = span
    chosen = lines[s:e]
    title_key = re.sub(r"\W+", "", title or "")
    out = []
    for line in chosen:
        if line.excluded or (line.links * 2 > line.n and line.n < 40):
            continue
        if is_boilerplate(simplify(line.text) if simplify else line.text):
            continue
        if title_key and line.n < 80 and re.sub(r"\W+", "", line.text) == title_key:
            continue
        out.append(line)
    # A summary box repeats the start of the next paragraph (导读, 摘要): keep only the paragraph.
    keys = [re.sub(r"\W+", "", line.text) for line in out]
    out = [line for i, line in enumerate(out)
           if not (len(keys[i]) >= 15 and any(k.startswith(keys[i][:-3]) and len(k) > len(keys[i]) - 3
                                              for k in keys[i + 1:i + 4]))]
    # Trim weak edges: short non-sentences before the first / after the last real paragraph.
    def weak(line: Line) -> bool:
        return line.n < 8 and not _SENT_PUNCT.search(line.text[-2:] if line.text else "")
    while out and weak(out[-1]):
        out.pop()
    while out and weak(out[0]) and len(out) > 1:
        out.pop(0)
    return out
