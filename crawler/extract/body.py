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
from itertools import accumulate, compress

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
                 "xgxw", "tuijian", "pinglun", "mianze", "jubao", "byline", "dateline", "more-link", "rank",
                 "ticker")
_UNLIKELY_WORDS = frozenset(("ad", "ads", "nav", "tag", "tags", "foot", "bio", "menu", "print", "footnav",
                             "topnav", "share", "hotnews", "header",
                             # whole words beating a likely prefix: "posts" (a teaser grid) is not "post"
                             "posts", "about", "cta", "button", "btn"))
# Hyphenated class names whose block is never article text, even beside a likely word ("entry-author-bio",
# "article_author_box", "elementor-hidden-desktop"): matched in the whole class name ('_' read as '-').
# Author boxes; text a desktop browser never shows (the benchmarks' truth is the desktop rendering).
_UNLIKELY_PART = ("author-bio", "author-box", "author-info", "author-desc", "author-about", "about-author",
                  "author-card", "author-profile", "author-details", "authorinfo", "authorbio", "authorbox",
                  "aboutauthor", "contributor-bio", "hidden-desktop", "hide-desktop", "hide-on-desktop",
                  "desktop-hidden", "hidden-lg", "d-lg-none", "sr-only", "screen-reader", "visually-hidden")
_UNLIKELY_PART_RX = re.compile("|".join(re.escape(x).replace("\\-", "[-_]") for x in _UNLIKELY_PART))
# the longest letter run of each: a name holding none of them cannot match (substring tests before the regex)
_UNLIKELY_PART_KEYS = sorted({max(x.split("-"), key=len) for x in _UNLIKELY_PART})
_UNLIKELY_PART_KEYS = tuple(k for k in _UNLIKELY_PART_KEYS if not any(o != k and o in k for o in _UNLIKELY_PART_KEYS))
_LIKELY_SUB = ("article", "content", "main", "body", "text", "detail", "entry", "post", "story", "zhengwen",
               "news_txt", "rich_media", "trs_editor", "ucap")
_LIKELY_WORDS = frozenset(("zw", "con", "txt", "wz", "nr"))
_SPLIT_ATTR = re.compile(r"[^a-z]+")


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
    r"[\(（]?\s*本文来自.{0,20}[\)）]?$|"
    r"(?:阅读|閱讀|浏览|瀏覽|点击|點擊)(?:数|數|量|次数|次數)?\s*[:：(（]?\s*\d[\d,.]*[万萬]?\s*[)）]?\s*次?$|[\(（【]\s*文\s*[/／][^)）】]{1,20}[\)）】]$|"
    r"(?:share (?:this|on)|sharing is caring|follow us|sign up|subscribe|advertisement|related:|related articles|read more|"
    r"this (?:post|article|page|content) (?:may )?contains? (?:affiliate|sponsored|referral)|as an amazon associate|"
    r"click here|all rights reserved|copyright ©|© ?\d{4}|image credit|getty images$|"
    r"recommended|more from|you may also like|tags?:|filed under|posted in|leave a (?:comment|reply)|"
    r"skip to|back to top|we use cookies|accept (?:all )?cookies)", re.I)
_BOILER_PHRASES = ("免责声明", "免責聲明", "版权所有", "版權所有", "版权声明", "版權聲明", "ICP备", "ICP證", "ICP证",
                   "公网安备", "网安备", "转载请注明", "轉載請注明", "正文已结束", "按alt+4", "本文仅代表作者",
                   "请支持独立网站", "更多原创资讯请下载", "All rights reserved", "All Rights Reserved",
                   # a widget's loading notice ("调查问题加载中，请稍候。" / "若长时间无响应，请刷新本页面")
                   "加载中，请稍候", "加载中,请稍候", "若长时间无响应", "请刷新本页面")
_BOILER_PHRASE_RX = re.compile("|".join(map(re.escape, _BOILER_PHRASES)))
_BOILER_GATED = re.compile(r"未经(?:本网|本站|许可|授权|允许).{0,10}(?:转载|使用|复制)|"
                           # a notice naming the site first ("未经环球网 huanqiu.com 书面授权，严禁转载"), not a sentence
                           # of the story ("被告未经原告许可使用其作品", "未经被收集者同意，不得向他人提供")
                           r"未经.{0,24}?(?:许可|授权|同意)[，,]?\s*(?:严禁|禁止|不得|请勿)(?:转载|复制|摘编|镜像)|反对\s*\d+\s*举报|举报\s*\d+\s*收藏|"
                           r"本文为.{0,12}原创文章|打开.{0,6}APP|下载.{0,6}客户端")


