"""Keyword watches end to end: a real crawl, a real webhook (Apprise json://) on 127.0.0.1,
the Atom feed read back with feedparser."""
import json

import feedparser
import pytest

from crawler.config import ConfigError, load_config
from tests.conftest import run_cli
from tests.localserver import LocalServer, QuietHandler
from tests.sitekit import NewsSite, fixture_articles, write_config
from tests.test_crawl import crawl, rows

LATER = ("people_2024", "thepaper_1", "spam_mirror_1")


class Hook(LocalServer):
    """A webhook on 127.0.0.1 (Apprise's json:// posts to it): keeps what it was sent, answers `status`."""

    def __init__(self):
        self.posts, self.status = [], 200
        hook = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.status == 200:
                    hook.posts.append(json.loads(body))
                self.send_response(hook.status)
                self.end_headers()

        super().__init__(Handler)
        self.apprise_url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def hook():
    with Hook() as h:
        yield h


def with_watches(path, hook_url):
    path.write_text(path.read_text(encoding="utf-8") + f'''
[[watches]]
name = "space"
keywords = ["航天", "卫星"]
notify = ["{hook_url}"]

[[watches]]
name = "streamers"
keywords = ["网络主播"]
exclude = ["招聘"]
notify = ["{hook_url}"]
''', encoding="utf-8")
    return path


def test_new_matches_are_notified_once_and_fed_as_atom(hook, tmp_path):
    articles = {a["id"]: a for a in fixture_articles()}
    with NewsSite() as site:
        for name, article in articles.items():
            if name not in LATER:
                site.publish(name, article["html"])
        config = with_watches(write_config(tmp_path / "sources.toml", site), hook.apprise_url)
        db = tmp_path / "hw.db"

        crawl(config, db)
        assert hook.posts == [], "a new watch starts at the newest article: no flood from the archive"

        for name in LATER:
            site.publish(name, articles[name]["html"], month="202406")
        hook.status = 500  # the first delivery fails: kept, not lost
        crawl(config, db)
        assert hook.posts == []
        failed = rows(db, "select watch, error, notified_at from watch_hits order by watch")
        assert [r["watch"] for r in failed] == ["space", "streamers"]
        assert all(r["error"] and r["notified_at"] is None for r in failed)

        hook.status = 200
        result = run_cli("notify", "--config", config, "--db", db)
        assert result.returncode == 0, result.stderr
        by_title = {post["title"]: post["message"] for post in hook.posts}
        assert len(hook.posts) == 2
        space = next(m for t, m in by_title.items() if "space" in t)
        assert "航天" in space and "people_2024" in space
        streamers = next(m for t, m in by_title.items() if "streamers" in t)
        assert "spam_mirror_1" in streamers, "a Traditional page with a pinyin layer matches a Simplified keyword"

        run_cli("notify", "--config", config, "--db", db)
        assert len(hook.posts) == 2, "each hit is sent once"

        result = run_cli("feed", "--watch", "space", "--config", config, "--db", db)
        feed = feedparser.parse(result.stdout)
        assert not feed.bozo and len(feed.entries) == 1
        assert feed.entries[0].link.endswith("people_2024.html") and feed.entries[0].title
        everything = feedparser.parse(run_cli("feed", "--db", db, "--config", config).stdout)
        assert len(everything.entries) == len(articles)


def test_watch_config_errors_name_the_line(tmp_path):
    path = tmp_path / "w.toml"
    path.write_text('[[sources]]\nname = "a"\nstart_urls = ["http://a.cn/"]\narticle_pattern = "x"\n\n'
                    '[[watches]]\nname = "w"\nkeywords = ["医保"]\nnotify = ["nonsense://x"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 9 and "notify" in str(caught.value)
    path.write_text(path.read_text(encoding="utf-8").replace('notify = ["nonsense://x"]', 'sources = ["b"]'),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="no source named 'b'"):
        load_config(path)
