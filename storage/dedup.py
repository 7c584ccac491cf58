"""Near-duplicate detection: reposts of one story become one cluster (issue 5).

Pipeline per article (all pure functions except `Deduper`):

1. `matching_text`: the article body without what a repost adds around the story — an appended
   English translation (``英语如下:`` / ``Title:`` / ``Content:`` …, and any line that is mostly
   Latin script), navigation and editor/source lines at the head or tail (``【编辑:…】``,
   ``责任编辑``, ``首页``, ``举报专区`` …).
2. `fold`: NFKC, pinyin layer removed (``頁(yè)``), OpenCC Traditional→Simplified, lower case,
   whitespace and punctuation dropped (``crawler.textnorm.fold_for_matching``).
3. `exact_key`: SHA-1 of the folded story plus the folded set-aside translation (boilerplate never
   counts). Same key under another URL = exact duplicate: no new row, a URL alias (outcome
   "duplicate"). A copy that only adds a translation is a near-duplicate with its own row.
4. `shingle_hashes`: character 3-grams of the folded story, hashed to 32 bits in numpy
   (a polynomial over the code points + the MurmurHash3 finalizer).
5. `signature`: MinHash with datasketch 2.0's ``affine32`` permutations (same ``a``, ``b`` as
   ``datasketch.MinHash(num_perm, seed, scheme="affine32")``, same fmix pre-mix), vectorised:
   identical to ``MinHash(..., hashfunc=<our 32-bit shingle hash>).update_batch(...)``.
   Persisted in ``article_signatures`` with ``scheme``, ``seed``, ``num_perm``.
6. `BandIndex`: LSH banding over the signatures (``bands`` × ``rows``) kept in sorted numpy
   runs (log-structured merge), ~8 bytes per band entry instead of a Python dict per band; rebuilt
   from the stored signatures when a Store first needs it.
7. Candidates are confirmed with the MinHash Jaccard estimate read from SQLite
   (``MATCH_THRESHOLD``), so a stale in-memory entry can never create a false match.

`Deduper` is used by `storage.store.Store` inside its write transaction: one writer decides.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

from crawler.textnorm import strip_pinyin_layer, to_simplified
from crawler.urls import url_key

# -- parameters (chosen from the measurements of bench/dedup_bench.py) ------------------------------
# Exact 3-gram Jaccard after normalisation, 100k-article bench: planted reposts ≥ 0.54 (edited
# ones; header/trailer ≥ 0.94, Traditional+pinyin ≥ 0.87, translation 1.0), same-desk other
# stories sharing ~25% of sentences ≤ 0.48 (median 0.15), unrelated ≤ 0.14; real same-topic
# reposts from one blog (tests/fixtures/dedup) 0.06-0.08. MATCH_THRESHOLD sits in that gap; the
# 32×4 banding finds pairs at J=0.5 with p=0.87, at J=0.6 with p=0.99, at J=0.3 with p=0.23.

SCHEME = "hw3-fmix32-affine32"  # shingle hashing + datasketch affine32 permutations
NUM_PERM = 128
SEED = 1
SHINGLE = 3
BANDS = 32  # LSH bands × rows = NUM_PERM; S-curve midpoint (1/32)^(1/4) ≈ 0.42
ROWS = 4
MATCH_THRESHOLD = 0.5  # estimated Jaccard of folded 3-grams to call two articles one story
LINK_THRESHOLD = 0.2  # enough when one article's 【来源】/original_url points at the other
MIN_SHINGLES = 30  # shorter texts are too noisy to compare: they get a cluster of their own
MAX_CANDIDATES = 200  # verify at most this many LSH candidates, the ones sharing most bands first

_MAX32 = np.uint64(0xFFFFFFFF)


# -- text -----------------------------------------------------------------------------------------

# Start of an appended translation: everything from here on is dropped.
_TRANSLATION_START = re.compile(
    r"^\s*(?:[（(【\[]?\s*(?:英[语文]|English)\s*(?:如下|版|翻译|译文|version|translation)\s*[:：]?"
    r"|(?:Title|Keywords|Content)\s*[:：])",
    re.IGNORECASE,
)
# Whole lines that are navigation, source or editor credits rather than story.
_BOILERPLATE_LINE = re.compile(
    r"^[\s\-–•·*|>]*(?:"
    r"[【\[（(]?\s*(?:责任编辑|编辑|编审|审核|校对|作者|记者|来源|稿源|原标题|原文链接|本文来源|文章来源|出处)\s*[:：】\]）)]"
    r"|(?:views|阅读|浏览|阅读量|点击量)\s*[:：]?\s*\d+\s*$"
    r"|[（(【\[]?\s*(?:英[语文]|English)\s*(?:如下|版|翻译|译文|version|translation)\s*[:：]?\s*[)）】\]]?\s*$"
    r"|(?:首页|民文|English|举报专区|登录|注册|返回顶部|打印|关闭窗口|分享到|分享让更多人看到|热门排行|扫一扫|点击关注|收藏|纠错)\s*$"
    r"|[【\[（(]\s*(?:完|纠错|责编|编辑)[^】\])）]{0,30}[】\])）]\s*$"
    r"|(?:本文|文章|内容)?(?:转载|转自)[^。]{0,40}$"
    r"|(?:声明|免责声明|版权声明)\s*[:：]"
    r"|(?:copyright|©)"
    r")",
    re.IGNORECASE,
)
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_EDGE_LINES = 4  # boilerplate is trimmed only among the first and last few lines
_EDGE_MAX_LEN = 80


def split_text(body: str | None, translation_body: str | None = None) -> tuple[str, str]:
    """(story, extra): the story part of a body — appended translation cut, Latin-script lines and
    head/tail boilerplate lines dropped — and the translation/Latin lines that were set aside.
    Still in the page's script; `fold` does the rest."""
    if not body:
        return "", ""
    text = unicodedata.normalize("NFKC", body)
    extra: list[str] = []
    if translation_body:  # split out by the extractor, or still inside the body
        tb = unicodedata.normalize("NFKC", translation_body).strip()
        if tb:
            text = text.replace(tb, "\n")
            extra.append(tb)
    kept: list[str] = []
    lines = [ln.strip() for ln in text.split("\n")]
    for pos, ln in enumerate(lines):
        if not ln:
            continue
        if kept and _TRANSLATION_START.match(ln):
            extra.extend(x for x in lines[pos:] if x)
            break
        if _LATIN.search(ln):
            cjk = len(_CJK.findall(ln))
            if cjk == 0 or len(_LATIN.findall(ln)) > 4 * cjk:
                extra.append(ln)  # an English line (translation, navigation), not the Chinese story
                continue
        kept.append(ln)
    # head/tail boilerplate: short lines among the edges that look like credits or navigation
    start, end = 0, len(kept)
    while start < min(end, _EDGE_LINES) and _is_boilerplate(kept[start]):
        start += 1
    while end > start and end > len(kept) - _EDGE_LINES and _is_boilerplate(kept[end - 1]):
        end -= 1
    trimmed = kept[start:end]
    # an editor credit glued to the last paragraph: "...的新局面。【编辑:张三】"
    if trimmed:
        trimmed[-1] = _TRAILING_CREDIT.sub("", trimmed[-1])
    return "\n".join(trimmed), "\n".join(x for x in extra if not _is_boilerplate(x))


