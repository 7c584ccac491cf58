"""`healthwatch report`: the last days as one self-contained HTML page, or a PNG of it."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from crawler.cli.common import ConfigOption, DbOption, console, err, existing_db, load


def report(
    output: Path = typer.Option(Path("report.html"), "--output", "-o",
                                help="report.html, or a .png (drawn by headless Chromium)"),
    days: int = typer.Option(30, "--days", min=1, help="How many days back"),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """Articles per source per day (chart), source health, the newest articles, failed runs."""
    from crawler.report import build_report, page_height, screenshot
    from storage.store import Store

    cfg = load(config)
    db_path = existing_db(db).resolve()
    if output.suffix.lower() not in (".html", ".htm", ".png"):
        err.print(f"[red]--output: give a .html or .png file name, not {escape(output.name)}[/]")
        raise typer.Exit(2)
    store = Store(db_path)
    try:
        page = build_report(store.db, cfg, days=days, db_path=db_path)
        height = page_height(cfg, store.db)
    finally:
        store.close()
    if output.suffix.lower() != ".png":
        output.write_text(page, encoding="utf-8")
        console.print(f"wrote {escape(str(output))}", highlight=False)
        return
    with tempfile.TemporaryDirectory() as folder:
        html_path = Path(folder) / "report.html"
        html_path.write_text(page, encoding="utf-8")
        try:
            screenshot(html_path, output.resolve(), height=height)
        except (RuntimeError, OSError) as exc:
            err.print(f"[red]could not draw the PNG:[/] {escape(str(exc))} (the .html needs no browser)",
                      highlight=False)
            raise typer.Exit(1) from None
    console.print(f"wrote {escape(str(output))}", highlight=False)
