"""Crawl throughput benchmark: `healthwatch crawl` against raw Scrapy on the same local site.

    .venv/bin/python -m bench.crawl_bench [--articles 5000] [--per-page 20] [--concurrency 16]
                                          [--redis-workers] [--json OUT]

The site: real article pages (185 KB average) copied from ../shared/bench, each copy made unique
by a number in its first paragraphs, behind list pages with a pager, served by nginx (Debian's
nginx-light, a private config on a free 127.0.0.1 port). Politeness delay 0, the same concurrency.
The copies keep their links to attachments on their own sites' hosts: healthwatch asks a local DNS
that knows no name ($HEALTHWATCH_NAMESERVER, tests/faultsite.DnsStub), so those fail at once, as
on a machine without those hosts, instead of waiting on this machine's DNS (which let lookups and
robots.txt requests for them hang for seconds while their articles' items held Scrapy's scraper
full: the crawl stood still in 2-5 s gaps, and runs of the same code differed by 40%).

Anchor, measured in the same run and alternated with the measured runs: raw Scrapy fetching every
page and reading the list pages' links, no parsing (bench/raw_crawl.py). Reported per run: pages/s,
CPU seconds per page (the whole process tree), peak RSS (the process tree, sampled), requests the
server saw; then a re-crawl of the unchanged site (its requests), the database size per 1,000
articles and where it goes; with --redis-workers, 1 vs 2 workers through Redis with one ingester.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = Path(os.environ.get("HEALTHWATCH_BENCH_DIR", ROOT / ".." / "shared" / "bench"))
PYTHON = sys.executable
ARTICLE_RE = r"/news/a/\d+\.html$"
PAGE_RE = r"/news/index(_\d+)?\.html$"


# -- the site ---------------------------------------------------------------------------------

def real_pages(readable_only: bool = False) -> list[bytes]:
    """The bench pages; `readable_only`: those the extractor finds an article in (a page without
    one is a failure retried on later runs by design, which would blur the re-crawl figure)."""
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(SHARED_BENCH.glob("*/*/page.html.gz"))]
    if not pages:
        sys.exit(f"no pages under {SHARED_BENCH} (set HEALTHWATCH_BENCH_DIR)")
    if readable_only:
        from crawler.extract import extract

        pages = [p for n, p in enumerate(pages) if extract(p, f"http://bench.test/a/{n}.html").body.strip()]
    return pages


def unique_copy(html: bytes, number: int) -> bytes:
    """The page with its number in its first paragraphs and sentences: a distinct article (another
    content hash), still a near-copy of the other copies of the same page, as reposts are."""
    return html.replace(b"</p>", b" (%d)</p>" % number, 3).replace("。".encode(), "。(%d)".encode() % number, 3)


def build_site(root: Path, articles: int, per_page: int) -> int:
    """Articles at /news/a/<n>.html, list pages /news/index.html, index_2.html, … (a pager of
    first/last and five pages either side). Returns the number of list pages."""
    pages = real_pages(readable_only=True)
    (root / "news" / "a").mkdir(parents=True)
    for n in range(articles):
        (root / "news" / "a" / f"{n}.html").write_bytes(unique_copy(pages[n % len(pages)], n))
    lists = -(-articles // per_page)
    name = lambda k: "index.html" if k == 1 else f"index_{k}.html"  # noqa: E731
    for k in range(1, lists + 1):
        items = "".join(f'<li><a href="a/{n}.html">文章 {n}</a><span>2024-05-20</span></li>'
                        for n in range((k - 1) * per_page, min(k * per_page, articles)))
        pager = sorted({1, lists, *range(max(1, k - 5), min(lists, k + 5) + 1)})
        nav = "".join(f'<a href="{name(p)}">{p}</a>' for p in pager)
        (root / "news" / name(k)).write_text(
            '<html><head><meta charset="utf-8"><title>卫生健康新闻</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div><ul class="list">{items}</ul>'
            f'<div class="pages">{nav}</div></body></html>', encoding="utf-8")
    return lists


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx with a private config: static files, ETag/Last-Modified, an access log we count."""

    def __init__(self, root: Path, work: Path):
        self.root, self.work, self.port = root, work, free_port()
        self.log = work / "access.log"

    def __enter__(self):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            sys.exit("nginx is missing: apt-get install -y nginx-light")
        os.chmod(self.work, 0o755)  # nginx's workers run as an unprivileged user when started by root
        conf = self.work / "nginx.conf"
        conf.write_text(f"""
worker_processes 1; daemon off; pid {self.work}/nginx.pid; error_log {self.work}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log {self.log}; client_body_temp_path {self.work}/tmp; proxy_temp_path {self.work}/tmp;
  fastcgi_temp_path {self.work}/tmp; uwsgi_temp_path {self.work}/tmp; scgi_temp_path {self.work}/tmp;
  types {{ text/html html; }} sendfile on; keepalive_requests 100000;
  server {{ listen 127.0.0.1:{self.port}; root {self.root}; }}
}}""")
        (self.work / "tmp").mkdir(exist_ok=True)
        self.proc = subprocess.Popen([binary, "-c", str(conf), "-p", str(self.work)], stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                return self
            except OSError:
                time.sleep(0.05)
        sys.exit("nginx did not start: " + (self.work / "error.log").read_text())

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_lines(self) -> int:
        return sum(1 for _ in open(self.log, "rb")) if self.log.exists() else 0

    def statuses_since(self, line: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        with open(self.log, "rb") as f:
            for n, entry in enumerate(f):
                if n >= line:
                    status = entry.split(b'" ', 1)[1].split(b" ", 1)[0].decode() if b'" ' in entry else "?"
                    counts[status] = counts.get(status, 0) + 1
        return counts


@contextmanager
def no_other_hosts():
    """Every name the crawls look up fails at once (SERVFAIL from a local DNS); the site is 127.0.0.1."""
    sys.path.insert(0, str(ROOT))
    from tests.faultsite import DnsStub

    with DnsStub([None]) as dns:
        os.environ["HEALTHWATCH_NAMESERVER"] = dns.address  # the crawls' environment (measure)
        try:
            yield dns
        finally:
            del os.environ["HEALTHWATCH_NAMESERVER"]


# -- measuring a process tree -------------------------------------------------------------------

def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def measure(commands: list[list[str]], env: dict | None = None, wait_for=None) -> dict:
    """Run the commands at once; wall seconds, CPU seconds (with reaped descendants), peak RSS.
    `wait_for`: a callable that returns True when the work is done (then the processes get SIGTERM)."""
    started = time.perf_counter()
    procs = [subprocess.Popen(c, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True) for c in commands]
    peak, done = [0.0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], sum(tree_rss_mb(p.pid) for p in procs))
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    if wait_for:
        while not wait_for():
            time.sleep(0.2)
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
    cpu, errors = 0.0, []
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        errors.append(p.stderr.read().decode(errors="replace")[-2000:])
    wall = time.perf_counter() - started
    done.set()
    bad = [e for p, e in zip(procs, errors) if p.returncode not in (0, -signal.SIGTERM)]
    if bad or any("Traceback" in e for e in errors):
        print("a benchmarked process failed:\n" + "\n".join(errors), file=sys.stderr)
    return {"seconds": wall, "cpu_seconds": cpu, "peak_rss_mb": peak[0]}


# -- the runs -----------------------------------------------------------------------------------

def write_config(path: Path, site: Nginx, lists: int, concurrency: int) -> Path:
    path.write_text("\n".join([
        "allow_private_addresses = true", "", "[[sources]]", 'name = "bench"',
        f'start_urls = ["{site.url("/news/index.html")}"]',
        f"article_pattern = '{ARTICLE_RE}'", f"page_pattern = '{PAGE_RE}'",
        # max_pages above the list count (each list page is charged once per crawl), within the config's cap
        f"max_pages = {min(lists * 2, 10_000)}", "delay = 0", f"concurrency = {concurrency}", 'timeout = "2h"', ""]))
    return path


def raw_run(site: Nginx, concurrency: int) -> dict:
    line = site.log_lines()
    result = measure([[PYTHON, "-m", "bench.raw_crawl", site.url("/news/index.html"), ARTICLE_RE, PAGE_RE,
                       str(concurrency)]])
    return with_rates(result, site.statuses_since(line))


def healthwatch_run(site: Nginx, config: Path, db: Path) -> dict:
    line = site.log_lines()
    result = measure([[PYTHON, "-m", "crawler.cli", "crawl", "bench", "--config", str(config), "--db", str(db)]])
    return with_rates(result, site.statuses_since(line))


def with_rates(result: dict, statuses: dict[str, int]) -> dict:
    pages = statuses.get("200", 0)
    return {**result, "requests": sum(statuses.values()), "statuses": statuses, "pages": pages,
            "pages_per_s": pages / result["seconds"], "cpu_ms_per_page": 1000 * result["cpu_seconds"] / max(pages, 1)}


def database_size(db: Path) -> dict:
    from storage.sizes import article_text_bytes, space_by_object

    text = article_text_bytes(db)
    per_k = lambda b: round(b / max(text["articles"], 1) * 1000 / 2**20, 2)  # noqa: E731 MB per 1,000 articles
    return {"articles": text["articles"], "file_mb_per_1000": per_k(db.stat().st_size),
            "body_mb_per_1000": per_k(text["body"]), "signature_mb_per_1000": per_k(text["signatures"]),
            "objects_mb_per_1000": {name: per_k(size) for name, size in space_by_object(db)[:12]}}


def line(label: str, r: dict, anchor: dict | None = None) -> str:
    ratio = f"  {r['pages_per_s'] / anchor['pages_per_s']:.2f}x raw" if anchor and anchor["pages_per_s"] else ""
    return (f"{label:<28} {r['pages']:>6} pages {r['seconds']:7.1f} s {r['pages_per_s']:7.1f} pages/s "
            f"{r['cpu_ms_per_page']:6.2f} ms CPU/page  peak RSS {r['peak_rss_mb']:6.0f} MB{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="raw/healthwatch pairs, alternated")
    parser.add_argument("--redis-workers", action="store_true", help="also 1 vs 2 workers through Redis")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crawl-bench-"))
    report: dict = {"articles": args.articles, "concurrency": args.concurrency}
    try:
        lists = build_site(work / "site", args.articles, args.per_page)
        report["list_pages"] = lists
        with Nginx(work / "site", work) as site, no_other_hosts():
            config = write_config(work / "bench.toml", site, lists, args.concurrency)
            raws, hws = [], []
            for n in range(args.rounds):
                raws.append(raw_run(site, args.concurrency))
                print(line(f"raw Scrapy #{n + 1}", raws[-1]), flush=True)
                db = work / f"hw{n}.db"
                hws.append(healthwatch_run(site, config, db))
                print(line(f"healthwatch crawl #{n + 1}", hws[-1], raws[-1]), flush=True)
            raws.append(raw_run(site, args.concurrency))  # raw runs on both sides of every measured run
            print(line(f"raw Scrapy #{len(raws)}", raws[-1]), flush=True)
            anchor = {"pages_per_s": sum(r["pages_per_s"] for r in raws) / len(raws)}
            report.update(raw=raws, healthwatch=hws,
                          ratio=sum(r["pages_per_s"] for r in hws) / len(hws) / anchor["pages_per_s"])
            again = healthwatch_run(site, config, work / "hw0.db")
            report["recrawl_requests"] = again["statuses"]
            print(f"re-crawl of the unchanged site: {again['requests']} requests {again['statuses']}")
            report["database"] = database_size(work / "hw0.db")
            print("database:", json.dumps(report["database"]))
            if args.redis_workers:
                from bench.redis_bench import one_vs_two_workers

                report["redis"] = one_vs_two_workers(site, config, work, anchor, line)
        print(f"healthwatch / raw Scrapy: {report['ratio']:.2f}x")
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
