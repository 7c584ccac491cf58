"""Every bundled source, crawled for real (Scrapy, SQLite) against pages in its site's shape served
on 127.0.0.1: the articles it finds and the fields it extracts (see tests/sourcekit.py)."""
import json

import pytest

from crawler.config import BUNDLED_CONFIG, load_config
from tests.conftest import run_cli
from tests.test_crawl import rows
from tests.sourcekit import FixtureHosts, case_names, load_case, local_config

CASES = case_names()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """All cases crawled at once, in one `healthwatch crawl` (each source on its own servers)."""
    tmp = tmp_path_factory.mktemp("sources")
    cases = {name: load_case(name) for name in CASES}
    with FixtureHosts(list(cases.values())) as hosts:
        config_dir = tmp / "config"
        config_dir.mkdir()
        (config_dir / "healthwatch.toml").write_text("allow_private_addresses = true\n", encoding="utf-8")
        for name, case in cases.items():
            (config_dir / f"{name}.toml").write_text(local_config(case["source"], hosts), encoding="utf-8")
        db = tmp / "hw.db"
        result = run_cli("crawl", *(c["source"] for c in cases.values()), "--config", config_dir, "--db", db,
                         timeout=300)
        yield {"hosts": hosts, "db": db, "cases": cases, "result": result}


@pytest.mark.parametrize("name", CASES)
def test_bundled_source_against_its_fixture(crawled, name):
    case, hosts, db = crawled["cases"][name], crawled["hosts"], crawled["db"]
    expect, source = case["expect"], case["source"]
    [run] = rows(db, "SELECT * FROM crawl_runs WHERE source = ?", source)
    assert run["status"] == expect.get("status", "ok"), (run["finish_reason"], run["error_reasons"])
    stored = {hosts.real_url(row["url"]): row for row in rows(db, "SELECT * FROM articles WHERE source = ?", source)}
    assert len(stored) == expect["count"], sorted(stored)
    for url, fields in expect["articles"].items():
        assert url in stored, f"{url} not stored; stored: {sorted(stored)}"
        row = stored[url]
        for field in ("title", "subtitle", "publisher", "author", "editor", "doc_number", "issuing_agency"):
            if field in fields:
                assert row[field] == fields[field], (url, field, row[field])
        if "published" in fields:
            assert (row["published"] or "").startswith(fields["published"]), (url, row["published"])
        for text in fields.get("body_contains", []):
            assert text in row["body"], (url, text, row["body"][:300])
        for text in fields.get("body_lacks", []):
            assert text not in row["body"], (url, text)
        for flag in fields.get("flags_contain", []):
            assert any(f.startswith(flag) for f in json.loads(row["flags"])), (url, row["flags"])
        if "attachments" in fields:
            names = [a["name"] for a in json.loads(row["attachments"])]
            assert all(n in names for n in fields["attachments"]), (url, names)
    for url in expect.get("not_requested", []):
        assert all(requested != url for _, requested in hosts.requests), f"{url} should not be requested"


def test_every_bundled_source_has_a_fixture_case():
    config = load_config(BUNDLED_CONFIG)
    names = {s.name for s in config.sources}
    covered = {load_case(name)["source"] for name in CASES}
    assert names - covered == set(), "bundled sources without a fixture case"
    assert len(names) >= 15
    for source in config.sources:
        assert source.enabled or source.disabled_reason, f"{source.name}: disabled without a reason"
        for pattern in (source.article_pattern or "", source.page_pattern or ""):
            assert "://" not in pattern, f"{source.name}: patterns match the path, not the scheme and host"


def test_a_challenged_source_is_reported_blocked_not_empty(tmp_path):
    """nhc.gov.cn answers plain clients with HTTP 412 and a JavaScript cookie challenge."""
    challenge = {
        "dir": tmp_path,
        "routes": [{"url": "https://www.nhc.gov.cn/xcs/xwbd/list.shtml", "file": "412.html", "status": 412}],
    }
    (tmp_path / "412.html").write_bytes(
        b'<html><head><meta charset="utf-8"><script>$_ts=window["$_ts"];if(!$_ts)$_ts={};$_ts.nsd=8412;'
        b'$_ts.cd="qEcrrAk...";</script><script src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script>'
        b"</head><body></body></html>")
    with FixtureHosts([challenge]) as hosts:
        config = tmp_path / "nhc.toml"
        config.write_text("allow_private_addresses = true\n" + local_config("nhc-news", hosts), encoding="utf-8")
        db = tmp_path / "hw.db"
        result = run_cli("crawl", "nhc-news", "--config", config, "--db", db)
        assert result.returncode == 1, "a source that could not read one list page failed outright"
        [run] = rows(db, "SELECT * FROM crawl_runs")
        assert run["status"] == "blocked"
        assert "anti-bot challenge" in run["error_reasons"] and "412" in run["error_reasons"]
        assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 0
        status = run_cli("status", "--config", config, "--db", db)
        assert "blocked" in status.stdout
