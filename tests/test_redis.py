"""The distributed mode end to end on a real Redis: `healthwatch run --redis` queues a round, two
`healthwatch worker`s crawl a local site of 210 real article pages, one `healthwatch ingest` writes
the SQLite file. Workers run with scrapy-redis's and Scrapy's deprecation warnings as errors."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, run_cli
from tests.sitekit import NewsSite, fixture_articles, write_config

ARTICLES = 210
# scrapy-redis 0.9.1 on our Scrapy: any deprecation it (or we) trigger is an error (engineering notes §6).
# (PYTHONWARNINGS cannot name ScrapyDeprecationWarning: it is resolved before site-packages is on the path.)
STRICT_CLI = ("import warnings, scrapy.exceptions; "
              "warnings.simplefilter('error', scrapy.exceptions.ScrapyDeprecationWarning); "
              "from crawler.cli import app; app(prog_name='healthwatch')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    """A private redis-server for this test session (no persistence)."""
    redis = pytest.importorskip("redis")
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed (apt-get install redis-server): distributed mode untested")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.skip("could not start a private redis-server")
    yield url
    proc.terminate()
    proc.wait()


def unique_copies(count: int) -> list[tuple[str, bytes]]:
    """Real pages, each copy numbered in its first sentences so it is an article of its own (the
    thepaper pages are left out: their numbering does not reach the text the extractor keeps)."""
    pages = [p for p in fixture_articles() if not p["id"].startswith("thepaper")]

    def numbered(html: bytes, n: int) -> bytes:
        return html.replace(b"</p>", b" (%d)</p>" % n, 3).replace("。".encode(), "。(%d)".encode() % n, 3)

    return [(f"{pages[n % len(pages)]['id']}-{n}", numbered(pages[n % len(pages)]["html"], n)) for n in range(count)]


def count(db, sql="select count(*) from articles"):
    if not os.path.exists(db):
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def start(*args, log=None, env=None):
    return subprocess.Popen([sys.executable, "-c", STRICT_CLI, *map(str, args)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=open(log, "wb") if log else subprocess.DEVNULL, env={**os.environ, **(env or {})})


def stop(procs) -> None:
    """SIGTERM to every process still running, then SIGKILL to any that has not ended 20 s later."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_workers_and_ingester_store_every_article_once_through_kills(redis_url, tmp_path):
    import redis as redis_client

    from crawler.schedule import redisq

    server = redis_client.Redis.from_url(redis_url)
    server.flushdb()
    db = tmp_path / "central.db"
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b", "ingest1", "ingest2")}
    procs = []
    with NewsSite() as site:
        for slug, html in unique_copies(ARTICLES):
            site.publish(slug, html)
        site.hang_seconds = 0.1  # a site slow enough that the kills below land mid-crawl
        config = write_config(tmp_path / "sources.toml", site, max_pages=60, concurrency=3)
        try:
            pushed = run_cli("run", "--once", "--redis", redis_url, "--config", config, "--db", db)
            assert pushed.returncode == 0, pushed.stdout + pushed.stderr
            assert server.llen(redisq.key("demo-news", "start_urls")) == 1

            ingester = start("ingest", "--redis", redis_url, "--db", db, "--config", config, "--batch", "10",
                             "--dead-after", "3", "--pause-in-batch", "0.4", log=logs["ingest1"])
            a = start("worker", "--redis", redis_url, "--config", config, "--dead-after", "3", "--log-file", logs["a"])
            b = start("worker", "--redis", redis_url, "--config", config, "--dead-after", "3", "--log-file", logs["b"])
            procs += [ingester, a, b]

            def both_working():
                seen = redisq.workers(server)
                return len(seen) == 2 and all(w.get("articles", 0) > 0 for w in seen.values())

            wait_until(both_working, 120, "both workers to fetch articles")
            # SIGKILL a worker while it has requests in flight: they must come back to the queue
            a_processing = [k for k in map(bytes.decode, server.smembers(redisq.PROCESSING_KEYS))
                            if f":{a.pid}:" in k]
            wait_until(lambda: any(server.zcard(k) for k in a_processing), 20, "worker a to have requests in flight")
            a.kill()
            # SIGKILL the ingester inside a batch's transaction (the batch is in its processing list)
            wait_until(lambda: server.llen(redisq.ITEMS_PROCESSING) > 0, 20, "the ingester to be mid-batch")
            ingester.kill()
            ingester.wait()
            left = server.llen(redisq.ITEMS_PROCESSING)
            assert left > 0  # the unacknowledged batch is still there
            stored_at_kill = count(db)
            ingester = start("ingest", "--redis", redis_url, "--db", db, "--config", config, "--dead-after", "3",
                             log=logs["ingest2"])
            procs.append(ingester)

            wait_until(lambda: count(db) >= ARTICLES and count(
                db, "select count(*) from crawl_runs where status = 'running'") == 0, 120, "every article stored")
            assert count(db) == ARTICLES > stored_at_kill
            assert count(db, "select count(distinct canonical_url) from articles") == ARTICLES
            assert count(db, "select count(*) from articles where length(body) < 50") == 0
            run = sqlite3.connect(db).execute("select status, new, errors from crawl_runs order by id desc").fetchone()
            assert run == ("ok", ARTICLES, 0)
            assert server.zcard(redisq.key("demo-news", "requests")) == 0
            assert all(server.zcard(k) == 0 for k in map(bytes.decode, server.smembers(redisq.PROCESSING_KEYS)))

            # A second round: the list page answers 304 or lists only stored articles; none is fetched again
            fetched = site.article_hits()
            pushed = run_cli("run", "--once", "--redis", redis_url, "--config", config, "--db", db)
            assert pushed.returncode == 0, pushed.stderr
            wait_until(lambda: count(db, "select count(*) from crawl_runs where status = 'running'") == 0
                       and count(db, "select count(*) from crawl_runs") == 2, 90, "the second round to end")
            assert site.article_hits() == fetched
            assert count(db) == ARTICLES

            status = run_cli("status", "--redis", redis_url, "--config", config, "--db", db)
            assert status.returncode == 0 and "worker" in status.stdout and "items for the ingester" in status.stdout
        finally:
            stop(procs)
    for name, path in logs.items():
        text = path.read_text(errors="replace") if path.exists() else ""
        assert "Traceback" not in text and "DeprecationWarning" not in text, f"{name}:\n{text[-3000:]}"


