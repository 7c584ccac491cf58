"""Memory per source: `healthwatch crawl` of N generated sources in one process.

    .venv/bin/python -m bench.sources_bench [--sources 1000] [--anchor 1] [--mid 200] [--prefill 2000]

One local server (127.0.0.1) serves every source a tiny list page (`/s<i>/index.html`) linking one
article of its own (`/s<i>/202405/a<i>.html`, ~1.5 KB of generated Chinese text, unique per source).
Each size is crawled into a fresh database that already holds `--prefill` signed articles (the
dedup index a spider builds when it first stores something is as large as the database's
signatures). Reported per size, from wait4 of the crawl process: peak RSS, wall time, articles
stored; then RSS per extra source against the anchor (the smallest size, measured in the same run).
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.localserver import LocalServer, QuietHandler  # noqa: E402

_CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
          "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
          "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第"
          "向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管"
          "特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
          "医疗卫生健康药品保障疫苗疾病防控诊治")


def article_html(i: int) -> bytes:
    rng = random.Random(i)
    paras = "".join("<p>" + "".join(rng.choice(_CHARS) for _ in range(120)) + "。</p>" for _ in range(4))
    return (f'<html><head><meta charset="utf-8"><title>第{i}号卫生健康通知</title></head><body>'
            f'<h1>第{i}号卫生健康通知</h1><div class="info">2024-05-20 来源：示例卫健委</div>'
            f'<div class="content">{paras}</div></body></html>').encode()


def list_html(i: int) -> bytes:
    return (f'<html><head><meta charset="utf-8"><title>列表</title></head><body><ul>'
            f'<li><a href="/s{i}/202405/a{i}.html">第{i}号卫生健康通知</a> 2024-05-20</li></ul></body></html>').encode()


class Server(LocalServer):
    def __init__(self):
        class Handler(QuietHandler):
            def do_GET(self):
                parts = self.path.split("?", 1)[0].strip("/").split("/")
                body, status = b"<html><body>not found</body></html>", 404
                if parts and parts[0].startswith("s") and parts[0][1:].isdigit():
                    i = int(parts[0][1:])
                    if parts[1:] == ["index.html"]:
                        body, status = list_html(i), 200
                    elif len(parts) == 3 and parts[2] == f"a{i}.html":
                        body, status = article_html(i), 200
                self.reply(status, body, "text/html; charset=utf-8")

        class Listener(ThreadingHTTPServer):
            request_queue_size = 1024  # 1,000 sources connect at once: the default backlog of 5 refuses them

        super().__init__(Handler, Listener)


def write_config(path: Path, server: Server, count: int) -> Path:
    lines = ["allow_private_addresses = true"]
    for i in range(count):
        lines += ["", "[[sources]]", f'name = "s{i}"', f'start_urls = ["{server.url(f"/s{i}/index.html")}"]',
                  r"article_pattern = '/s\d+/\d{6}/a\d+\.html$'", "max_pages = 1", "delay = 0", "concurrency = 1",
                  "obey_robots = false", 'schedule = "1h"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def prefill(db: Path, count: int) -> None:
    """`count` signed, stored articles (other URLs than the crawl's), as an older database holds."""
    from crawler.extract import extract
    from storage.store import Store

    store = Store(db)
    try:
        batch = []
        for i in range(count):
            url = f"http://old.example.cn/p/{i}.html"
            record = extract(article_html(10_000_000 + i), url=url)
            batch.append({**record.to_dict(), "url": url, "request_url": url, "source": "old",
                          "fetched_at": "2026-01-01T00:00:00Z"})
            if len(batch) == 200:
                store.save_articles(batch)
                batch = []
        if batch:
            store.save_articles(batch)
    finally:
        store.close()


def crawl(config: Path, db: Path) -> tuple[float, float, int, str]:
    """(peak RSS MB, seconds, exit status, last lines of its output) of one `healthwatch crawl` process."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--db", str(db)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "COLUMNS": "200"})
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        tail = "\n".join(out.read().strip().splitlines()[-3:])
    return usage.ru_maxrss / 1024, time.monotonic() - started, os.waitstatus_to_exitcode(status), tail


def outcomes(db: Path) -> str:
    """Run statuses, and the commonest error reason when a run did not end ok."""
    con = sqlite3.connect(db)
    try:
        statuses = dict(con.execute("SELECT status, count(*) FROM crawl_runs GROUP BY status"))
        reason = con.execute("SELECT json_extract(error_reasons, '$[0].reason') r, count(*) n FROM crawl_runs "
                             "WHERE status != 'ok' GROUP BY r ORDER BY n DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + (f" ({reason[1]}: {reason[0]})" if reason else "")


def stored(db: Path, prefix: str = "s") -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM articles WHERE source LIKE ?", [prefix + "%"]).fetchone()[0]
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--anchor", type=int, default=1)
    parser.add_argument("--mid", type=int, default=200, help="a middle size (0: none)")
    parser.add_argument("--prefill", type=int, default=2000, help="signed articles already in each database")
    args = parser.parse_args()
    sizes = sorted({args.anchor, *([args.mid] if args.mid else []), args.sources})
    results = []
    with tempfile.TemporaryDirectory(prefix="hw-sources-") as tmp, Server() as server:
        base = Path(tmp) / "base.db"
        started = time.monotonic()
        prefill(base, args.prefill)
        print(f"  prefilled {args.prefill} articles in {time.monotonic() - started:.0f} s", file=sys.stderr)
        for size in sizes:
            folder = Path(tmp) / f"n{size}"
            folder.mkdir()
            db = folder / "hw.db"
            con = sqlite3.connect(base)
            con.execute(f"VACUUM INTO '{db}'")
            con.close()
            config = write_config(folder / "sources.toml", server, size)
            rss, seconds, code, tail = crawl(config, db)
            results.append((size, rss, seconds, stored(db), code))
            print(f"  {size} sources: {rss:.0f} MB, {seconds:.0f} s, exit {code}; runs: {outcomes(db)}",
                  file=sys.stderr, flush=True)
    anchor = results[0]
    print(f"| sources | peak RSS (MB) | wall (s) | stored | exit | MB per source over {anchor[0]} |")
    print("|---|---|---|---|---|---|")
    for size, rss, seconds, count, code in results:
        per = "" if size == anchor[0] else f"{(rss - anchor[1]) / (size - anchor[0]):.3f}"
        print(f"| {size} | {rss:.0f} | {seconds:.0f} | {count} | {code} | {per} |")


if __name__ == "__main__":
    main()
