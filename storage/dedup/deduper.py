"""The writer's deduper: index life cycle, candidates, confirmation and clusters in SQLite."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Iterable, Sequence

import numpy as np

from storage.db import CLUSTER_LOOKUP_INDEX
from storage.dedup.band_index import BandIndex, band_keys
from storage.dedup.minhash import (BANDS, LINK_THRESHOLD, MATCH_THRESHOLD, MAX_CANDIDATES, NUM_PERM, ROWS, SCHEME,
                                   SEED, Signed, from_blob, sign, to_blob)

# -- the writer's deduper ------------------------------------------------------------------------

def _published_key(published: str | None, first_seen: str | None) -> str:
    """Comparable UTC timestamp of when an article appeared: its published date (naive times are
    China time), else when we first saw it."""
    if published:
        text = published.strip().replace("Z", "+00:00")
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone(timedelta(hours=8)))
            return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return first_seen or "9999"


class Deduper:
    """The in-memory LSH over stored signatures, owned by one Store. Every method that touches
    the database is called inside the Store's write transaction."""

    def __init__(self, *, num_perm: int = NUM_PERM, seed: int = SEED, bands: int = BANDS, rows: int = ROWS,
                 threshold: float = MATCH_THRESHOLD, link_threshold: float = LINK_THRESHOLD):
        assert bands * rows <= num_perm
        self.num_perm, self.seed, self.bands, self.rows = num_perm, seed, bands, rows
        self.threshold, self.link_threshold = threshold, link_threshold
        self.index: BandIndex | None = None
        self.high_water = 0  # largest article_signatures.article_id already in the index
        self.backfill_checked = False
        self.stats = {"rebuild_seconds": 0.0, "rebuilt": 0, "backfilled": 0}

    # -- index life cycle ---------------------------------------------------------------------

    def invalidate(self) -> None:
        """Forget the in-memory index; the next use rebuilds it from SQLite."""
        self.index = None
        self.high_water = 0
        self.backfill_checked = False

    def sync(self, conn: sqlite3.Connection, now: str) -> None:
        """Inside the write transaction: add what other writers stored since the index was built,
        then (once per Deduper) sign and cluster articles stored before signatures existed."""
        if self.index is None:
            self.rebuild(conn)
        self._catch_up(conn)
        if not self.backfill_checked:
            self._backfill(conn, now)
            self.backfill_checked = True

    def _rows(self, conn: sqlite3.Connection, after: int):
        return conn.execute(
            "SELECT article_id, signature FROM article_signatures WHERE article_id > ? AND signature IS NOT NULL "
            "AND scheme = ? AND seed = ? AND num_perm = ? ORDER BY article_id",
            [after, SCHEME, self.seed, self.num_perm])

    def rebuild(self, conn: sqlite3.Connection) -> None:
        """Build the index from the stored signatures (a read; may run outside the write lock:
        `sync` later adds whatever was committed after the rows read here)."""
        import time

        started = time.perf_counter()
        index = BandIndex(self.bands, self.rows)
        lo, hi = conn.execute("SELECT min(article_id), max(article_id) FROM article_signatures").fetchone()
        # one preallocated array (ids are dense, so max - min + 1 bounds the rows), sorted in place:
        # the peak stays near the index's own size instead of twice it
        entries = np.empty(((hi - lo + 1) if hi is not None else 0) * self.bands, dtype=np.uint64)
        filled, high, count = 0, 0, 0
        cursor = self._rows(conn, 0)
        while True:
            chunk = cursor.fetchmany(20_000)
            if not chunk:
                break
            ids = np.fromiter((r[0] for r in chunk), dtype=np.int64, count=len(chunk))
            sigs = np.frombuffer(b"".join(r[1] for r in chunk), dtype="<u4").reshape(len(chunk), self.num_perm)
            packed = index.pack(ids, sigs)
            if filled + len(packed) > len(entries):  # rows committed after the bounds were read
                entries = np.concatenate([entries[:filled], np.empty(len(packed) * 4, dtype=np.uint64)])
            entries[filled:filled + len(packed)] = packed
            filled += len(packed)
            count += len(chunk)
            high = int(ids[-1])
        index.bulk_load_many([entries[:filled]], count)
        # only what this read saw: rows committed meanwhile have larger ids and `sync` adds them
        self.index, self.high_water = index, high
        self.stats["rebuild_seconds"] = time.perf_counter() - started
        self.stats["rebuilt"] += 1

    def _catch_up(self, conn: sqlite3.Connection) -> None:
        for article_id, blob in self._rows(conn, self.high_water):
            self.index.add(article_id, from_blob(blob))
            self.high_water = max(self.high_water, article_id)
        top = conn.execute("SELECT max(article_id) FROM article_signatures").fetchone()[0]
        self.high_water = max(self.high_water, top or 0)

    def _backfill(self, conn: sqlite3.Connection, now: str) -> None:
        """Articles without a signature row of this scheme (stored before migration v4, or signed
        with other parameters): sign and cluster them in the order they were stored."""
        stale = conn.execute("SELECT count(*) FROM article_signatures WHERE scheme != ? OR seed != ? OR num_perm != ?",
                             [SCHEME, self.seed, self.num_perm]).fetchone()[0]
        if stale:  # signatures of another scheme/seed/size cannot be compared: re-sign those articles
            conn.execute("DELETE FROM article_signatures WHERE scheme != ? OR seed != ? OR num_perm != ?",
                         [SCHEME, self.seed, self.num_perm])
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        if articles == conn.execute("SELECT count(*) FROM article_signatures").fetchone()[0]:
            return
        missing = [r[0] for r in conn.execute(
            "SELECT id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_signatures s WHERE s.article_id = a.id) "
            "ORDER BY id")]
        for start in range(0, len(missing), 500):
            ids = missing[start:start + 500]
            rows = conn.execute(
                "SELECT id, body, translation_body, original_url FROM articles WHERE id IN (%s) ORDER BY id"
                % ",".join("?" * len(ids)), ids).fetchall()
            for article_id, body, translation_body, original_url in rows:
                signed = sign({"body": body, "translation_body": translation_body, "original_url": original_url})
                keys = [r[0] for r in conn.execute("SELECT url_key FROM article_urls WHERE article_id = ?", [article_id])]
                self.add(conn, article_id, signed, now, url_keys=keys)
                self.stats["backfilled"] += 1

    # -- decisions ---------------------------------------------------------------------------

    def exact_match(self, conn: sqlite3.Connection, signed: Signed) -> int | None:
        """A stored article with the same normalised (boilerplate-trimmed, folded) text."""
        if not signed.text_hash:
            return None
        row = conn.execute("SELECT article_id FROM article_signatures WHERE text_hash = ? ORDER BY article_id LIMIT 1",
                           [signed.text_hash]).fetchone()
        return row[0] if row else None

    def similar(self, conn: sqlite3.Connection, signed: Signed, exclude: int | None = None) -> list[tuple[int, float]]:
        """Stored articles whose estimated Jaccard with this one reaches the threshold, best first."""
        ranked = self._ranked(signed, exclude)
        out = [(i, s) for i, s in self._similarities(conn, signed.sig, ranked).items() if s >= self.threshold]
        return sorted(out, key=lambda p: -p[1])

    def _ranked(self, signed: Signed, exclude: int | None) -> list[int]:
        """LSH candidates, the MAX_CANDIDATES sharing most bands (then the newest) first."""
        if signed.sig is None or self.index is None:
            return []
        ids, counts = self.index.candidates(signed.sig, self._keys(signed))
        keep = ids != exclude if exclude is not None else slice(None)
        ids, counts = ids[keep], counts[keep]
        return ids[np.lexsort((ids, counts))[::-1][:MAX_CANDIDATES]].tolist()

    def _matching_clusters(self, conn: sqlite3.Connection, signed: Signed, exclude: int) -> set[int]:
        """The clusters of the articles `similar` would return. A cluster is matched by any one of
        its members: its best-ranked candidate is confirmed first, the others only if that fails
        (a big story's reposts are all candidates; reading each one's signature made every insert
        into it cost its size)."""
        ranked = self._ranked(signed, exclude)
        if not ranked:
            return set()
        cluster_of = _clusters_of(conn, ranked)
        members: dict[int, list[int]] = {}
        for article_id in ranked:
            if article_id in cluster_of:
                members.setdefault(cluster_of[article_id], []).append(article_id)
        sims = self._similarities(conn, signed.sig, [ids[0] for ids in members.values()])
        found = {c for c, ids in members.items() if sims.get(ids[0], 0.0) >= self.threshold}
        rest = [i for c, ids in members.items() if c not in found for i in ids[1:]]
        found.update(cluster_of[i] for i, s in self._similarities(conn, signed.sig, rest).items() if s >= self.threshold)
        return found

    def _keys(self, signed: Signed) -> np.ndarray:
        if signed.keys is None:
            signed.keys = band_keys(signed.sig, self.bands, self.rows)[0]
        return signed.keys

    def _similarities(self, conn: sqlite3.Connection, sig: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        if not ids:
            return {}
        rows = conn.execute(
            f"SELECT article_id, signature FROM article_signatures WHERE article_id IN {_IDS} "
            "AND signature IS NOT NULL AND scheme = ? AND seed = ? AND num_perm = ?",
            [json.dumps(list(ids)), SCHEME, self.seed, self.num_perm]).fetchall()
        if not rows:
            return {}
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4").reshape(len(rows), self.num_perm)
        sims = (mat == sig[None, :]).sum(axis=1) / self.num_perm
        return {r[0]: float(s) for r, s in zip(rows, sims.tolist())}

    def add(self, conn: sqlite3.Connection, article_id: int, signed: Signed, now: str,
            url_keys: Iterable[str] = ()) -> int:
        """Persist the article's signature, put it in the index and in a cluster; return the cluster id."""
        matched = self._matching_clusters(conn, signed, exclude=article_id)
        pointers = self._pointers(conn, article_id, signed, url_keys)
        linked = self._linked(conn, signed, pointers)
        self.refresh(conn, article_id, signed)
        clusters = _clusters_of(conn, [*linked, article_id])
        own = clusters.get(article_id)  # re-signing keeps an article's cluster
        cluster_ids = sorted(matched | set(clusters.values()))
        if not cluster_ids:
            cluster_id = conn.execute(
                "INSERT INTO clusters (original_article_id, size, first_seen_at, updated_at) VALUES (?, 1, ?, ?)",
                [article_id, now, now]).lastrowid
            conn.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [cluster_id, article_id])
            return cluster_id
        cluster_id, others = cluster_ids[0], cluster_ids[1:]
        if others:  # the new article bridges stories we had apart: merge them into the oldest
            marks = ",".join("?" * len(others))
            conn.execute(f"UPDATE articles SET cluster_id = ? WHERE cluster_id IN ({marks})", [cluster_id, *others])
            conn.execute(
                f"UPDATE clusters SET first_seen_at = min(first_seen_at, (SELECT min(first_seen_at) FROM clusters "
                f"WHERE id IN ({marks}))) WHERE id = ?", [*others, cluster_id])
            conn.execute(f"DELETE FROM clusters WHERE id IN ({marks})", others)
        conn.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [cluster_id, article_id])
        if others or own is not None:
            settle(conn, cluster_id, now)
        else:
            _joined(conn, cluster_id, article_id, cluster_id in _clusters_of(conn, pointers).values(), now)
        return cluster_id

    def refresh(self, conn: sqlite3.Connection, article_id: int, signed: Signed) -> None:
        """Store the article's signature and exact key and index it. Old band entries of an
        edited article stay in memory, harmless, because matches are always confirmed against
        the signature stored in SQLite."""
        # an upsert, not INSERT OR REPLACE: that one opens a statement savepoint, and SQLite 3.40's FTS5
        # writes its pending text out at every savepoint, a segment per article (twice the index's cost)
        conn.execute(
            "INSERT INTO article_signatures (article_id, scheme, seed, num_perm, signature, text_hash, original_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET scheme = excluded.scheme, "
            "seed = excluded.seed, num_perm = excluded.num_perm, signature = excluded.signature, "
            "text_hash = excluded.text_hash, original_key = excluded.original_key",
            [article_id, SCHEME, self.seed, self.num_perm, to_blob(signed.sig) if signed.sig is not None else None,
             signed.text_hash, signed.original_key])
        if signed.sig is not None and self.index is not None:
            self.index.add(article_id, signed.sig, self._keys(signed))
        self.high_water = max(self.high_water, article_id)

    def edited(self, conn: sqlite3.Connection, article_id: int, signed: Signed) -> None:
        """A re-check found the article changed: re-sign it (it keeps its cluster) and settle the
        cluster again, as its date or its original_url may have changed."""
        self.refresh(conn, article_id, signed)
        cluster = _clusters_of(conn, [article_id]).get(article_id)
        if cluster is not None:
            settle(conn, cluster)

    def aliases_added(self, conn: sqlite3.Connection, article_id: int, url_keys: Iterable[str]) -> None:
        """Other URLs of a stored article (an exact copy elsewhere, a redirect): a member of its
        cluster whose original_url is one of them now points at it, which may change the original."""
        keys = [k for k in url_keys if k]
        pointing = {r[0] for r in conn.execute(
            f"SELECT article_id FROM article_signatures WHERE original_key IN {_IDS}", [json.dumps(keys)])}
        pointing.discard(article_id)
        if not pointing:
            return
        clusters = _clusters_of(conn, [*pointing, article_id])
        own = clusters.pop(article_id, None)
        if own is not None and own in clusters.values():
            settle(conn, own)

    def _pointers(self, conn: sqlite3.Connection, article_id: int, signed: Signed, url_keys: Iterable[str]) -> set[int]:
        """Stored articles tied to this one by an original_url link, either way."""
        ids: set[int] = set()
        if signed.original_key:
            row = conn.execute("SELECT article_id FROM article_urls WHERE url_key = ?", [signed.original_key]).fetchone()
            if row:
                ids.add(row[0])
        keys = [k for k in url_keys if k]
        if keys:
            ids.update(r[0] for r in conn.execute(
                f"SELECT article_id FROM article_signatures WHERE original_key IN {_IDS}", [json.dumps(keys)]))
        ids.discard(article_id)
        return ids

    def _linked(self, conn: sqlite3.Connection, signed: Signed, pointers: set[int]) -> list[int]:
        """The articles tied by a link whose text is similar enough to be the same story."""
        if not pointers or signed.sig is None:
            return []
        sims = self._similarities(conn, signed.sig, sorted(pointers))
        return [i for i, s in sims.items() if s >= self.link_threshold]


