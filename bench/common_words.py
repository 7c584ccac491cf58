"""Writes crawler/extract/common_words.txt, the common Chinese words that are no person's name, from
jieba's dictionary (MIT; `pip download jieba==0.42.1`, then its jieba/dict.txt: word, frequency, part of
speech per line):

    python -m bench.common_words path/to/jieba/dict.txt > crawler/extract/common_words.txt

A byline slot holding one of them ("关灯", "展开", "沙发", "施工", "原文", "官方") names nobody. Kept: words
jieba tags neither as a person's name (nr*) nor as an adjective or adverb (a*, d*: "霍然", "安然" are names
often enough), of CJK characters only, either of 2-4 characters starting with a surname character (the ones
people.looks_like_person would take for a name) seen 10+ times, or of 2 characters seen 500+ times. jieba is
no dependency: the list is made once and committed (~14,000 words)."""
from __future__ import annotations

import re
import sys

from crawler.extract.people import _COMPOUND_SURNAMES, _MORE_SURNAMES, _SURNAMES

_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")


def common_words(lines) -> list[str]:
    surnames = _SURNAMES | _MORE_SURNAMES
    kept = set()
    for line in lines:
        word, freq, tag = line.split()
        if tag.startswith(("nr", "a", "d")) or not _CJK_WORD.fullmatch(word):
            continue
        surname_first = word[0] in surnames or word.startswith(_COMPOUND_SURNAMES)
        if 2 <= len(word) <= 4 and surname_first and int(freq) >= 10 or len(word) == 2 and int(freq) >= 500:
            kept.add(word)
    return sorted(kept)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        words = common_words(f)
    print("# common Chinese words that are no person's name: made by bench/common_words.py from jieba 0.42.1's"
          " dict.txt (MIT licence)")
    print("\n".join(words))


if __name__ == "__main__":
    main()