@dataclass(slots=True, eq=False)  # identity: lines.index() must not compare fields
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


_ATTR_CACHE: dict[str, int] = {}  # class/id pair of a _FLAGGABLE tag -> bits
_INLINE_ATTR_CACHE: dict[str, int] = {}  # of any other tag: TITLE_LIKE / SOURCE_LIKE bits only
_TOKEN_CACHE: dict[str, int] = {}
# Only these tags are tested against the class/id patterns (inline tags never hold whole blocks).
_FLAGGABLE = frozenset(("div", "section", "ul", "ol", "table", "dl", "form", "aside", "nav", "footer", "header",
                        "li", "p", "span"))
# attribute classes (bits of the cached value)
UNLIKELY, TITLE_LIKE, SOURCE_LIKE = 1, 2, 4
_TITLE_CLASS = re.compile(r"title|headline|tit\b|biaoti|^bt$|h-title|news_title|art_tit|article-?tit", re.I)
# the same on lower-cased ASCII text, without re.I: `re` can then skip ahead on the first letters (re.I also
# matches 'ı', 'ſ' and the Kelvin sign, so non-ASCII text keeps the pattern above)
_TITLE_CLASS_ASCII = re.compile(_TITLE_CLASS.pattern)
_SOURCE_SUB = ("source", "author-name", "account", "media-name", "profile_nickname")
# tag kinds (bits)
_K_BLOCK, _K_A, _K_BR, _K_FLAG, _K_STRUCT, _K_PRE, _K_HEAD, _K_HEAD6, _K_CONTAINER = 1, 2, 4, 8, 16, 32, 64, 128, 256
_KIND: dict[str, int] = {}
for _t in BLOCK:
    _KIND[_t] = _KIND.get(_t, 0) | _K_BLOCK
for _t in _FLAGGABLE:
    _KIND[_t] = _KIND.get(_t, 0) | _K_FLAG
for _t in _STRUCTURAL_DROP:
    _KIND[_t] = _KIND.get(_t, 0) | _K_FLAG | _K_STRUCT
for _t in ("h1", "h2", "h3"):
    _KIND[_t] |= _K_HEAD
for _t in _HEADINGS:
    _KIND[_t] |= _K_HEAD6
for _t in CONTAINER & BLOCK:  # (the others never get a span)
    _KIND[_t] |= _K_CONTAINER
_KIND["a"] = _K_A
_KIND["br"] = _K_BR
_KIND["pre"] |= _K_PRE


def _token_kind(tok: str) -> int:
    """1: an unlikely word, 2: a likely word (cached per token; class tokens repeat across pages)."""
    k = _TOKEN_CACHE.get(tok)
    if k is None:
        k = 0
        if tok in _UNLIKELY_WORDS:
            k = 1
        elif tok.startswith(_UNLIKELY_SUB) or tok.endswith(_UNLIKELY_SUB):
            k |= 1
        if k == 0 or tok not in _UNLIKELY_WORDS:
            if tok in _LIKELY_WORDS or tok.startswith(_LIKELY_SUB) or tok.endswith(_LIKELY_SUB):
                k |= 2
        if len(_TOKEN_CACHE) < 100_000:
            _TOKEN_CACHE[tok] = k
    return k


_PART_CACHE: dict[str, int] = {}


def _part_kind(part: str) -> int:
    """OR of the token kinds of one class name ("post-comments" -> tokens "post", "comments"); 5 (unlikely,
    whatever the other names say) for an _UNLIKELY_PART name."""
    if ("-" in part or "_" in part or "author" in part) and any(k in part for k in _UNLIKELY_PART_KEYS):
        if _UNLIKELY_PART_RX.search(part):
            if len(_PART_CACHE) < 100_000:
                _PART_CACHE[part] = 5
            return 5
    k = 0
    for t in part.replace("-", " ").replace("_", " ").split():  # str methods: C speed for the usual names
        if t.isalpha() and t.isascii():
            k |= _TOKEN_CACHE.get(t, None) if t in _TOKEN_CACHE else _token_kind(t)
        elif t.isdigit():  # "post-12345": ids' numbers hold no [a-z] token
            continue
        else:  # digits or other characters inside ("col-md-6", "h2title"): the exact [a-z]+ tokens
            for u in _SPLIT_ATTR.split(t):
                if u:
                    k |= _token_kind(u)
    if len(_PART_CACHE) < 100_000:
        _PART_CACHE[part] = k
    return k