# -- clusters: their size and original ----------------------------------------------------------------
# The original is the member another member's original_url points at (followed to the root), else the
# earliest published (then first seen). `settle` works it out from every member; an article joining
# one cluster updates it from the stored original (`_joined`), which holds as long as every other
# change of members, dates, links or URLs settles the cluster again (merges, re-signing, edits,
# aliases: Deduper; deleted articles: storage.reset).

_IDS = "(SELECT value FROM json_each(?))"  # one cached statement for a list of any length (a JSON array)

# (member, member it points at) inside a cluster
_LINKS = ("SELECT s.article_id, u.article_id FROM articles a JOIN article_signatures s ON s.article_id = a.id "
          "JOIN article_urls u ON u.url_key = s.original_key JOIN articles b ON b.id = u.article_id "
          "WHERE a.cluster_id = ?1 AND b.cluster_id = ?1 AND u.article_id != a.id")


def settle(conn: sqlite3.Connection, cluster_id: int, now: str | None = None) -> None:
    """Recount a cluster and decide its original from all its members; `now`: it was updated."""
    members = conn.execute("SELECT id, published, first_seen_at FROM articles WHERE cluster_id = ?",
                           [cluster_id]).fetchall()
    original = _root(conn, cluster_id) or _earliest(members)
    conn.execute("UPDATE clusters SET original_article_id = ?, size = ?, updated_at = coalesce(?, updated_at) "
                 "WHERE id = ?", [original, len(members), now, cluster_id])