def _is_boilerplate(line: str) -> bool:
    return len(line) <= _EDGE_MAX_LEN and bool(_BOILERPLATE_LINE.match(to_simplified(strip_pinyin_layer(line)[0])))


def matching_text(body: str | None, translation_body: str | None = None) -> str:
    """The story part of a body, as compared by shingles (see `split_text`)."""
    return split_text(body, translation_body)[0]


_TRAILING_CREDIT = re.compile(r"[【\[（(]\s*(?:责任编辑|编辑|责编|完)[^】\])）]{0,30}[】\])）]\s*$")


def fold(text: str) -> str:
    """NFKC, pinyin layer removed, Traditional→Simplified, lower case, no whitespace/punctuation.
    (What `crawler.textnorm.fold_for_matching` does; applied to `matching_text`'s output.)"""
    text = unicodedata.normalize("NFKC", text)
    text, _ = strip_pinyin_layer(text)
    # pinyin with plain ASCII parentheses but full-width source: NFKC already made them ASCII
    text = to_simplified(text)
    return _NOT_WORD.sub("", text).lower()


def normalise(body: str | None, translation_body: str | None = None) -> str:
    return fold(matching_text(body, translation_body))


def exact_key(folded: str) -> str | None:
    return hashlib.sha1(folded.encode("utf-8")).hexdigest() if len(folded) >= 20 else None


# -- shingles and MinHash -------------------------------------------------------------------------

def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 32-bit finalizer on a uint32 array (what datasketch's affine32 pre-mix does)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def shingle_hash32(shingle: str) -> int:
    """32-bit hash of one shingle, the scalar twin of `shingle_hashes` (for datasketch's hashfunc)."""
    h = 0
    for ch in shingle:
        h = (h * 0x9E3779B1 + ord(ch)) & 0xFFFFFFFFFFFFFFFF
    h = (h ^ (h >> 32)) & 0xFFFFFFFF
    arr = _fmix32(np.array([h], dtype=np.uint32))
    return int(arr[0])


def shingle_hashes(folded: str, k: int = SHINGLE, unique: bool = False) -> np.ndarray:
    """32-bit hashes of the character k-grams of a folded text, with repeats unless `unique`
    (a MinHash is the same either way, and np.unique costs as much as the signature)."""
    if len(folded) < k:
        return np.empty(0, dtype=np.uint32)
    cp = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cp) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    mult = np.uint64(0x9E3779B1)
    for i in range(k):
        h = h * mult + cp[i:i + n]
    h = ((h ^ (h >> np.uint64(32))) & _MAX32).astype(np.uint32)
    h = _fmix32(h)
    return np.unique(h) if unique else h


