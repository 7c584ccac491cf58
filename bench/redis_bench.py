"""The distributed part of bench/crawl_bench.py: 1 vs 2 `healthwatch worker`s and one
`healthwatch ingest` through a private Redis, on the same nginx site, each into a fresh database.
Timed from the round's push to its crawl_runs row closing (every page fetched and written)."""
from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

from bench.crawl_bench import PYTHON, ROOT, measure, with_rates


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _round_done(db: Path) -> bool:
    try:
        conn = sqlite3.connect(db, timeout=5)
        try:
            row = conn.execute("SELECT status FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] != "running"


def one_vs_two_workers(site, config: Path, work: Path, anchor: dict, line) -> dict:
    binary = shutil.which("redis-server")
    if not binary:
        print("redis-server missing: 1 vs 2 workers not measured")
        return {}
    port = _free_port()
    redis = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    results = {}
    try:
        time.sleep(0.5)
        for workers in (1, 2):
            subprocess.run(["redis-cli", "-p", str(port), "flushall"], stdout=subprocess.DEVNULL)
            db = work / f"redis{workers}.db"
            subprocess.run([PYTHON, "-m", "crawler.cli", "run", "--once", "--redis", url, "--config", str(config),
                            "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
            commands = [[PYTHON, "-m", "crawler.cli", "ingest", "--redis", url, "--db", str(db), "--config", str(config)]]
            commands += [[PYTHON, "-m", "crawler.cli", "worker", "--redis", url, "--config", str(config)]] * workers
            mark = site.log_lines()
            result = with_rates(measure(commands, wait_for=lambda: _round_done(db)), site.statuses_since(mark))
            results[f"{workers}_workers"] = result
            print(line(f"Redis, {workers} worker(s) + ingester", result, anchor), flush=True)
    finally:
        redis.terminate()
        redis.wait()
    return results
