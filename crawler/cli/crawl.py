"""`healthwatch crawl` and `healthwatch extract`: crawl sources now, extract one page."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from crawler.cli.common import ConfigOption, DbOption, console, default_note, err, fetch, load, log_to_file, source_named
from crawler.config import ConfigError
from crawler.masking import mask
from storage.paths import default_db_path


def crawl(
    names: list[str] = typer.Argument(None, help="Sources to crawl " + default_note("every enabled source")),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Scrapy's log"),
    log_file: Optional[str] = typer.Option(None, "--log-file", help="Write Scrapy's log to this file "
                                           + default_note("logs/crawl.log next to the database")),
):
    """Crawl sources once, now, and print what each run found."""
    from crawler.schedule.runner import COUNTERS, crawl_now

    cfg = load(config)
    if names:
        for name in names:
            source_named(cfg, name)
    else:
        names = [s.name for s in cfg.sources if s.enabled]
    # sources that need what is not installed here are not crawled unless named (then their run
    # records why); either way the summary says what is missing
    from crawler.fetch.browser import source_problem

    cannot = {name: problem for name in names if (problem := source_problem(cfg.source(name)))}
    named = bool(names) and names != [s.name for s in cfg.sources if s.enabled]
    if not named:
        names = [name for name in names if name not in cannot]
    if not names and not cannot:
        err.print("no enabled sources to crawl")
        raise typer.Exit(2)
    db_path = db or default_db_path()
    from storage.store import Store

    Store(db_path).close()  # a database that cannot be used is one clear line (exit 2), before any crawl
    if not log_file:  # the crawl sends watch and health notifications: keep a log of it
        log_to_file(db_path, "crawl")

    def table(progress: dict[str, dict]) -> Table:
        t = Table(title=f"crawling into {db_path}")
        t.add_column("source")
        t.add_column("state")
        for key in COUNTERS:
            t.add_column(key.replace("_", " "), justify="right")
        for name in names:
            row = progress.get(name, {})
            t.add_row(name, row.get("state", "queued"), *(str(row.get(k, 0)) for k in COUNTERS))
        return t

    runs = {}
    if names:
        with Live(table({}), console=err, refresh_per_second=4, transient=True) as live:
            runs = crawl_now(cfg, names, db_path, on_progress=lambda p: live.update(table(p)),
                             log_level="INFO" if verbose else "WARNING", log_file=log_file)

    summary = Table(title="crawl summary")
    for column in ("source", "status", "list pages", "not modified", "new", "already known", "duplicates",
                   "errors"):
        summary.add_column(column, justify="left" if column in ("source", "status") else "right")
    failed = []
    for name, row in runs.items():
        status = row.get("status") or "failed"
        if status not in ("ok", "partial", "stopped"):  # failed, timeout, blocked, or never recorded
            failed.append(name)
        colour = {"ok": "green", "partial": "yellow"}.get(status, "red")
        summary.add_row(name, f"[{colour}]{status}[/]", *(str(row.get(k) or 0) for k in (
            "pages", "not_modified", "new", "known", "duplicates", "errors")))
    for name, problem in cannot.items():
        if name not in runs:
            summary.add_row(name, "[yellow]skipped[/]", *("-" * 6))
    console.print(summary)
    for name, problem in cannot.items():
        console.print(f"  {name}: {problem}", highlight=False, markup=False)
    for name, row in runs.items():
        if row.get("status") == "failed" and row.get("finish_reason") not in (None, "finished"):
            console.print(f"  {name}: {mask(row['finish_reason'])}", highlight=False, markup=False)
        reasons = json.loads(row.get("error_reasons") or "[]")
        for reason in reasons[:10]:
            console.print(f"  {name}: {mask(reason['reason'])}  {mask(reason['url'])}", highlight=False, markup=False)
        if len(reasons) > 10:
            console.print(f"  {name}: … {len(reasons) - 10} more in crawl_runs.error_reasons")
    undelivered_notifications(db_path)
    if failed:
        raise typer.Exit(1)


def undelivered_notifications(db_path: Path) -> None:
    """A line per notification that could not be sent, so a dead webhook is not a silent one."""
    from storage import health as health_sql
    from storage.store import Store

    store = Store(db_path)
    try:
        failed = health_sql.failed_deliveries(store.db)
    finally:
        store.close()
    for item in failed:
        console.print(f"[red]not delivered[/] ({item['kind']}) {escape(item['what'])}: {escape(item['error'] or '')}",
                      highlight=False)
    if failed:
        console.print("they are retried after the next crawl, or now with `healthwatch notify --retry`")


def extract(
    file_or_url: str = typer.Argument(..., help="An HTML file, '-' for standard input, or an http(s) URL"),
    url: Optional[str] = typer.Option(None, "--url", help="The page's URL, for relative links and URL dates"),
):
    """Print the extracted article of one page as JSON."""
    from crawler.extract import extract as run_extract

    content_type = None
    if file_or_url.startswith(("http://", "https://")):
        html, content_type, final_url = fetch(file_or_url)
        url = url or final_url
    elif file_or_url == "-":
        html = sys.stdin.buffer.read()
    else:
        path = Path(file_or_url)
        if not path.is_file():
            err.print(f"[red]no such file:[/] {path}")
            raise typer.Exit(1)
        html = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            html = gzip.decompress(html)
    record = run_extract(html, url, content_type=content_type)
    print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))