def _classify(cls: str, ident: str, flaggable: int = 1) -> int:
    """UNLIKELY | TITLE_LIKE | SOURCE_LIKE bits of a class/id pair (cached by the caller).
    Unlikely is word-wise: "commentList", "post-comments", "relatedPosts" -> tokens that start or end
    with a key, unless another token looks like article content. UNLIKELY is computed only when
    `flaggable` (the walk reads it for _FLAGGABLE tags only; the word split is most of the cost)."""
    low = f"{cls} {ident}".lower()
    bits = 0
    if flaggable:
        kinds = 0
        # per space-separated class name (cached: "item", "clearfix" recur across sites), not per regex
        # token of the whole string: a regex split cost 1.5 µs of the 2.4 µs per distinct attribute pair
        for part in low.split():
            k = _PART_CACHE.get(part)
            kinds |= k if k is not None else _part_kind(part)
        if kinds == 1 or kinds & 4:
            bits = UNLIKELY
    if ("tit" in low or "headline" in low) and ("tit" in cls or "Tit" in cls or "headline" in cls or "tit" in ident) \
            and (_TITLE_CLASS_ASCII if low.isascii() else _TITLE_CLASS).search(low):
        bits |= TITLE_LIKE
    if ident == "js_name" or (("source" in low or "account" in low or "author-name" in low or "media-name" in low
                               or "profile_nickname" in low)
                              and (any(k in cls for k in _SOURCE_SUB) or "source" in ident)):
        bits |= SOURCE_LIKE
    return bits


def lines_of(root) -> tuple[list[Line], dict, dict]:
    """Walk once: lines in reading order, each block element's [start, end) line range, and the
    elements whose class/id or tag make them headline or 来源 candidates ({"title": [...], "source": [...],
    "values": line values}). The compiled walk (_walk.pyx) when it was built, else the Python one."""
    if _compiled_walker is not None:
        lines, spans, containers, titles, sources, excl_spans, values = _compiled_walker.walk(root)
        _compiled_exclusions(lines, values, excl_spans)
    else:
        lines, spans, containers, titles, sources, excl_spans = walk_python(root)
        values = [line_value(line) for line in lines]
        _apply_exclusions(lines, values, excl_spans)
    return lines, spans, {"title": titles, "source": sources, "values": values, "containers": containers}


