"""`healthwatch feed` and `healthwatch notify`: what keyword watches matched, and sending it
(with the health alerts) through Apprise."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from crawler.cli.common import ConfigOption, DbOption, console, default_note, err, existing_db, load, log_to_file


def parse_since(since: Optional[str]) -> Optional[str]:
    """--since: a date (2026-11-01) or an ISO time, as the text the database compares."""
    if since is None:
        return None
    from datetime import datetime

    try:
        datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
    except ValueError:
        err.print(f"[red]--since wants a date like 2026-11-01, got {escape(since)!r}[/]")
        raise typer.Exit(2) from None
    return since.strip()


def watch_named(cfg, name: str):
    watch = next((w for w in cfg.watches if w.name == name), None)
    if watch is None:
        known = ", ".join(w.name for w in cfg.watches) or "none"
        err.print(f"[red]no watch named {name!r} in the config[/] (configured: {escape(known)})")
        raise typer.Exit(2)
    return watch


SinceOption = typer.Option(None, "--since", help="With --watch: also match the articles published since this "
                           "date (2026-11-01), as if the watch had existed then")


def feed(
    watch: Optional[str] = typer.Option(None, "--watch", "-w", help="Only articles that matched this watch"),
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Only this source"),
    since: Optional[str] = SinceOption,
    limit: int = typer.Option(50, "--limit", "-n", help="Newest N articles"),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Write to this file " + default_note("standard output")),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """Write an Atom feed of the newest articles (of a watch or a source)."""
    from crawler.watches import atom_feed, backfill
    from storage import watches as watch_sql
    from storage.store import Store

    since = parse_since(since)
    cfg = load(config)
    spec = watch_named(cfg, watch) if watch else None
    store = Store(existing_db(db))
    try:
        if spec and since:
            backfill(store.db, spec, since)
        entries = watch_sql.feed_entries(store.db, watch=watch, source=source, limit=limit, since=since)
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
    watch: Optional[str] = typer.Option(None, "--watch", "-w", help="Only this watch (no health alerts)"),
    since: Optional[str] = SinceOption,
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """Send what the keyword watches matched and the health alerts due (also runs after each crawl).

    Exit status 1 when a delivery failed; it is kept for `notify --retry`.
    """
    from crawler.health import deliver_alerts
    from crawler.watches import backfill, check_watches
    from storage.store import Store

    since = parse_since(since)
    cfg = load(config)
    db_path = existing_db(db)
    if since and not watch:
        err.print("[red]--since needs --watch NAME[/] (which watch to backfill)")
        raise typer.Exit(2)
    spec = watch_named(cfg, watch) if watch else None
    if not cfg.watches and not cfg.health.notify:
        err.print("nothing to notify: no [[watches]] and no [health] notify in the config", markup=False)
        raise typer.Exit(2)
    log_file = log_to_file(db_path, "notify")
    store = Store(db_path)
    try:
        backfilled = backfill(store.db, spec, since) if since else None
        results = check_watches(store.db, cfg, only_failed=retry, names=[watch] if watch else None)
        alerts = deliver_alerts(store.db, cfg, only_failed=retry) if not watch else {"sent": 0, "errors": []}
    finally:
        store.close()
    if backfilled is not None:
        console.print(f"{watch}: {backfilled} article(s) since {since} matched")
    failed = False
    for item in cfg.watches:
        if watch and item.name != watch:
            continue
        result = results.get(item.name, {"sent": 0, "error": None})
        if result["error"]:
            failed = True
            console.print(f"{item.name}: [red]not delivered[/]: {escape(result['error'])}", highlight=False)
        else:
            console.print(f"{item.name}: {result['sent']} sent")
    if cfg.health.notify and not watch:
        console.print(f"health alerts: {alerts['sent']} sent")
        for error in alerts["errors"]:
            failed = True
            console.print(f"health alert [red]not delivered[/]: {escape(error)}", highlight=False)
    if failed:
        err.print(f"undelivered notifications are kept: `healthwatch notify --retry` resends them "
                  f"(log: {log_file})", highlight=False)
        raise typer.Exit(1)


def watches(
    as_json: bool = typer.Option(False, "--json", help="Print the watches as JSON"),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """List the keyword watches: keywords, sources, where they notify (masked), hits, the last hit."""
    import json

    from rich.table import Table

    from crawler.masking import mask_url
    from storage import watches as watch_sql
    from storage.store import Store

    cfg = load(config)
    if not cfg.watches:
        err.print("no [[watches]] in the config", markup=False)
        raise typer.Exit(2)
    store = Store(existing_db(db))
    try:
        rows = [{"name": w.name, "keywords": w.keywords, "exclude": w.exclude, "sources": w.sources or ["all"],
                 "notify": [mask_url(u) for u in w.notify], "on_edit": w.on_edit,
                 **watch_sql.watch_summary(store.db, w.name)} for w in cfg.watches]
    finally:
        store.close()
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} keyword watches")
    table.add_column("watch", no_wrap=True)
    table.add_column("keywords", overflow="fold")
    table.add_column("sources / notify", overflow="fold")
    table.add_column("hits", justify="right")
    table.add_column("last hit", overflow="fold", ratio=1)
    for row in rows:
        last = row["last_hit"]
        last_text = escape(f"{last['matched_at']} [{last['keyword']}] {last['title'] or last['url']}"
                           if last else "none yet")
        if row["undelivered"]:
            last_text += f"\n[red]{row['undelivered']} undelivered[/]: healthwatch notify --retry"
        keywords = ", ".join(row["keywords"]) + (f" (not: {', '.join(row['exclude'])})" if row["exclude"] else "")
        table.add_row(row["name"], escape(keywords), escape(", ".join(row["sources"]) + "\n→ " + (
            ", ".join(row["notify"]) or "feed only") + (" · on_edit" if row["on_edit"] else "")),
            str(row["hits"]), last_text)
    console.print(table)
