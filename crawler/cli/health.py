"""`healthwatch health`: each source's state (ok, silent, broken_fields, failing, blocked,
unknown), since when, the evidence and a next step. Judged after every run (crawler.health)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from crawler.cli.common import ConfigOption, DbOption, console, default_note, existing_db, load, log_to_file, \
    source_named
from crawler.cli.status import STATE_COLOURS, when


def health(
    names: list[str] = typer.Argument(None, help="Sources to show " + default_note("every configured source")),
    as_json: bool = typer.Option(False, "--json", help='A JSON list of {"source", "state", "since", "evidence"}'),
    check: bool = typer.Option(False, "--check", help="Judge the sources again now (and send the alerts due)"),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """Source health with its evidence: last good run, rates before and after, what to try next."""
    from crawler.health import check_sources, deliver_alerts, verdicts
    from storage.store import Store

    cfg = load(config)
    for name in names or []:
        source_named(cfg, name)
    db_path = existing_db(db)
    store = Store(db_path)
    try:
        if check:
            log_to_file(db_path, "health")
            check_sources(store.db, cfg, names or None)
            errors = deliver_alerts(store.db, cfg)["errors"]
        rows = [v for v in verdicts(store.db, cfg) if not names or v["source"] in names]
    finally:
        store.close()
    if as_json:
        print(json.dumps([{"source": v["source"], "state": v["state"], "since": v["since"],
                           "evidence": {**v["evidence"], **({"next_step": v["suggestion"]} if v["suggestion"] else {})}}
                          for v in rows], ensure_ascii=False, indent=2))
    else:
        console.print(health_table(rows, cfg.timezone))
    if check and errors:
        for error in errors:
            console.print(f"[red]alert not delivered:[/] {escape(error)}", highlight=False)
        raise typer.Exit(1)


def health_table(rows: list[dict], zone: str) -> Table:
    tz = ZoneInfo(zone)
    table = Table(title=f"source health — times in {zone}")
    table.add_column("source", no_wrap=True, min_width=max([6, *(len(r["source"]) for r in rows)]))
    table.add_column("state", no_wrap=True)
    table.add_column("since", no_wrap=True)
    table.add_column("evidence / next step", overflow="fold", ratio=1)
    for row in rows:
        evidence = row["evidence"] or {}
        lines = [escape(evidence.get("reason") or "")] if evidence.get("reason") else []
        good = evidence.get("last_good_run")
        if good:
            lines.append(f"last good run {when(good['finished_at'], tz)} ({good['new']} new)")
        for field, rate in (evidence.get("rates") or {}).items():
            lines.append(f"{field}: {rate['before']:.0%} → {rate['after']:.0%}")
        if row["suggestion"] and row["state"] not in ("ok", "unknown"):
            lines.append(f"[bright_black]→ {escape(row['suggestion'])}[/]")
        table.add_row(row["source"], f"[{STATE_COLOURS.get(row['state'], 'white')}]{row['state']}[/]",
                      when(row["since"], tz), "\n".join(lines))
    return table
