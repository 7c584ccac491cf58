"""The `healthwatch` command: one module per command group, registered here."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as package_version

import typer
import typer.core

from crawler.cli.common import CONTEXT
from crawler.cli.crawl import crawl, extract
from crawler.cli.doctor import doctor
from crawler.cli.documents import cites
from crawler.cli.duplicates import duplicates
from crawler.cli.redis import ingest, worker
from crawler.cli.health import health
from crawler.cli.report import report
from crawler.cli.schedule import run
from crawler.cli.read import export, latest, search, show
from crawler.cli.reset import reset
from crawler.cli.serve import serve
from crawler.cli.sources import app as sources_app
from crawler.cli.status import status
from crawler.cli.watches import feed, notify, watches

_type_of = typer.core.TyperOption.display_type_rich


def _flags_without_type(self, ctx):
    """Typer labels on/off flags `<bool>` in help as if they took a value; show them as flags."""
    return None if self.is_flag else _type_of(self, ctx)


typer.core.TyperOption.display_type_rich = _flags_without_type

class _App(typer.Typer):
    """A database that cannot be used (read-only, a folder, not SQLite, a newer schema) is one
    clear line and exit status 2, from every command, never a traceback."""

    def __call__(self, *args, **kwargs):
        from storage.db import DatabaseError

        try:
            return super().__call__(*args, **kwargs)
        except DatabaseError as exc:
            from crawler.cli.common import err
            from crawler.masking import mask

            err.print(f"database error: {mask(str(exc))}", markup=False, highlight=False)
            raise SystemExit(2) from None


app = _App(help="Crawl Chinese health-policy news sources into one SQLite file.", no_args_is_help=True,
           add_completion=False, context_settings=CONTEXT)


def _version(value: bool) -> None:
    if value:
        try:
            typer.echo(f"healthwatch {package_version('healthwatch')}")
        except PackageNotFoundError:  # run from a checkout without installing
            typer.echo("healthwatch (not installed)")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit")):
    """Crawl Chinese health-policy news sources into one SQLite file."""


for command in (crawl, extract, feed, notify, watches, run, status, health, report, duplicates, doctor, cites, worker, ingest):
    app.command()(command)
for command in (search, latest, show, export, serve, reset):
    app.command()(command)
app.add_typer(sources_app, name="sources")
