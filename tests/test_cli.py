"""The command line as users meet it: help, the extract contract, config validation."""
import gzip
import json

from crawler.extract.record import FIELDS
from tests.conftest import ROOT, run_cli

CONTRACT = {"title", "subtitle", "published", "publisher", "author", "editor", "body", "keywords", "breadcrumbs",
            "doc_number", "original_url", "lang", "flags"}


def test_every_command_has_help():
    for command in ([], ["crawl"], ["extract"], ["sources"]):
        result = run_cli(*command, "--help")
        assert result.returncode == 0 and "Usage" in result.stdout, command


def test_extract_prints_the_article_as_json(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(gzip.decompress((ROOT / "tests/fixtures/site/people_2024/page.html.gz").read_bytes()))
    result = run_cli("extract", page, "--url", "http://world.people.com.cn/n1/2024/0424/c1002-40222393.html")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert CONTRACT <= set(record) and set(record) == set(FIELDS)
    assert record["title"] and len(record["body"]) > 200


def test_extract_refuses_a_missing_file_clearly(tmp_path):
    result = run_cli("extract", tmp_path / "nope.html")
    assert result.returncode == 1 and "no such file" in result.stderr


def test_sources_lists_and_validates(tmp_path):
    result = run_cli("sources")
    assert result.returncode == 0, result.stderr
    broken = tmp_path / "bad.toml"
    broken.write_text('[[sources]]\nname = "x"\nstart_urls = ["http://a.cn/"]\narticle_pattern = "("\n',
                      encoding="utf-8")
    result = run_cli("sources", "--config", broken)
    assert result.returncode == 2
    assert f"{broken}:4:" in result.stderr.replace("\n", "") and "article_pattern" in result.stderr
