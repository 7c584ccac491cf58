"""Does storing get slower as the database grows? Time per 1,000 articles from 0 to N rows.

    .venv/bin/python -m bench.growth_bench [--rows 50000] [--batch 20] [--profile-at 0,40000]

The articles: the real pages of ../shared/bench extracted once, then stored as numbered copies
(another content hash each, near-copies of each other as reposts are) through Store.save_articles
in batches of 20 (the crawl's batch size). The time is the writer's, which is what must stay flat:
each page is presigned once, untimed, as the crawl's extraction process does (content hash,
signature, index texts), and a copy takes the page's presigned fields with its number put into
the hashes (as a real presign of the copy gives: a distinct content hash and exact key, a
signature equal or near-equal to the page's) and into its body and index text. Presigning every
copy for real took ~8 ms each, longer than the writer. Reports CPU and wall seconds per 1,000
articles at each step and the last 3,000 against the first; --profile-at writes a cProfile of
the 1,000 articles stored from each of those row counts.

--story-size K (default 4): K copies of a page are one story (reposts on K sites, one cluster);
the next K copies take another story's signature (the page's values changed by a mask of that
story: no band and ~no value in common, as unrelated texts), with the same text for the search
index. Every 4th article starts a story at 0 rows as at 50,000, so the first and last 3,000 do the
same work. K = 4 is a guess at a real crawl's reposts, not a measurement. 0: every copy of a page
is one story (the bench before), ~64 reposts per page at 50,000 rows, each with all earlier ones as
LSH candidates: that grows with a story's size, not with the database's.
"""
from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from bench.crawl_bench import real_pages


def presigned_pages() -> list[dict]:
    """The bench pages with a readable body, extracted and presigned."""
    from crawler.extract import extract
    from storage.search import index_text
    from storage.store import presign

    pages = []
    for n, html in enumerate(real_pages()):
        record = extract(html, f"http://bench.test/a/{n}.html").to_dict()
        if len(record["body"]) > 200:
            page = presign({**record, "source": "bench", "fetched_at": "2026-12-01T00:00:00Z"})
            page["_lines"] = page["body"].split("\n")
            page["_index_rest"] = index_text("\n".join(page["_lines"][1:]))
            pages.append(page)
    return pages


def numbered_copy(page: dict, n: int, story: int = 0) -> dict:
    """Copy n of a presigned page: its number in the first line of the body and of the index text;
    `story` > 0: the signature of another story (see --story-size)."""
    import numpy as np

    from storage.search import index_text

    def hashed(value: str | None) -> str | None:
        return value and hashlib.sha1(f"{value}:{n}".encode()).hexdigest()

    lines = [f"{page['_lines'][0]} ({n})", *page["_lines"][1:]]
    title, _, extra = page["_index"]
    item = {k: v for k, v in page.items() if k not in ("_lines", "_index_rest")}
    sig = page["_signed"].sig
    if story and sig is not None:  # a mask without zeros: every value differs from the page's
        sig = sig ^ np.random.default_rng(story).integers(1, 2 ** 32, len(sig), dtype=np.uint32)
    item.update(body="\n".join(lines), url=f"http://bench.test/a/{n}.html", _content_hash=hashed(page["_content_hash"]),
                _signed=dataclasses.replace(page["_signed"], text_hash=hashed(page["_signed"].text_hash), sig=sig,
                                            keys=None),
                _index=(title, f"{index_text(lines[0])} {page['_index_rest']}", extra))
    return item


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--profile-at", default="", help="row counts (multiples of 1,000) to profile from")
    parser.add_argument("--story-size", type=int, default=4, help="copies of a page that are one story (0: all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    profile_at = {int(x) for x in args.profile_at.split(",") if x}

    from storage.store import Store

    pages = presigned_pages()
    with tempfile.TemporaryDirectory() as work:
        store = Store(Path(work) / "growth.db")
        steps, cpu_steps, batch = [], [], []
        wall = cpu = 0.0
        profile = None
        for n in range(args.rows):
            if n % 1000 == 0 and n in profile_at:
                profile = cProfile.Profile()
            story = n // len(pages) // args.story_size if args.story_size else 0
            batch.append(numbered_copy(pages[n % len(pages)], n, story))
            if len(batch) == args.batch:
                started, started_cpu = time.perf_counter(), time.process_time()
                if profile:
                    profile.runcall(store.save_articles, batch)
                else:
                    store.save_articles(batch)
                wall += time.perf_counter() - started
                cpu += time.process_time() - started_cpu
                batch = []
            if (n + 1) % 1000 == 0:
                steps.append(round(wall, 3))
                cpu_steps.append(round(cpu, 3))
                wall = cpu = 0.0
                if profile:
                    profile.dump_stats(f"growth_{n + 1 - 1000}.prof")
                    profile = None
                if (n + 1) % 5000 == 0:
                    print(f"{n + 1:>7} rows: {cpu_steps[-1]:.2f} s CPU, {steps[-1]:.2f} s wall per 1,000 articles "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
        store.close()
    first, last = sum(cpu_steps[:3]) / 3, sum(cpu_steps[-3:]) / 3
    first_wall, last_wall = sum(steps[:3]) / 3, sum(steps[-3:]) / 3
    print(f"{args.rows:,} rows, {len(pages)} pages, story size {args.story_size or 'all copies'}: "
          f"CPU s per 1,000: first 3k {first:.2f}, last 3k {last:.2f}: last/first {last / first:.2f}; "
          f"wall: {first_wall:.2f}, {last_wall:.2f}: {last_wall / first_wall:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "story_size": args.story_size, "seconds_per_1000": steps, "cpu_seconds_per_1000": cpu_steps,
                                         "last_over_first": last / first, "wall_last_over_first": last_wall / first_wall}))


if __name__ == "__main__":
    main()
