"""`healthwatch feed` and `healthwatch notify`: what keyword watches matched."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from crawler.cli.common import ConfigOption, DbOption, console, err, load
from storage.paths import default_db_path


def feed(
    watch: Optional[str] = typer.Option(None, "--watch", "-w", help="Only articles that matched this watch"),
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Only this source"),
    limit: int = typer.Option(50, "--limit", "-n", help="Newest N articles"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file [default: stdout]"),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """Write an Atom feed of the newest articles (of a watch or a source)."""
    from crawler.watches import atom_feed
    from storage import watches as watch_sql
    from storage.store import Store

    if watch and watch not in {w.name for w in load(config).watches}:
        err.print(f"[red]no watch named {watch!r} in the config[/]")
        raise typer.Exit(2)
    store = Store(db or default_db_path())
    try:
        entries = watch_sql.feed_entries(store.db, watch=watch, source=source, limit=limit)
    finally:
        store.close()
    what = f"watch {watch}" if watch else f"source {source}" if source else "all sources"
    document = atom_feed(entries, title=f"healthwatch: {what}", feed_id=f"urn:healthwatch:{what.replace(' ', ':')}")
    if output:
        output.write_bytes(document)
    else:
        sys.stdout.buffer.write(document + b"\n")


def notify(config: Optional[Path] = ConfigOption, db: Optional[Path] = DbOption):
    """Match new articles against the keyword watches and send what is unsent (also runs after each crawl)."""
    from crawler.watches import check_watches
    from storage.store import Store

    cfg = load(config)
    if not cfg.watches:
        err.print("no [[watches]] in the config")
        raise typer.Exit(2)
    store = Store(db or default_db_path())
    try:
        sent = check_watches(store.db, cfg)
    finally:
        store.close()
    for watch in cfg.watches:
        console.print(f"{watch.name}: {sent.get(watch.name, 0)} sent")
