from pathlib import Path

import pytest

from crawler.config import BUNDLED_CONFIG, ConfigError, load_config, parse_duration

GOOD = '''allow_private_addresses = true

[[sources]]
name = "demo-news"
start_urls = ["http://127.0.0.1:8000/news/index.html"]
article_pattern = '/news/\\d{6}/[\\w-]+\\.html$'
page_pattern = '/news/index_\\d+\\.html$'
max_pages = 5
schedule = "30m"

[sources.selectors]
title = "h1"
body = "#content"
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_loads(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    source = config.source("demo-news")
    assert config.allow_private_addresses is True
    assert source.max_pages == 5 and source.interval_seconds == 1800
    assert source.selectors == {"title": "h1", "body": "#content"}
    assert config.timezone == "Asia/Shanghai"


@pytest.mark.parametrize("change, line, words", [
    (("max_pages = 5", "max_pages = \"five\""), 8, ["demo-news", "max_pages", "expected int"]),
    (("schedule = \"30m\"", "schedule = \"every day\""), 9, ["demo-news", "schedule", "duration"]),
    (("page_pattern = ", "page_patern = "), 7, ["demo-news", "page_patern", "did you mean 'page_pattern'"]),
    (("article_pattern = '", "article_pattern = '(unclosed"), 6, ["demo-news", "article_pattern", "regular expression"]),
    (("name = \"demo-news\"", "name = \"Demo News\""), 4, ["name", "lower-case"]),
    (('title = "h1"', 'titel = "h1"'), 11, ["selectors", "titel"]),
    (('body = "#content"', 'body = "div[[["'), 11, ["selectors", "invalid CSS"]),
    (("start_urls = [\"http", "start_urls = [\"ftp"), 5, ["start_urls", "http"]),
])
def test_a_broken_config_is_refused_with_the_line_at_fault(tmp_path, change, line, words):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{caught.value.line}:")
    assert caught.value.line == line, message
    for word in words:
        assert word in message


def test_invalid_toml_names_the_line(tmp_path):
    path = write(tmp_path, GOOD.replace("max_pages = 5", "max_pages = = 5"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 8 and "invalid TOML" in str(caught.value)


def test_duplicate_names_and_missing_keys_are_refused(tmp_path):
    twice = GOOD.split("\n[sources.selectors]")[0]
    with pytest.raises(ConfigError, match="defined twice"):
        load_config(write(tmp_path, twice + "\n" + twice.replace("allow_private_addresses = true", "")))
    with pytest.raises(ConfigError, match="article_pattern"):
        load_config(write(tmp_path, GOOD.replace("article_pattern = '/news/\\d{6}/[\\w-]+\\.html$'", "")))


def test_schedule_and_cron_are_exclusive_and_cron_is_checked(tmp_path):
    with pytest.raises(ConfigError, match="not both"):
        load_config(write(tmp_path, GOOD.replace('schedule = "30m"', 'schedule = "30m"\ncron = "0 * * * *"')))
    with pytest.raises(ConfigError, match="crontab") as caught:
        load_config(write(tmp_path, GOOD.replace('schedule = "30m"', 'cron = "61 * * * *"')))
    assert caught.value.line == 9


def test_a_directory_of_files_is_one_config(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD.replace("demo-news", "other").replace("allow_private_addresses = true", ""),
                                     encoding="utf-8")
    config = load_config(tmp_path)
    assert [s.name for s in config.sources] == ["demo-news", "other"]


def test_every_bundled_source_validates():
    config = load_config(BUNDLED_CONFIG)
    assert config.sources, "the bundled config has sources"
    assert config.allow_private_addresses is False


@pytest.mark.parametrize("text, seconds", [("45s", 45), ("30m", 1800), ("2h", 7200), ("1d", 86400),
                                           ("1h30m", 5400), (90, 90)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "0m", "5 minutes", "m", -3])
def test_parse_duration_refuses_nonsense(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


API = '''[[sources]]
name = "gov-api"
kind = "api"
max_pages = 2

[sources.api]
url = "https://sousuo.www.gov.cn/search-gov/data?p={page}&n=20"
items = "searchVO.catMap.*.listVO"
url_field = "url"
'''


@pytest.mark.parametrize("change, line, words", [
    (("url_field = \"url\"", "url_feild = \"url\""), 6, ["gov-api", "api", "url_feild", "did you mean 'url_field'"]),
    (("url_field = \"url\"", "title_field = \"t\""), 6, ["say where article URLs are"]),
    (("p={page}", "p={pge}"), 6, ["placeholder", "{page}"]),
    (("items = ", "method = \"PUT\"\nitems = "), 6, ["method", "GET or POST"]),
    (("kind = \"api\"", "kind = \"rss\""), 3, ["kind", "'rss' is not one of list, feed, sitemap, api"]),
])
def test_api_sources_are_validated_with_the_line_at_fault(tmp_path, change, line, words):
    path = write(tmp_path, API.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == line, str(caught.value)
    for word in words:
        assert word in str(caught.value)


def test_an_api_source_loads_and_list_options_are_checked(tmp_path):
    source = load_config(write(tmp_path, API)).source("gov-api")
    assert source.api.items == "searchVO.catMap.*.listVO" and source.start_urls == ["https://sousuo.www.gov.cn/search-gov/data"]
    with pytest.raises(ConfigError, match="put {n} where the page number goes"):
        load_config(write(tmp_path, GOOD.replace("max_pages = 5", 'page_template = "list.shtml"')))
    with pytest.raises(ConfigError, match="needs kind = \"api\""):
        load_config(write(tmp_path, GOOD + '\n[sources.api]\nurl = "https://x.cn/a"\nurl_field = "u"\n'))


def test_a_browser_source_loads_whether_or_not_the_browser_tier_is_installed(tmp_path):
    """What is missing is said by `sources`, `status`, `doctor` and the crawl (test_browser_missing)."""
    source = load_config(write(tmp_path, GOOD.replace("max_pages = 5", "browser = true\nchallenge_delay = 8"))).sources[0]
    assert source.browser and source.challenge_delay == 8 and source.enabled
