"""`healthwatch run`: the scheduler, with a live view (`healthwatch status` is crawler/cli/status.py)."""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import typer
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from crawler.cli.common import LOG_FORMAT, ConfigOption, DbOption, QuietFileHandler, ZonedFormatter, console, default_note, err, load
from crawler.cli.status import outcome_markup, short_reason
from storage.paths import default_db_path



def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M:%S") if moment else "-"


def live_view(supervisor, events) -> Group:
    return Group(live_table(supervisor), *events)


def live_table(supervisor) -> Table:
    tz = supervisor.tz
    table = Table(title=f"healthwatch run — {supervisor.db_path} — times in {supervisor.config.timezone}")
    for column in ("source", "state", "last result", "runs", "next run"):
        table.add_column(column, no_wrap=column == "source")
    for name, state in supervisor.states.items():
        if state.running_since:
            now_state = f"[cyan]crawling[/] since {_when(state.running_since, tz)}"
        else:
            now_state = "waiting for a slot" if state.waiting else "idle"
        last = outcome_markup(state.last.status, state.last.new) if state.last else "-"
        if state.last and state.last.reason:  # why it failed, not just "failed" (DNS, HTTP 412, ...)
            last += f" ({escape(short_reason(state.last.reason, 60))})"
        table.add_row(name, now_state, last, str(state.runs), _when(supervisor.next_run(name), tz))
    return table


def run(
    names: list[str] = typer.Argument(None, help="Sources to schedule " + default_note("every enabled source")),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    once: bool = typer.Option(False, "--once", help="Run every source once (supervised, in parallel) and exit"),
    grace: float = typer.Option(20.0, "--grace", help="Seconds a stopped crawl gets to finish before it is killed"),
    redis: Optional[str] = typer.Option(None, "--redis", help="Distributed mode: push due sources' start "
                                        "requests to this Redis for `healthwatch worker`s instead of crawling here"),
):
    """Crawl every source on its own schedule until Ctrl-C / SIGTERM (stops gracefully)."""
    from crawler.schedule.scheduler import Supervisor

    cfg = load(config)
    for name in names or []:
        if name not in {s.name for s in cfg.sources}:
            err.print(f"[red]no source named {name!r}[/]")
            raise typer.Exit(2)
    db_path = (db or default_db_path()).resolve()
    log_dir = db_path.parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = QuietFileHandler(log_dir / "scheduler.log", maxBytes=5 * 1024 * 1024, backupCount=3,
                                  encoding="utf-8")
    handler.setFormatter(ZonedFormatter(LOG_FORMAT))
    logging.basicConfig(handlers=[handler], level=logging.INFO)
    interactive = console.is_terminal
    tz = ZoneInfo(cfg.timezone)
    recent = deque(maxlen=6)  # the live view's last events

    def event(message: str) -> None:
        logging.getLogger("healthwatch.scheduler").info(message)
        line = f"{datetime.now(timezone.utc).astimezone(tz):%Y-%m-%d %H:%M:%S%z} {message}"
        recent.append(line)
        if not interactive:  # under systemd, docker or a pipe: one line per event instead of a live view
            print(line, flush=True)

    if not names:  # sources that need what is missing here are left out, and said so
        from crawler.fetch.browser import source_problem

        for source in cfg.sources:
            if source.enabled and (problem := source_problem(source)):
                event(f"{source.name}: not scheduled: {problem}")
        names = [s.name for s in cfg.sources if s.enabled and not source_problem(s)] or ["-"]
    if redis:
        from crawler.cli.redis import _redis_or_exit

        _redis_or_exit(redis)
    supervisor = Supervisor(cfg, db_path, names=names, grace=grace, on_event=event, redis_url=redis)
    if not supervisor.sources:
        err.print("no enabled sources to run")
        raise typer.Exit(2)

    async def main():
        if not interactive:
            await supervisor.serve(once=once)
            return
        with Live(live_view(supervisor, recent), console=console, refresh_per_second=2) as live:
            serving = asyncio.ensure_future(supervisor.serve(once=once))
            while not serving.done():
                live.update(live_view(supervisor, recent))
                await asyncio.sleep(0.5)
            live.update(live_view(supervisor, recent))
            await serving

    asyncio.run(main())
    if once and any(s.last is None or s.last.status in ("failed", "timeout", "killed") for s in supervisor.states.values()):
        raise typer.Exit(1)
