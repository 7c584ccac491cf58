"""`healthwatch reset SOURCE`: make a source's next crawl read everything again."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from crawler.cli.common import DbOption, console, err
from crawler.cli.read import open_existing


def reset(
    source: str = typer.Argument(..., help="Source name (as in the config and the articles' source column)"),
    list_pages: bool = typer.Option(False, "--list-pages", help="Forget its list pages' state (ETag/Last-Modified)"),
    failures: bool = typer.Option(False, "--failures", help="Forget its failed pages, so they are tried again"),
    articles: bool = typer.Option(False, "--articles", help="Delete its articles and everything pointing at them "
                                  "(aliases, signatures, revisions, watch hits, index entries); implies --list-pages"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deleting articles"),
    db: Optional[Path] = DbOption,
):
    """Forget a source's list-page state and failures (both when neither flag is given), so its next
    crawl reads everything again; --articles also deletes its stored articles, after a confirmation."""
    from storage import reset as reset_sql
    from storage.db import write_transaction

    if not (list_pages or failures or articles):
        list_pages = failures = True
    list_pages = list_pages or articles
    store = open_existing(db)
    try:
        found = reset_sql.counts(store.conn, source)
        if not any(found.values()):
            err.print(f"[red]nothing stored for source {escape(source)!r}[/]")
            raise typer.Exit(1)
        if articles and found["articles"] and not yes:
            if not typer.confirm(f"Delete {found['articles']} articles of {source} (and their aliases, revisions, "
                                 "watch hits)?", default=False):
                err.print("nothing deleted")
                raise typer.Exit(1)
        with write_transaction(store):
            done = {
                "articles deleted": reset_sql.delete_articles(store.conn, source) if articles else None,
                "list pages forgotten": reset_sql.forget_list_pages(store.conn, source) if list_pages else None,
                "failures forgotten": reset_sql.forget_failures(store.conn, source) if failures else None,
            }
    finally:
        store.close()
    console.print(f"{escape(source)}: " + ", ".join(f"{n} {what}" for what, n in done.items() if n is not None),
                  highlight=False)