def walk_python(root):
    """The reference walk: (lines, spans, container spans, title candidates, source candidates,
    excluded spans).
    Hot loop: locals only, one dict lookup for the tag's kind, no per-event function calls unless a
    block boundary has text."""
    lines: list[Line] = []
    spans: dict = {}
    starts: list[int] = []  # line index where each open block began (parallel to block_stack[1:])
    buf: list[str] = []
    link_buf: list[str] = []
    link = 0
    pre = 0
    block_stack = [root]
    excl_stack: list = []
    excl_spans: list = []
    containers: list = []  # (element, start, end) of the blocks that may be the article, in spans' order
    titles: list = []
    sources: list = []
    gap = False  # an inline element just ended with no tail: a following element's text may need a space
    kind_of = _KIND.get
    cache = _ATTR_CACHE
    inline_cache = _INLINE_ATTR_CACHE
    tokens = _tokens
    new_line = Line
    append_line = lines.append

    def flush():
        raw = "".join(buf)
        buf.clear()
        if pre:
            raw = raw.replace("\u200b", "").replace("\ufeff", "")
            text = "\n".join(_WS.sub(" ", x).rstrip() for x in raw.strip("\n").split("\n")).strip()
        else:
            words = raw.split()
            text = " ".join(words)
            if text.isascii():  # the split already counted the tokens: spare _tokens its second split
                if words:
                    n = len(words)
                    links = min(tokens("".join(link_buf)), n) if link_buf else 0
                    el = block_stack[-1]
                    append_line(new_line(text, el, n, links, el.tag in _HEADINGS, False, False))
                link_buf.clear()
                return
            if "\u200b" in text or "\ufeff" in text:
                text = " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())
            # _tokens inlined (the text is not ASCII here): non-ASCII characters + ASCII words
            ascii_part = text.encode("ascii", "ignore")
            if n := len(text) - len(ascii_part) + len(ascii_part.split()):
                links = min(tokens("".join(link_buf)), n) if link_buf else 0
                el = block_stack[-1]
                append_line(new_line(text, el, n, links, el.tag in _HEADINGS, False, False))
            link_buf.clear()
            return
        if text and (n := tokens(text)):
            links = min(tokens("".join(link_buf)), n) if link_buf else 0
            el = block_stack[-1]
            append_line(new_line(text, el, n, links, el.tag in _HEADINGS, bool(pre), False))
        link_buf.clear()

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if tag.__class__ is not str:  # comments/PIs are stripped; entities etc. carry only a tail
            if event == "end" and el.tail:
                buf.append(el.tail)
            continue
        kind = kind_of(tag, 0)
        if event == "start":
            if kind:
                if kind & 1:  # block
                    if buf:
                        flush()
                    block_stack.append(el)
                    starts.append(len(lines))
                    if kind & 32:
                        pre += 1
                    if kind & 64:
                        titles.append(el)
                elif kind & 2:
                    link += 1
                elif kind & 4:
                    if buf:
                        flush()
            cls = el.get("class")
            ident = el.get("id")
            bits = 0
            if cls or ident:
                attrs = f"{cls or ''} {ident or ''}"
                # about a fifth of a page's new pairs sit on other tags (a, img, h2, ...), whose UNLIKELY
                # bit is never read: their own cache, filled without the word classification (a cold
                # cache costs ~3 µs per new pair, ~120 new pairs per page from an unseen site)
                c = cache if kind & 8 else inline_cache
                bits = c.get(attrs)
                if bits is None:  # class names repeat within and across a site's pages
                    bits = _classify(cls or "", ident or "", kind & 8)
                    if len(c) < 50_000:
                        c[attrs] = bits
                if bits & 2 and not kind & 64:
                    titles.append(el)
                if bits & 4:
                    sources.append(el)
            # excluded: nav/footer/aside/header, or a flaggable block with an unlikely class/id
            if kind & 16 or (bits & 1 and kind & 8):
                if buf:
                    flush()
                excl_stack.append((el, len(lines)))
            t = el.text
            if t and (buf or not t.isspace()):
                if gap:
                    # `<span>健康报</span><span>2024-05-20</span>`: separate inline elements, nothing between
                    # them; a space keeps the words apart (never between two CJK characters)
                    prev = buf[-1][-1] if buf and buf[-1] else " "
                    first = t[0]
                    if not prev.isspace() and not first.isspace() and not (prev >= "\u3400" and first >= "\u3400"):
                        buf.append(" ")
                    gap = False
                buf.append(t)
                if link:
                    link_buf.append(t)
        else:
            if kind:
                if kind & 1:
                    if buf:
                        flush()
                    block_stack.pop()
                    if len(lines) > (s := starts.pop()):  # blocks without lines have no span
                        spans[el] = (s, len(lines))
                        if kind & _K_CONTAINER:
                            containers.append((el, s, len(lines)))
                    if kind & 32:
                        pre -= 1
                elif kind & 2:
                    link -= 1
            if excl_stack and excl_stack[-1][0] is el:
                if buf:
                    flush()
                excl_spans.append((excl_stack.pop()[1], len(lines)))
            t = el.tail
            if t:
                gap = False
                if buf or not t.isspace():
                    buf.append(t)
                    if link:
                        link_buf.append(t)
            else:
                gap = not kind & 1
    if buf:
        flush()
    return lines, spans, containers, titles, sources, excl_spans


def _apply_exclusions(lines: list[Line], values: list[float], excl_spans: list) -> None:
    """Mark lines inside flagged blocks, unless the block holds most of the page's text: a wrapper
    named "post-promo" or "page-footer-wrap" around the whole article must not sink it. `values`
    (line_value of each line) is updated: an excluded line is worth 0, or its negative value in a block of no prose.
    (Prefix sums and slice assignments: flagged blocks nest, so per-line loops repeated work.)"""
    if not excl_spans:
        return
    cum = list(accumulate((v if v > 0 else 0.0 for v in values), initial=0.0))  # values are halves: exact sums
    limit = 0.6 * (cum[-1] or 1.0)
    marked = bytearray(len(lines))
    for s, e in excl_spans:
        if cum[e] - cum[s] < limit:
            # a block of no prose (menu, teaser links, fragments: worth <= 0) keeps its negative worth, so a
            # wrapper around it and the article (often <body>) still pays for it; flagged prose (a hidden
            # block, a bio) is just worth 0
            seg = values[s:e]
            values[s:e] = [0.0 if v > 0 else v for v in seg] if sum(seg) <= 0 else [0.0] * (e - s)
            marked[s:e] = b"\x01" * (e - s)
    for line in compress(lines, marked):
        line.excluded = True


