"""The browser tier for real: Debian's Chromium (through Playwright) against a local site that
challenges like NHC's 瑞数 (tests/challengekit.py), in real `healthwatch crawl` processes."""
import time

import pytest

from crawler.fetch.browser import tier_problem
from tests.challengekit import ChallengeSite
from tests.conftest import run_cli
from tests.test_crawl import rows


def config_text(site: ChallengeSite, **extra) -> str:
    lines = ["allow_private_addresses = true", "", "[[sources]]", 'name = "nhc-local"',
             f'start_urls = ["{site.url("/wjw/zcfg/list.shtml")}"]', "article_pattern = '/\\d{6}/[0-9a-f]{32}\\.shtml$'",
             'list_selector = "ul.zxxx_list"', "max_pages = 1", "delay = 0", "concurrency = 1", "browser = true",
             "challenge_delay = 0.05", *(f"{k} = {v}" for k, v in extra.items()),
             "", "[sources.selectors]", 'title = "div.list div.tit"', 'body = "div#xw_box"']
    return "\n".join(lines) + "\n"


@pytest.fixture
def chromium():
    problem = tier_problem()
    if problem:
        pytest.skip(f"browser tier unavailable here: {problem}")


def skip_if_chromium_cannot_start(db):
    """A container without what Chromium needs: the crawl says so; the test cannot go on."""
    failed = rows(db, "SELECT detail FROM browser_runs WHERE detail LIKE '%would not start%'")
    if failed:
        pytest.skip(f"Chromium does not start here: {failed[0]['detail']}")


def test_a_challenged_site_is_crawled_through_the_browser_once_per_cookie_expiry(chromium, tmp_path):
    with ChallengeSite(expire_after=5) as site:
        articles = site.publish_list(6)
        config, db = tmp_path / "sources.toml", tmp_path / "hw.db"
        config.write_text(config_text(site), encoding="utf-8")

        result = run_cli("crawl", "--config", config, "--db", db, timeout=180)
        skip_if_chromium_cannot_start(db)
        assert result.returncode == 0, result.stdout + result.stderr
        stored = rows(db, "SELECT url, title, body FROM articles")
        assert sorted(r["url"] for r in stored) == sorted(articles)
        assert all("各省、自治区、直辖市卫生健康委" in r["body"] for r in stored)
        [run] = rows(db, "SELECT * FROM crawl_runs")
        assert (run["status"], run["new"], run["errors"]) == ("ok", 6, 0), run["error_reasons"]

        # one browser run per expiry: the first challenge, then each time the cookie was spent
        plain = site.plain_requests()
        plain_challenges = [e for e in plain if e["status"] == 412]
        launches = rows(db, "SELECT * FROM browser_runs")
        assert all(r["outcome"] == "ok" for r in launches)
        # (a browser may meet the challenge more than once in one launch when Scrapy spends the
        # cookie it just earned before its own check ends: under load it did; launches count)
        assert len(launches) == len(plain_challenges) <= site.challenges_issued_to_browsers(), \
            [(e["path"][-12:], e["status"], e["browser"]) for e in site.log]
        served = [e for e in plain if e["status"] == 200]
        assert len(served) == 7  # the list and six articles, each fetched by Scrapy itself
        assert len(launches) == 2  # a cookie serves 5 requests: the browser's page load and 4 plain ones
        # plain requests carried the earned cookie, under the browser's User-Agent
        assert all(e["valid_cookie"] for e in served)
        assert all("Chrome/" in e["user_agent"] and "Headless" not in e["user_agent"] for e in served)

        # the jar is in the database, with its expiry (the script's max-age of an hour)
        [cookie] = rows(db, "SELECT * FROM browser_cookies")
        assert cookie["name"] == "hw_ts" and cookie["host"] == "127.0.0.1"
        assert time.time() + 3000 < cookie["expires"] < time.time() + 3700

        # next crawl: the stored cookie still works, so no browser at all
        site.expire_after = 1000
        before = len(site.log)
        site.publish_list(7)  # one more article
        again = run_cli("crawl", "--config", config, "--db", db, timeout=180)
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(rows(db, "SELECT * FROM browser_runs")) == len(launches)
        later = site.log[before:]
        assert later and not any(e["browser"] for e in later)
        assert all(e["valid_cookie"] for e in later if e["status"] == 200)
        assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 7


def test_a_browser_that_cannot_pass_the_challenge_is_reported_with_its_reason(chromium, tmp_path):
    with ChallengeSite() as site:
        site.publish_list(1)
        config, db = tmp_path / "sources.toml", tmp_path / "hw.db"
        # a selector the site never shows: success is judged on the expected content, so the
        # page the browser got past the challenge with is still not accepted
        config.write_text(config_text(site).replace('list_selector = "ul.zxxx_list"', 'list_selector = "ul.absent"'),
                          encoding="utf-8")
        result = run_cli("crawl", "--config", config, "--db", db, timeout=120, env={"HEALTHWATCH_BROWSER_TIMEOUT": "3"})
        skip_if_chromium_cannot_start(db)
        assert result.returncode == 1
        [run] = rows(db, "SELECT * FROM crawl_runs")
        assert run["status"] == "blocked", run
        assert "browser tier: the page did not pass the challenge" in run["error_reasons"]
        assert "anti-bot challenge" in run["error_reasons"]
        [launch] = rows(db, "SELECT * FROM browser_runs")
        assert launch["outcome"] == "failed"
        assert "browser tier" in result.stdout
