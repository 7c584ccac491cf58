"""LSH banding over MinHash signatures, kept as sorted numpy runs."""

from __future__ import annotations

import numpy as np

from storage.dedup.minhash import _MAX32, BANDS, ROWS

# -- LSH index ------------------------------------------------------------------------------------

_BAND_MULT = np.uint64(0x9E3779B97F4A7C15)


def band_keys(sigs: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> np.ndarray:
    """uint64 key per (signature, band): sigs (n, num_perm) → (n, bands). A polynomial over the
    band's rows (wrapping uint64 arithmetic), the band number added, then mixed; all bands can
    share one sorted array."""
    sigs = np.atleast_2d(sigs)
    n = sigs.shape[0]
    if rows % 2 == 0:  # two uint32 rows read as one uint64 (no widening copy)
        words = np.ascontiguousarray(sigs[:, : bands * rows], dtype="<u4").view("<u8").reshape(n, bands, rows // 2)
        width = rows // 2
    else:
        words = sigs[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
        width = rows
    with np.errstate(over="ignore"):
        if width == 2:
            h = words[:, :, 0] * _ROW_POWERS[2][0] + words[:, :, 1] + _BAND_SALT[bands]
        else:
            h = (words * _ROW_POWERS[width]).sum(axis=2, dtype=np.uint64) + _BAND_SALT[bands]
        h ^= h >> np.uint64(31)
        h *= _BAND_MULT
        h ^= h >> np.uint64(29)
    return h


def _powers(rows: int) -> np.ndarray:
    out, p = [], 1
    for _ in range(rows):
        out.append(p)
        p = (p * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return np.array(out[::-1], dtype=np.uint64)


class _Table(dict):
    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        self[key] = value = self.make(key)
        return value


_ROW_POWERS = _Table(_powers)
_BAND_SALT = _Table(lambda bands: (np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0xD6E8FEB86659FD93)))


class BandIndex:
    """LSH bands as sorted numpy runs of packed uint64 entries ``band key (32 bits) << 32 | article
    id``: 8 bytes per (article, band), one array for all bands (the band number is mixed into the
    key). New articles wait in a small dict until TAIL of them become a sorted run; a run merges
    with the previous one when it reaches half its size (log-structured: amortised O(log n)).
    32-bit band keys make a spurious band match ~N/2^32 per band: harmless, every candidate is
    confirmed by its signature."""

    # articles buffered before they become a sorted run: the dict holds a list per band key, ~170
    # bytes an (article, band), so 4,096 of them peaked at ~23 MB; at 512 a crawl's peak is ~10 MB
    # lower and 50,000 queries + adds take the same CPU (a few more runs to search, shorter merges)
    TAIL = 512

    def __init__(self, bands: int = BANDS, rows: int = ROWS):
        self.bands, self.rows = bands, rows
        self.runs: list[np.ndarray] = []
        self.tail: list[np.ndarray] = []
        self.tail_map: dict[int, list[int]] = {}
        self.count = 0

    @staticmethod
    def key32(keys: np.ndarray) -> np.ndarray:
        return ((keys ^ (keys >> np.uint64(32))) & _MAX32).astype(np.uint64)

    def bulk_load(self, ids: np.ndarray, sigs: np.ndarray) -> None:
        """Add many articles at once (the rebuild): one sort instead of per-article inserts."""
        self.bulk_load_many([self.pack(ids, sigs)], len(ids))

    def pack(self, ids: np.ndarray, sigs: np.ndarray) -> np.ndarray:
        keys = self.key32(band_keys(sigs, self.bands, self.rows))  # (n, bands)
        return ((keys << np.uint64(32)) | np.asarray(ids, dtype=np.uint64)[:, None]).ravel()

    def bulk_load_many(self, packed: list[np.ndarray], count: int) -> None:
        if not packed:
            return
        entries = np.concatenate(packed) if len(packed) > 1 else packed[0]
        entries.sort()  # in place
        if entries.base is not None:  # a view of a larger preallocated buffer: keep just the rows
            entries = entries.copy() if len(entries) < 0.9 * entries.base.size else entries
        self._push_run(entries)
        self.count += count

    def add(self, article_id: int, sig: np.ndarray, keys: np.ndarray | None = None) -> None:
        keys = band_keys(sig, self.bands, self.rows)[0] if keys is None else keys
        k32 = self.key32(keys)
        for k in k32.tolist():
            self.tail_map.setdefault(k, []).append(article_id)
        self.tail.append((k32 << np.uint64(32)) | np.uint64(article_id))
        self.count += 1
        if len(self.tail) >= self.TAIL:
            self._flush_tail()

    def query(self, sig: np.ndarray, keys: np.ndarray | None = None) -> dict[int, int]:
        """Candidate id → number of bands shared with `sig`."""
        ids, counts = self.candidates(sig, keys)
        return dict(zip(ids.tolist(), counts.tolist()))

    def candidates(self, sig: np.ndarray, keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(candidate ids, number of bands each shares with `sig`), ids ascending. Counted in numpy:
        a big story's reposts share every band, so the entries found grow with its size."""
        keys = band_keys(sig, self.bands, self.rows)[0] if keys is None else keys
        k32 = self.key32(keys)
        low = k32 << np.uint64(32)
        high = low | _MAX32
        found = []
        for run in self.runs:
            lo = np.searchsorted(run, low, "left")
            hi = np.searchsorted(run, high, "right")
            found += [run[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        if self.tail_map:
            found += [np.array(self.tail_map[k], dtype=np.uint64) for k in k32.tolist() if k in self.tail_map]
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        ids, counts = np.unique((np.concatenate(found) & _MAX32).astype(np.int64), return_counts=True)
        return ids, counts

    def _flush_tail(self) -> None:
        if not self.tail:
            return
        entries = np.concatenate(self.tail)
        entries.sort()
        self.tail, self.tail_map = [], {}
        self._push_run(entries)

    def _push_run(self, entries: np.ndarray) -> None:
        self.runs.append(entries)
        while len(self.runs) >= 2 and len(self.runs[-1]) * 2 >= len(self.runs[-2]):
            newer, older = self.runs.pop(), self.runs.pop()
            merged = np.concatenate([older, newer])
            merged.sort(kind="stable")  # timsort: two sorted runs merge in linear time (quicksort: n log n)
            self.runs.append(merged)

    def nbytes(self) -> int:
        """Memory of the index: sorted runs plus a rough figure for the tail dict."""
        return sum(r.nbytes for r in self.runs) + sum(t.nbytes for t in self.tail) + len(self.tail_map) * 120