def _joined(conn: sqlite3.Connection, cluster_id: int, article_id: int, links_to_cluster: bool, now: str) -> None:
    """A new member of one cluster, without reading the others: with no link inside the cluster
    the original is its earliest member, so the earlier of the stored original and the newcomer;
    with links (the newcomer's, or the stored original being pointed at) it is the links' root."""
    original = conn.execute("SELECT original_article_id FROM clusters WHERE id = ?", [cluster_id]).fetchone()[0]
    if original is None:
        settle(conn, cluster_id, now)
        return
    if links_to_cluster or _pointed_at(conn, original, cluster_id):
        decided = _root(conn, cluster_id)
    else:
        decided = _earliest(conn.execute("SELECT id, published, first_seen_at FROM articles WHERE id IN (?, ?)",
                                         [original, article_id]).fetchall())
    conn.execute("UPDATE clusters SET size = size + 1, updated_at = ? WHERE id = ?", [now, cluster_id])
    if decided != original:  # apart: writing the foreign key opens a statement savepoint (see refresh)
        conn.execute("UPDATE clusters SET original_article_id = ? WHERE id = ?", [decided, cluster_id])


def _root(conn: sqlite3.Connection, cluster_id: int) -> int | None:
    """The earliest member pointed at that points nowhere inside the cluster (in a cycle, the
    earliest pointed at); None without links inside the cluster."""
    points_to = dict(conn.execute(_LINKS, [cluster_id]))
    if not points_to:
        return None
    targets = set(points_to.values())
    roots = [t for t in targets if t not in points_to] or list(targets)
    return _earliest(conn.execute(f"SELECT id, published, first_seen_at FROM articles WHERE id IN {_IDS}",
                                  [json.dumps(roots)]).fetchall())


