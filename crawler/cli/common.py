"""What every `healthwatch` command shares: consoles, the --config/--db options, loading a config."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from crawler.config import Config, ConfigError, default_config_path, load_config

USER_AGENT = Config(sources=[]).user_agent

console = Console()
err = Console(stderr=True)

ConfigOption = typer.Option(None, "--config", "-c", help="Config file or directory "
                            "[default: $HEALTHWATCH_CONFIG, else the bundled sources]")
DbOption = typer.Option(None, "--db", help="SQLite file [default: $HEALTHWATCH_DB, else ./healthwatch.db]")


def load(config: Optional[Path]) -> Config:
    """The config, or exit status 2 with the file, line and key at fault."""
    try:
        return load_config(config or default_config_path())
    except ConfigError as exc:
        err.print(f"[red]config error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None


def fetch(url: str, user_agent: str = USER_AGENT, allow_private: bool | None = None) -> tuple[bytes, str | None, str]:
    """One page for `extract` and `sources try`: (body, Content-Type, final URL), or exit status 1.
    The crawler's limits apply: address guard, size cap, deadline, redirect hop limit."""
    from crawler.fetch.single import FetchError, fetch_page
    from crawler.redact import mask

    if allow_private is None:  # the default config decides, as it does for crawls
        allow_private = load(None).allow_private_addresses
    try:
        return fetch_page(url, user_agent=user_agent, allow_private=allow_private)
    except FetchError as exc:
        err.print(f"could not fetch {mask(url)}: {mask(str(exc))}", markup=False, highlight=False)
        raise typer.Exit(1) from None
