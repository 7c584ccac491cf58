"""Search over a real crawl (tests/searchkit.py): every kind of query equals the LIKE truth over the
Simplified text; Traditional pages found by Simplified queries; the index in step with every write,
also after a crawl killed with SIGKILL."""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from storage import search
from storage.search import QuerySyntaxError, fts_query, matching_ids, parse_query
from tests.conftest import ROOT
from tests.searchkit import like_truth, page_count, publish_all, search_db  # noqa: F401 (fixture)
from tests.sitekit import NewsSite, write_config


def found(db, query) -> set[int]:
    conn = sqlite3.connect(db)
    try:
        return set(matching_ids(conn, query))
    finally:
        conn.close()


def indexed_ids(db) -> set[int]:
    conn = sqlite3.connect(db)
    try:  # a contentless FTS5 table keeps one docsize row per indexed article
        return {r[0] for r in conn.execute("SELECT id FROM articles_fts_docsize")}
    finally:
        conn.close()


def article_ids(db) -> set[int]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM articles")}
    finally:
        conn.close()


# terms of 1, 2, 3 and 5 characters; the corpus is the crawled fixture pages
@pytest.mark.parametrize("term", ["医", "新冠", "习近平", "数据", "传呼机", "固定资产", "航天合作论坛", "规定", "网络主播"])
def test_a_chinese_term_finds_exactly_what_like_finds(search_db, term):
    truth = like_truth(search_db, term)
    assert truth, f"{term} occurs in the fixture pages"
    assert found(search_db, term) == truth


def test_an_english_word_and_a_number_find_what_like_finds(search_db):
    for word in ("meth", "Jupiter", "2019"):
        truth = like_truth(search_db, word)
        assert truth, word
        # a Latin word matches at a word start: LIKE's hits are the same here, mid-word hits excepted
        mid_word = {i for i in truth if not _word_start(search_db, i, word)}
        assert found(search_db, word) == truth - mid_word, word


def _word_start(db, article_id, word) -> bool:
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT coalesce(title_simplified, title, '') || ' ' || coalesce(body_simplified, body, '') || ' ' || "
                       "coalesce(translation_body, '') FROM articles WHERE id = ?", [article_id]).fetchone()
    conn.close()
    # a word start: not after a Latin letter or digit (a CJK character is a token of its own)
    return bool(re.search(r"(?<![0-9A-Za-z\u00c0-\u024f])" + re.escape(word), row[0], re.IGNORECASE))


def test_phrase_or_not_and_mixed_terms_equal_their_like_truth(search_db):
    both = like_truth(search_db, "新冠") & like_truth(search_db, "感染")
    assert both and found(search_db, "新冠 感染") == both  # AND by space
    either = like_truth(search_db, "传呼机") | like_truth(search_db, "航天")
    assert found(search_db, "传呼机 OR 航天") == either
    without = like_truth(search_db, "习近平") - like_truth(search_db, "航天")
    assert without and found(search_db, "习近平 -航天") == without == found(search_db, "习近平 NOT 航天")
    # a quoted phrase with punctuation inside: exactly the LIKE substring
    assert found(search_db, '"中国-拉美"') == like_truth(search_db, "中国-拉美") != set()
    assert found(search_db, "BB机") == like_truth(search_db, "BB机") != set()  # Latin + Chinese in one term
    assert found(search_db, "(新冠 OR 传呼机) 日本") == (
        (like_truth(search_db, "新冠") | like_truth(search_db, "传呼机")) & like_truth(search_db, "日本"))


def test_a_simplified_query_finds_a_traditional_page_and_the_reverse(search_db):
    conn = sqlite3.connect(search_db)
    trad_id, title = conn.execute("SELECT id, title FROM articles WHERE title LIKE '%網絡主播%'").fetchone()
    conn.close()
    assert trad_id in found(search_db, "网络主播")  # Simplified query, Traditional page
    assert found(search_db, "網絡主播") == found(search_db, "网络主播")  # Traditional query
    assert found(search_db, "严厉禁止") == {trad_id}


def test_search_ranks_and_snippets_show_the_term(search_db):
    conn = sqlite3.connect(search_db)
    hits = search.search(conn, "新冠", limit=5)
    conn.close()
    assert hits and [h["rank"] for h in hits] == sorted(h["rank"] for h in hits)
    assert "新冠" in hits[0]["title"]  # a title hit ranks first
    assert any("«新冠»" in h["snippet"] for h in hits)
    assert all(len(h["snippet"]) < 120 for h in hits)


def test_many_hits_are_ranked_among_the_title_hits_and_the_newest(search_db, monkeypatch):
    conn = sqlite3.connect(search_db)
    try:
        every = search.search(conn, "医", limit=None)  # ranked over every hit
        monkeypatch.setattr(search, "RANK_ALL", 3)
        bounded = search.search(conn, "医", limit=len(every))
        excluded = search.search(conn, "医 -新冠", limit=len(every))
    finally:
        conn.close()
    newest = sorted(h["id"] for h in every)[-3:]
    candidates = [h for h in every if h["id"] in newest or "医" in (h["title_simplified"] or "")]
    assert len(every) > len(candidates) > 3  # the bound cut something, title hits stay in
    assert [h["id"] for h in bounded] == [h["id"] for h in candidates]  # same order as the full ranking
    assert excluded and all("新冠" not in (h["title_simplified"] or "") for h in excluded)


