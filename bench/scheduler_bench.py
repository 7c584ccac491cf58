"""Scheduler benchmark: overhead per supervised run, and the scheduler's memory after many runs.

    .venv/bin/python -m bench.scheduler_bench [--runs 500] [--anchor-runs 10]

Anchor (same run, same machine): the same one-article crawl as a bare `scrapy crawl` child
process, one after another. Then the real scheduler (crawler.schedule.scheduler.Supervisor, APScheduler,
watchdog, crawl_runs bookkeeping) runs two sources on 1-second intervals in this process until
`--runs` crawls have finished; we report its wall time per run against the anchor (measured half
before, half after), and this process's RSS (the scheduler's) after the first runs and at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from crawler.config import load_config
from crawler.schedule.crawl_process import CrawlProcess
from crawler.schedule.scheduler import Supervisor
from storage import runs as run_history
from storage.store import Store
from tests.sitekit import NewsSite, fixture_articles, write_sources


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def anchor_seconds(config: Path, db: Path, count: int) -> list[float]:
    """The same child crawls, two at a time like the supervised part, started and timed bare."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    times = []
    for _ in range(count // 2):
        started = time.perf_counter()
        children = [subprocess.Popen(CrawlProcess(name, config, db, timeout=60).command(), env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for name in ("bench-a", "bench-b")]
        for child in children:
            child.wait()
            times.append(time.perf_counter() - started)
    return times


async def supervised(config_path: Path, db: Path, total: int):
    config = load_config(config_path)
    supervisor = Supervisor(config, db)
    durations: list[float] = []
    overheads: list[float] = []  # the scheduler's own time per run: the job minus its crawl process
    run_source = supervisor.run_source

    async def timed(name):
        started = time.perf_counter()
        outcome = await run_source(name)
        durations.append(time.perf_counter() - started)
        overheads.append(durations[-1] - outcome.child_seconds)
        return outcome

    supervisor.run_source = timed
    serving = asyncio.ensure_future(supervisor.serve())
    rss_start = None
    while len(durations) < total:
        await asyncio.sleep(0.2)
        if rss_start is None and len(durations) >= 4:
            gc.collect()
            rss_start = rss_mb()
        if serving.done():
            raise RuntimeError("the scheduler stopped early") from serving.exception()
    supervisor.stop()
    await serving
    gc.collect()
    return durations, overheads, rss_start, rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--anchor-runs", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # "skipped: maximum number of running instances"

    work = Path(tempfile.mkdtemp(prefix="hw-sched-bench-"))
    article = fixture_articles()[0]
    with NewsSite() as site:
        site.publish(article["id"], article["html"])
        config = write_sources(work / "sources.toml", [("bench-a", site, {"schedule": "1s"}),
                                                       ("bench-b", site, {"schedule": "1s"})],
                               max_concurrent_crawls=2)
        # anchor halves before and after, so load that changes during the run weighs on both sides
        anchor = anchor_seconds(config, work / "anchor.db", args.anchor_runs // 2)
        durations, overheads, rss_start, rss_end = asyncio.run(supervised(config, work / "bench.db", args.runs))
        anchor += anchor_seconds(config, work / "anchor.db", args.anchor_runs - args.anchor_runs // 2)

    store = Store(work / "bench.db")
    statuses = {}
    for row in run_history.all_runs(store):
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    store.close()
    anchor_mean, run_mean = statistics.mean(anchor), statistics.mean(durations)
    print(f"anchor: bare `scrapy crawl` children, 2 at once, {len(anchor)} runs: {anchor_mean:.2f} s/run "
          f"(median {statistics.median(anchor):.2f})")
    print(f"supervised: {len(durations)} runs, 2 sources, 2 at once: {run_mean:.2f} s/run "
          f"(median {statistics.median(durations):.2f}) = {run_mean / anchor_mean:.2f}x the anchor, "
          f"overhead {run_mean - anchor_mean:+.2f} s/run")
    overheads.sort()
    print(f"scheduler's own time per run (job minus its crawl process: slot, log rotation, crawl_runs "
          f"bookkeeping): median {statistics.median(overheads) * 1000:.1f} ms, "
          f"p95 {overheads[int(len(overheads) * 0.95) - 1] * 1000:.1f} ms")
    print(f"run outcomes: {statuses}")
    print(f"scheduler RSS: {rss_start:.1f} MB after 4 runs -> {rss_end:.1f} MB after {len(durations)} runs "
          f"({rss_end / rss_start:.2f}x)")


if __name__ == "__main__":
    main()
