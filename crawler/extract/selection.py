"""The article's lines: a source's body selector when it has one, else the best container of the walked
lines (body.py), else a table/list page's fallback block; then the text finished: a reprint's 【来源】
lines out, an appended translation split off, spam lines dropped."""
from __future__ import annotations

import re

from crawler.extract import body as body_mod, byline, lists
from crawler.extract.clean import is_spam
from crawler.extract.links import drop_original_lines
from crawler.extract.translation import split_translation
from crawler.textnorm import is_traditional, to_simplified


def choose_lines(page, title: str | None) -> tuple[list, int]:
    """(the chosen lines, index of the first one: len(lines) when none)."""
    lines, spans, marked = page.lines, page.spans, page.marked
    simplify = to_simplified if is_traditional("".join(ln.text for ln in lines[:400:4])) else None
    if page.picked.get("body"):
        chosen = []
        for el in page.picked["body"]:
            s, e = spans.get(el, (0, 0)) if el in spans else _span_of(el, lines)
            chosen.extend(body_mod.select_lines(lines, [], (s, e), title, simplify))
    else:
        body_mod.drop_furniture(page.root, lines, marked["values"], spans)
        lists.exclude_boards(lines, marked["values"], spans)
        container, values = body_mod.best_container(lines, spans, marked["values"], marked["containers"])
        chosen = body_mod.select_lines(lines, values, spans[container], title, simplify, spans) \
            if container is not None else []
        chosen = lists.cut_lists(lines, spans, chosen, simplify, spans[container][1] if container is not None else None)
        if not chosen:  # no prose anywhere: a table or list page
            chosen = _fallback(page, title, simplify)
    return _cut_at_related_list(lines, chosen), lines.index(chosen[0]) if chosen else len(lines)


# the heading of a related / recommended / most-read list: the article is over where such a list starts
_RELATED_HEADING = re.compile(r"^(?:相关|相關|热点|熱點|热门|熱門|推荐|推薦|延伸|猜你|更多|最新|排行|点击排行|阅读排行|精彩|往期)"
                              r"[\u4e00-\u9fff]{0,6}$")


def _cut_at_related_list(lines: list, chosen: list) -> list:
    """Chosen lines after a related-list heading inside the container are the site's lists, not the article:
    an excluded heading ("相关新闻", "热点新闻") followed by at least three excluded link items. Cut there
    when most of the chosen text comes before it (a container that wrapped the article and a sidebar)."""
    if len(chosen) < 4:
        return chosen
    start, end = lines.index(chosen[0]), lines.index(chosen[-1])
    for i in range(start + 1, end):
        line = lines[i]
        if not (line.excluded and line.heading and line.n <= 8 and _RELATED_HEADING.match(line.text.replace(" ", ""))):
            continue
        items = lines[i + 1:i + 4]
        if len(items) == 3 and all(x.excluded and x.links * 2 >= x.n for x in items):
            before = set(lines[:i])  # (lines.index per chosen line: quadratic on a page of 30,000 lines)
            kept = [ln for ln in chosen if ln in before]
            if sum(ln.n for ln in kept) >= 0.6 * sum(ln.n for ln in chosen):
                return kept
            return chosen
    return chosen


def _fallback(page, title, simplify) -> list:
    lines = page.lines
    container, values = body_mod.fallback_container(lines, page.spans)
    if container is None:
        return []
    s, e = page.spans[container]
    chosen = body_mod.select_lines(lines, values, (s, e), title, simplify) or \
        [ln for ln in lines[s:e] if not ln.excluded and ln.links * 2 <= ln.n]  # cells too short to survive the trim
    if chosen:
        page.flags.append("body_fallback")
    return chosen


