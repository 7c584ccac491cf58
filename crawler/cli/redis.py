"""`healthwatch worker` and `healthwatch ingest`: the distributed mode on scrapy-redis
(1 Redis + N workers + 1 ingester; `healthwatch run --redis URL` queues the rounds), and the
Redis part of `healthwatch status --redis URL`."""
from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from crawler.cli.common import ConfigOption, DbOption, console, err, load
from storage.paths import default_db_path

RedisOption = typer.Option(..., "--redis", help="Redis URL, e.g. redis://central-host:6379/0")
DeadAfterOption = typer.Option(60.0, "--dead-after", help="Seconds without a heartbeat after which a "
                               "worker counts as dead and its in-flight requests are queued again")


def _redis_or_exit(url: str):
    from crawler.schedule import redisq

    try:
        server = redisq.connect(url)
        server.ping()
        return server
    except Exception as exc:  # noqa: BLE001 - any connection problem: one clear line
        err.print(f"[red]cannot reach Redis at {escape(url)}:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None


def worker(
    names: list[str] = typer.Argument(None, help="Sources to crawl [default: every enabled source]"),
    redis: str = RedisOption,
    config: Optional[Path] = ConfigOption,
    dead_after: float = DeadAfterOption,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Scrapy's log"),
    log_file: Optional[str] = typer.Option(None, "--log-file", help="Write Scrapy's log to this file"),
):
    """Crawl from the shared Redis queue until stopped (SIGTERM/Ctrl-C); run one per machine or more."""
    from crawler.config import default_config_path
    from crawler.schedule.worker import run_worker

    cfg = load(config)
    names = names or [s.name for s in cfg.sources if s.enabled]
    unknown = [n for n in names if n not in {s.name for s in cfg.sources}]
    if unknown or not names:
        err.print(f"[red]no source named {unknown[0]!r}[/]" if unknown else "no enabled sources to crawl")
        raise typer.Exit(2)
    _redis_or_exit(redis)
    run_worker(cfg.origin or config or default_config_path(), redis, names, dead_after=dead_after,
               log_level="INFO" if verbose or log_file else "WARNING", log_file=log_file)


def ingest(
    redis: str = RedisOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
    batch: int = typer.Option(100, "--batch", help="Items written per transaction"),
    dead_after: float = DeadAfterOption,
    pause_in_batch: float = typer.Option(0.0, "--pause-in-batch", hidden=True),  # tests: kill mid-batch
):
    """The single writer: drain the workers' items into the SQLite file until stopped."""
    from crawler.schedule.ingester import Ingester

    cfg = load(config)
    _redis_or_exit(redis)
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))
    ingester = Ingester(redis, db or default_db_path(), cfg, batch_size=batch, dead_after=dead_after,
                        pause_in_batch=pause_in_batch)
    try:
        ingester.run(should_stop=lambda: bool(stop))
    except RuntimeError as exc:
        err.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from None
    err.print(f"ingester stopped; {ingester.written} articles written")


def redis_status_table(url: str, sources: list[str]) -> Table:
    """Queue lengths per source, items waiting for the ingester, workers and their heartbeats."""
    from crawler.schedule import redisq

    server = _redis_or_exit(url)
    table = Table(title=f"distributed mode — {url}")
    for column in ("", "start requests", "queued", "in flight", "last heartbeat"):
        table.add_column(column, justify="left" if not column else "right")
    for source, lengths in redisq.queue_lengths(server, sources).items():
        table.add_row(f"source {source}", str(lengths["start"]), str(lengths["queued"]), str(lengths["in_flight"]), "")
    table.add_row("items for the ingester", "", str(server.llen(redisq.ITEMS)),
                  str(server.llen(redisq.ITEMS_PROCESSING)), "")
    now = time.time()
    workers = redisq.workers(server)
    for worker_id, info in sorted(workers.items()):
        age = now - info.get("seen", 0)
        colour = "green" if age < 10 else "red"
        table.add_row(f"worker {escape(worker_id)} ({info.get('pages', 0)} pages)", "", "", "",
                      f"[{colour}]{age:.0f} s ago[/]")
    if not workers:
        table.add_row("[yellow]no worker seen[/]", "", "", "", "")
    return table


def print_redis_status(url: str, config: Optional[Path]) -> None:
    cfg = load(config)
    console.print(redis_status_table(url, [s.name for s in cfg.sources if s.enabled]))