def test_workers_fetch_attachments_and_the_ingester_stores_their_text(redis_url, tmp_path):
    """Attachments in the distributed mode: the worker's spider downloads and reads them through the
    same documents pipeline as a local crawl, the ingester stores them (searchable) with the article;
    a later round does not fetch a stored attachment again."""
    import json as json_module
    from urllib.parse import quote

    import redis as redis_client

    from crawler.fetch.urls import url_key
    from crawler.schedule import redisq
    from tests.test_attachments import A_TITLE, B_TITLE, C_TITLE, notice
    from tests.test_documents import FIXTURES

    server = redis_client.Redis.from_url(redis_url)
    server.flushdb()
    db = tmp_path / "central.db"
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "worker2", "ingest")}
    procs = []
    with NewsSite() as site:
        for name in ("text.pdf", "名单.xlsx"):
            site.add_raw(quote(f"/files/{name}"), 200, (FIXTURES / name).read_bytes(), "application/octet-stream",
                         listed=False)
        site.publish("a-notice", notice(A_TITLE, "国卫办医政函〔2024〕88号", [
            "各省、自治区、直辖市卫生健康委：", "按照国卫医政发［2024］12号文件要求，现就药品目录核查工作通知如下。详见附件。"],
            [("1.核查通知", "/files/text.pdf"), ("2.医疗机构名单", "/files/名单.xlsx")]))
        site.publish("b-number", notice(B_TITLE, "国卫医政发〔2024〕12号", [
            "各省、自治区、直辖市卫生健康委：为规范医疗机构药品目录管理，现就有关事项通知如下，请认真贯彻执行。"],
            [("附件：核查通知", "/files/text.pdf")]))
        config = write_config(tmp_path / "sources.toml", site, max_pages=1)
        try:
            pushed = run_cli("run", "--once", "--redis", redis_url, "--config", config, "--db", db)
            assert pushed.returncode == 0, pushed.stdout + pushed.stderr
            procs += [start("ingest", "--redis", redis_url, "--db", db, "--config", config, log=logs["ingest"]),
                      start("worker", "--redis", redis_url, "--config", config, "--log-file", logs["worker"])]
            wait_until(lambda: count(db, "select count(*) from attachments") == 3 and count(
                db, "select count(*) from crawl_runs where status = 'running'") == 0, 120, "the attachments stored")
            assert site.hits["/files/text.pdf"] == 1  # the URL shared by two articles of the round: fetched once

            # a later round, with a new worker (it remembers nothing): a new article links the stored PDF;
            # the worker does not fetch it again, the ingester copies the stored row (hw:attachments)
            assert server.sismember(redisq.ATTACHMENTS, url_key(site.url("/files/text.pdf")))
            procs[1].send_signal(signal.SIGTERM)
            procs[1].wait(timeout=30)
            procs.append(start("worker", "--redis", redis_url, "--config", config, "--log-file", logs["worker2"]))
            site.publish("c-later", notice(C_TITLE, "国卫办医政函〔2024〕120号", [
                "各省、自治区、直辖市卫生健康委：现将远程医疗协作网建设有关工作通知如下，请结合实际认真贯彻落实。"],
                [("附件：核查通知", "/files/text.pdf")]))
            pushed = run_cli("run", "--once", "--redis", redis_url, "--config", config, "--db", db)
            assert pushed.returncode == 0, pushed.stdout + pushed.stderr
            wait_until(lambda: count(db, "select count(*) from attachments") == 4 and count(
                db, "select count(*) from crawl_runs where status = 'running'") == 0, 120, "the later attachment stored")
        finally:
            stop(procs)
        conn = sqlite3.connect(db)
        got = {(title, name): (kind, error, text, duplicate_of) for title, name, kind, error, text, duplicate_of in conn.execute(
            "select a.title, t.name, t.type, t.error, t.text, t.duplicate_of from attachments t "
            "join articles a on a.id = t.article_id")}
        conn.close()
        assert got[(A_TITLE, "2.医疗机构名单")][:2] == ("xlsx", None) and "北京协和医院" in got[(A_TITLE, "2.医疗机构名单")][2]
        pdfs = [got[(A_TITLE, "1.核查通知")], got[(B_TITLE, "附件：核查通知")]]
        assert all(p[0] == "pdf" and "二级以上医疗机构" in p[2] for p in pdfs)
        later = got[(C_TITLE, "附件：核查通知")]
        assert later[0] == "pdf" and later[2] == pdfs[0][2] and later[3] is not None  # a copy of the first row
        assert sorted(p[3] is None for p in pdfs) == [False, True]  # one row read, the other its copy
        assert site.hits["/files/text.pdf"] == 1  # not fetched again in the later round
        hits = json_module.loads(run_cli("search", "北京协和医院", "--json", "--db", db).stdout)
        assert [(h["title"], [x["name"] for x in h["in_attachments"]]) for h in hits] == [(A_TITLE, ["2.医疗机构名单"])]
        # citations, as in a local crawl: A's body and C's copied PDF cite B's 文号
        conn = sqlite3.connect(db)
        citing = {t for (t,) in conn.execute("select a.title from citations c join articles a on a.id = c.article_id "
                                             "where c.number = '国卫医政发〔2024〕12号'")}
        conn.close()
        assert citing == {A_TITLE, C_TITLE}
    for name, path in logs.items():
        text = path.read_text(errors="replace") if path.exists() else ""
        assert "Traceback" not in text and "DeprecationWarning" not in text, f"{name}:\n{text[-3000:]}"


