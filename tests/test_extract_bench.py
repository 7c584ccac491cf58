"""The benchmark's evaluation discipline: pages split into halves by site (never by page), the shared
sets found from the repository root, and metadata scored as precision and recall."""
from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from bench import benchsets
from bench.extract_bench import chosen_sets, field_judgement, field_scores

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def test_pages_of_one_site_share_a_half_and_both_halves_are_used():
    pages = benchsets.load_set("zh-news", FIXTURES / "zh-news") + benchsets.load_set("aeb", FIXTURES / "aeb")
    halves = defaultdict(set)
    for page in pages:
        halves[page["site"]].add(page["half"])
        assert page["half"] == benchsets.half_of(page["site"])  # deterministic: the same again
    assert all(len(h) == 1 for h in halves.values())
    assert {p["half"] for p in pages} == set(benchsets.HALVES)


def test_site_key_is_the_registrable_host_not_the_page():
    assert benchsets.registrable("wsjkw.gd.gov.cn") == "gd.gov.cn"
    assert benchsets.registrable("www.nhc.gov.cn") == "nhc.gov.cn"
    assert benchsets.registrable("news.qq.com") == benchsets.registrable("new.qq.com") == "qq.com"
    assert benchsets.site_key("x/a_1", {"url": "https://politics.people.com.cn/n1/1.html"}, b"") == "people.com.cn"
    assert benchsets.site_key("x/a_1", {"site": "www.nhc.gov.cn"}, b"") == "nhc.gov.cn"
    # no URL: the page's canonical link, then the id's stem
    html = b'<link rel="canonical" href="https://www.thepaper.cn/newsDetail_1">'
    assert benchsets.site_key("zh-news/thepaper_2", {}, html) == "thepaper.cn"
    assert benchsets.site_key("zh-news/wechat_2", {}, b"<html>") == "wechat"


def test_shared_bench_is_found_from_the_repository_root(monkeypatch):
    monkeypatch.delenv("HEALTHWATCH_BENCH_DIR", raising=False)
    found = benchsets.shared_bench_dir()
    assert found.name == "bench" and found.parent.name == "shared"
    assert any(folder / ".." / "shared" == found.parent or (folder / ".." / "shared").resolve() == found.parent
               for folder in (benchsets.REPO_ROOT, *benchsets.REPO_ROOT.parents))


def test_no_machine_path_in_bench_or_extract_tests():
    root = benchsets.REPO_ROOT
    for path in [*root.joinpath("bench").glob("extract_bench.py"), *root.joinpath("bench").glob("benchsets.py"),
                 *root.joinpath("tests").glob("test_extract*.py")]:
        assert "/work/" not in path.read_text(encoding="utf-8").replace('"/work/"', ""), path


def test_field_precision_counts_a_wrong_value_and_a_value_where_the_truth_is_empty():
    labelled = {"body_paragraphs": ["x"], "author": None, "publisher": "新华网", "published": "2024-05-20T09:30"}
    # a hand-labelled null author: any author is wrong (precision), no truth to recall
    assert field_judgement("author", labelled, {"author": "评论员观察"}) == (False, True, False)
    assert field_judgement("author", labelled, {"author": None}) == (False, False, False)
    # an unlabelled set (no body_paragraphs) cannot judge a missing value
    assert field_judgement("author", {"body": "x"}, {"author": "张三"}) is None
    # the minute needs a time in the prediction; the day does not
    assert field_judgement("minute", labelled, {"published": "2024-05-20"}) == (True, False, False)
    assert field_judgement("day", labelled, {"published": "2024-05-20"}) == (True, True, True)
    truths = [{"truth": labelled}, {"truth": {**labelled, "publisher": "人民网"}}, {"truth": labelled}]
    outs = [{"publisher": "新华网"}, {"publisher": "要闻"}, {"publisher": None}]
    pub = field_scores(truths, outs)["publisher"]
    assert (pub["n_pred"], pub["n_truth"]) == (2, 3)
    assert pub["P"] == 1 / 2 and pub["R"] == 1 / 3


def _copy_set(src: Path, dst: Path) -> None:
    for page in src.iterdir():
        if (page / "truth.json").exists():
            shutil.copytree(page, dst / page.name)


def test_heldout_sets_are_left_out_by_default_and_all_their_pages_are_heldout(tmp_path, monkeypatch):
    # the same real pages as an ordinary set and as a held-out one: only the folder name differs
    for name in ("zh-x", "zh-heldout-news"):
        _copy_set(FIXTURES / "zh-news", tmp_path / name)
    monkeypatch.setattr(benchsets, "OWN_PAGES", tmp_path)
    assert "pages/zh-x" in benchsets.set_dirs() and "pages/zh-heldout-news" not in benchsets.set_dirs()
    assert list(benchsets.heldout_set_dirs()) == ["pages/zh-heldout-news"]
    ordinary, heldout = benchsets.load_set("pages/zh-x"), benchsets.load_set("pages/zh-heldout-news")
    assert {p["half"] for p in ordinary} == set(benchsets.HALVES)  # both site halves are present ...
    assert {p["half"] for p in heldout} == {benchsets.HELDOUT}  # ... and overridden for the held-out set
    assert chosen_sets(None, heldout=False)[-1] == "pages/zh-x"
    assert chosen_sets(None, heldout=True) == ["pages/zh-heldout-news"]
    with pytest.raises(SystemExit, match="only with --heldout"):
        chosen_sets("zh-news,pages/zh-heldout-news", heldout=False)
    with pytest.raises(SystemExit, match="not a held-out set"):
        chosen_sets("pages/zh-x", heldout=True)


def test_the_repository_heldout_pages_are_out_of_the_default_run_and_spent_sets_are_in_it():
    # whichever held-out sets the repository holds now (maybe none): never in the default run, all `heldout`
    default = benchsets.set_dirs()
    assert not any(benchsets.is_heldout(name) for name in default)
    for name in benchsets.heldout_set_dirs():
        pages = benchsets.load_set(name)
        assert pages and {p["half"] for p in pages} == {benchsets.HELDOUT}
    # the spent sets (held out until 2026-12-02: the first and the -2 sets; until 2026-12-03: the -3 sets)
    # are dev pages, split by site into both halves
    for name in ("pages/zh-news-spent", "pages/zh-gov-spent", "pages/zh-news-spent-2", "pages/zh-gov-spent-2",
                 "pages/zh-news-spent-3", "pages/zh-gov-spent-3"):
        assert name in default
    for name in ("pages/zh-news-spent", "pages/zh-news-spent-2", "pages/zh-news-spent-3"):
        assert {p["half"] for p in benchsets.load_set(name)} == set(benchsets.HALVES)