@lru_cache(maxsize=8)
def permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """datasketch 2.0 affine32 permutations (a odd, b) for this seed, as uint32 column vectors."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32)[:, None], b.astype(np.uint32)[:, None]


def signature(hashes: np.ndarray, num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """MinHash signature (uint32[num_perm]) of pre-hashed shingles; empty input → all 0xFFFFFFFF."""
    if len(hashes) == 0:
        return np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    a, b = permutations(num_perm, seed)
    mixed = _fmix32(hashes.astype(np.uint32))[:, None]
    values = mixed * a.reshape(1, -1)  # (shingles, num_perm): reducing over rows vectorises well
    values += b.reshape(1, -1)
    return values.min(axis=0)


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard similarity of two signatures of one scheme."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


@dataclass
class Signed:
    """What dedup needs to know about one article before it is stored."""
    folded_len: int
    text_hash: str | None
    sig: np.ndarray | None  # None when the text is too short to compare
    original_key: str | None  # url_key of the article's 【来源】 / original_url
    keys: np.ndarray | None = None  # LSH band keys, computed once by the Deduper


def sign(item: dict) -> Signed:
    """Exact key over the whole normalised content (story + any translation, boilerplate trimmed);
    MinHash over the story alone, so an appended translation does not dilute the similarity."""
    story, extra = split_text(item.get("body"), item.get("translation_body"))
    folded = fold(story)
    folded_extra = fold(extra) if extra else ""
    hashes = shingle_hashes(folded)
    sig = signature(hashes) if len(hashes) >= MIN_SHINGLES else None  # ~distinct for real text
    text_hash = exact_key(folded + ("\x00" + folded_extra if folded_extra else ""))
    original = item.get("original_url") or _source_link(item.get("body"))
    try:
        okey = url_key(original) if original else None
    except Exception:  # a malformed link is not worth failing a save for
        okey = None
    return Signed(len(folded), text_hash, sig, okey)


_SOURCE_LINK = re.compile(r"(?:【\s*来源\s*】|【\s*來源\s*】|原文链接|原文鏈接|原文地址|本文来源|文章来源)\s*[:：]?\s*(https?://[^\s<>\"'】）)]+)")


def _source_link(body: str | None) -> str | None:
    """The 【来源】 / 原文链接 URL a repost prints near its end, when the extractor did not set original_url."""
    if not body:
        return None
    found = _SOURCE_LINK.findall(body[-2000:])
    return found[-1] if found else None


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

    TAIL = 4096  # articles buffered before they become a sorted run

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
        keys = band_keys(sig, self.bands, self.rows)[0] if keys is None else keys
        k32 = self.key32(keys)
        low = k32 << np.uint64(32)
        high = low | _MAX32
        hits: dict[int, int] = {}
        for run in self.runs:
            lo = np.searchsorted(run, low, "left")
            hi = np.searchsorted(run, high, "right")
            found = hi > lo
            if found.any():
                for a, b in zip(lo[found].tolist(), hi[found].tolist()):
                    for entry in (run[a:b] & _MAX32).tolist():
                        hits[entry] = hits.get(entry, 0) + 1
        if self.tail_map:
            for k in k32.tolist():
                for i in self.tail_map.get(k, ()):
                    hits[i] = hits.get(i, 0) + 1
        return hits

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
            merged.sort()
            self.runs.append(merged)

    def nbytes(self) -> int:
        """Memory of the index: sorted runs plus a rough figure for the tail dict."""
        return sum(r.nbytes for r in self.runs) + sum(t.nbytes for t in self.tail) + len(self.tail_map) * 120


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
        conn.execute(
            "INSERT OR REPLACE INTO article_signatures (article_id, scheme, seed, num_perm, signature, text_hash, "
            "original_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [article_id, SCHEME, self.seed, self.num_perm, to_blob(signed.sig) if signed.sig is not None else None,
             signed.text_hash, signed.original_key])
        if signed.sig is not None and self.index is not None:
            self.index.add(article_id, signed.sig, self._keys(signed))
        self.high_water = max(self.high_water, article_id)
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
        """An article's text changed (a re-check found an edit): replace its signature and exact
        key, keep its cluster. Its old band entries stay in memory, harmless: matches are always
        confirmed against the signature stored in SQLite."""
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