CAPTION = 2  # Line.excluded of a caption line (truthy): the header zone skips photo credits


def _exclude_range(lines: list[Line], values: list[float], s: int, e: int) -> None:
    for i in range(s, e):
        lines[i].excluded = CAPTION
        values[i] = min(values[i], 0.0)


def is_caption(line: Line) -> bool:
    """A caption or photo credit line: in a <figure>, or in a block (or its parent) classed caption/credit."""
    if line.excluded is CAPTION:
        return True
    el = line.el
    for _ in range(2):
        if el is None:
            break
        cls = el.get("class")
        if cls and ("caption" in cls or "credit" in cls or "Caption" in cls):
            return True
        el = el.getparent()
    return False


def author_box(lines: list[Line], start: int) -> list[str]:
    """Short lines of an author box (excluded from the body) soon after the article's last line: where
    "Author: NAME" or the bare name stands. A few ancestors' class names are read, for ~15 lines."""
    out = []
    for line in lines[start:start + 15]:
        if line.excluded and line.n <= 12:
            el = line.el
            for _ in range(4):
                if el is None:
                    break
                if "author" in (el.get("class") or "").lower():
                    out.append(line.text)
                    break
                el = el.getparent()
    return out


def drop_furniture(root, lines: list[Line], values: list[float], spans: dict) -> None:
    """Block-level furniture the class/id words miss, excluded before the container is chosen.
    Captions: a <figcaption>, or any text of a <figure> (photo credits, gallery counters) -- except a
    table or code a <figure> wraps (WordPress tables, highlighted code)."""
    if not lines:
        return
    total = 0.0
    for el in root.iter("figure", "figcaption"):
        span = spans.get(el)
        if span is None or span[1] <= span[0] or lines[span[0]].excluded:
            continue
        if el.tag == "figure" and (el.find(".//table") is not None or el.find(".//pre") is not None):
            continue
        s, e = span
        total = total or sum(v for v in values if v > 0) or 1.0
        if sum(v for v in values[s:e] if v > 0) < 0.6 * total:  # not a figure wrapping the article
            _exclude_range(lines, values, s, e)


# a legal disclaimer ("… is for informational purposes only …", "… cannot be held liable …"): prose-like, but
# site furniture (often the longest text of a footer column); two distinct phrases are required. Read only in
# a short winning block (best_container): a gate on every line of the page would cost ~2% of the time
_DISCLAIMER = re.compile(r"(?:for (?:general |educational |informational |and )*(?:information|informational|educational)"
                         r"(?: purposes)?(?: only)?|not intended (?:to|as|for)|does not constitute|not (?:be )?construed as|"
                         r"should not be (?:considered|construed|relied)|(?:cannot|can not|shall not|will not) be held "
                         r"liable|not a substitute for|no (?:warranty|representation)|qualified (?:advisor|professional))",
                         re.I)


def _disclaimer(text: str) -> bool:
    if not ("nform" in text or "ntended" in text or "onstitute" in text or "liable" in text or "ubstitute" in text
            or "qualified" in text or "construed" in text or "arrant" in text):
        return False
    return len({m.group(0).lower()[:12] for m in _DISCLAIMER.finditer(text)}) >= 2


def line_value(line: Line) -> float:
    n, links = line.n, line.links
    if line.excluded:
        return 0.0
    if links * 2 > n:
        return -n - 2
    own = n - links
    if own >= 10 and _SENT_PUNCT.search(line.text):  # any sentence punctuation (a search stops at the first)
        # inline links inside prose cost less than link-only lines
        return own - (0.5 if own >= 20 or n >= 30 else 2) * links
    if own >= 25:
        return own * 0.5
    return -1.0


def best_container(lines: list[Line], spans: dict, values: list[float] | None = None, containers: list | None = None):
    """The block whose lines are worth most. `containers`: the walk's (element, start, end) list of
    CONTAINER blocks (else read from `spans`)."""
    if values is None:
        values = [line_value(line) for line in lines]
    if containers is None:
        containers = [(el, s, e) for el, (s, e) in spans.items() if e > s and el.tag in CONTAINER]
    cum = list(accumulate(values, initial=0.0))
    best, best_score = None, 0.0
    for el, s, e in containers:
        score = cum[e] - cum[s]
        if score * 1.15 <= best_score:
            continue
        attrs = el.get("class") or el.get("id")
        if attrs and _likely_attrs(attrs):
            score *= 1.15
        if score > best_score:
            best, best_score = el, score
    if best is not None and spans[best][1] - spans[best][0] <= 8 and _zero_disclaimers(lines, values, *spans[best]):
        return best_container(lines, spans, values, containers)  # a footer column of legal text: choose again without it
    if best is not None and _zero_rules(lines, values, *spans[best]):
        return best_container(lines, spans, values, containers)  # a comment board's rules: choose again without them
    if best is not None and (boxes := [box for box in _other_stories_boxes(best)
                                       if box in spans and any(values[spans[box][0]:spans[box][1]])]):
        for box in boxes:  # other stories the walk kept for their size: choose again without them
            _zero_block(lines, values, *spans[box])
        return best_container(lines, spans, values, containers)
    if best is not None:
        best = _widen(best, lines, spans, cum)
    return best, values


