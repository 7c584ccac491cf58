"""`healthwatch feed` and `healthwatch notify`: what keyword watches matched, and sending it
(with the health alerts) through Apprise."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from crawler.cli.common import ConfigOption, DbOption, console, default_note, err, existing_db, load, log_to_file


def feed(
    watch: Optional[str] = typer.Option(None, "--watch", "-w", help="Only articles that matched this watch"),
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Only this source"),
    limit: int = typer.Option(50, "--limit", "-n", help="Newest N articles"),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Write to this file " + default_note("standard output")),
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
    store = Store(existing_db(db))
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


def notify(
    retry: bool = typer.Option(False, "--retry", help="Only resend the notifications that failed before"),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """Send what the keyword watches matched and the health alerts due (also runs after each crawl).

    Exit status 1 when a delivery failed; it is kept for `notify --retry`.
    """
    from crawler.health import deliver_alerts
    from crawler.watches import check_watches
    from storage.store import Store

    cfg = load(config)
    db_path = existing_db(db)
    if not cfg.watches and not cfg.health.notify:
        err.print("nothing to notify: no [[watches]] and no [health] notify in the config", markup=False)
        raise typer.Exit(2)
    log_file = log_to_file(db_path, "notify")
    store = Store(db_path)
    try:
        results = check_watches(store.db, cfg, only_failed=retry)
        alerts = deliver_alerts(store.db, cfg, only_failed=retry)
    finally:
        store.close()
    failed = False
    for watch in cfg.watches:
        result = results.get(watch.name, {"sent": 0, "error": None})
        if result["error"]:
            failed = True
            console.print(f"{watch.name}: [red]not delivered[/]: {escape(result['error'])}", highlight=False)
        else:
            console.print(f"{watch.name}: {result['sent']} sent")
    if cfg.health.notify:
        console.print(f"health alerts: {alerts['sent']} sent")
        for error in alerts["errors"]:
            failed = True
            console.print(f"health alert [red]not delivered[/]: {escape(error)}", highlight=False)
    if failed:
        err.print(f"undelivered notifications are kept: `healthwatch notify --retry` resends them "
                  f"(log: {log_file})", highlight=False)
        raise typer.Exit(1)