def test_filters_restrict_the_hits(search_db):
    conn = sqlite3.connect(search_db)
    try:
        every = search.search(conn, "医", limit=None)
        none = search.search(conn, "医", search.Filters(source="nope"), limit=None)
        same = search.search(conn, "医", search.Filters(source="demo-news", since="2000-01-01", until="2100-12-31"),
                             limit=None)
    finally:
        conn.close()
    assert every and none == [] and {h["id"] for h in same} == {h["id"] for h in every}


@pytest.mark.parametrize("query, message", [
    ('"医保', "unclosed quote"), ("(医保", "unclosed ("), ("医保)", "unexpected ')'"), ("OR 医保", "OR needs"),
    ("医保 OR", "OR needs"), ("-医保", "only excluded"), ("，。", "nothing to search"), ("", "empty query"),
    ("医保 NOT", "NOT/- needs"),
])
def test_bad_syntax_gets_a_one_line_message(query, message):
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_query_rewriting():
    assert fts_query("医保") == '"医 保"'
    assert fts_query("國家醫保局") == '"国 家 医 保 局"'
    assert fts_query("vaccine") == '"vaccine" *'
    assert fts_query("新冠 疫苗") == '("新 冠" AND "疫 苗")'
    assert fts_query("国卫医发〔2024〕") == f"\"国 卫 医 发 {search.SEPARATOR} 2024\" *"  # edge punctuation dropped
    assert fts_query('"DRG 付费"') == f'"drg {search.SEPARATOR} 付 费"'


def test_the_index_follows_recheck_revisions(tmp_path):
    from storage.store import Store

    store = Store(tmp_path / "hw.db")
    body = "国家医疗保障局发布通知，推进按病种付费改革，各地医保部门落实集采药品的结算工作。" * 2
    (saved,) = store.save_articles([{"url": "http://a.example/1.html", "source": "s", "title": "医保通知",
                                     "body": body}])
    conn = store.db.conn
    assert matching_ids(conn, "集采") == [saved.article_id]
    changed = store.save_recheck(saved.article_id, {"url": "http://a.example/1.html", "title": "醫保通知（修訂）",
                                                   "body": "修订后的通知删去了那一段，只谈门诊共济。"})
    assert changed == "changed"
    assert matching_ids(conn, "集采") == [] and matching_ids(conn, "门诊共济") == [saved.article_id]
    assert matching_ids(conn, "修订") == [saved.article_id]  # the Traditional title, Simplified query
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    store.close()


def test_the_migration_indexes_an_existing_database(tmp_path):
    from storage.db import MIGRATIONS, open_db

    db = open_db(tmp_path / "hw.db")
    version = MIGRATIONS.index(search_migration()) + 1
    db.execute("INSERT INTO articles (url, canonical_url, source, title, body) VALUES "
               "('http://a/1', 'http://a/1', 's', '國家醫保局', '门诊共济保障机制')")
    # back to the schema before search: no index, no title_simplified
    db.execute("DROP TABLE articles_fts")
    db.execute("ALTER TABLE articles DROP COLUMN title_simplified")
    db.execute(f"PRAGMA user_version = {version - 1}")
    db.close()
    db = open_db(tmp_path / "hw.db")
    assert matching_ids(db.conn, "医保") == [1] and matching_ids(db.conn, "共济") == [1]
    assert db.execute("SELECT title_simplified FROM articles").fetchone()[0] == "国家医保局"
    db.close()


def test_the_index_merges_its_segments_sixteen_at_a_time_new_or_migrated(tmp_path):
    from storage.db import MIGRATIONS, _v13_search_merges, open_db

    def automerge(db):
        return db.execute("SELECT v FROM articles_fts_config WHERE k = 'automerge'").fetchone()
    db = open_db(tmp_path / "hw.db")
    assert automerge(db) == (search.AUTOMERGE,) == (16,)
    db.execute("DELETE FROM articles_fts_config WHERE k = 'automerge'")  # FTS5's default, 4
    db.execute(f"PRAGMA user_version = {MIGRATIONS.index(_v13_search_merges)}")
    db.close()
    db = open_db(tmp_path / "hw.db")
    assert automerge(db) == (16,)
    db.close()


def search_migration():
    from storage import db as dbmod

    return next(m for m in dbmod.MIGRATIONS if m.__name__.endswith("_search"))


