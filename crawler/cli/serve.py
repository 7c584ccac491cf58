"""`healthwatch serve`: Datasette on the database with healthwatch's metadata and plugin (storage/datasette)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from crawler.cli.common import DbOption, err
from crawler.cli.read import open_existing


def serve(
    port: int = typer.Option(8001, "--port", "-p", help="Port to listen on"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 exposes it to the network)"),
    db: Optional[Path] = DbOption,
):
    """Browse and search the database in Datasette: labelled columns, a search box that finds 2-character
    Chinese terms, canned queries (search, latest, per source per day, stories, watch hits, failures, edits)."""
    try:
        import datasette  # noqa: F401  (the `web` extra)
    except ImportError:
        err.print("[red]Datasette is not installed:[/] pip install -e '.[web]'")
        raise typer.Exit(1) from None
    from storage.datasette import METADATA

    store = open_existing(db)  # migrations first: the search index must exist before Datasette reads it
    path = store.conn.execute("PRAGMA database_list").fetchone()[2]
    store.close()
    command = [sys.executable, "-m", "datasette", "serve", path, "--metadata", str(METADATA),
               "--host", host, "--port", str(port), "--setting", "truncate_cells_html", "300"]
    err.print(f"Datasette on http://{host}:{port}/ — Ctrl-C to stop", highlight=False)
    sys.stdout.flush()
    # this process becomes Datasette: a signal to `healthwatch serve` (Ctrl-C, SIGTERM from systemd or a
    # test) reaches the server itself, and no child is left behind
    os.execv(sys.executable, command)
