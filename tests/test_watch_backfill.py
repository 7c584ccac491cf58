"""Keyword watches, the parts a new user trips over: a watch written before the first crawl
matches that crawl; `--since` backfills; every message carries the keyword in context; on_edit
notifies an edit of a matched article; `healthwatch watches` lists them with their last hit.
Real crawls, a real webhook on 127.0.0.1 through Apprise (json:// with a password, to see it masked)."""
import json
import time

import feedparser

from tests.conftest import run_cli
from tests.sitekit import NewsSite, fixture_articles, write_config
from tests.test_crawl import crawl
from tests.test_watches import Hook

ARTICLES = {a["id"]: a for a in fixture_articles()}


def test_watch_before_first_crawl_backfill_snippets_edits_and_listing(tmp_path):
    with Hook() as hook, NewsSite() as site:
        secret_url = hook.apprise_url.replace("json://", "json://hw:VerySecretPass123@")
        for name in ("people_2024", "spam_mirror_1", "gzggw_1", "hexun_1"):
            site.publish(name, ARTICLES[name]["html"])
        config = write_config(tmp_path / "sources.toml", site, recheck=["1s"])
        base = config.read_text(encoding="utf-8")
        config.write_text(base + f'\n[[watches]]\nname = "space"\nkeywords = ["航天"]\non_edit = true\n'
                          f'notify = ["{secret_url}"]\n', encoding="utf-8")
        db = tmp_path / "hw.db"

        assert crawl(config, db).returncode == 0
        [post] = hook.posts
        assert "space" in post["title"] and "people_2024" in post["message"]
        assert "【航天】" in post["message"], "the keyword in context"

        # a watch added later looks back with --since (the other one is not touched)
        config.write_text(config.read_text(encoding="utf-8") + f'\n[[watches]]\nname = "streamers"\n'
                          f'keywords = ["网络主播"]\nnotify = ["{secret_url}"]\n', encoding="utf-8")
        result = run_cli("notify", "--watch", "streamers", "--since", "2020-01-01", "--config", config, "--db", db)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "streamers: 1 article(s) since 2020-01-01 matched" in result.stdout
        assert len(hook.posts) == 2 and "spam_mirror_1" in hook.posts[1]["message"]
        assert "【网络主播】" in hook.posts[1]["message"]
        feed = feedparser.parse(run_cli("feed", "--watch", "streamers", "--since", "2020-01-01", "--config", config,
                                        "--db", db).stdout)
        assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == ["spam_mirror_1.html"]
        assert run_cli("feed", "--watch", "nosuch", "--config", config, "--db", db).returncode == 2

        # the publisher corrects the matched article: on_edit sends what changed
        edited = ARTICLES["people_2024"]
        first = edited["truth"]["body_paragraphs"][0][:20]
        for index, (path, body, ctype) in enumerate(site.articles):
            if "people_2024" in path:
                site.articles[index] = (path, body.decode("utf-8").replace(first, "【更正】" + first, 1).encode(), ctype)
        time.sleep(1.2)
        assert crawl(config, db).returncode == 0
        edits = [p for p in hook.posts if "edited" in p["title"]]
        assert len(edits) == 1 and "【更正】" in edits[0]["message"] and "space" in edits[0]["title"], hook.posts

    listing = run_cli("watches", "--json", "--config", config, "--db", db)
    assert listing.returncode == 0, listing.stderr
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["space"]["hits"] == 1 and rows["space"]["last_hit"]["keyword"] == "航天"
    assert rows["streamers"]["hits"] == 1 and rows["space"]["on_edit"] is True
    assert "VerySecretPass123" not in listing.stdout and "****" in listing.stdout
    text = run_cli("watches", "--config", config, "--db", db, env={"COLUMNS": "100"}).stdout
    assert "space" in text and "streamers" in text and "VerySecretPass123" not in text
