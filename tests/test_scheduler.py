"""`healthwatch run` as a user runs it: a real scheduler process, real crawl processes, local sites.

Intervals are seconds long so each test takes ~10-20 s; nothing here sleeps for a schedule's sake
longer than it must.
"""
import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from crawler.config import load_config
from crawler.schedule.scheduler import first_run_time, trigger_for
from storage.store import Store
from tests.conftest import ROOT, run_cli
from tests.sitekit import NewsSite, fixture_articles, write_sources

ARTICLES = fixture_articles()


def start_scheduler(config, db, *extra):
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "run", "--config", str(config), "--db", str(db),
                             *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_scheduler(proc, timeout=30) -> str:
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, output
    return output


def runs(db, source=None) -> list[dict]:
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute("SELECT * FROM crawl_runs" + (" WHERE source = ?" if source else "") + " ORDER BY id",
                           [source] if source else []).fetchall()
    except sqlite3.OperationalError:  # schema not created yet
        return []
    finally:
        con.close()
    return [dict(r) for r in rows]


def wait_for(condition, timeout=60.0, every=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {condition.__doc__ or condition}")


def finished(db, source, status=None) -> int:
    return sum(1 for r in runs(db, source) if r["status"] != "running" and (status is None or r["status"] == status))


def assert_never_overlapped(db, source):
    rows = runs(db, source)
    for before, after in zip(rows, rows[1:]):
        assert after["started_at"] >= before["finished_at"], (before, after)


def test_sources_keep_their_cadence_while_a_hung_one_is_timed_out(tmp_path):
    with NewsSite() as site_a, NewsSite() as site_b, NewsSite() as hung:
        for article in ARTICLES[:5]:
            site_a.publish(article["id"], article["html"])
        for article in ARTICLES[5:10]:
            site_b.publish(article["id"], article["html"])
        hung.publish(ARTICLES[10]["id"], ARTICLES[10]["html"])
        hung.hang_seconds = 120  # accepts the connection, never answers in time
        config = write_sources(tmp_path / "sources.toml", [
            ("site-a", site_a, {"schedule": "2s"}),
            ("site-b", site_b, {"schedule": "2s"}),
            ("hung", hung, {"schedule": "2s", "timeout": "2s"}),
        ])
        db = tmp_path / "hw.db"
        proc = start_scheduler(config, db, "--grace", "2")
        try:
            wait_for(lambda: finished(db, "hung", "timeout") >= 1 and finished(db, "site-a") >= 4
                     and finished(db, "site-b") >= 4, timeout=90)
        finally:
            output = stop_scheduler(proc)

    assert "hung: due while its previous run is still going; skipped" in output
    for source in ("site-a", "site-b", "hung"):
        assert_never_overlapped(db, source)
    all_runs = runs(db)
    assert not [r for r in all_runs if r["status"] == "running"], "every run says how it ended"
    assert {r["status"] for r in runs(db, "site-a")} <= {"ok", "stopped"}
    timeouts = [r for r in runs(db, "hung") if r["status"] == "timeout"]
    assert timeouts and "timeout" in timeouts[0]["finish_reason"]
    store = Store(db)
    try:
        assert store.article_count("site-a") == 5 and store.article_count("site-b") == 5
        assert store.article_count("hung") == 0
        # the first runs stored everything; the later ones found nothing new and re-fetched no article
        assert [r["new"] for r in runs(db, "site-a") if r["status"] == "ok"][1:] == [0] * (finished(db, "site-a", "ok") - 1)
    finally:
        store.close()
    assert site_a.article_hits() == 5


def test_sigterm_during_a_crawl_leaves_a_consistent_database(tmp_path):
    with NewsSite() as site:
        for article in ARTICLES[:10]:
            site.publish(article["id"], article["html"])
        site.hang_seconds = 0.4  # a slow site: the crawl is surely mid-way when the scheduler is stopped
        config = write_sources(tmp_path / "sources.toml", [("slow", site, {"schedule": "1h", "concurrency": 1})])
        db = tmp_path / "hw.db"
        proc = start_scheduler(config, db, "--grace", "15")
        wait_for(lambda: site.article_hits() >= 3, timeout=60)
        output = stop_scheduler(proc)
        assert "stopped" in output

        [run] = runs(db, "slow")
        assert run["status"] == "stopped" and run["finished_at"], run
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = con.execute("SELECT title, body FROM articles").fetchall()
        con.close()
        assert all(title and body for title, body in stored), "whole rows or none"
        assert len(stored) < 10

        # nothing is hidden from the next crawl: it finds and stores exactly the rest
        site.hang_seconds = 0
        result = run_cli("crawl", "--config", config, "--db", db)
        assert result.returncode == 0, result.stderr
        store = Store(db)
        try:
            assert store.article_count("slow") == 10
            assert store.last_runs("slow")[0]["new"] == 10 - len(stored)
        finally:
            store.close()


def test_restart_catches_up_once_and_status_reports(tmp_path):
    with NewsSite() as stale_site, NewsSite() as fresh_site:
        for article in ARTICLES[:3]:
            stale_site.publish(article["id"], article["html"])
        fresh_site.publish(ARTICLES[3]["id"], ARTICLES[3]["html"])
        config = write_sources(tmp_path / "sources.toml", [
            ("stale", stale_site, {"schedule": "1h"}),
            ("fresh", fresh_site, {"schedule": "1h"}),
        ])
        db = tmp_path / "hw.db"
        store = Store(db)  # history: both ran fine; "stale" 5 hours ago (the machine was down), "fresh" just now
        for source, age in (("stale", timedelta(hours=5)), ("fresh", timedelta(minutes=1))):
            run_id = store.start_run(source, pid=1)
            store.finish_run(run_id, status="ok", finish_reason="finished", counts={}, error_reasons=[])
            when = (datetime.now(timezone.utc) - age).strftime("%Y-%m-%dT%H:%M:%SZ")
            store.db["crawl_runs"].update(run_id, {"started_at": when, "finished_at": when})
        store.close()

        proc = start_scheduler(config, db)
        try:
            wait_for(lambda: finished(db, "stale") == 2, timeout=60)
            time.sleep(4)  # would a second catch-up run (one per missed slot) follow?
        finally:
            stop_scheduler(proc)
        assert finished(db, "stale") == 2 and finished(db, "stale", "ok") == 2
        assert len(runs(db, "fresh")) == 1, "a source that ran recently waits for its next slot"
        assert stale_site.article_hits() == 3 and fresh_site.article_hits() == 0

        result = run_cli("status", "--json", "--config", config, "--db", db)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        rows = {row["source"]: row for row in report["sources"]}
        assert rows["stale"]["last_run"]["status"] == "ok" and rows["stale"]["new_24h"] == rows["stale"]["new_7d"] == 3
        assert report["scheduler"] is None and rows["fresh"]["next_run"] is None, "no scheduler: no next run"


def test_run_once_runs_every_source_and_reports_a_failed_one(tmp_path):
    with NewsSite() as site, NewsSite() as gone:
        site.publish(ARTICLES[0]["id"], ARTICLES[0]["html"])
        config = write_sources(tmp_path / "sources.toml", [("good", site, {}), ("down", gone, {})])
        gone.__exit__()  # its server is gone: connection refused
        db = tmp_path / "hw.db"
        result = run_cli("run", "--once", "--config", config, "--db", db, "good")
        assert result.returncode == 0, result.stdout + result.stderr
        assert [(r["source"], r["status"], r["new"]) for r in runs(db)] == [("good", "ok", 1)]
        result = run_cli("run", "--once", "--config", config, "--db", db)
        assert result.returncode == 1, "a source that failed outright makes --once fail"
        assert {r["source"]: r["status"] for r in runs(db)[1:]} == {"good": "ok", "down": "failed"}
        assert "refused" in runs(db, "down")[0]["error_reasons"]


def test_first_run_time_for_intervals_and_cron():
    config = load_config(ROOT / "crawler" / "sources")
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
    source = config.sources[0]
    source.schedule, source.cron = "2h", None
    trigger = trigger_for(source, tz)
    assert first_run_time(source, trigger, None, now) == now
    assert first_run_time(source, trigger, now - timedelta(hours=3), now) == now
    assert first_run_time(source, trigger, now - timedelta(hours=1), now) == now + timedelta(hours=1)
    source.schedule, source.cron = None, "0 8 * * *"  # 08:00 Beijing = 00:00 UTC
    trigger = trigger_for(source, tz)
    assert first_run_time(source, trigger, now - timedelta(hours=2), now) == datetime(2026, 11, 26, 0, 0, tzinfo=timezone.utc)
    assert first_run_time(source, trigger, now - timedelta(hours=13), now) == now  # missed today's 08:00


def test_concurrent_crawls_of_the_same_articles_store_each_once(tmp_path):
    with NewsSite() as site:
        for article in ARTICLES[:10]:
            site.publish(article["id"], article["html"])
        config = write_sources(tmp_path / "sources.toml", [(f"mirror-{n}", site, {}) for n in range(3)])
        db = tmp_path / "hw.db"
        result = run_cli("run", "--once", "--config", config, "--db", db)
        assert result.returncode == 0, result.stdout + result.stderr
    rows = runs(db)
    assert [r["status"] for r in rows] == ["ok"] * 3 and all(r["errors"] == 0 for r in rows)
    assert sum(r["new"] for r in rows) == 10, "each article is new exactly once across the three crawls"
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone() == (10, 10)
    con.close()


def test_crawl_logs_rotate_instead_of_growing_for_weeks(tmp_path):
    from crawler.schedule.crawl_process import rotate

    log = tmp_path / "src.log"
    for generation in range(5):
        log.write_text(f"generation {generation}\n" * 100)
        rotate(log, max_bytes=1000, keep=3)
    assert not log.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.log.1", "src.log.2", "src.log.3"]
    assert (tmp_path / "src.log.1").read_text().startswith("generation 4")
    assert (tmp_path / "src.log.3").read_text().startswith("generation 2")
