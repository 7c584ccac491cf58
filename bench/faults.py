"""Fault benchmark: crawls killed with SIGKILL at random moments, and every fault case of
tests/faultsite.py, each followed by the runs that must recover what the fault held back.

    .venv/bin/python -m bench.faults [--trials 20] [--seed 12] [--only CASE ...]

Per case: trials; items lost (expected articles not stored once the recovery runs are done, or,
for the guard cases, requests that reached what must not be reached); duplicates (stored rows
beyond one per article); crashes (a traceback, a failed integrity check, a wrong exit status, an
orphaned process); wall time; peak RSS of the crawl processes (from wait4). Every row should
read 0 / 0 / 0; the table says so or shows what did not hold.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faultsite import (DnsStub, FaultSite, cookie_lines, cut_short, header_flood, interim_lines,  # noqa: E402
                             pad_lines, redirect, reset_at_once, truncated_list, unavailable)
from tests.sitekit import fixture_articles  # noqa: E402

ARTICLES = fixture_articles()


@dataclass
class Row:
    case: str
    trials: int = 0
    lost: int = 0
    duplicates: int = 0
    crashes: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    notes: list[str] = field(default_factory=list)


class Bench:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.count = 0

    def fresh(self) -> Path:
        self.count += 1
        folder = self.workdir / f"t{self.count}"
        folder.mkdir()
        return folder

    @staticmethod
    def config(folder: Path, site, start="/news/index.html", allow_private=True, host="127.0.0.1", **options) -> Path:
        options = {"max_pages": 10, "delay": 0, "concurrency": 4, "schedule": "30m", **options}
        lines = [f"allow_private_addresses = {str(allow_private).lower()}", "", "[[sources]]", 'name = "bench"',
                 f'start_urls = ["{site.url(start).replace("127.0.0.1", host)}"]',
                 r"article_pattern = '/(news|archive)/\d{6}/[\w-]+\.html$'", r"page_pattern = '/news/index_\d+\.html$'",
                 *(f"{k} = {v!r}".replace("'", '"') if isinstance(v, str) else f"{k} = {v}" for k, v in options.items())]
        path = folder / "sources.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    @staticmethod
    def crawl(config: Path, db: Path, row: Row, env: dict | None = None, kill_when=None) -> tuple[int, str]:
        """One `healthwatch crawl` process; with `kill_when` (a predicate) it is SIGKILLed once that holds.
        Reaped with wait4 for its own peak RSS."""
        with tempfile.TemporaryFile("w+") as out:
            proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config),
                                     "--db", str(db)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True,
                                    env={**os.environ, "COLUMNS": "200", **(env or {})})
            status = usage = None
            deadline = time.monotonic() + 300
            while status is None:
                pid, code, used = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    status, usage = code, used
                    break
                if kill_when is not None and kill_when() or time.monotonic() > deadline:
                    os.kill(proc.pid, signal.SIGKILL)
                    kill_when = None
                time.sleep(0.02)
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            output = out.read()
        row.peak_rss_mb = max(row.peak_rss_mb, usage.ru_maxrss / 1024)
        if "Traceback" in output:
            row.crashes += 1
            row.notes.append(output.strip().splitlines()[-1][:120])
        return proc.returncode, output


def stored(db: Path) -> list[str]:
    if not db.exists():
        return []
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT canonical_url FROM articles")]
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def integrity_ok(db: Path) -> bool:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def known_keys(db: Path) -> set[str]:
    """Every URL that leads to a stored article (its own, redirects, copies with the same text)."""
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT url_key FROM article_urls")}
    except sqlite3.OperationalError:
        return set()
    finally:
        con.close()


def settle(row: Row, db: Path, expected: set[str]) -> None:
    """Count what is missing and what is doubled once the case has run."""
    urls = stored(db)
    keys = known_keys(db) if db.exists() else set()
    row.lost += len({e.split("://", 1)[-1] for e in expected} - keys)
    row.duplicates += len(urls) - len(set(urls))
    if db.exists() and not integrity_ok(db):
        row.crashes += 1
        row.notes.append("integrity check failed")


def publish(site, articles) -> set[str]:
    return {site.publish(a["id"], a["html"]) for a in articles}


def move_backoff_past(db: Path) -> None:
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    con = sqlite3.connect(db)
    con.execute("UPDATE fetch_failures SET next_attempt_at = ?", [past])
    con.commit()
    con.close()


# -- cases --------------------------------------------------------------------------------------

def case_kill9(bench: Bench, trials: int, rng: random.Random) -> Row:
    row = Row("kill -9 mid-crawl, then a full crawl")
    for _ in range(trials):
        folder = bench.fresh()
        with FaultSite() as site:
            expected = publish(site, ARTICLES[:12])
            site.hang_seconds = rng.uniform(0.05, 0.3)
            config, db = bench.config(folder, site, concurrency=rng.choice([1, 2, 4])), folder / "hw.db"
            at = rng.randint(0, 11)
            bench.crawl(config, db, row, kill_when=lambda: site.article_hits() >= at)
            site.hang_seconds = 0
            code, _ = bench.crawl(config, db, row)
            row.crashes += code != 0
            settle(row, db, expected)
        row.trials += 1
    return row


def case_redirects(bench: Bench) -> Row:
    row = Row("redirects: 301, chain of 3, meta-refresh, JS stub")
    folder = bench.fresh()
    with FaultSite() as site:
        a = ARTICLES
        site.add_raw("/archive/202405/moved.html", 200, a[0]["html"], listed=False)
        site.add_raw("/news/202405/old.html", 301, b"")
        site.fault("/news/202405/old.html", redirect("/archive/202405/moved.html", 301))
        site.add_raw("/news/202405/chain.html", 200, b"")
        site.fault("/news/202405/chain.html", redirect("/hop1", 302))
        site.fault("/hop1", redirect("/hop2", 307))
        site.fault("/hop2", redirect("/archive/202405/end.html", 308))
        site.add_raw("/archive/202405/end.html", 200, a[1]["html"], listed=False)
        site.add_raw("/news/202405/stub.html", 200, b'<html><head><meta http-equiv="refresh" content="0;url='
                     b'/archive/202405/refreshed.html"></head><body>\xe8\xb7\xb3\xe8\xbd\xac\xe4\xb8\xad</body></html>')
        site.add_raw("/archive/202405/refreshed.html", 200, a[2]["html"], listed=False)
        site.add_raw("/news/202405/js.html", 200, b"<html><body><script>location.href='/archive/202405/js-end.html'"
                     b"</script></body></html>")
        site.add_raw("/archive/202405/js-end.html", 200, a[3]["html"], listed=False)
        config, db = bench.config(folder, site, start="/start.html"), folder / "hw.db"
        site.fault("/start.html", redirect("/news/index.html", 301))  # the start URL moved too
        bench.crawl(config, db, row)
        settle(row, db, {site.url(p) for p in ("/archive/202405/moved.html", "/archive/202405/end.html",
                                               "/archive/202405/refreshed.html", "/archive/202405/js-end.html")})
    row.trials = 1
    return row


def case_maintenance(bench: Bench) -> Row:
    row = Row("503/429 window for 4 runs, Retry-After")
    folder = bench.fresh()
    with FaultSite() as site:
        expected = publish(site, ARTICLES[:8])
        window = {"open": True}
        for index, path in enumerate(sorted(p for p, _, _ in site.articles)):
            status = 503 if index % 2 else 429
            site.fault(path, lambda h, hit, status=status: window["open"] and unavailable(10**9, status, "1")(h, hit))
        config, db = bench.config(folder, site), folder / "hw.db"
        for _ in range(4):
            bench.crawl(config, db, row)
            move_backoff_past(db)  # hours pass between runs
        window["open"] = False
        bench.crawl(config, db, row)
        settle(row, db, expected)
    row.trials = 1
    return row


def case_cut_short(bench: Bench, with_length: bool) -> Row:
    row = Row(f"bodies cut short by a reset, {'with' if with_length else 'no'} Content-Length")
    folder = bench.fresh()
    with FaultSite() as site:
        expected = publish(site, ARTICLES[:8])
        for path, body, _ in list(site.articles):
            site.fault(path, cut_short(body, content_length=with_length, times=3 if with_length else 1))
        config, db = bench.config(folder, site), folder / "hw.db"
        bench.crawl(config, db, row)
        if stored(db):  # the cut-short pages must not be stored as articles
            row.lost += len(stored(db))
            row.notes.append("a cut-short page was stored")
        bench.crawl(config, db, row)
        settle(row, db, expected)
    row.trials = 1
    return row


def case_resets(bench: Bench) -> Row:
    row = Row("connection reset before any byte (SO_LINGER 0)")
    folder = bench.fresh()
    with FaultSite() as site:
        expected = publish(site, ARTICLES[:6])
        for path, _, _ in list(site.articles):
            site.fault(path, reset_at_once(times=3))
        config, db = bench.config(folder, site), folder / "hw.db"
        bench.crawl(config, db, row)
        bench.crawl(config, db, row)
        settle(row, db, expected)
    row.trials = 1
    return row


def case_truncated_list(bench: Bench) -> Row:
    row = Row("list page with ETag cut short, 30 articles")
    folder = bench.fresh()
    with FaultSite() as site:
        articles = [ARTICLES[i % len(ARTICLES)] for i in range(30)]
        expected = {site.publish(f"{a['id']}-{i}", a["html"]) for i, a in enumerate(articles)}
        site.fault("/news/index.html", truncated_list(site, 1, keep=0.4, times=1))
        config, db = bench.config(folder, site), folder / "hw.db"
        bench.crawl(config, db, row)
        bench.crawl(config, db, row)
        bench.crawl(config, db, row)
        settle(row, db, expected)
    row.trials = 1
    return row


def case_pagination_resume(bench: Bench) -> Row:
    row = Row("run timed out mid-pagination, then 304 on page 1")
    folder = bench.fresh()
    with FaultSite() as site:
        expected = publish(site, ARTICLES[:13])
        site.hang_seconds = 0.4
        config, db = bench.config(folder, site, concurrency=1, timeout="4s"), folder / "hw.db"
        bench.crawl(config, db, row)
        site.hang_seconds = 0
        bench.crawl(config, db, row)
        settle(row, db, expected)
    row.trials = 1
    return row


def case_header_floods(bench: Bench) -> Row:
    row = Row("response headers: 6 MB of Set-Cookie, endless, 1xx flood")
    folder = bench.fresh()
    with FaultSite() as site:
        expected = publish(site, ARTICLES[:6])
        flooding, sent = {"on": True}, {}
        floods = [(6 * 2**20, cookie_lines), (256 * 2**20, pad_lines), (256 * 2**20, interim_lines)]
        for (path, body, _), (total, lines) in zip(list(site.articles)[:3], floods):
            site.fault(path, header_flood(sent, total, body, lines, flooding=lambda: flooding["on"]))
        config, db = bench.config(folder, site), folder / "hw.db"
        bench.crawl(config, db, row)
        if len(stored(db)) != 3:
            row.lost += 3 - len(stored(db))
            row.notes.append("a page with ordinary headers was not stored")
        row.notes.append(f"sent before the client hung up: {max(sent.values()) / 2**20:.1f} MB at most")
        flooding["on"] = False
        bench.crawl(config, db, row)  # the server is fixed: the next run stores them
        settle(row, db, expected)
    row.trials = 1
    return row


def case_malformed_link(bench: Bench) -> Row:
    row = Row('malformed link (href="http://[::1") on a list page')
    folder = bench.fresh()
    with FaultSite() as site:
        expected = publish(site, ARTICLES[:4])
        site.add_raw("http://[::1", 200, b"")
        expected |= publish(site, ARTICLES[4:6])
        config, db = bench.config(folder, site), folder / "hw.db"
        bench.crawl(config, db, row)
        settle(row, db, expected)
    row.trials = 1
    return row


def case_latin1(bench: Bench) -> Row:
    row = Row("UTF-8 pages served as ISO-8859-1 (lost = mojibake)")
    folder = bench.fresh()
    with FaultSite() as site:
        for a in ARTICLES[:8]:
            site.publish(a["id"], a["html"], content_type="text/html; charset=ISO-8859-1")
        config, db = bench.config(folder, site), folder / "hw.db"
        bench.crawl(config, db, row)
        con = sqlite3.connect(db)
        titles = dict(con.execute("SELECT url, title FROM articles"))
        con.close()
        truth = {site.url(f"/news/202405/{a['id']}.html"): a["truth"]["title"] for a in ARTICLES[:8]}
        row.lost += sum(1 for url, title in truth.items() if titles.get(url) is None
                        or any(ch in (titles[url] or "") for ch in "ÃÂåæçè"))
    row.trials = 1
    return row


def case_full_disk(bench: Bench) -> Row:
    row = Row("disk full during the run (tmpfs), then space again")
    if os.geteuid() != 0:
        row.notes.append("skipped: needs root to mount a tmpfs")
        return row
    folder = bench.fresh()
    disk = folder / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)]).returncode:
        row.notes.append("skipped: mount failed")
        return row
    try:
        from storage.store import Store

        with FaultSite() as site:
            expected = publish(site, ARTICLES[:10])
            config, db = bench.config(folder, site), disk / "hw.db"
            Store(db).close()
            stat = os.statvfs(disk)
            (disk / "filler").write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 96 * 1024))
            code, output = bench.crawl(config, db, row)
            if code == 0:
                row.crashes += 1
                row.notes.append("full disk exited 0")
            (disk / "filler").unlink()
            bench.crawl(config, db, row)
            settle(row, db, expected)
    finally:
        subprocess.run(["umount", "-l", str(disk)])
    row.trials = 1
    return row


def case_orphan(bench: Bench) -> Row:
    row = Row("scheduler killed -9 mid-crawl (crash = orphan)")
    folder = bench.fresh()
    with FaultSite() as site:
        expected = publish(site, ARTICLES[:10])
        site.hang_seconds = 0.4
        config, db = bench.config(folder, site, concurrency=1, schedule="1h"), folder / "hw.db"
        sched = subprocess.Popen([sys.executable, "-m", "crawler.cli", "run", "--config", str(config), "--db", str(db)],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not site.article_hits() and time.monotonic() < deadline:
            time.sleep(0.1)
        con = sqlite3.connect(db)
        pid = con.execute("SELECT pid FROM crawl_runs ORDER BY id DESC").fetchone()[0]
        con.close()
        sched.send_signal(signal.SIGKILL)
        sched.wait()
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        row.crashes += _alive(pid)
        site.hang_seconds = 0
        bench.crawl(config, db, row)
        settle(row, db, expected)
    row.trials = 1
    return row


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except OSError:
        return False


def case_rebinding(bench: Bench) -> Row:
    row = Row("DNS: failed lookup, then 127.0.0.1 (lost = let in)")
    folder = bench.fresh()
    with FaultSite() as site, DnsStub([None, ["127.0.0.1"]]) as dns:
        publish(site, ARTICLES[:3])
        config, db = bench.config(folder, site, allow_private=False, host="news.rebind.test"), folder / "hw.db"
        code, _ = bench.crawl(config, db, row, env={"HEALTHWATCH_NAMESERVER": dns.address})
        row.lost += sum(site.hits.values())  # anything that reached the private address was let in
        row.crashes += code != 1
    row.trials = 1
    return row


CASES = {
    "redirects": case_redirects, "maintenance": case_maintenance,
    "cut-with-length": lambda b: case_cut_short(b, True), "cut-no-length": lambda b: case_cut_short(b, False),
    "resets": case_resets, "truncated-list": case_truncated_list, "pagination": case_pagination_resume,
    "headers": case_header_floods, "malformed-link": case_malformed_link, "latin1": case_latin1, "full-disk": case_full_disk,
    "orphan": case_orphan, "rebinding": case_rebinding,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="kill -9 trials (default 20)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--only", nargs="*", help=f"cases to run: kill9 {' '.join(CASES)}")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="hw-faults-") as tmp:
        bench = Bench(Path(tmp))
        for name in ["kill9", *CASES]:
            if args.only and name not in args.only:
                continue
            started = time.monotonic()
            row = case_kill9(bench, args.trials, rng) if name == "kill9" else CASES[name](bench)
            row.seconds = time.monotonic() - started
            rows.append(row)
            print(f"  {row.case}: done in {row.seconds:.0f} s", file=sys.stderr, flush=True)
    print_table(rows)


def print_table(rows: list[Row]) -> None:
    columns = ["case", "trials", "items lost", "duplicates", "crashes", "time (s)", "peak RSS (MB)"]
    cells = [[r.case, str(r.trials), str(r.lost), str(r.duplicates), str(r.crashes), f"{r.seconds:.0f}",
              f"{r.peak_rss_mb:.0f}"] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    line = lambda values: "| " + " | ".join(v.ljust(w) if i == 0 else v.rjust(w)  # noqa: E731
                                            for i, (v, w) in enumerate(zip(values, widths))) + " |"
    print(line(columns))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print(line(row))
    for r in rows:
        for note in r.notes[:3]:
            print(f"  {r.case}: {note}")


if __name__ == "__main__":
    main()
