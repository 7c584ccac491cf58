"""Let nothing in: address classification, URL schemes, config ranges, pathological patterns,
malformed links, masked credentials. Fast checks on the real functions; the crawls that exercise
them end to end are in test_faults.py."""
import pytest

from crawler.config import ConfigError, load_config, pattern_problem
from crawler.discovery import discover
from crawler.discovery.article_pages import continuation_urls
from crawler.fetch.urls import is_http_url, is_public_address
from crawler.masking import mask


@pytest.mark.parametrize("address", [
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::c0a8:101",  # NAT64 of 127.0.0.1, 10.0.0.1, local-use prefix
    "2002:7f00:1::", "2002:c0a8:0101::1", "2002:a9fe:a9fe::",   # 6to4 of 127.0.0.1, 192.168.1.1, 169.254.169.254
    "::127.0.0.1", "::10.1.2.3", "::ffff:127.0.0.1", "::ffff:169.254.169.254",  # IPv4-compatible, -mapped
    "fec0::1", "feff::1",                                          # site-local (deprecated, still routed inside)
    "2001:0:4136:e378:8000:63bf:80ff:fffe",                        # Teredo whose client is 127.0.0.1
    "::1", "fe80::1%eth0", "fc00::1", "127.0.0.1", "10.0.0.1", "169.254.169.254", "0.0.0.0", "224.0.0.1",
    "not an address",
])
def test_non_public_addresses_in_every_spelling(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "64:ff9b::808:808", "2002:808:808::1",
                                     "::ffff:8.8.8.8", "202.108.22.5"])
def test_public_addresses_stay_public(address):
    assert is_public_address(address)


def test_only_http_links_are_followed_anywhere():
    page = b'''<html><body><a href="/news/a_2.html">2</a><a href="file:///news/a_3.html">3</a>
    <a href="ftp://x.gov.cn/news/a_4.html">4</a><a href="http://[::1">bad</a></body></html>'''
    assert continuation_urls(page, "http://x.gov.cn/news/a.html") == ["http://x.gov.cn/news/a_2.html"]
    assert not is_http_url("http://[::1") and not is_http_url("file:///etc/passwd") and is_http_url("https://x.cn/")


def test_one_malformed_link_does_not_lose_the_list_page(tmp_path):
    config = tmp_path / "s.toml"
    config.write_text('[[sources]]\nname = "x"\nstart_urls = ["http://x.gov.cn/news/"]\n'
                      "article_pattern = '/news/\\d+\\.html$'\n", encoding="utf-8")
    source = load_config(config).sources[0]
    page = b'<a href="http://[::1">x</a><a href="/news/1.html">1</a><a href="http://[fe80::1/news/2.html">2</a>' \
           b'<a href="/news/3.html">3</a>'
    found = discover(source, page, "http://x.gov.cn/news/")
    assert [link.url for link in found.articles] == ["http://x.gov.cn/news/1.html", "http://x.gov.cn/news/3.html"]
    assert found.skipped == 2


@pytest.mark.parametrize("line, problem", [
    ("delay = 1e308", "delay: must be between 0 and 3600"),
    ("delay = nan", "delay: must be between 0 and 3600"),
    ("delay = -1", "delay: must be between 0 and 3600"),
    ("concurrency = 100000", "concurrency: must be between 1 and 64"),
    ("max_pages = 0", "max_pages: must be between 1 and 10000"),
    ("timeout = 1e308", "timeout: expected str or int, got float"),
    ("timeout = 99999999999", "timeout: 1e+11 s is more than 3650 days"),
    ('timeout = "30d"', "timeout: '30d' is outside 1s .. 7d"),
    ("max_age = inf", "max_age: expected str or int, got float"),
    ('recheck = ["1h", "400d"]', "recheck: '400d' is outside 1s .. 366d"),
    ("article_pattern = '(a+)+$'", "article_pattern: a repetition inside a repetition"),
    ("page_pattern = '/list(\\w+-?)+\\.html'", "page_pattern: a repetition inside a repetition"),
    ('start_urls = ["http://x.gov.cn/%s"]' % ("a" * 2100), "start_urls: a URL of 2116 characters is longer than 2083"),
])
def test_out_of_range_values_and_pathological_patterns_are_refused(tmp_path, line, problem):
    config = tmp_path / "s.toml"
    lines = ['[[sources]]', 'name = "x"', 'start_urls = ["http://x.gov.cn/"]', "article_pattern = '/a/'"]
    key = line.split(" =")[0]
    lines = [l for l in lines if not l.startswith(key + " =")] + [line]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert f"s.toml:{len(lines)}: source 'x': {problem}" in str(caught.value)


