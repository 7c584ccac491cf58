"""Chinese text normalisation shared by extraction and deduplication.

Pure functions, no I/O. OpenCC's C++ build converts ~40x faster than the pure-Python port,
which matters because every stored article goes through `to_simplified` once.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import opencc

# A CJK character followed by its pinyin in parentheses, as spam mirrors print it: 頁(yè), 動(dòng).
# Tone-marked vowels are what separates this from real parentheses such as (記者龐革平) or (2024).
_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# The "(" comes first and the character before it is looked at from behind it: a literal first character is
# what `re` skips to with its fast search (~25x faster over a body than a pattern opening with a lookbehind).
PINYIN_LAYER = re.compile(
    r"\((?<=[\u3400-\u9fff]\()(?=[a-zü" + _TONE_VOWELS + r"]*[" + _TONE_VOWELS + r"])"
    r"[a-zü" + _TONE_VOWELS + r"]{1,7}\s?\)"
)

# Characters whose Traditional form differs from the Simplified one; a text rich in them is Traditional.
_TRAD_ONLY = set(
    "這們來個時會說國對發們為與當過學後動還麼將經進實種現應關開問點樣體長見無頭電"
    "員門機題從幾萬務區樣義業東聯計師華條亞內臺灣廣書報紙衛療醫藥據聞訊網設單價總"
    "讓記隊產領導權統選擇傳續變護議術據錄類層歲號隨雙難響顯"
)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def strip_pinyin_layer(text: str) -> tuple[str, int]:
    """Remove pinyin annotations after characters; return the text and how many were removed."""
    return PINYIN_LAYER.subn("", text)


_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_TRAD_CHARS = re.compile("[" + "".join(sorted(_TRAD_ONLY)) + "]")


def cjk_count(text: str) -> int:
    """How many characters of U+4E00-U+9FFF the text holds: what is left once the other runs are removed
    (no string object per character, as a findall would make)."""
    return len(_NOT_CJK.sub("", text))


def is_traditional(text: str, threshold: float = 0.03) -> bool:
    """Whether at least `threshold` of the CJK characters in the first 5000 characters exist only in
    Traditional script."""
    head = text[:5000]
    trad = len(_TRAD_CHARS.findall(head))
    if not trad and threshold > 0:  # ratio 0: no need to count the CJK characters
        return False
    cjk = cjk_count(head)
    return bool(cjk) and trad / cjk >= threshold


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NOT_WORD_OR_LINE = re.compile(r"[^\w\n]+|_+")  # the same, line breaks kept


def fold_for_matching(text: str) -> str:
    """The comparison form of a text: NFKC, pinyin layer removed, Simplified, lower case,
    without whitespace and punctuation. Two copies of one story in different scripts or
    layouts fold to the same string."""
    return _folded(text, keep_lines=False).lower()


def fold_pieces(text: str) -> list[str] | None:
    """The fold of each of the text's lines, not yet lower-cased, from one pass over the whole text:
    `"".join(pieces).lower()` is `fold_for_matching` of the text, or of any run of its lines joined by
    line breaks. Every step but lower-casing (which the joined string gets) works within a line: NFKC
    keeps a line break as it is, OpenCC's dictionaries hold none, the word filter drops it; only a pinyin
    annotation may span one ("字(yè" then ")"): None then (fold the parts apart)."""
    if "\n)" in text:  # (PINYIN_LAYER's "\s?" before ")" is the only place a match could hold a line break)
        return None
    return _folded(text, keep_lines=True).split("\n")


def _folded(text: str, keep_lines: bool) -> str:
    text = unicodedata.normalize("NFKC", text)
    text, _ = strip_pinyin_layer(text)
    return word_characters(to_simplified(text), keep_lines)


def word_characters(text: str, keep_lines: bool = False) -> str:
    """The text without what _NOT_WORD matches (without line breaks too unless `keep_lines`): by a table of
    the Basic Multilingual Plane's word characters over the code points as a numpy array, ~6x faster than
    the regex over a body; the regex itself for short texts, astral characters and lone surrogates."""
    regex = _NOT_WORD_OR_LINE if keep_lines else _NOT_WORD
    if len(text) < 100:
        return regex.sub("", text)
    try:
        points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    except UnicodeEncodeError:  # a lone surrogate
        return regex.sub("", text)
    if points.max() > 0xFFFF:
        return regex.sub("", text)
    return points[word_table(keep_lines)[points]].tobytes().decode("utf-32-le")


@lru_cache(maxsize=2)
def word_table(keep_lines: bool) -> np.ndarray:
    """Which BMP code points _NOT_WORD keeps (the word characters but "_"), read off the regex itself
    (~10 ms, once per process)."""
    plane = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x10000, dtype=bool)
    table[np.frombuffer(_NOT_WORD.sub("", plane).encode("utf-32-le", "surrogatepass"), dtype="<u4")] = True
    table[10] = keep_lines
    return table
