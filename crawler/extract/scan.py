"""Whole-page scans for a case-insensitive pattern, tried only where its keys are.

`re` finds no literal prefix to skip to in a pattern that starts with IGNORECASE letters, so it runs
its program at every position of a 200 KB page: ~3.7 ms for the script-variable 来源 pattern. When
every match starts with one of a few ASCII keys, bytes.find over the page as one byte per character,
ASCII-lowered, finds the keys' places (~0.5 ms) and trying the pattern there alone gives the very same
matches."""
from __future__ import annotations

import itertools
import re

# the characters IGNORECASE matches to an ASCII letter besides its two cases: İ ı (i), ſ (s), K Kelvin (k)
# (tests/test_extract_scan.py checks the list against every code point)
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def keyed_matches(pattern: re.Pattern, text: str, keys: tuple[str, ...], limit: int) -> list[re.Match]:
    """`pattern.finditer(text)`'s first `limit` matches. Every match of `pattern` must start with one of
    `keys` (lower-case ASCII, matched in any case) and be non-empty."""
    starts = _key_starts(text, keys)
    if starts is None:  # (rare: a Turkish dotless i) the plain scan
        return list(itertools.islice(pattern.finditer(text), limit))
    found: list[re.Match] = []
    end = 0
    for at in starts:  # finditer's leftmost-first order: a match starts at a key, the next one after its end
        if at >= end and (m := pattern.match(text, at)):  # (match at a position still sees the text before it)
            found.append(m)
            end = m.end()
            if len(found) == limit:
                break
    return found


def key_starts_python(text: str, keys: tuple[str, ...]) -> list[int] | None:
    """The sorted places where a key starts in `text`, its ASCII letters in any case; None when the text
    holds a character of FOLDS_TO_ASCII (where a key's place is not the whole story)."""
    if any(c in text for c in FOLDS_TO_ASCII):
        return None
    # one byte per character (anything past Latin-1 a "?"; an astral character or a lone surrogate too), and
    # bytes.lower maps A-Z only: a byte is an ASCII letter exactly where the character is that letter in any case
    folded = text.encode("latin-1", "replace").lower()
    return sorted({at for key in keys for at in _finds(folded, key.encode())})


def _finds(data: bytes, key: bytes):
    at = data.find(key)
    while at != -1:
        yield at
        at = data.find(key, at + 1)


try:  # the same places from one pass over the code points, compiled (the folded copy and a bytes.find run per
    # key were ~8% of a page: the 来源 variable scan runs on most pages)
    from crawler.extract._walk import key_starts as _key_starts
except ImportError:
    _key_starts = key_starts_python
