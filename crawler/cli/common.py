"""What every `healthwatch` command shares: consoles, the --config/--db options, loading a config,
opening an existing database, the log file of commands that send notifications."""
from __future__ import annotations

import logging
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from crawler.config import Config, ConfigError, Source, default_config_path, load_config
from storage.paths import default_db_path

USER_AGENT = Config(sources=[]).user_agent
CONTEXT = {"help_option_names": ["-h", "--help"]}  # every command and group takes -h too

console = Console()
err = Console(stderr=True)


def default_note(text: str) -> str:
    """A '[default: …]' note for help text. Typer renders help as Rich markup, where a bare
    '[default: …]' is an unknown tag and silently vanishes; escaped, it is printed."""
    return escape(f"[default: {text}]")


ConfigOption = typer.Option(None, "--config", "-c", help="Config file or directory "
                            + default_note("$HEALTHWATCH_CONFIG, else the bundled sources"))
DbOption = typer.Option(None, "--db", help="SQLite file " + default_note("$HEALTHWATCH_DB, else ./healthwatch.db"))


def load(config: Optional[Path]) -> Config:
    """The config, or exit status 2 with the file, line and key at fault."""
    try:
        return load_config(config or default_config_path())
    except ConfigError as exc:
        err.print(f"[red]config error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None


def source_named(cfg: Config, name: str) -> Source:
    """The configured source, or exit status 2 naming the ones there are (never a traceback)."""
    try:
        return cfg.source(name)
    except ConfigError as exc:
        err.print(f"[red]{escape(str(exc))}[/]", highlight=False)
        raise typer.Exit(2) from None


def existing_db(db: Optional[Path]) -> Path:
    """The database a reading command works on. Opening a missing path would create an empty
    file and report "nothing" as if that were the news; refuse it instead (exit status 2)."""
    path = db or default_db_path()
    if not path.exists():  # a folder or a broken file: the store says what is wrong with it
        err.print(f"[red]no database at {escape(str(path))}[/] (crawl first with `healthwatch crawl`, "
                  "or give --db / $HEALTHWATCH_DB)", highlight=False)
        raise typer.Exit(2)
    return path


class ZonedFormatter(logging.Formatter):
    """Log lines stamped with their UTC offset ('2026-12-01T23:10:04+0800'): logs outlive the
    machine's time zone and are read next to crawl_runs, which is UTC."""
    default_time_format = "%Y-%m-%dT%H:%M:%S%z"
    default_msec_format = None

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return time.strftime(datefmt or self.default_time_format, self.converter(record.created))


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class QuietFileHandler(RotatingFileHandler):
    """A log file that cannot be written (full disk, read-only folder) loses its lines quietly:
    the command's own output and crawl_runs say what happened; logging's default would print a
    traceback into that output for every line."""

    def handleError(self, record):  # noqa: N802 - logging's name
        pass


def log_to_file(db_path: Path, name: str) -> Path | None:
    """Send this command's log (and Apprise's, which says why a delivery failed) to
    logs/<name>.log next to the database, rotated. None when the folder cannot be written."""
    log_dir = db_path.resolve().parent / "logs"
    path = log_dir / f"{name}.log"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = QuietFileHandler(path, maxBytes=5 * 1024 * 1024, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(ZonedFormatter(LOG_FORMAT))
    # Ours and Apprise's only: Scrapy's own log goes where --log-file says (a crawl's INFO lines
    # would otherwise fill a nearly full disk before the run could be recorded).
    for name in ("healthwatch", "apprise"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return path


def fetch(url: str, user_agent: str = USER_AGENT, allow_private: bool | None = None) -> tuple[bytes, str | None, str]:
    """One page for `extract` and `sources try`: (body, Content-Type, final URL), or exit status 1.
    The crawler's limits apply: address guard, size cap, deadline, redirect hop limit."""
    from crawler.fetch.single import FetchError, fetch_page
    from crawler.masking import mask

    if allow_private is None:  # the default config decides, as it does for crawls
        allow_private = load(None).allow_private_addresses
    try:
        return fetch_page(url, user_agent=user_agent, allow_private=allow_private)
    except FetchError as exc:
        err.print(f"could not fetch {mask(url)}: {mask(str(exc))}", markup=False, highlight=False)
        raise typer.Exit(1) from None