# the rules of a comment board ("請勿重覆刊登…", "禁止發表…", "違反上述規定者…"): prose-like lines of furniture
_RULE_LINE = re.compile(r"^\s*(?:\d+[、.．]\s*)?(?:請勿|请勿|請不要|请不要|禁止|不得|違反|违反|嚴禁|严禁)")


def _zero_rules(lines: list[Line], values: list[float], s: int, e: int) -> bool:
    """A winning block most of whose lines are a comment board's rules (3 or more, at least half of its
    lines): its lines are worth 0, the rule lines excluded."""
    ruled = sum(1 for i in range(s, e) if lines[i].n < 300 and _RULE_LINE.match(lines[i].text))
    if ruled < 3 or ruled * 2 < e - s:
        return False
    for i in range(s, e):
        values[i] = 0.0
        if _RULE_LINE.match(lines[i].text):
            lines[i].excluded = True  # out of the article whichever block wins now
    return True


# Other stories under a short article: a BEM element or modifier naming the block's role beside a likely block
# name ("detail-content__content--recommend", "detail-content__recommend--wrapper"), a "more stories" feed
# ("module-moreStories"). The walk keeps such a block where it holds most of the page's text, as it keeps any
# wrapper named unlikely (one around the article must not sink it); as the winning block it is not the article.
_OTHER_STORIES = re.compile(r"(?:--|__)(?:recommend|related)|more-?stories")


def _other_stories_boxes(best) -> list:
    """The block, its ancestors below <body> and its descendants named as other stories (_OTHER_STORIES)."""
    found, el = [], best
    while el is not None and el.tag not in ("body", "html"):
        if _other_stories(el):
            found.append(el)
        el = el.getparent()
    return found + [el for el in best.iterdescendants() if _other_stories(el)]


def _other_stories(el) -> bool:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    return ("--" in attrs or "__" in attrs or "tories" in attrs) and _OTHER_STORIES.search(attrs.lower()) is not None


def _zero_block(lines: list[Line], values: list[float], s: int, e: int) -> None:
    for i in range(s, e):
        values[i] = 0.0
        lines[i].excluded = True  # out of the article whichever block wins now


def _zero_disclaimers(lines: list[Line], values: list[float], s: int, e: int) -> bool:
    """A short winning block whose prose is legal disclaimers (a footer column): those lines are worth 0."""
    found = False
    for i in range(s, e):
        if values[i] > 0 and lines[i].n < 200 and _disclaimer(lines[i].text):
            values[i] = 0.0
            found = True
    return found


def _widen(best, lines: list[Line], spans: dict, cum: list[float]):
    """A listicle or review page splits its text into sibling blocks between link lists and widgets
    (one block per reviewed item): the best single block then holds a fraction of the article. When the
    parent's positive children are worth at least twice the best block, the parent is the article, minus
    its clearly negative children (link lists, product cards), which are excluded."""
    parent = best.getparent()
    if parent is None or parent.tag not in CONTAINER or parent.tag == "body" or parent not in spans:
        return best
    bs, be = spans[best]
    own = cum[be] - cum[bs]
    pos, drops = 0.0, []
    for child in parent:
        span = spans.get(child)
        if span is None:
            continue
        score = cum[span[1]] - cum[span[0]]
        if score > 0:
            pos += score
        elif score < -10:
            drops.append(span)
    if pos < 2 * own:
        return best
    for s, e in drops:
        for i in range(s, e):
            lines[i].excluded = True
    return parent


def fallback_container(lines: list[Line], spans: dict):
    """For pages without sentence-like text (a results table, a calendar list): the block with the
    most non-link text, link-heavy and excluded lines counting against it."""
    values = [(-1.0 if line.excluded else (line.n - line.links if line.links * 2 <= line.n else -line.n - 2.0))
              for line in lines]
    cum = [0.0]
    for v in values:
        cum.append(cum[-1] + v)
    best, best_score = None, 0.0
    for el, (s, e) in spans.items():
        if e > s and el.tag in CONTAINER and (score := cum[e] - cum[s]) > best_score:
            best, best_score = el, score
    return best, values


