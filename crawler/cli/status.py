"""`healthwatch status`: every source at a glance, readable at 80 columns.

The default view is two lines per source where needed (last run over next run, the outcome over
its reason) so that names are never cut; `--wide` adds every count, `--json` prints it all.
"Next run" is shown only while a scheduler runs (it keeps a heartbeat row fresh): without one,
no run is coming, whatever the schedule says.

Other parts of healthwatch add to the view through the two registries at the bottom
(SECTIONS: a block after the table, e.g. a shared crawl queue; SOURCE_NOTES: a note on a source's
row, e.g. "needs the browser tier").
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Optional
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from crawler.cli.common import ConfigOption, DbOption, console, existing_db, load
from crawler.config import Config

STATE_COLOURS = {"ok": "green", "unknown": "white", "silent": "yellow", "broken_fields": "yellow",
                 "failing": "red", "blocked": "red", "disabled": "bright_black"}


@dataclass
class StatusContext:
    """What a status section sees: the config, the open store, the rows built so far."""
    config: Config
    store: object
    db_path: Path
    now: datetime
    rows: list[dict] = field(default_factory=list)


# A section returns (json key, JSON-able value, renderable) or None when it has nothing to say.
SECTIONS: list[Callable[[StatusContext], tuple[str, object, RenderableType] | None]] = []
# A source note returns a short text for that source's row, or None.
SOURCE_NOTES: list[Callable[[StatusContext, str], str | None]] = []


def browser_tier_note(context: StatusContext, name: str) -> str | None:
    """A source that needs the browser tier where it is missing cannot run (issue 15)."""
    from crawler.fetch.browser import source_problem

    source = context.config.source(name)
    return source_problem(source) if source.enabled else None


SOURCE_NOTES.append(browser_tier_note)


def when(stamp: str | datetime | None, tz: ZoneInfo) -> str:
    """'12-01 23:10' in the config's time zone: short enough for two columns at 80 wide."""
    from storage.runs import parse_utc

    moment = parse_utc(stamp) if isinstance(stamp, str) else stamp
    return moment.astimezone(tz).strftime("%m-%d %H:%M") if moment else "-"


def short_reason(reason: str, limit: int = 48) -> str:
    """A reason that fits a narrow cell: "HTTP 412 (anti-bot)" for a challenge, else clipped."""
    if re.search(r"anti-bot|challenge", reason, re.I):
        status = re.search(r"HTTP (\d{3})", reason)
        return f"HTTP {status.group(1)} (anti-bot)" if status else "anti-bot challenge"
    return reason if len(reason) <= limit else reason[:limit - 1] + "…"


def outcome_markup(status: str | None, new: int | None) -> str:
    if not status:
        return "-"
    colour = {"ok": "green", "partial": "yellow", "running": "cyan", "stopped": "white"}.get(status, "red")
    return f"[{colour}]{status}[/]" + (f", {new} new" if new is not None else "")


def collect(cfg: Config, store, db_path: Path, now: datetime) -> tuple[list[dict], dict | None, StatusContext]:
    """One dict per source (what --json prints), and the live scheduler, if any."""
    from crawler.health import verdicts
    from storage import health as health_sql
    from storage import runs
    from storage.runs import failure_reason

    scheduler = health_sql.live_scheduler(store.db, max_age_seconds=health_sql.HEARTBEAT_STALE)
    health = {v["source"]: v for v in verdicts(store.db, cfg)}
    context = StatusContext(cfg, store, db_path, now)
    for source in cfg.sources:
        summary = runs.source_summary(store, source.name, now)
        last = summary["last_run"]
        verdict = health[source.name]
        row = {
            "source": source.name, "enabled": source.enabled,
            "health": verdict["state"] if source.enabled else "disabled", "health_since": verdict["since"],
            "health_reason": verdict["evidence"].get("reason"), "suggestion": verdict["suggestion"],
            "last_run": None if last is None else {
                "started_at": last["started_at"], "finished_at": last["finished_at"], "status": last["status"],
                "new": last["new"], "reason": failure_reason(last) if last["status"] not in ("ok", "running") else None},
            "new_24h": summary["new_24h"], "new_7d": summary["new_7d"],
            "failures_in_a_row": summary["consecutive_failures"],
            "next_run": (scheduler["next_runs"].get(source.name) if scheduler else None),
            "notes": [],
        }
        context.rows.append(row)
        row["notes"] = [note for fn in SOURCE_NOTES if (note := fn(context, source.name))]
    return context.rows, scheduler, context