def test_a_list_page_that_failed_is_read_again_though_page_1_answers_304(redis_url, tmp_path):
    """As in local mode (tests/test_faults.py): round 1 finishes with page 3 down (503); in round 2
    page 1 is complete and answers 304, yet page 3 is read again and its articles stored."""
    import redis as redis_client

    from tests.faultsite import FaultSite, unavailable

    redis_client.Redis.from_url(redis_url).flushdb()
    db, state, procs = tmp_path / "central.db", {"round": 1}, []
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "ingest")}
    with FaultSite() as site:
        articles = fixture_articles()[:12]  # 3 list pages: 5, 5 and 2
        for a in articles:
            site.publish(a["id"], a["html"])
        site.fault("/news/index_3.html", lambda h, hit: state["round"] == 1 and unavailable(10**9)(h, hit))
        config = write_config(tmp_path / "sources.toml", site, max_pages=10, obey_robots=False)

        def round_ended(rounds):
            return lambda: count(db, "select count(*) from crawl_runs where status = 'running'") == 0 \
                and count(db, "select count(*) from crawl_runs") == rounds

        try:
            assert run_cli("run", "--once", "--redis", redis_url, "--config", config, "--db", db).returncode == 0
            procs += [start("ingest", "--redis", redis_url, "--db", db, "--config", config, "--batch", "5",
                            log=logs["ingest"]),
                      start("worker", "--redis", redis_url, "--config", config, "--log-file", logs["worker"])]
            wait_until(round_ended(1), 90, "round 1 to end")
            assert count(db, "select count(*) from article_urls") == 10
            state["round"], before = 2, len(site.statuses)
            assert run_cli("run", "--once", "--redis", redis_url, "--config", config, "--db", db).returncode == 0
            places = "select count(*) from article_urls"  # a verbatim copy is an alias, not a row
            wait_until(lambda: round_ended(2)() and count(db, places) == len(articles), 90,
                       "round 2 to store page 3's articles")
            second = dict(site.statuses[before:])
            assert second.get("/news/index.html") == 304 and second.get("/news/index_3.html") == 200, second
        finally:
            stop(procs)


