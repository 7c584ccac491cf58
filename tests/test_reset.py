"""`healthwatch reset`: after it, a source's next crawl reads everything again; --articles deletes its
articles and everything that points at them, nothing else."""
import sqlite3

from typer.testing import CliRunner

from crawler.cli import app
from storage.search import matching_ids
from storage.store import Store
from tests.conftest import run_cli


def count(db, sql, *params) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def cli(*args, input=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, env={"COLUMNS": "200"})


def test_reset_makes_the_next_crawl_read_everything_again(site, config_for, tmp_path):
    config, db = config_for(site), tmp_path / "hw.db"
    assert run_cli("crawl", "--config", config, "--db", db).returncode == 0
    stored = count(db, "SELECT count(*) FROM articles")
    assert stored == 10 and site.article_hits() == 10
    store = Store(db)
    conn = store.db.conn  # autocommit: each statement is its own transaction
    first = conn.execute("SELECT url, title, body FROM articles ORDER BY id LIMIT 1").fetchone()
    copy = store.save_articles([{"url": "https://copy.example.cn/1.html", "source": "copysite",
                                 "title": first[1], "body": first[2]}])
    assert copy[0].status == "duplicate"  # an exact copy elsewhere: an alias of a demo-news article
    conn.execute("INSERT INTO watch_hits (watch, article_id, keyword, matched_at) VALUES ('w', 1, 'x', 'now')")
    conn.execute("INSERT INTO fetch_failures (url_key, url, source, reason, permanent, attempts) "
                 "VALUES ('127.0.0.1/gone', 'http://127.0.0.1/gone', 'demo-news', 'HTTP 404', 1, 1)")
    store.close()
    term = "传呼机"
    assert matching_ids(sqlite3.connect(db), term)

    refused = cli("reset", "demo-news", "--articles", "--db", db, input="n\n")
    assert refused.exit_code == 1 and count(db, "SELECT count(*) FROM articles") == stored
    assert cli("reset", "no-such-source", "--db", db).exit_code == 1

    done = cli("reset", "demo-news", "--articles", "--failures", "--yes", "--db", db)
    assert done.exit_code == 0, done.output
    assert "10 articles deleted" in done.output
    for table in ("articles", "article_urls", "article_signatures", "watch_hits", "article_revisions", "clusters",
                  "list_pages", "fetch_failures", "articles_fts_docsize"):
        assert count(db, f"SELECT count(*) FROM {table}") == 0, table  # the copy's alias went with its article
    assert matching_ids(sqlite3.connect(db), term) == []

    again = run_cli("crawl", "--config", config, "--db", db)
    assert again.returncode == 0 and site.article_hits() == 20  # every article fetched again
    assert count(db, "SELECT count(*) FROM articles") == stored
    assert count(db, "SELECT count(*) FROM articles_fts_docsize") == stored
    assert matching_ids(sqlite3.connect(db), term)

    # without --articles: list-page state and failures only; the list page is read in full again
    assert cli("reset", "demo-news", "--db", db).exit_code == 0
    assert count(db, "SELECT count(*) FROM list_pages") == 0 and count(db, "SELECT count(*) FROM articles") == stored

