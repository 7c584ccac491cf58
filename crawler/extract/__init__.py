"""Chinese-aware article extraction. Pure: bytes in, `Article` out, never raises.

`_extract` is a short sequence over one `Page` (page.py: the decoded text, the parse, the <head> meta,
the walked lines, all computed once); each field family is a function of the page in its own module,
its patterns beside it:

    page.decode / page.build      bytes -> text -> tree -> meta -> hidden blocks out -> walked lines
    titles.page_title             the on-page headline the <title> confirms
    selection.choose_lines        the article's lines (selector, best container, fallback)
    zones.read_header/zones_of    headline line, header zone, lead and trailer texts
    selection.finish_text         【来源】 lines, appended translation, spam lines
    selection.trim_trailer        copyright notice, byline/metadata lines, promotions, forum replies off the end
    dates.page_published          a gov table's 发布日期, else the shown date (an "updated" one after the meta's
                                  published date), else the meta date
    byline.pairs                  the byline zone as label -> value pairs (来源/作者/编辑/时间 …)
    people.page_publisher/...     来源, author, editor from those pairs and the unlabelled shapes
    links.*                       breadcrumbs, keywords, canonical, a reprint's original link
    govmeta.*                     文号, 发文机关 table, attachments
    language.*                    language, script, quality flags
"""
from __future__ import annotations

from crawler.extract import govmeta, language, links, page as page_mod, selection, zones as zones_mod
from crawler.extract.dates import page_published
from crawler.extract.decode import decode_html
from crawler.extract.labels import strip_label
from crawler.extract.page import END_TAG as _END_TAG, parse as _parse  # (tests use the parser directly)
from crawler.extract.people import page_author, page_editor, page_publisher
from crawler.extract.record import Article
from crawler.extract.titles import headline_part, norm, page_title

__all__ = ["extract", "decode_html", "Article", "strip_label"]


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


def _extract(article: Article, html: bytes, url: str | None, content_type: str | None, selectors: dict) -> None:
    flags = article.flags
    decoded = page_mod.decode(html, content_type, flags)
    if decoded is None:
        return
    article.encoding = decoded.encoding
    page = page_mod.build(decoded, url, selectors, flags)
    if page is None:
        flags.append("unparseable")
        return

    gov = govmeta.gov_table_of(page)
    # a gov document's 标题 cell names it when no headline is confirmed (a fragment without <title>)
    heading = page_title(page) or govmeta.gov_title(gov)
    article.title = headline_part(page, heading)
    article.subtitle = page.selected("subtitle")
    title_key = norm(heading or "")
    chosen, body_start = selection.choose_lines(page, heading)
    has_url = "http" in page.visible_text  # every 【来源】/原文链接 line shows its URL
    article.original_url = links.original_in_lines(page.lines) if has_url else None
    header = zones_mod.read_header(page.lines, chosen, body_start, title_key)
    article.subtitle = article.subtitle or header.subtitle
    body_lines, original, translation = selection.finish_text([line.text for line in header.chosen], has_url, flags)
    article.original_url = article.original_url or original
    if translation:
        article.translation_title, article.translation_keywords, article.translation_body = \
            translation["title"], translation["keywords"], translation["body"]
    body_lines, trailer = selection.trim_trailer(body_lines)  # (the metadata readers still see the trailer)
    article.body = "\n".join(body_lines)
    script = language.script_of(article.body, article.title, zones_mod.join_upto(page.lines, 0, 3000))

    zones = zones_mod.zones_of(page.lines, header, body_lines + trailer, body_start, page.visible_text)
    article.published = page_published(page, zones, script.chinese, gov)
    # a gov document names its issuing office in the 发文机关/发布机构 cell when no 来源 is shown
    article.publisher = page_publisher(page, zones, script.chinese) or govmeta.issuing_agency(gov)
    article.author = page_author(page, zones, article.publisher)
    article.editor = page_editor(page, zones)

    article.keywords = links.keywords(page.meta)
    article.breadcrumbs = links.breadcrumbs(page.lines, header.title_idx, title_key)
    article.declared_canonical_url = links.canonical(page.meta, url)
    article.gov_meta = gov
    article.doc_number = govmeta.doc_number(article.gov_meta, [article.title or "", zones.zone, "\n".join(body_lines[:3])])
    article.issuing_agency = govmeta.issuing_agency(article.gov_meta)
    article.attachments = govmeta.attachments(page.root, page.base)  # a C-filtered pass over <a>
    if not article.original_url and "原" in page.visible_text and "原文" in page.visible_text:  # (memchr gate)
        article.original_url = links.original_anchor(page.root)

    article.lang = language.language(script, article.body, page.meta["lang"])
    article.body_simplified = language.simplified_copy(article.lang, article.body, flags)
    language.flag_mojibake(article.body, article.title, flags)