def finish_text(body_lines: list[str], has_url: bool, flags: list[str]):
    """(body lines, a 【来源】 link found among them, the split translation or None)."""
    original = None
    if has_url:  # (without a URL on the page no line can match)
        body_lines, original = drop_original_lines(body_lines)
    translation = split_translation(body_lines)
    if translation:
        body_lines, translation = translation
        flags.append("translation_split")
    # one scan of all short lines first: a line is spam only with 3+ distinct terms, so fewer in the
    # union means no line qualifies (most pages: one regex pass instead of one per line)
    short = [x for x in body_lines if len(x) < 300]
    spam = [x for x in short if is_spam(x)] if short and is_spam("\n".join(short)) else []
    if spam:
        body_lines = [x for x in body_lines if x not in spam]
        flags.append("spam_text_removed")
    return body_lines, original, translation


# a site's copyright notice closing the article: "凡本网注明“来源：…”的作品", "版权均属…所有", "声明：该文观点仅代表作者本人"
_NOTICE = re.compile(r"凡本[网站報报]注明|版权均属|版权[^。，]{0,12}的声明[:：]|版權均屬|未经[^。]{0,12}授权[^。]{0,6}不得转载|声明：该文观点仅代表|"
                     r"转载请注明|轉載請註明|版权所有|版權所有|免责声明|免責聲明")
# a labelled metadata line: "关键字：…", "本文标题：…", "(原标题：…)", "提示：…" (a CMS's summary box)
_META_TRAILER = re.compile(r"^\s*[(（【\[]?\s*(?:关键字|关键词|關鍵字|本文标题|原标题|原標題|标签|標籤|Tags?)\s*[:：]")
# a promotion closing the article: "歡迎下載自由時報APP", "扫描二维码关注公众号", "下载客户端看更多新闻"
_PROMO = re.compile(r"(?:下载|下載|关注|關注|扫描|掃描|扫码|掃碼|订阅|訂閱|加入)[^。！？]{0,24}(?:APP|App|app|客户端|客戶端|公众号|公眾號|"
                    r"二维码|二維碼|微信|官方帳號|官方账号|付費會員|付费会员)")
_LABEL_START = re.compile(r"^\s*[【\[(（]?\s*(?:信息来源|文章来源|新闻来源|稿件来源|稿源|来源|來源|作者|记者|記者|责任编辑|責任編輯|"
                          r"责编|責編|编辑|編輯|审核|審核|校对|校對)\s*[:：]")


_RULE = re.compile(r"^\s*(?:-{10,}|={10,}|_{10,}|—{5,})\s*$")


def trim_trailer(body_lines: list[str]) -> tuple[list[str], list[str]]:
    """(the body, the trailer cut off its end): from a copyright notice on, and the byline and metadata lines
    closing it ("来源：钱江晚报 作者：记者 李华 责任编辑：方志华", "关键字：…", "本文标题：…"). Only Chinese labels; only
    the last lines; the body never empties."""
    if len(body_lines) < 2:
        return body_lines, []
    # a forum thread: posts between rule lines ("------------------------------"), 3 or more of them; the
    # article is the first post
    rules = [i for i, line in enumerate(body_lines) if len(line) >= 10 and _RULE.match(line)]
    if len(rules) >= 3 and sum(len(x) for x in body_lines[:rules[0]]) >= 200:
        return body_lines[:rules[0]], body_lines[rules[0]:]
    cut = len(body_lines)
    start = max(1, len(body_lines) - 8)
    for i in range(start, len(body_lines)):
        line = body_lines[i]
        if len(line) < 400 and _NOTICE.search(line):
            cut = i
            break
    while cut > 1:
        line = body_lines[cut - 1]
        if len(line) < 100 and (_META_TRAILER.match(line) or (_LABEL_START.match(line) and byline.pairs(line))) \
                or len(line) < 120 and _PROMO.search(line):
            cut -= 1
        elif len(line) <= 4 and cut < len(body_lines):  # a lone link word between them ("图库")
            cut -= 1
        else:
            break
    return body_lines[:cut], body_lines[cut:]


def _span_of(el, lines):
    members = set(el.iter())
    idx = [i for i, line in enumerate(lines) if line.el in members]
    return (idx[0], idx[-1] + 1) if idx else (0, 0)
