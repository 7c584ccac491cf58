"""End to end: a real Scrapy crawl (`healthwatch crawl`, a fresh process) over the local site
into a real SQLite file."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.conftest import ROOT, run_cli
from tests.sitekit import fixture_articles


def rows(db, sql, *params):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def last_run(db):
    return rows(db, "select * from crawl_runs order by id desc limit 1")[0]


def crawl(config, db, *names):
    result = run_cli("crawl", *names, "--config", config, "--db", db)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_crawls_incrementally_from_config_to_sqlite(site, config_for, tmp_path):
    config, db = config_for(site), tmp_path / "hw.db"

    # First crawl: every listed article stored once, with title and body.
    started = time.monotonic()
    first = crawl(config, db)
    first_seconds = time.monotonic() - started
    assert first.returncode == 0, first.stdout + first.stderr
    stored = rows(db, "select url, canonical_url, source, title, body, fetched_at, first_seen_at, content_hash "
                      "from articles")
    assert len(stored) == 10
    assert len({r["canonical_url"] for r in stored}) == 10
    for row in stored:
        assert row["source"] == "demo-news"
        assert row["title"] and len(row["body"]) > 50, row["url"]
        assert row["fetched_at"] and row["first_seen_at"] and row["content_hash"]
    truth_titles = {a["id"]: a["truth"]["title"] for a in fixture_articles()[:10]}
    right = sum(row["title"] == truth_titles[row["url"].rsplit("/", 1)[1][:-5]] for row in stored)
    assert right >= 8, f"only {right}/10 titles match the hand labels"
    run = last_run(db)
    assert (run["status"], run["new"], run["pages"], run["errors"]) == ("ok", 10, 2, 0)
    assert "demo-news" in first.stdout and "ok" in first.stdout
    article_requests = site.article_hits()
    assert article_requests == 10

    # Second crawl: nothing new; the list page answers 304 and no article page is requested.
    second = crawl(config, db)
    assert second.returncode == 0
    assert site.article_hits() == article_requests
    assert ("/news/index.html", 304) in site.statuses
    run = last_run(db)
    assert (run["new"], run["not_modified"]) == (0, 1)
    assert len(rows(db, "select id from articles")) == 10

    # New articles are published: the third crawl stores exactly those.
    extra = fixture_articles()[10:12]
    for article in extra:
        site.publish(article["id"], article["html"], month="202406")
    crawl(config, db)
    assert site.article_hits() == article_requests + 2
    run = last_run(db)
    assert run["new"] == 2
    new_urls = {r["url"] for r in rows(db, "select url from articles where url like '%/202406/%'")}
    assert new_urls == {site.url(f"/news/202406/{a['id']}.html") for a in extra}
    print(f"first crawl of 10 articles took {first_seconds:.1f}s")


def test_broken_pages_are_recorded_with_their_reason_and_the_crawl_goes_on(site, config_for, tmp_path):
    site.add_raw("/news/202405/gone.html", 404, b"<html>not found</html>")
    site.add_raw("/news/202405/crash.html", 500, b"<html>server error</html>")
    site.add_raw("/news/202405/empty.html", 200, b"")
    site.add_raw("/news/202405/binary.html", 200, bytes(range(256)) * 40, content_type="application/octet-stream")
    site.add_raw("/news/202405/nothing.html", 200, b"<html><body><div></div></body></html>")
    config, db = config_for(site, max_pages=5), tmp_path / "hw.db"

    result = crawl(config, db)
    assert result.returncode == 0, "a few broken pages do not fail the source"
    run = last_run(db)
    reasons = {r["url"].rsplit("/", 1)[1]: r["reason"] for r in json.loads(run["error_reasons"])}
    assert reasons["gone.html"] == "HTTP 404"
    assert reasons["crash.html"] == "HTTP 500"
    assert reasons["empty.html"] == "empty page"
    assert reasons["binary.html"].startswith("not an HTML page")
    assert reasons["nothing.html"].startswith("no article text found")
    assert (run["status"], run["errors"], run["new"]) == ("partial", 5, 10)
    failures = {r["url"].rsplit("/", 1)[1]: r for r in rows(db, "select * from fetch_failures")}
    assert failures["gone.html"]["permanent"] == 1 and failures["crash.html"]["permanent"] == 0
    assert "HTTP 500" in result.stdout

    # The 500 page is retried next time (transient); the 404 is not asked for again.
    site.raw["/news/202405/crash.html"] = (200, fixture_articles()[11]["html"], "text/html")
    crawl(config, db)
    assert site.hits["/news/202405/gone.html"] == 1
    assert site.hits["/news/202405/crash.html"] == 3 + 1  # first crawl: a try and two retries
    assert last_run(db)["new"] == 1


def test_an_interrupted_crawl_hides_nothing_from_the_next(site, config_for, tmp_path):
    config, db = config_for(site, concurrency=1), tmp_path / "hw.db"
    site.hang_seconds = 0.4
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while site.article_hits() < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    site.hang_seconds = 0
    stored_before = len(rows(db, "select id from articles")) if db.exists() else 0
    assert stored_before < 10

    crawl(config, db)
    assert len(rows(db, "select id from articles")) == 10
    statuses = [r["status"] for r in rows(db, "select status from crawl_runs order by id")]
    assert statuses == ["interrupted", "ok"]
    # Whole rows only: every stored article has its body.
    assert not rows(db, "select id from articles where body is null or body = ''")


def test_private_addresses_are_refused_unless_allowed(site, tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text(
        '[[sources]]\nname = "local"\nstart_urls = ["%s"]\narticle_pattern = "/news/"\ndelay = 0\n'
        % site.url("/news/index.html"), encoding="utf-8")
    result = crawl(config, tmp_path / "hw.db")
    assert result.returncode == 1, "a source that failed outright gives a non-zero exit"
    run = last_run(tmp_path / "hw.db")
    assert run["status"] == "failed"
    assert "non-public address 127.0.0.1" in run["error_reasons"]
    assert site.hits["/news/index.html"] == 0


def test_scrapy_crawl_works_from_the_repository_root(site, config_for, tmp_path):
    config, db = config_for(site), tmp_path / "hw.db"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "source", "-a", "source=demo-news", "-a", f"config={config}",
         "-a", f"db={db}", "-s", "LOG_LEVEL=WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(rows(db, "select id from articles")) == 10


def test_an_unreachable_site_fails_with_a_plain_reason(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "sources.toml"
    config.write_text('allow_private_addresses = true\n[[sources]]\nname = "down"\n'
                      f'start_urls = ["http://127.0.0.1:{port}/news/"]\narticle_pattern = "/news/"\ndelay = 0\n',
                      encoding="utf-8")
    result = crawl(config, tmp_path / "hw.db")
    assert result.returncode == 1
    run = last_run(tmp_path / "hw.db")
    assert run["status"] == "failed" and json.loads(run["error_reasons"])[0]["reason"] == "connection refused"


SHARED_STORE_PROBE = """
import json, sys
from crawler.config import load_config
from crawler.schedule.runner import crawl_now
from spiders.source import SourceSpider
from storage.store import Store