# whole lines that are a widget's label, not text (a gallery's "Close" / "Caption" / "Back to Gallery")
_UI_LABELS = frozenset(("close", "caption", "back to gallery", "view gallery", "open gallery", "previous", "prev", "next",
                        "share", "tweet", "email", "print", "menu", "search", "loading", "loading...", "expand",
                        "collapse", "show more", "show less", "click to enlarge", "enlarge", "toggle navigation",
                        "scroll to top", "skip ad"))


def is_boilerplate(text: str) -> bool:
    if len(text) >= 200:
        return False
    if len(text) < 20 and text.lower() in _UI_LABELS:
        return True
    if _BOILER_START.match(text) or _BOILER_PHRASE_RX.search(text):
        return True
    return ("未经" in text or "举报" in text or "本文为" in text or "下载" in text or "打开" in text) \
        and bool(_BOILER_GATED.search(text))


_NONWORD = re.compile(r"\W+")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width and soft-hyphen characters
_SIGNATURE_DATE = re.compile(r"\s*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_RELATED_HEAD = re.compile(
    r"^\s*(?:related(?: posts| articles| stories| news| content| reading| resources)?|"
    r"you (?:may|might) also (?:like|enjoy)|"
    r"similar (?:posts|articles|stories)|(?:latest|recent|top|trending) (?:posts|articles|stories|news)|"
    r"what to read next|don'?t miss|did you miss (?:these|this)\??|"
    r"you may be interested in|more (?:stories|articles|news|from|on|like this)\b.*|read (?:next|more)|also read|"
    r"recommended(?: for you| stories| articles)?|popular (?:posts|stories|articles)|trending(?: now)?|"
    r"voc[eê] (?:pode|tamb[eé]m pode) gostar|leia tamb[eé]m|veja tamb[eé]m|mat[eé]rias relacionadas|"
    r"te puede interesar|tambi[eé]n te puede interesar|art[ií]culos relacionados|noticias relacionadas|"
    r"[àa] lire aussi|sur le m[eê]me sujet|lesen sie auch|mehr zum thema|das k[öo]nnte sie auch interessieren|"
    r"potrebbe interessarti|leggi anche|相关阅读|相关新闻|相关文章|延伸阅读|推荐阅读|猜你喜欢)\s*[.…:：!]*\s*$", re.I)


# a colon line introducing other posts, not a list of the article ("If you liked this post you might also like:")
_TEASER_INTRO = re.compile(r"also (?:like|enjoy|read)|you (?:might|may) (?:like|enjoy)|related|read (?:more|next)|"
                           r"see also|more (?:posts|stories|articles)|recommended|trending", re.I)


def _content_list(lst, lines: list[Line], spans: dict, out: list[Line], cache: dict) -> bool:
    """Whether a list's link items are article text: a list introduced by the kept line just before it
    ("The most popular titles were:"), or one whose other items are mostly plain text (a directory of
    names, addresses and phone numbers), or a digest of sentence-long items. A menu or a teaser list is neither."""
    if lst in cache:
        return cache[lst]
    ok = False
    span = spans.get(lst) if lst is not None else None
    if span is not None and span[1] > span[0]:
        s, e = span
        prev = lines[s - 1] if s > 0 else None  # kept: among the last lines out (the list's own items follow it)
        if prev is not None and any(x is prev for x in out[-(e - s) - 1:]) and prev.text.rstrip().endswith((":", "：")) \
                and prev.n >= 4 and not prev.heading and not _RELATED_HEAD.match(prev.text) \
                and not _TEASER_INTRO.search(prev.text):
            ok = True
        elif e - s >= 4:
            plain = sum(1 for x in lines[s:e] if not x.links)
            linky = [x.n for x in lines[s:e] if x.links * 2 > x.n]
            # or a few link-heavy items among sentence-long ones (a news digest), none of them a bare title
            ok = plain * 2 >= e - s or (len(linky) * 3 <= e - s and min(linky, default=0) >= 20)
    cache[lst] = ok
    return ok


