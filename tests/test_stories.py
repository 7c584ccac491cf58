"""Stories show every place: exact copies (URL aliases on other sites) are places of a story, and
English articles are signed, so an edited English repost joins its original's cluster."""
import gzip
import json

from typer.testing import CliRunner

from crawler.cli import app
from crawler.extract import extract
from storage import dedup as D
from storage.db import MIGRATIONS, _v10_sign_english
from storage.store import Store
from tests.searchkit import SEARCH_FIXTURES
from tests.sitekit import FIXTURES as SITE


def real(folder, page_id, url, source) -> dict:
    html = gzip.decompress((folder / page_id / "page.html.gz").read_bytes())
    record = extract(html, url).to_dict()
    assert len(record["body"]) > 300, page_id
    return {**record, "url": url, "source": source, "fetched_at": "2026-11-02T08:00:00Z"}


def test_an_exact_copy_on_another_site_is_a_place_of_the_story(tmp_path):
    store = Store(tmp_path / "hw.db")
    try:
        original = real(SITE, "thepaper_5", "https://www.thepaper.cn/newsDetail_forward_1", "thepaper")
        (first,) = store.save_articles([original])
        (copy,) = store.save_articles([{**original, "url": "https://copy.example.cn/a.html", "source": "copysite"}])
        assert copy.status == "duplicate"
        stories = store.clusters()  # default: at least two places
        assert len(stories) == 1 and stories[0]["size"] == 1 and stories[0]["places"] == 2
        assert [c["url_key"] for c in stories[0]["copies"]] == ["copy.example.cn/a.html"]
        assert "copysite" in stories[0]["sources"] and "copy.example.cn" in stories[0]["sites"]
        # an article alone in one place is not a story in several
        store.save_articles([real(SITE, "people_1", "https://www.people.com.cn/a.html", "people")])
        assert [c["original"]["id"] for c in store.clusters()] == [first.article_id]
        assert len(store.clusters(min_size=1)) == 2
    finally:
        store.close()
    result = CliRunner().invoke(app, ["duplicates", "--db", str(tmp_path / "hw.db")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "exact copy" in result.output and "copy.example.cn/a.html" in result.output and "2 places" in result.output


def english(page_id: str) -> str:
    return json.loads((SEARCH_FIXTURES / page_id / "truth.json").read_text("utf-8"))["body"]


def test_an_edited_english_repost_joins_the_original_and_another_story_does_not(tmp_path):
    body = english("en_156770d676ce7990")
    paragraphs = [p for p in body.split("\n") if p.strip()]
    edited = "\n".join(["By Staff Reporter | Updated: 2026-11-02"] + paragraphs[:2] + paragraphs[3:]
                       + ["Copyright 2026. All rights reserved."]).replace("governor", "Governor Noem")
    store = Store(tmp_path / "hw.db")
    try:
        first, repost, other = store.save_articles([
            {"url": "https://www.chinadaily.com.cn/a/1.html", "source": "chinadaily", "title": "Meth", "body": body,
             "lang": "en"},
            {"url": "https://global.example.com/2.html", "source": "global", "title": "Meth campaign", "body": edited,
             "lang": "en"},
            {"url": "https://www.chinadaily.com.cn/a/3.html", "source": "chinadaily", "title": "Jupiter",
             "body": english("en_14cc2a0ca59c62a8"), "lang": "en"},
        ])
        assert [o.status for o in (first, repost, other)] == ["new"] * 3
        assert D.sign({"body": body}).sig is not None  # English text is signed (it was not before)
        clusters = {o.article_id: store.cluster_of(o.article_id)["id"] for o in (first, repost, other)}
        assert clusters[first.article_id] == clusters[repost.article_id] != clusters[other.article_id]
        story = store.cluster_of(first.article_id)
        assert story["reposts"][0]["similarity"] >= D.MATCH_THRESHOLD
    finally:
        store.close()


def test_english_articles_stored_unsigned_before_are_signed_and_clustered_after_the_upgrade(tmp_path):
    body = english("en_156770d676ce7990")
    edited = body.replace("governor", "Governor Noem") + "\nCopyright 2026. All rights reserved."
    store = Store(tmp_path / "hw.db")
    try:
        first, repost = store.save_articles([
            {"url": "https://www.chinadaily.com.cn/a/1.html", "source": "chinadaily", "title": "Meth", "body": body},
            {"url": "https://global.example.com/2.html", "source": "global", "title": "Meth", "body": edited}])
        conn = store.db.conn
        with conn:  # as a database written before English was signed left it
            conn.execute("UPDATE article_signatures SET signature = NULL")
            conn.execute("UPDATE articles SET cluster_id = NULL")
            conn.execute("DELETE FROM clusters")
            conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_v10_sign_english)}")
    finally:
        store.close()
    store = Store(tmp_path / "hw.db")  # the upgrade, then the next save backfills
    try:
        store.save_articles([real(SITE, "people_1", "https://www.people.com.cn/a.html", "people")])
        unsigned = store.db.conn.execute("SELECT count(*) FROM article_signatures WHERE signature IS NULL").fetchone()[0]
        assert unsigned == 0
        assert store.cluster_of(first.article_id)["id"] == store.cluster_of(repost.article_id)["id"]
    finally:
        store.close()
