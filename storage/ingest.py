"""The ingester's reads and writes beyond Store's own: what it mirrors into Redis, and the
counters of distributed rounds (one crawl_runs row per round, filled batch by batch)."""
from __future__ import annotations

from typing import Iterator

from storage.store import Store

COUNTERS = ("pages", "not_modified", "articles_fetched", "new", "known", "duplicates", "errors")


def settled_url_keys(store: Store, chunk: int = 5000) -> Iterator[list[str]]:
    """Every URL key never to fetch again (stored articles and their aliases, pages failed for
    good), in chunks."""
    cursor = store.db.execute(
        "SELECT url_key FROM article_urls UNION ALL SELECT url_key FROM fetch_failures WHERE permanent = 1")
    while rows := cursor.fetchmany(chunk):
        yield [r[0] for r in rows]


def complete_list_validators(store: Store) -> list[tuple[str, str | None, str | None]]:
    """(url key, ETag, Last-Modified) of list pages whose listed articles are all settled."""
    return store.db.execute(
        "SELECT url_key, etag, last_modified FROM list_pages WHERE complete = 1 "
        "AND (etag IS NOT NULL OR last_modified IS NOT NULL)").fetchall()


def next_attempt(store: Store, url: str) -> float | None:
    """When a transiently failing page may be fetched again (epoch seconds), if it waits."""
    from datetime import datetime, timezone

    from crawler.fetch.urls import url_key

    row = store.db.execute("SELECT next_attempt_at FROM fetch_failures WHERE url_key = ? AND permanent = 0",
                           [url_key(url)]).fetchone()
    if not row or not row[0]:
        return None
    return datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def add_run_counts(store: Store, run_id: int, counts: dict[str, int]) -> None:
    """Add a batch's counts to a round's crawl_runs row (inside the batch's transaction)."""
    sets = ", ".join(f"{name} = coalesce({name}, 0) + ?" for name in COUNTERS)
    store.db.execute(f"UPDATE crawl_runs SET {sets} WHERE id = ?", [counts.get(n, 0) for n in COUNTERS] + [run_id])


def run_counts(store: Store, run_id: int) -> dict[str, int]:
    row = store.db.execute(f"SELECT {', '.join(COUNTERS)} FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
    return {name: (value or 0) for name, value in zip(COUNTERS, row or [0] * len(COUNTERS))}


def running_runs(store: Store, source: str) -> list[int]:
    return [r[0] for r in store.db.execute(
        "SELECT id FROM crawl_runs WHERE source = ? AND status = 'running' ORDER BY id", [source])]