def test_workers_download_again_an_attachment_that_failed_for_a_reason_that_may_pass(redis_url, tmp_path):
    """As in local mode (tests/test_attachments.py): an attachment answering 503 in round 1 is
    pushed with round 2, downloaded again by a worker and stored with its text by the ingester;
    a 404 is not asked for again, nor by a worker without LibreOffice a file that waits for it, and
    the article is not fetched again. A file whose host had not answered within the article's wait
    (tests/test_attachments_slow_host.py) comes the same way."""
    import redis as redis_client

    from crawler.documents.pipeline import NOT_FETCHED
    from tests.test_attachments import A_TITLE, notice
    from tests.test_attachments_slow_host import HANG, SlowFiles
    from tests.test_crawl import rows
    from tests.test_documents import FIXTURES

    redis_client.Redis.from_url(redis_url).flushdb()
    db, procs = tmp_path / "central.db", []
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "ingest")}
    with NewsSite() as site, SlowFiles() as files:
        files.delay = 0.0
        site.add_raw("/files/flaky.pdf", 503, b"maintenance", "text/html", listed=False)
        site.add_raw("/files/gone.pdf", 404, b"gone", "text/html", listed=False)
        site.add_raw("/files/plan.doc", 200, (FIXTURES / "plan.doc").read_bytes(), "application/msword", listed=False)
        site.publish("late-files", notice(A_TITLE, "国卫办医政函〔2024〕88号", ["各省、自治区、直辖市卫生健康委：详见附件。"],
                                          [("1.核查通知", "/files/flaky.pdf"), ("2.已删除", "/files/gone.pdf"),
                                           ("3.工作方案", "/files/plan.doc"), ("4.名单", files.url(HANG))]))
        config = write_config(tmp_path / "sources.toml", site, max_pages=1)

        def attachments():
            return {r["name"]: r for r in rows(db, "select * from attachments")} if count(
                db, "select count(*) from attachments") else {}

        def round_ended(rounds, also=lambda: True):
            return lambda: count(db, "select count(*) from crawl_runs where status = 'running'") == 0 \
                and count(db, "select count(*) from crawl_runs") == rounds and also()

        try:
            assert run_cli("run", "--once", "--redis", redis_url, "--config", config, "--db", db).returncode == 0
            procs += [start("ingest", "--redis", redis_url, "--db", db, "--config", config, log=logs["ingest"]),
                      start("worker", "--redis", redis_url, "--config", config, "--log-file", logs["worker"],
                            env={"HEALTHWATCH_SOFFICE": "/nonexistent/soffice", "HEALTHWATCH_ATTACHMENT_WAIT": "2"})]
            wait_until(round_ended(1, lambda: len(attachments()) == 4), 90, "round 1 to store the attachments")
            first = attachments()
            assert (first["1.核查通知"]["error"], first["2.已删除"]["error"]) == ("HTTP 503", "HTTP 404")
            assert first["3.工作方案"]["error"].startswith("needs LibreOffice")
            assert first["4.名单"]["error"].startswith(NOT_FETCHED) and first["4.名单"]["sha256"] is None

            site.add_raw("/files/flaky.pdf", 200, (FIXTURES / "text.pdf").read_bytes(), "application/pdf", listed=False)
            files.hang.clear()
            article_hits, flaky_hits = site.article_hits(), site.hits["/files/flaky.pdf"]  # 1: no in-crawl retry
            assert run_cli("run", "--once", "--redis", redis_url, "--config", config, "--db", db).returncode == 0
            wait_until(round_ended(2, lambda: attachments()["1.核查通知"]["sha256"] is not None
                                   and attachments()["4.名单"]["sha256"] is not None), 60,
                       "round 2 to store the attachments that answer now")
        finally:
            stop(procs)
        got = attachments()
        assert got["1.核查通知"]["error"] is None and "完成辖区内二级以上医疗机构的药品目录核查" in got["1.核查通知"]["text"]
        assert got["1.核查通知"]["next_attempt_at"] is None
        assert got["2.已删除"]["error"] == "HTTP 404" and site.hits["/files/gone.pdf"] == 1
        assert got["3.工作方案"]["error"].startswith("needs LibreOffice") and site.hits["/files/plan.doc"] == 1
        assert site.hits["/files/flaky.pdf"] == flaky_hits + 1 and site.article_hits() == article_hits
        assert got["4.名单"]["error"] is None and "二级以上医疗机构" in got["4.名单"]["text"]
        assert len(files.hits[HANG]) == 2  # once a round
        [hit] = json.loads(run_cli("search", "二级以上医疗机构", "--json", "--db", db).stdout)
        assert [x["name"] for x in hit["in_attachments"]] == ["1.核查通知", "4.名单"]
    for name, path in logs.items():
        text = path.read_text(errors="replace") if path.exists() else ""
        assert "Traceback" not in text and "DeprecationWarning" not in text, f"{name}:\n{text[-3000:]}"
