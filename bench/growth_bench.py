"""Does storing get slower as the database grows? Time per 1,000 articles from 0 to N rows.

    .venv/bin/python -m bench.growth_bench [--rows 50000] [--batch 20]

The articles: the real pages of ../shared/bench extracted once, then stored as numbered copies
(another content hash each, near-copies of each other as reposts are) through Store.save_articles
in batches of 20 (the crawl's batch size), signing included, as the crawl's store pipeline does.
Reports seconds per 1,000 articles at each step and the last step against the first.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.crawl_bench import real_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from crawler.extract import extract
    from storage.store import Store

    records = []
    for n, html in enumerate(real_pages()):
        record = extract(html, f"http://bench.test/a/{n}.html").to_dict()
        if len(record["body"]) > 200:
            records.append(record)
    with tempfile.TemporaryDirectory() as work:
        store = Store(Path(work) / "growth.db")
        steps, started, batch = [], time.perf_counter(), []
        for n in range(args.rows):
            base = records[n % len(records)]
            lines = base["body"].split("\n")
            lines[0] = f"{lines[0]} ({n})"  # a distinct article, a near-copy of the base page's others
            batch.append({**base, "body": "\n".join(lines), "url": f"http://bench.test/a/{n}.html",
                          "source": "bench", "fetched_at": "2026-12-01T00:00:00Z"})
            if len(batch) == args.batch:
                store.save_articles(batch)
                batch = []
            if (n + 1) % 1000 == 0:
                now = time.perf_counter()
                steps.append(round(now - started, 3))
                started = now
                if (n + 1) % 10_000 == 0:
                    print(f"{n + 1:>7} rows: {steps[-1]:.2f} s per 1,000 articles", flush=True)
        store.close()
    first, last = sum(steps[:3]) / 3, sum(steps[-3:]) / 3
    print(f"s per 1,000: first 3k {first:.2f}, last 3k {last:.2f}: last/first {last / first:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "seconds_per_1000": steps, "last_over_first": last / first}))


if __name__ == "__main__":
    main()
