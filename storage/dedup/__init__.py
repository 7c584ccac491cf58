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
# The public names, from the modules that define them.
from storage.dedup.band_index import BandIndex, band_keys  # noqa: E402
from storage.dedup.deduper import Deduper, settle  # noqa: E402
from storage.dedup.minhash import (  # noqa: E402
    BANDS,
    LINK_THRESHOLD,
    MATCH_THRESHOLD,
    MAX_CANDIDATES,
    MIN_SHINGLES,
    NUM_PERM,
    ROWS,
    SCHEME,
    SEED,
    SHINGLE,
    Signed,
    from_blob,
    jaccard,
    permutations,
    shingle_hash32,
    shingle_hashes,
    sign,
    signature,
    to_blob,
    _fmix32,
)
from storage.dedup.text import exact_key, fold, matching_text, normalise, split_text  # noqa: E402

__all__ = ['BandIndex', 'band_keys', 'Deduper', 'settle', 'BANDS', 'LINK_THRESHOLD', 'MATCH_THRESHOLD', 'MAX_CANDIDATES', 'MIN_SHINGLES', 'NUM_PERM', 'ROWS', 'SCHEME', 'SEED', 'SHINGLE', 'Signed', 'from_blob', 'jaccard', 'permutations', 'shingle_hash32', 'shingle_hashes', 'sign', 'signature', 'to_blob', '_fmix32', 'exact_key', 'fold', 'matching_text', 'normalise', 'split_text']
