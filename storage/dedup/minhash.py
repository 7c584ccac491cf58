"""Shingles, MinHash signatures and what one article brings to deduplication (`sign`)."""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from crawler.fetch.urls import url_key
from storage.dedup.text import exact_key, split_folded

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

try:  # the compiled signature and word hashes (setup.py builds them; tests/test_dedup.py checks they agree)
    from storage.dedup import _minhash as _compiled
except ImportError:
    _compiled = None



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
    """datasketch 2.0 affine32 permutations (a odd, b) for this seed, as uint32 column vectors:
    drawn as datasketch's MinHash._init_permutations draws them (tests/test_dedup.py compares),
    without importing datasketch, which brings scipy (~50 MB in every extraction process)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a[:, None], b[:, None]


def signature(hashes: np.ndarray, num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """MinHash signature (uint32[num_perm]) of pre-hashed shingles; empty input → all 0xFFFFFFFF."""
    if _compiled is not None:
        a, b = permutations(num_perm, seed)
        return _compiled.signature(np.ascontiguousarray(hashes, dtype=np.uint32), a.ravel(), b.ravel())
    return signature_numpy(hashes, num_perm, seed)


def signature_numpy(hashes: np.ndarray, num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """`signature` in numpy: the reference for the compiled one (_minhash.pyx) and where it was not built."""
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
    return sign_folding(item)[0]


def sign_folding(item: dict) -> tuple[Signed, str | None]:
    """`sign`, and the fold of the whole body from the same pass (None where it did not give it): the
    content hash's text (storage.store.presign), so the body is folded once."""
    story, extra, folded, folded_extra, whole = split_folded(item.get("body"), item.get("translation_body"))
    hashes = shingle_hashes(folded)
    if len(hashes) < MIN_SHINGLES and extra:  # no Chinese story: an English article (China Daily)
        hashes = shingle_hashes(latin_words(extra))
    sig = signature(hashes) if len(hashes) >= MIN_SHINGLES else None  # ~distinct for real text
    text_hash = exact_key(folded + ("\x00" + folded_extra if folded_extra else ""))
    original = item.get("original_url") or _source_link(item.get("body"))
    try:
        okey = url_key(original) if original else None
    except Exception:  # a malformed link is not worth failing a save for
        okey = None
    return Signed(len(folded), text_hash, sig, okey), whole


_WORD = re.compile(r"\w+")  # after "_" is made a space: [^\W_]+ is 1.5x slower


def latin_words(text: str) -> str:
    """A Latin-script text as one character per word (a stable 32-bit hash of the lower-cased word mapped
    into the supplementary private-use planes), so the character shingles become word 3-grams.
    Character 3-grams suit Chinese, where a character carries meaning; over English letters any two
    long texts share most 3-grams ("the", "ing"), while word 3-grams separate stories as well as
    character 3-grams do for Chinese. A few word collisions among 131k code points do not matter."""
    text = unicodedata.normalize("NFKC", text).lower().replace("_", " ")
    hashes = _compiled.word_crcs(text) if _compiled is not None else word_crcs_re(text)
    return (hashes % 0x1FFFE + 0xF0000).astype("<u4").tobytes().decode("utf-32-le")


def word_crcs_re(text: str) -> np.ndarray:
    """zlib.crc32 of each \\w+ word's UTF-8 bytes: the reference for the compiled word_crcs."""
    words = _WORD.findall(text)
    # by map and numpy, not a generator per word: ~4x faster over a 1,500-word article
    return np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint32, count=len(words))


_SOURCE_LINK = re.compile(r"(?:【\s*来源\s*】|【\s*來源\s*】|原文链接|原文鏈接|原文地址|本文来源|文章来源)\s*[:：]?\s*(https?://[^\s<>\"'】）)]+)")


def _source_link(body: str | None) -> str | None:
    """The 【来源】 / 原文链接 URL a repost prints near its end, when the extractor did not set original_url."""
    if not body:
        return None
    found = _SOURCE_LINK.findall(body[-2000:])
    return found[-1] if found else None