def test_ordinary_patterns_pass_the_nesting_check():
    for pattern in (r"/news/\d{6}/[\w-]+\.html$", r"^(?:/[a-z]+)+/\d+\.html$", r"/(news|archive)/t\d+_\d+\.s?html$",
                    r"(?:abc){2,5}x+"):
        assert pattern_problem(pattern) is None, pattern


def test_credentials_are_masked():
    assert mask("HTTP 500 at http://bob:s3cret@x.gov.cn/a.html?id=7&token=abc") == \
        "HTTP 500 at http://***@x.gov.cn/a.html?id=7&token=***"
    assert mask("not accepted: wecombot://0f1e2d3c and dingtalk://TOKEN/SECRET") == \
        "not accepted: wecombot://*** and dingtalk://***"
    assert mask("https://x.cn/api?access_token=zz&page=2") == "https://x.cn/api?access_token=***&page=2"
    assert mask("https://www.nhc.gov.cn/wjw/xwdt/list.shtml") == "https://www.nhc.gov.cn/wjw/xwdt/list.shtml"
    # a notification URL we know is shown so a person can tell which it is, its secret masked
    from crawler.masking import mask_text, mask_url

    assert mask_url("nosuchscheme://SECRET-KEY-123") == "nosuchscheme://S…3"
    said = mask_text("rejected json://hw:VerySecretPass123@hooks.example.cn/x (token VerySecretPass123)",
                     ["json://hw:VerySecretPass123@hooks.example.cn/x"])
    assert "VerySecretPass123" not in said and "hooks.example.cn" in said


def test_a_config_error_never_shows_a_secret(tmp_path):
    config = tmp_path / "s.toml"
    config.write_text('[[sources]]\nname = "x"\nstart_urls = ["http://x.gov.cn/"]\narticle_pattern = "/a/"\n\n'
                      '[[watches]]\nname = "w"\nkeywords = ["集采"]\nnotify = ["nosuchscheme://SECRET-KEY-123"]\n',
                      encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert "SECRET-KEY-123" not in str(caught.value)


def _db_cases(tmp_path):
    import sqlite3

    folder = tmp_path / "folder.db"
    folder.mkdir()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is a text file, not SQLite\n" * 200)
    newer = tmp_path / "newer.db"
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 999")
    con.close()
    return [(folder, "is a folder, not a database file"), (junk, "is not a healthwatch (SQLite) database"),
            (newer, "database schema version 999 is newer than this healthwatch")]


def test_database_faults_are_one_clear_line_and_exit_2(tmp_path):
    from tests.conftest import run_cli

    config = tmp_path / "s.toml"
    config.write_text('[[sources]]\nname = "x"\nstart_urls = ["http://x.gov.cn/"]\narticle_pattern = "/a/"\n',
                      encoding="utf-8")
    for db, says in _db_cases(tmp_path):
        for command in (["status"], ["crawl", "x"]):
            result = run_cli(*command, "--config", config, "--db", db)
            assert result.returncode == 2, (command, db, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr and says in result.stderr, result.stderr
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_read_only_database_is_a_clear_error(tmp_path):
    import os
    import subprocess

    from storage.store import Store
    from tests.conftest import run_cli

    if os.geteuid() != 0:
        pytest.skip("a read-only file system needs root to mount (and root ignores file modes)")
    disk = tmp_path / "ro"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        Store(disk / "hw.db").close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        config = tmp_path / "s.toml"
        config.write_text('[[sources]]\nname = "x"\nstart_urls = ["http://x.gov.cn/"]\narticle_pattern = "/a/"\n',
                          encoding="utf-8")
        result = run_cli("crawl", "x", "--config", config, "--db", disk / "hw.db")
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "read-only" in result.stderr, result.stderr
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def test_a_config_that_is_not_utf8_names_its_file_and_line(tmp_path):
    config = tmp_path / "gbk.toml"
    config.write_bytes('[[sources]]\nname = "x"\nlabel = "国家卫生健康委员会"\nstart_urls = ["http://x.gov.cn/"]\n'
                       .encode("gb18030"))
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).startswith(f"{config}:3: not UTF-8 text")


def test_deeply_nested_content_is_kept_or_flagged_never_lost_in_silence():
    from crawler.extract import extract

    para = "这是嵌套很深的页面里的正文段落，内容足够长，应当被提取出来，不能悄悄丢失。" * 3

    def nested(depth):
        return ("<html><body>" + "<div>" * depth + f"<p>{para}</p><p>{para}</p>" + "</div>" * depth
                + "</body></html>").encode()

    assert para in extract(nested(300)).body  # past libxml2's default limit of 256
    assert "nesting_too_deep" in extract(nested(3000)).flags  # past its hard limit: said, not silent