def select_lines(lines: list[Line], values: list[float], span: tuple[int, int], title: str | None,
                 simplify=None, spans: dict | None = None) -> list[Line]:
    """Lines of the chosen block minus furniture. `simplify` (t2s) lets the Simplified patterns
    catch Traditional pages."""
    s, e = span
    chosen = lines[s:e]
    title_key = _NONWORD.sub("", title or "")
    tk_len = len(title_key)
    out = []
    heads = []  # per kept line: its first six word characters
    related = []  # "related posts" headings after some article text
    lists: dict = {}  # list element -> whether its link items are article text
    for line in chosen:
        if line.excluded:
            continue
        if line.links * 2 > line.n and line.n < 40 and not (
                spans is not None and line.el.tag == "li" and _content_list(line.el.getparent(), lines, spans, out, lists)):
            continue
        text = line.text
        if line.n <= 2 and not text.strip(_INVISIBLE):  # an "&zwj;" spacer paragraph: nothing to read
            continue
        if out and line.n <= 8 and (line.heading or line.n <= 5) and _RELATED_HEAD.match(text):
            related.append(line)
        if len(text) < 200 and is_boilerplate(simplify(text) if simplify else text):
            continue
        if text.startswith(("Lorem ipsum", "lorem ipsum", "LOREM IPSUM")):  # template placeholder text
            continue
        # a headline copy: its key opens with the word characters of its first 40 characters (and, when it
        # starts with a letter, with that letter): cheap tests before the full-line key
        if tk_len and line.n < 80 and len(text) >= tk_len and (text[0] == title_key[0] or not text[0].isalnum()) \
                and title_key.startswith(_NONWORD.sub("", text[:40])) and _NONWORD.sub("", text) == title_key:
            continue
        out.append(line)
        # its first six word characters: spaces dropped, six alphanumerics are the answer (str.isalnum is
        # re's \w minus "_"); else the regex
        head = text[:12].replace(" ", "")[:6]
        heads.append(head if len(head) == 6 and head.isalnum() else _NONWORD.sub("", text[:40])[:6])
    # A summary box repeats the start of the next paragraph (导读, 摘要): keep only the paragraph.
    # Cheap prefilter on the first word characters; full keys only for lines that share them.
    drop = set()
    # no head repeated anywhere: none repeats among the next three (one C-level set build)
    for i, h in enumerate(heads if len(set(heads)) < len(heads) else ()):
        if len(h) < 6 or h not in heads[i + 1:i + 4]:
            continue
        key = _NONWORD.sub("", out[i].text)
        if len(key) < 15:
            continue
        for j in range(i + 1, min(i + 4, len(out))):
            if heads[j] == h:
                k = _NONWORD.sub("", out[j].text)
                if k.startswith(key[:-3]) and len(k) > len(key) - 3:
                    drop.add(i)
                    break
    if drop:
        out = [line for i, line in enumerate(out) if i not in drop]
    # A "related posts" heading after some article text that opens its own box (the heading's block, or
    # its parent for an <h3>): the box holds other posts' teasers. A box holding the heading alone (a page
    # builder's heading widget) stands for its parent, if that is not most of the text.
    for line in related if spans is not None else ():
        box = line.el.getparent() if line.heading else line.el
        ps, pe = spans.get(box, (0, 0))
        climbed = False
        for _ in range(2):
            if pe - ps != 1 or box is None or (box := box.getparent()) is None:
                break
            ps, pe = spans.get(box, (0, 0))
            climbed = True
        if s <= ps < pe <= e and (ps, pe) != (s, e) and lines[ps] is line:
            gone = {id(x) for x in lines[ps:pe]}
            if not climbed or sum(x.n for x in out if id(x) not in gone) >= sum(x.n for x in out) * 0.6:
                out = [x for x in out if id(x) not in gone]
    # Trim weak edges: short non-sentences before the first / after the last real paragraph.
    def weak(line: Line) -> bool:
        return line.n < 8 and not _SENT_PUNCT.search(line.text[-2:] if line.text else "")
    # a document's signature (落款) ends it: "吉林省人民政府" over "2022年1月27日" stays
    while out and weak(out[-1]) and not _SIGNATURE_DATE.match(out[-1].text):
        out.pop()
    while out and weak(out[0]) and len(out) > 1:
        out.pop(0)
    return out


try:  # the compiled copy of walk_python (setup.py builds it; tests/test_extract_walk.py checks they agree)
    import sys as _sys

    from crawler.extract._walk import apply_exclusions as _compiled_exclusions  # (nested spans: no list per span)
    from crawler.extract._walk import walker as _make_walker
    _compiled_walker = _make_walker(_sys.modules[__name__])  # reads this module's tables and caches
except ImportError:
    _compiled_walker = _compiled_exclusions = None
