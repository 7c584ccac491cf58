"""The `healthwatch` command: one module per command group, registered here."""
from __future__ import annotations

import typer

from crawler.cli.crawl import crawl, extract
from crawler.cli.doctor import doctor
from crawler.cli.documents import cites
from crawler.cli.duplicates import duplicates
from crawler.cli.redis import ingest, worker
from crawler.cli.schedule import run, status
from crawler.cli.sources import app as sources_app
from crawler.cli.watches import feed, notify

class _App(typer.Typer):
    """A database that cannot be used (read-only, a folder, not SQLite, a newer schema) is one
    clear line and exit status 2, from every command, never a traceback."""

    def __call__(self, *args, **kwargs):
        from storage.db import DatabaseError

        try:
            return super().__call__(*args, **kwargs)
        except DatabaseError as exc:
            from crawler.cli.common import err
            from crawler.redact import mask

            err.print(f"database error: {mask(str(exc))}", markup=False, highlight=False)
            raise SystemExit(2) from None


app = _App(help="Crawl Chinese health-policy news sources into one SQLite file.", no_args_is_help=True,
           add_completion=False)

for command in (crawl, extract, feed, notify, run, status, duplicates, doctor, cites, worker, ingest):
    app.command()(command)
app.add_typer(sources_app, name="sources")
