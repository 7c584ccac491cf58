"""`healthwatch reset`: forget what a source's next crawl would otherwise skip.

List-page state (validators for conditional GET) and fetch failures are per source; deleting a
source's articles removes every row that points at them — URL aliases, signatures, revisions, watch
hits, search index entries, and any table a later migration adds with a foreign key to articles
(found through PRAGMA foreign_key_list, so attachments and citations go too) — and repairs the story
clusters they belonged to. One transaction: all or nothing.
"""
from __future__ import annotations

import sqlite3

from storage import search
from storage.dedup import settle


def counts(conn: sqlite3.Connection, source: str) -> dict[str, int]:
    return {
        "list_pages": conn.execute("SELECT count(*) FROM list_pages WHERE source = ?", [source]).fetchone()[0],
        "failures": conn.execute("SELECT count(*) FROM fetch_failures WHERE source = ?", [source]).fetchone()[0],
        "articles": conn.execute("SELECT count(*) FROM articles WHERE source = ?", [source]).fetchone()[0],
    }


def forget_list_pages(conn: sqlite3.Connection, source: str) -> int:
    return conn.execute("DELETE FROM list_pages WHERE source = ?", [source]).rowcount


def forget_failures(conn: sqlite3.Connection, source: str) -> int:
    return conn.execute("DELETE FROM fetch_failures WHERE source = ?", [source]).rowcount


def _references(conn: sqlite3.Connection, parent: str) -> list[tuple[str, str, str]]:
    """(table, column, parent column) of every foreign key pointing at `parent`."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = []
    for table in tables:
        for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
            if fk[2] == parent:
                found.append((table, fk[3], fk[4] or "rowid"))
    return found


def _delete_tree(conn: sqlite3.Connection, table: str, where: str, params: list, skip: set[str]) -> None:
    """Delete rows of `table` matching `where`, after the rows that reference them (depth first);
    a table referencing itself has those references cleared instead."""
    for child, column, parent_column in _references(conn, table):
        if child in skip:
            continue
        selected = f'SELECT "{parent_column}" FROM "{table}" WHERE {where}'
        if child == table:
            conn.execute(f'UPDATE "{child}" SET "{column}" = NULL WHERE "{column}" IN ({selected})', params)
        else:
            _delete_tree(conn, child, f'"{column}" IN ({selected})', params, skip)
    conn.execute(f'DELETE FROM "{table}" WHERE {where}', params)


def delete_articles(conn: sqlite3.Connection, source: str) -> int:
    """Delete a source's articles and everything that points at them (inside the caller's transaction)."""
    ids = [r[0] for r in conn.execute("SELECT id FROM articles WHERE source = ?", [source])]
    if not ids:
        return 0
    names = [d[1] for d in conn.execute("PRAGMA table_info(articles)")]
    for values in conn.execute("SELECT * FROM articles WHERE source = ?", [source]).fetchall():
        row = dict(zip(names, values))
        search.unindex_article(conn, row["id"], row)
    clusters = [r[0] for r in conn.execute(
        "SELECT DISTINCT cluster_id FROM articles WHERE source = ? AND cluster_id IS NOT NULL", [source])]
    conn.execute("UPDATE clusters SET original_article_id = NULL WHERE original_article_id IN "
                 "(SELECT id FROM articles WHERE source = ?)", [source])
    _delete_tree(conn, "articles", "source = ?", [source], skip={"clusters"})
    for cluster in clusters:  # the others stay in their story, settled again; an emptied cluster goes
        if not conn.execute("SELECT 1 FROM articles WHERE cluster_id = ? LIMIT 1", [cluster]).fetchone():
            conn.execute("DELETE FROM clusters WHERE id = ?", [cluster])
        else:
            settle(conn, cluster)
    return len(ids)
