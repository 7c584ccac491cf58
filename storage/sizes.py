"""Where the bytes of a database go: per table and index (SQLite's dbstat), and the article text."""
from __future__ import annotations

import sqlite3
from pathlib import Path


def space_by_object(path: str | Path) -> list[tuple[str, int]]:
    """(table or index name, bytes on disk), largest first; [] where SQLite lacks dbstat."""
    conn = sqlite3.connect(str(path))
    try:
        return [(name, size) for name, size in conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")]
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def article_text_bytes(path: str | Path) -> dict[str, int]:
    """Bytes of the biggest article fields, summed over every article, and the article count."""
    conn = sqlite3.connect(str(path))
    try:
        row = conn.execute(
            "SELECT count(*), coalesce(sum(length(CAST(body AS BLOB))), 0), "
            "coalesce(sum(length(CAST(title AS BLOB))), 0) FROM articles").fetchone()
        signatures = conn.execute("SELECT coalesce(sum(length(signature)), 0) FROM article_signatures").fetchone()[0]
        return {"articles": row[0], "body": row[1], "title": row[2], "signatures": signatures}
    finally:
        conn.close()
