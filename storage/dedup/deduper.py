"""The writer's deduper: index life cycle, candidates, confirmation and clusters in SQLite."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Iterable, Sequence

import numpy as np

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
        if signed.sig is None or self.index is None:
            return []
        keys = self._keys(signed)
        hits = self.index.query(signed.sig, keys)
        hits.pop(exclude, None)
        if not hits:
            return []
        ranked = sorted(hits, key=lambda i: (-hits[i], -i))[:MAX_CANDIDATES]
        out = []
        for article_id, sim in self._similarities(conn, signed.sig, ranked).items():
            if sim >= self.threshold:
                out.append((article_id, sim))
        return sorted(out, key=lambda p: -p[1])

    def _keys(self, signed: Signed) -> np.ndarray:
        if signed.keys is None:
            signed.keys = band_keys(signed.sig, self.bands, self.rows)[0]
        return signed.keys

    def _similarities(self, conn: sqlite3.Connection, sig: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        if not ids:
            return {}
        rows = conn.execute(
            "SELECT article_id, signature FROM article_signatures WHERE article_id IN (%s) AND signature IS NOT NULL "
            "AND scheme = ? AND seed = ? AND num_perm = ?" % ",".join("?" * len(ids)),
            [*ids, SCHEME, self.seed, self.num_perm]).fetchall()
        if not rows:
            return {}
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4").reshape(len(rows), self.num_perm)
        sims = (mat == sig[None, :]).sum(axis=1) / self.num_perm
        return {r[0]: float(s) for r, s in zip(rows, sims.tolist())}

    def add(self, conn: sqlite3.Connection, article_id: int, signed: Signed, now: str,
            url_keys: Iterable[str] = ()) -> int:
        """Persist the article's signature, put it in the index and in a cluster; return the cluster id."""
        matches = [i for i, _ in self.similar(conn, signed, exclude=article_id)]
        linked = self._linked(conn, article_id, signed, url_keys)
        self.refresh(conn, article_id, signed)
        related = set(matches) | set(linked) | {article_id}  # re-signing keeps an article's cluster
        cluster_ids = sorted({r[0] for r in conn.execute(
            "SELECT cluster_id FROM articles WHERE id IN (%s) AND cluster_id IS NOT NULL"
            % ",".join("?" * len(related)), list(related))})
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
        self._settle(conn, cluster_id, now)
        return cluster_id

    def refresh(self, conn: sqlite3.Connection, article_id: int, signed: Signed) -> None:
        """Store the article's signature and exact key and index it. Also used when a re-check
        found an edit: the cluster stays; old band entries stay in memory, harmless, because
        matches are always confirmed against the signature stored in SQLite."""
        conn.execute(
            "INSERT OR REPLACE INTO article_signatures (article_id, scheme, seed, num_perm, signature, text_hash, "
            "original_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [article_id, SCHEME, self.seed, self.num_perm, to_blob(signed.sig) if signed.sig is not None else None,
             signed.text_hash, signed.original_key])
        if signed.sig is not None and self.index is not None:
            self.index.add(article_id, signed.sig, self._keys(signed))
        self.high_water = max(self.high_water, article_id)

    def _linked(self, conn: sqlite3.Connection, article_id: int, signed: Signed, url_keys: Iterable[str]) -> list[int]:
        """Stored articles tied to this one by an original_url link (either way) whose text is
        similar enough to be the same story."""
        ids: set[int] = set()
        if signed.original_key:
            row = conn.execute("SELECT article_id FROM article_urls WHERE url_key = ?", [signed.original_key]).fetchone()
            if row and row[0] != article_id:
                ids.add(row[0])
        keys = [k for k in url_keys if k]
        if keys:
            ids.update(r[0] for r in conn.execute(
                "SELECT article_id FROM article_signatures WHERE original_key IN (%s)" % ",".join("?" * len(keys)),
                keys) if r[0] != article_id)
        if not ids or signed.sig is None:
            return []
        sims = self._similarities(conn, signed.sig, sorted(ids))
        return [i for i, s in sims.items() if s >= self.link_threshold]

    def _settle(self, conn: sqlite3.Connection, cluster_id: int, now: str) -> None:
        """Recount a cluster and decide its original: the member another member's original_url
        points at (followed to the root), else the earliest published (then first seen)."""
        members = conn.execute(
            "SELECT a.id, a.published, a.first_seen_at, s.original_key FROM articles a "
            "LEFT JOIN article_signatures s ON s.article_id = a.id WHERE a.cluster_id = ?", [cluster_id]).fetchall()
        ids = [m[0] for m in members]
        owner: dict[str, int] = {}
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            for key, aid in conn.execute(
                    "SELECT url_key, article_id FROM article_urls WHERE article_id IN (%s)" % ",".join("?" * len(part)),
                    part):
                owner[key] = aid
        points_to = {m[0]: owner.get(m[3]) for m in members if m[3] and owner.get(m[3]) not in (None, m[0])}
        when = {m[0]: (_published_key(m[1], m[2]), m[2] or "", m[0]) for m in members}
        if points_to:
            # roots: pointed at, pointing nowhere inside the cluster; the earliest root wins
            targets = set(points_to.values())
            roots = [t for t in targets if t not in points_to] or list(targets)
            original = min(roots, key=lambda i: when[i])
        else:
            original = min(ids, key=lambda i: when[i])
        conn.execute("UPDATE clusters SET original_article_id = ?, size = ?, updated_at = ? WHERE id = ?",
                     [original, len(ids), now, cluster_id])
