"""The Datasette plugin (entry point `datasette: healthwatch`), active wherever healthwatch is installed.

- `?_search=` on `articles`: Datasette writes `match escape_fts(:search)`; on a healthwatch database
  this plugin's `escape_fts` turns the query into the unigram phrase query `healthwatch search` runs
  (storage.search.fts_query), so 医保 finds what the CLI finds. A query the parser rejects is
  searched as plain words (the box should not fail on a stray quote).
- SQL functions for the canned queries: `hw_fts(q)`, `hw_snippet(text, q)`.
- The packaged metadata's `healthwatch` block for every healthwatch database, whatever its file name.
- Heavy columns (bodies, diffs, signatures) left out of HTML table views unless `_col`/`_nocol` is given.
"""
from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

from datasette import hookimpl

from storage import search
from storage.datasette import METADATA

HEAVY_COLUMNS = {
    "articles": ["body", "body_simplified", "translation_body", "gov_meta", "breadcrumbs", "flags",
                 "translation_keywords", "keywords", "declared_canonical_url", "encoding", "content_hash"],
    "article_revisions": ["body", "diff"],
    "article_signatures": ["signature"],
}


def _is_healthwatch(conn: sqlite3.Connection) -> bool:
    try:
        return conn.execute(
            f"SELECT 1 FROM sqlite_master WHERE name = '{search.FTS_TABLE}'").fetchone() is not None
    except sqlite3.Error:
        return False


def _lenient_fts(query: str) -> str:
    try:
        return search.fts_query(query)
    except search.QuerySyntaxError:
        words = query.replace('"', " ").replace("(", " ").replace(")", " ").split()
        try:
            return search.fts_query(" ".join(w.lstrip("-") for w in words if w not in ("OR", "NOT", "AND")))
        except search.QuerySyntaxError:
            return '"' + search.SEPARATOR + search.SEPARATOR + '"'  # nothing searchable: match nothing useful


def _snippet(text, query) -> str:
    try:
        return search.snippet(text, query, width=100)
    except search.QuerySyntaxError:
        return ""


@hookimpl(trylast=True)  # after Datasette's own escape_fts, so ours is the one left registered
def prepare_connection(conn, database, datasette):
    if not _is_healthwatch(conn):
        return
    conn.create_function("escape_fts", 1, _lenient_fts)
    conn.create_function("hw_fts", 1, search.fts_query)
    conn.create_function("hw_snippet", 2, _snippet)


@lru_cache(maxsize=1)
def _packaged() -> dict:
    import yaml

    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def _file_is_healthwatch(path: str) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return _is_healthwatch(conn)
    finally:
        conn.close()


def _healthwatch_databases(datasette) -> list[str]:
    return [name for name, db in datasette.databases.items() if db.path and _file_is_healthwatch(db.path)]


@hookimpl
def get_metadata(datasette, key, database, table):
    block = _packaged()["databases"]["healthwatch"]
    return {"databases": {name: block for name in _healthwatch_databases(datasette)}}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def hide_heavy_columns(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") == "GET":
                scope = _without_heavy_columns(scope, datasette)
            await app(scope, receive, send)
        return hide_heavy_columns
    return wrap


def _without_heavy_columns(scope: dict, datasette) -> dict:
    parts = scope.get("path", "").strip("/").split("/")
    if len(parts) != 2 or parts[1] not in HEAVY_COLUMNS or parts[0] not in _healthwatch_databases(datasette):
        return scope  # only the HTML table page (/db/table): the JSON API stays whole
    query = scope.get("query_string", b"")
    if re.search(rb"(?:^|&)_(?:no)?col=", query):
        return scope  # the user chose the columns
    extra = "&".join(f"_nocol={column}" for column in HEAVY_COLUMNS[parts[1]]).encode()
    return {**scope, "query_string": query + b"&" + extra if query else extra}