def status(
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    wide: bool = typer.Option(False, "--wide", "-w", help="Every column: counts, failures in a row, next step"),
    as_json: bool = typer.Option(False, "--json", help="Print everything as JSON"),
    redis: Optional[str] = typer.Option(None, "--redis", help="Also show the distributed mode's queues and workers"),
):
    """Per source: health, last run and its outcome, new articles (24 h / 7 days), next run."""
    from storage.store import Store

    cfg = load(config)
    db_path = existing_db(db).resolve()
    now = datetime.now(timezone.utc)
    store = Store(db_path)
    try:
        rows, scheduler, context = collect(cfg, store, db_path, now)
        sections = [s for fn in SECTIONS if (s := fn(context))]
    finally:
        store.close()
    if as_json:
        print(json.dumps({"db": str(db_path), "timezone": cfg.timezone, "scheduler": scheduler, "sources": rows,
                          **{key: value for key, value, _ in sections}}, ensure_ascii=False, indent=2))
        return
    tz = ZoneInfo(cfg.timezone)
    console.print((wide_table if wide else narrow_table)(rows, scheduler, db_path, cfg.timezone, tz))
    console.print(scheduler_line(scheduler, tz), highlight=False)
    for row in rows:  # notes in full, one line each (e.g. "nhc-news: needs the browser tier: …")
        for note in row["notes"]:
            console.print(f"{row['source']}: {note}", highlight=False, markup=False, soft_wrap=True)
    for _, _, renderable in sections:
        console.print(renderable)
    if redis:  # issue 14's section: the shared queue and its workers
        from crawler.cli.redis import print_redis_status

        print_redis_status(redis, config)


def _title(db_path: Path, zone: str) -> str:
    return f"healthwatch status — {escape(str(db_path))} — times in {zone}"


def scheduler_line(scheduler: dict | None, tz: ZoneInfo) -> str:
    if scheduler is None:
        return "[bright_black]no scheduler is running (`healthwatch run`): no run is due by itself[/]"
    return (f"scheduler running since {when(scheduler['started_at'], tz)} (pid {scheduler['pid']} on "
            f"{escape(scheduler['host'])}, last heartbeat {when(scheduler['beat_at'], tz)})")


def _health_cell(row: dict) -> str:
    return f"[{STATE_COLOURS.get(row['health'], 'white')}]{row['health']}[/]"


def _outcome_cell(row: dict, narrow: bool = False) -> str:
    last = row["last_run"]
    if last is None:
        return "never run"
    text = outcome_markup(last["status"], last["new"] if last["status"] != "running" else None)
    extra = [last["reason"]] if last["reason"] else []
    if row["health"] not in ("ok", "unknown", "disabled") and row["health_reason"]:
        extra.append(row["health_reason"])
    for line in dict.fromkeys(extra):
        text += "\n[bright_black]" + escape(short_reason(line) if narrow else line) + "[/]"
    return text


def _name_width(rows: list[dict]) -> int:
    return max([len("source"), *(len(r["source"]) for r in rows)])


def narrow_table(rows, scheduler, db_path, zone, tz) -> Table:
    """Fits 80 columns: the name whole, last run over next run, the outcome over its reason."""
    table = Table(title=_title(db_path, zone), box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("source", no_wrap=True, min_width=_name_width(rows))
    table.add_column("health", no_wrap=True)
    table.add_column("last run" + (" / next" if scheduler else ""), no_wrap=True, min_width=11)
    table.add_column("outcome", overflow="fold", ratio=1)
    table.add_column("new 24h/7d", justify="right", no_wrap=True)
    for row in rows:
        times = when(row["last_run"]["started_at"] if row["last_run"] else None, tz)
        if scheduler:
            times += "\n→ " + (when(row["next_run"], tz) if row["next_run"] else "-")
        table.add_row(row["source"], _health_cell(row), times, _outcome_cell(row, narrow=True),
                      f"{row['new_24h']}/{row['new_7d']}")
    return table


def wide_table(rows, scheduler, db_path, zone, tz) -> Table:
    table = Table(title=_title(db_path, zone))
    columns = ["source", "health", "since", "last run", "outcome", "new", "24 h", "7 d", "failures in a row"] + (
        ["next run"] if scheduler else []) + ["next step"]
    for column in columns:
        numeric = column in ("new", "24 h", "7 d", "failures in a row")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=not column.startswith(("outcome", "next step", "failures")),
                         overflow="fold", ratio={"outcome": 2, "next step": 3}.get(column),
                         min_width=_name_width(rows) if column == "source" else 8 if column == "failures in a row" else None)
    for row in rows:
        last = row["last_run"] or {}
        failures = row["failures_in_a_row"]
        cells = [row["source"], _health_cell(row), when(row["health_since"], tz), when(last.get("started_at"), tz),
                 _outcome_cell(row), str(last.get("new") or 0) if last else "-", str(row["new_24h"]),
                 str(row["new_7d"]), f"[red]{failures}[/]" if failures else "0"]
        if scheduler:
            cells.append(when(row["next_run"], tz) if row["next_run"] else "-")
        cells.append(escape(row["suggestion"] or "") if row["health"] not in ("ok", "unknown") else "")
        table.add_row(*cells)
    return table
