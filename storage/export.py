"""Streaming export of stored articles (`healthwatch export`): rows are read from one cursor and
written as they come, so memory stays flat whatever the row count."""
from __future__ import annotations

import csv
import json
import sqlite3
from typing import IO, Iterator

from storage.db import json_fields
from storage.search import FTS_TABLE, Filters, _filter_sql, fts_query

FORMATS = ("jsonl", "csv", "json")


def article_columns(conn: sqlite3.Connection) -> list[str]:
    return [r[1] for r in conn.execute("PRAGMA table_info(articles)")]


def rows(conn: sqlite3.Connection, filters: Filters | None = None, query: str | None = None) -> Iterator[tuple]:
    """Every matching article row (all columns, in `article_columns` order), oldest id first."""
    where, params = _filter_sql(filters)
    if query:
        sql = (f"SELECT a.* FROM {FTS_TABLE} JOIN articles a ON a.id = {FTS_TABLE}.rowid "
               f"WHERE {FTS_TABLE} MATCH ?{where} ORDER BY a.id")
        params = [fts_query(query), *params]
    else:
        sql = "SELECT a.* FROM articles a WHERE 1" + where + " ORDER BY a.id"
    # a read cursor of its own: the rows stream while the crawler may keep writing (WAL snapshot)
    yield from conn.execute(sql, params)


def write(conn: sqlite3.Connection, out: IO[str], fmt: str, filters: Filters | None = None,
          query: str | None = None, excel: bool = False) -> int:
    """Write the articles to a text stream in `fmt`; returns the row count. JSON fields (keywords,
    attachments, flags …) are lists/objects in jsonl/json and JSON text in CSV. `excel`: a UTF-8 BOM
    first, so Excel opens the CSV's Chinese right."""
    columns = article_columns(conn)
    decoded = json_fields() & set(columns)
    count = 0
    if excel:
        out.write("\ufeff")
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for values in rows(conn, filters, query):
            writer.writerow(values)
            count += 1
        return count
    if fmt == "json":
        out.write("[")
    for values in rows(conn, filters, query):
        record = dict(zip(columns, values))
        for name in decoded:
            if record[name] is not None:
                try:
                    record[name] = json.loads(record[name])
                except ValueError:
                    pass  # not JSON after all: keep the text
        line = json.dumps(record, ensure_ascii=False)
        if fmt == "json":
            out.write(("\n" if count == 0 else ",\n") + line)
        else:
            out.write(line + "\n")
        count += 1
    if fmt == "json":
        out.write("\n]\n")
    return count
