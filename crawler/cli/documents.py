"""`healthwatch cites`: what a policy document cites by 文号 or title, and what cites it."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from crawler.cli.common import DbOption, console, err
from storage.paths import default_db_path


def cites(
    document: Optional[str] = typer.Argument(None, help="A 文号 (any spelling: 国卫医政发[2024]12号) or an article id"),
    db: Optional[Path] = DbOption,
    reindex: bool = typer.Option(False, "--reindex", help="First compute the citations of articles stored before "
                                 "citations existed (bodies only)"),
):
    """Show what a document cites and which stored documents cite it."""
    from crawler.documents.citations import normalise_number
    from storage import citations
    from storage.store import Store

    store = Store(db or default_db_path())
    try:
        if reindex:
            console.print(f"indexed the citations of {reindex_citations(store)} stored articles")
        if document is None:
            if not reindex:
                err.print("name a 文号 or an article id (or --reindex)")
                raise typer.Exit(2)
            return
        if document.strip().isdigit():
            ids = [int(document)]
            if not _article(store, ids[0]):
                err.print(f"no article with id {ids[0]}")
                raise typer.Exit(1)
        else:
            number = normalise_number(document)
            if number is None:
                err.print(f"not a 文号: {document!r} (e.g. 国卫医政发〔2024〕12号)")
                raise typer.Exit(2)
            ids = citations.articles_with_number(store.db, number)
            if not ids:
                print_uncarried(store, number)
                return
        for article_id in ids:
            print_document(store, article_id)
    finally:
        store.close()


def citation_lines(store, article_id: int, urls: bool = False) -> tuple[list[str], list[str]]:
    """("cites" lines, "cited by" lines) of one stored document: `cites` and `show` print them
    (`show` with each linked document's URL)."""
    from storage import citations

    label = (lambda i: f"{_label(store, i)}  {_url(store, i)}") if urls else (lambda i: _label(store, i))
    out = []
    for c in citations.cited_by_article(store.db, article_id):
        named = " ".join(filter(None, [c["number"], f"《{c['title']}》" if c["title"] else None]))
        where = f"  (in attachment: {c['in_attachment']})" if c["in_attachment"] else ""
        targets = "; ".join(label(i) for i in c["articles"]) or "not stored"
        out.append(f"{named} → {targets}{where}")
    back = []
    for c in citations.citing_article(store.db, article_id):
        how = c["number"] or f"《{c['title']}》"
        where = f", in attachment: {c['in_attachment']}" if c["in_attachment"] else ""
        back.append(f"{_label(store, c['article_id'])}  (as {how}{where})" + (f"  {_url(store, c['article_id'])}" if urls else ""))
    return out, back


def print_document(store, article_id: int) -> None:
    row = _article(store, article_id)
    console.print(f"{_label(store, article_id)}" + (f"  {row['doc_number']}" if row["doc_number"] else ""),
                  highlight=False, markup=False)
    out, back = citation_lines(store, article_id)
    console.print(f"  cites ({len(out)}):", highlight=False)
    for line in out or ["—"]:
        console.print(f"    {line}", highlight=False, markup=False)
    console.print(f"  cited by ({len(back)}):", highlight=False)
    for line in back or ["—"]:
        console.print(f"    {line}", highlight=False, markup=False)


def print_uncarried(store, number: str) -> None:
    from storage import citations

    citing = citations.citing_number(store.db, number)
    console.print(f"no stored document carries {number}", highlight=False, markup=False)
    console.print(f"  cited by ({len(citing)}):", highlight=False)
    for c in citing or [{"article_id": None}]:
        line = _label(store, c["article_id"]) if c["article_id"] else "—"
        console.print(f"    {line}", highlight=False, markup=False)


def reindex_citations(store) -> int:
    from crawler.documents.pipeline import store_documents
    from storage import citations

    ids = citations.uncited_articles(store.db)
    for article_id in ids:
        row = _article(store, article_id)
        store_documents(store.db, article_id, {"doc_number": row["doc_number"], "title": row["title"],
                                               "body": row["body"]})
    return len(ids)


def _article(store, article_id: int) -> dict | None:
    from storage.documents_read import article_summary

    return article_summary(store.db, article_id)


def _url(store, article_id: int) -> str:
    return (_article(store, article_id) or {}).get("url") or ""


def _label(store, article_id: int) -> str:
    row = _article(store, article_id) or {}
    return f"#{article_id} {row.get('title') or row.get('url') or '?'}"
