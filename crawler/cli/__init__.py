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

app = typer.Typer(help="Crawl Chinese health-policy news sources into one SQLite file.", no_args_is_help=True,
                  add_completion=False)

for command in (crawl, extract, feed, notify, run, status, duplicates, doctor, cites, worker, ingest):
    app.command()(command)
app.add_typer(sources_app, name="sources")