def test_the_index_is_intact_after_a_crawl_killed_with_sigkill(tmp_path):
    with NewsSite() as site:
        publish_all(site)
        site.hang_seconds = 0.5  # 15 pages take >= 7 s: the kill lands mid-crawl, after a first batch
        config = write_config(tmp_path / "sources.toml", site, concurrency=1)
        db = tmp_path / "hw.db"
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--db", str(db)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (db.exists() and _count(db) >= 1):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stored = article_ids(db)
        assert stored and len(stored) < page_count(), "killed halfway"
        assert indexed_ids(db) == stored  # every committed row has its index entry, nothing more
        site.hang_seconds = 0
        rerun = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--db", str(db)],
                               cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert indexed_ids(db) == article_ids(db) and len(article_ids(db)) == page_count()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    conn.close()
    assert found(db, "传呼机") == like_truth(db, "传呼机") != set()


def _count(db) -> int:
    try:
        conn = sqlite3.connect(db, timeout=0.1)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_attachment_text_is_searchable_with_its_article(tmp_path):
    from storage.attachments import save_attachments
    from storage.store import Store

    store = Store(tmp_path / "hw.db")
    body = "国家卫生健康委印发通知，部署做好今冬明春呼吸道疾病防治工作，各地要加强监测预警。" * 2
    (saved,) = store.save_articles([{"url": "http://a.example/1.html", "source": "s", "title": "关于印发方案的通知",
                                     "body": body}])
    conn = store.db.conn
    assert matching_ids(conn, "门诊共济") == []
    save_attachments(store.db, saved.article_id, [{"url": "http://a.example/fj1.pdf", "name": "附件1.pdf",
                                                   "text": "职工医保门诊共济保障机制实施细则", "type": "pdf"}])
    assert matching_ids(conn, "门诊共济") == [saved.article_id] == matching_ids(conn, "呼吸道")
    store.save_recheck(saved.article_id, {"url": "http://a.example/1.html", "title": "关于印发方案的通知（更新）",
                                          "body": body + "补充说明。"})
    assert matching_ids(conn, "门诊共济") == [saved.article_id] == matching_ids(conn, "补充说明")
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    from storage.reset import delete_articles

    conn.execute("BEGIN IMMEDIATE")
    assert delete_articles(conn, "s") == 1
    conn.execute("COMMIT")
    assert matching_ids(conn, "门诊共济") == [] and conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    store.close()


def test_the_index_texts_worked_out_ahead_are_what_the_stored_row_gives(tmp_path):
    """The extraction process's record carries the index texts (storage.store.presign) and the writer
    indexes them as they are: they must equal what storage computes from the stored row, which is what
    a later unindex (re-check, attachments, reset) takes out of the contentless index."""
    import gzip

    from crawler.extraction_job import extract_item
    from storage.store import Store, presign

    pages = sorted((ROOT / "bench" / "pages" / "zh-news-new").glob("*/page.html.gz"))
    articles = [extract_item({"html": gzip.decompress(p.read_bytes()), "url": f"http://news.example/{n}.html",
                              "source": "s"}, {"sign": True}) for n, p in enumerate(pages)]
    articles = [a for a in articles if a["kind"] == "article"]
    english = "The national healthcare security administration extends outpatient mutual aid to every province."
    articles.append(presign({"url": "http://news.example/en.html", "source": "s", "title": "门诊共济",
                             "body": "国家医保局推进门诊共济保障机制改革，职工医保个人账户可以家庭共济。" * 3,
                             "translation_title": "Outpatient mutual aid", "translation_body": english}))
    assert any(a.get("body_simplified") for a in articles), "a Traditional page among them"
    store = Store(tmp_path / "hw.db")
    outcomes = store.save_articles(articles)
    for article, outcome in zip(articles, outcomes):
        if outcome.status == "new":
            row = search.article_row(store.db.conn, outcome.article_id)
            assert tuple(article["_index"]) == search.article_document(row, ""), article["url"]
    assert sum(o.status == "new" for o in outcomes) > 20
    assert matching_ids(store.db.conn, "mutual aid") == [outcomes[-1].article_id]
    store.db.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    store.close()


def test_cjk_spacing_equals_the_translate_it_replaces():
    """search._space_cjk (numpy, a regex for short texts) gives what a translate by a table of every
    BMP CJK code point gives, on real pages in Chinese and English, short texts, astral characters
    and a lone surrogate."""
    import gzip

    from crawler.extract import extract

    pages = sorted((ROOT / "bench" / "pages").glob("*/*/page.html.gz"))[:40]
    bodies = [extract(gzip.decompress(p.read_bytes()), "http://news.example/a.html").body for p in pages]
    english = "Outpatient mutual aid extends to every province, the administration said. " * 10
    texts = [*bodies, english, english + "门诊共济", "医保", "", "𠀀𠀁 mixed 中文 and かな, 한글 ﬀ" * 20, "中文\ud800" * 100]
    assert sum("\u4e00" <= t[:1] <= "\u9fff" or "医" in t for t in bodies) > 5
    spaced = {cp: f" {chr(cp)} " for lo, hi in search._BMP_CJK for cp in range(lo, hi + 1)}
    for text in texts:
        tokens = search._SEPARATORS.sub(f" {search.SEPARATOR} ", text)
        assert search._space_cjk(tokens) == tokens.translate(spaced)
        assert search._space_cjk(tokens[:150]) == tokens[:150].translate(spaced)
