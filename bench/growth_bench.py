"""Does storing get slower as the database grows? Time per 1,000 articles from 0 to N rows.

    .venv/bin/python -m bench.growth_bench [--rows 50000] [--batch 20]

The articles: the real pages of ../shared/bench extracted once, then stored as numbered copies
(another content hash each, near-copies of each other as reposts are) through Store.save_articles
in batches of 20 (the crawl's batch size). Each item is presigned first, untimed, as the crawl's
extraction process does (content hash, signature, index texts): the time is the writer's, which
is what must stay flat. Reports CPU and wall seconds per 1,000 articles at each step and the last
3,000 against the first.
"""
from __future__ import annotations

import argparse
import json
import os
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
    from storage.store import Store, presign

    records = []
    for n, html in enumerate(real_pages()):
        record = extract(html, f"http://bench.test/a/{n}.html").to_dict()
        if len(record["body"]) > 200:
            records.append(record)
    with tempfile.TemporaryDirectory() as work:
        store = Store(Path(work) / "growth.db")
        steps, cpu_steps, batch = [], [], []
        wall = cpu = 0.0
        for n in range(args.rows):
            base = records[n % len(records)]
            lines = base["body"].split("\n")
            lines[0] = f"{lines[0]} ({n})"  # a distinct article, a near-copy of the base page's others
            batch.append(presign({**base, "body": "\n".join(lines), "url": f"http://bench.test/a/{n}.html",
                                  "source": "bench", "fetched_at": "2026-12-01T00:00:00Z"}))
            if len(batch) == args.batch:
                started, started_cpu = time.perf_counter(), time.process_time()
                store.save_articles(batch)
                wall += time.perf_counter() - started
                cpu += time.process_time() - started_cpu
                batch = []
            if (n + 1) % 1000 == 0:
                steps.append(round(wall, 3))
                cpu_steps.append(round(cpu, 3))
                wall = cpu = 0.0
                if (n + 1) % 5000 == 0:
                    print(f"{n + 1:>7} rows: {cpu_steps[-1]:.2f} s CPU, {steps[-1]:.2f} s wall per 1,000 articles "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
        store.close()
    first, last = sum(cpu_steps[:3]) / 3, sum(cpu_steps[-3:]) / 3
    print(f"CPU s per 1,000: first 3k {first:.2f}, last 3k {last:.2f}: last/first {last / first:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "seconds_per_1000": steps, "cpu_seconds_per_1000": cpu_steps,
                                         "last_over_first": last / first}))


if __name__ == "__main__":
    main()
