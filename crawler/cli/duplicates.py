"""`healthwatch duplicates`: story clusters of reposts (storage.dedup), registered by crawler/cli.py."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from crawler.cli.common import DbOption, console, err
from storage.paths import default_db_path



def duplicates(
    since: Optional[str] = typer.Option(
        None, "--since", help="Only clusters updated (new repost or first seen) on or after this date, "
        "e.g. 2026-11-01 (UTC)"),
    db: Optional[Path] = DbOption,
    as_json: bool = typer.Option(False, "--json", help="Print the clusters as JSON"),
    min_size: int = typer.Option(2, "--min-size", help="Only stories in at least this many places "
                                "(stored articles plus exact copies on other sites)"),
):
    """List stories published on several sites: each cluster's original, its reposts, sites and dates."""
    from storage.store import Store

    if since:
        try:
            datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            err.print(f"[red]--since wants a date like 2026-11-01, got {since!r}[/]")
            raise typer.Exit(2) from None
    db_path = db or default_db_path()
    if not Path(db_path).exists():
        err.print(f"[red]no database at {db_path}[/]")
        raise typer.Exit(1)
    store = Store(db_path)
    try:
        clusters = store.clusters(since=since, min_size=min_size)
    finally:
        store.close()
    if as_json:
        print(json.dumps(clusters, ensure_ascii=False, indent=2))
        return
    if not clusters:
        console.print("no story clusters" + (f" updated since {since}" if since else ""))
        return
    for cluster in clusters:
        original = cluster["original"]
        t = Table(title=f"cluster {cluster['id']}: {original['title'] or '(untitled)'}", title_justify="left",
                  caption=f"{cluster['places']} places ({cluster['size']} stored, {len(cluster['copies'])} exact "
                  f"copies) · sites: {', '.join(cluster['sites'])} · dates: "
                  f"{', '.join(cluster['dates'])}", caption_justify="left")
        for column in ("role", "published", "source", "similarity", "url"):
            t.add_column(column, overflow="fold")
        t.add_row("[bold]original[/]", original["published"] or "-", original["source"] or "-", "",
                  original["url"])
        for repost in cluster["reposts"]:
            sim = repost.get("similarity")
            t.add_row("repost", repost["published"] or "-", repost["source"] or "-",
                      f"{sim:.2f}" if sim is not None else "-", repost["url"])
        for copy in cluster["copies"]:
            t.add_row("exact copy", "-", copy["source"] or "-", "1.00", copy["url_key"])
        console.print(t)
    console.print(f"{len(clusters)} clusters")