def _pointed_at(conn: sqlite3.Connection, article_id: int, cluster_id: int) -> bool:
    """Whether another member of the cluster names one of the article's URLs as its original."""
    return conn.execute(  # CROSS JOIN: from the article's URLs, not from every member of the cluster
        "SELECT 1 FROM article_urls u CROSS JOIN article_signatures s ON s.original_key = u.url_key "
        "CROSS JOIN articles a ON a.id = s.article_id WHERE u.article_id = ?1 AND s.article_id != ?1 "
        "AND a.cluster_id = ?2 LIMIT 1", [article_id, cluster_id]).fetchone() is not None


def _earliest(rows: Iterable[tuple[int, str | None, str | None]]) -> int:
    """The id of the (id, published, first_seen_at) row that appeared first (then the smallest id)."""
    return min(rows, key=lambda r: (_published_key(r[1], r[2]), r[2] or "", r[0]))[0]


def _clusters_of(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, int]:
    """article id -> cluster id, for those of the articles that have one."""
    ids = list(ids)
    if not ids:
        return {}
    # the (id, cluster_id) index, named: SQLite prefers the rowid, whose row has the body's overflow
    # pages before cluster_id (storage.db._v12_cluster_lookup); `+cluster_id`: no scan of the cluster_id index
    return dict(conn.execute(f"SELECT id, cluster_id FROM articles INDEXED BY {CLUSTER_LOOKUP_INDEX} "
                             f"WHERE id IN {_IDS} AND +cluster_id IS NOT NULL", [json.dumps(ids)]))
