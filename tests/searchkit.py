"""A real SQLite file for the search tests: a real crawl (`healthwatch crawl`, a fresh process) of
the local site serving real pages, Simplified and Traditional Chinese and English; built once per
test session and shared read-only by the search, export and Datasette tests."""
from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.sitekit import NewsSite, fixture_articles, write_config

SEARCH_FIXTURES = Path(__file__).parent / "fixtures" / "search"


def extra_pages() -> list[tuple[str, bytes]]:
    return [(folder.name, gzip.decompress((folder / "page.html.gz").read_bytes()))
            for folder in sorted(p for p in SEARCH_FIXTURES.iterdir() if p.is_dir())]


def page_count() -> int:
    return len(fixture_articles()) + len(extra_pages())


def publish_all(site: NewsSite) -> None:
    for article in fixture_articles():
        site.publish(article["id"], article["html"])
    for slug, html in extra_pages():
        site.publish(slug, html, month="202406")


def like_truth(db: Path, term: str) -> set[int]:
    """Ids of the articles whose Simplified title, body or translation contain `term` (SQL LIKE;
    the texts NFKC-normalised as the index is, so full-width punctuation compares as typed)."""
    import unicodedata

    conn = sqlite3.connect(db)
    conn.create_function("nfkc", 1, lambda s: unicodedata.normalize("NFKC", s) if s else s)
    try:
        pattern = "%" + unicodedata.normalize("NFKC", term) + "%"
        return {r[0] for r in conn.execute(
            "SELECT id FROM articles WHERE nfkc(coalesce(title_simplified, title)) LIKE ?1 "
            "OR nfkc(coalesce(body_simplified, body)) LIKE ?1 OR nfkc(translation_title) LIKE ?1 "
            "OR nfkc(translation_body) LIKE ?1", [pattern])}
    finally:
        conn.close()


@pytest.fixture(scope="session")
def search_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    with NewsSite() as site:
        publish_all(site)
        config = write_config(folder / "sources.toml", site)
        result = run_cli("crawl", "--config", config, "--db", folder / "hw.db")
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return folder / "hw.db"