spiders, made = [], SourceSpider.from_crawler.__func__
def spy(cls, crawler, *args, **kwargs):
    spiders.append(made(cls, crawler, *args, **kwargs))
    return spiders[-1]
SourceSpider.from_crawler = classmethod(spy)
config = load_config(sys.argv[1])
runs = crawl_now(config, [s.name for s in config.sources], sys.argv[2])
print(json.dumps({"spiders": len(spiders), "stores": len({id(s.store) for s in spiders}),
                  "left_open": len(Store._shared), "statuses": sorted(r["status"] for r in runs.values())}))
"""


def test_the_sources_of_one_crawl_process_share_one_store(site, tmp_path):
    """Memory per source (issue 12, point 13): a spider of `healthwatch crawl` does not open its own
    database connection and dedup index (each held every stored signature: 1,000 sources took
    3 GB); they share one Store, closed when the last spider closes. bench/sources_bench.py measures RSS."""
    from tests.sitekit import write_sources

    config = write_sources(tmp_path / "sources.toml", [(f"mirror-{i}", site, {}) for i in range(4)])
    done = subprocess.run([sys.executable, "-c", SHARED_STORE_PROBE, str(config), str(tmp_path / "hw.db")], cwd=ROOT,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe == {"spiders": 4, "stores": 1, "left_open": 0, "statuses": ["ok"] * 4}, probe
    assert rows(tmp_path / "hw.db", "select count(*) n from articles")[0]["n"] == 10
