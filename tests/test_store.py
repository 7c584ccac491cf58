"""The store on a real SQLite file: dedup by URL and content, whole batches or nothing,
failures, list-page completeness, interrupted runs."""
from datetime import datetime
import sqlite3
import subprocess
import sys

import pytest

from storage.store import Store

BODY = "国家卫生健康委员会今日发布通知，要求各地做好基层医疗卫生服务能力提升工作。" * 3


def article(url, body=BODY, **extra):
    return {"url": url, "source": "demo", "title": "标题", "body": body, **extra}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "hw.db")
    yield s
    s.close()


def test_one_row_per_article_whatever_the_url_spelling(store):
    first = store.save_articles([article("http://x.cn/news/202405/a.html")])
    again = store.save_articles([article("https://X.cn:443/news/202405/a.html?utm_source=wx#top")])
    assert [o.status for o in first + again] == ["new", "known"]
    assert store.article_count() == 1
    assert store.is_known("http://x.cn/news/202405/a.html?spm=1")


def test_same_content_under_another_url_is_a_duplicate_not_a_row(store):
    store.save_articles([article("http://x.cn/a.html")])
    traditional = BODY.replace("国家卫生健康委员会", "國家衛生健康委員會").replace("发布", "發佈")
    outcome = store.save_articles([article("http://mirror.example/b.html", body=traditional + " ")])
    assert outcome[0].status == "duplicate"  # same story in Traditional script
    spaced = store.save_articles([article("http://other.example/c.html", body=BODY.replace("，", " , "))])
    assert spaced[0].status == "duplicate"
    assert store.is_known("http://other.example/c.html")  # never fetched again


def test_lists_are_stored_as_json(store):
    store.save_articles([article("http://x.cn/a.html", keywords=["医保", "集采"], flags=["pinyin_layer"])])
    row = next(store.db.query("select keywords, flags, gov_meta, attachments from articles"))
    assert row == {"keywords": '["医保", "集采"]', "flags": '["pinyin_layer"]', "gov_meta": "{}",
                   "attachments": "[]"}


def test_a_failing_batch_leaves_no_row(store):
    with pytest.raises(KeyError):  # the second item has no source: the whole batch is refused
        store.save_articles([article("http://x.cn/a.html"), {"url": "http://x.cn/c.html"}])
    assert store.article_count() == 0
    assert not store.is_known("http://x.cn/a.html")


def test_failures_are_recorded_and_permanent_ones_settle(store):
    store.record_failure("demo", "http://x.cn/404.html", "HTTP 404", http_status=404, permanent=True)
    store.record_failure("demo", "http://x.cn/500.html", "HTTP 500", http_status=500)
    assert store.is_known("http://x.cn/404.html")
    assert not store.is_known("http://x.cn/500.html")  # retried next crawl
    assert not store.retry_not_due("http://x.cn/500.html")  # one failure: the next run retries
    store.record_failure("demo", "http://x.cn/500.html", "HTTP 500", http_status=500)
    store.record_failure("demo", "http://x.cn/500.html", "HTTP 503", http_status=503, retry_after=3600)
    for _ in range(5):
        store.record_failure("demo", "http://x.cn/500.html", "HTTP 503", http_status=503)
    assert not store.is_known("http://x.cn/500.html")  # transient: never given up after a few runs
    assert store.retry_not_due("http://x.cn/500.html")  # but backing off
    row = next(store.db.query("select reason, attempts, permanent, last_seen_at, next_attempt_at "
                              "from fetch_failures where url like '%500%'"))
    assert (row["reason"], row["attempts"], row["permanent"]) == ("HTTP 503", 8, 0)
    waited = (datetime.fromisoformat(row["next_attempt_at"][:-1]) - datetime.fromisoformat(row["last_seen_at"][:-1]))
    assert waited.total_seconds() == 10 * 60 * 2 ** 6  # 10 min doubled per further attempt


def test_backoff_grows_honours_retry_after_and_is_capped():
    from storage.store import backoff_seconds

    assert backoff_seconds(1) == 0 and backoff_seconds(1, retry_after=120) == 120
    assert [backoff_seconds(n) for n in (2, 3, 4)] == [600, 1200, 2400]
    assert backoff_seconds(40) == 12 * 3600 and backoff_seconds(2, retry_after=86400) == 86400
    assert backoff_seconds(2, retry_after=1e308) == 7 * 86400


def test_list_page_validators_only_once_complete(store):
    listed = ["http://x.cn/a.html", "http://x.cn/b.html"]
    store.save_articles([article(listed[0])])
    assert store.save_list_page("demo", "http://x.cn/", etag='"v1"', last_modified=None, listed=listed) is False
    assert store.list_page_validators("http://x.cn/") is None
    assert store.incomplete_list_pages("demo") == ["http://x.cn/"]
    store.save_articles([article(listed[1], body=BODY + "另一篇文章的不同内容。")])
    assert store.save_list_page("demo", "http://x.cn/", etag='"v1"', last_modified=None, listed=listed) is True
    assert store.list_page_validators("http://x.cn/index.html") == {"etag": '"v1"', "last_modified": None}


def test_a_run_left_open_by_a_dead_process_is_marked_interrupted(store):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    run_id = store.start_run("demo", pid=int(dead.stdout))
    assert store.close_interrupted_runs("demo") == 1
    assert store.run(run_id)["status"] == "interrupted"


def test_schema_is_versioned_and_reopens(tmp_path):
    Store(tmp_path / "x.db").close()
    conn = sqlite3.connect(tmp_path / "x.db")
    assert conn.execute("pragma user_version").fetchone()[0] >= 1
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    conn.close()
    Store(tmp_path / "x.db").close()
