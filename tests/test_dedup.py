"""Story clusters of reposts (storage.dedup) on a real SQLite file, with real article pages.

The story: thepaper_5 (a real thepaper.cn page, extracted by crawler.extract) and its reposts —
a Traditional mirror with a pinyin layer 頁(yè) and navigation, a blog copy with an English
translation appended, a portal copy with a header line and an editor trailer, an edited copy.
Negatives: other real thepaper.cn pages, and real same-topic health-policy reposts from one blog
(tests/fixtures/dedup, from ../shared/seeds) that are different stories.
"""
from __future__ import annotations

import gzip
import json
import random
import re
import sqlite3
from pathlib import Path

import numpy as np
import opencc
import pytest
import sqlite_utils
from typer import Typer
from typer.testing import CliRunner

from crawler.cli.duplicates import duplicates
from crawler.extract import extract
from storage import dedup as D
from storage.db import MIGRATIONS, write_transaction
from storage.reset import delete_articles
from storage.store import Store

SITE = Path(__file__).parent / "fixtures" / "site"
SEEDS = Path(__file__).parent / "fixtures" / "dedup"
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"


def real_item(page_id: str, url: str | None = None, source: str = "thepaper") -> dict:
    html = gzip.decompress((SITE / page_id / "page.html.gz").read_bytes())
    truth = json.loads((SITE / page_id / "truth.json").read_text("utf-8"))
    url = url or truth.get("url") or f"https://www.thepaper.cn/newsDetail_forward_{page_id}"
    record = extract(html, url).to_dict()
    assert len(record["body"]) > 300, page_id
    return {**record, "url": url, "source": source, "fetched_at": "2026-11-02T08:00:00Z"}


def seed(name: str) -> str:
    return next(SEEDS.glob(f"seed_{name}_*.txt")).read_text("utf-8")


def pinyin_table() -> dict[str, str]:
    """Traditional character → pinyin as the real spam mirror (seed 001) prints it."""
    pairs = re.findall(r"([\u4e00-\u9fff])\(([a-zü" + _TONES + r"]{1,7})\)", seed("001"))
    return dict(pairs)


def traditional_mirror(body: str, title: str) -> str:
    table = pinyin_table()
    trad = opencc.OpenCC("s2t").convert(body)
    layered = "".join(ch + (f"({table[ch]})" if ch in table else "") for ch in trad)
    assert layered.count("(") > 20  # the pinyin layer is really there
    nav = ["- 首頁(yè)", "- 民文", "- English", "- 舉報(bào)專區(qū)", "- 登錄"]
    return "\n".join(nav + [opencc.OpenCC("s2t").convert(title), layered, "分享讓更多人看到"])


def with_translation(body: str, source_url: str) -> str:
    return "\n".join([
        body, "英语如下:",
        "Title: Loss of taste and smell is the strongest predictor of COVID-19 infection, The Lancet says",
        "Keywords: COVID-19, Symptoms, Smell, Taste",
        "Content: Fever and cough were considered the main symptoms of infection with the new coronavirus. "
        "However, the latest research finds that loss of taste and smell is more specific and lasts longer, "
        "and can serve as the strongest predictor of whether someone has been infected.",
        f"【来源】{source_url}", "Views: 2"])


def with_header_and_trailer(body: str) -> str:
    return "\n".join(["健康时报讯 以下报道经本站编辑整理后发布，供广大读者参考阅读。", body, "【编辑:王芳】"])


def edited(body: str) -> str:
    paragraphs = body.split("\n")
    paragraphs[1] = paragraphs[1][: len(paragraphs[1]) // 2] + "专家提醒，出现相关症状应及时就医。"
    del paragraphs[-2]
    return "\n".join(paragraphs)


@pytest.fixture
def original():
    return real_item("thepaper_5")


def reposts(original: dict) -> list[dict]:
    body, title = original["body"], original["title"]
    base = {"title": title, "published": "2020-06-07T09:00:00+08:00", "fetched_at": "2026-11-02T09:00:00Z"}
    return [
        {**base, "url": "http://www.0287327.com/1261520.html", "source": "mirror",
         "title": opencc.OpenCC("s2t").convert(title), "body": traditional_mirror(body, title)},
        {**base, "url": "https://blog.example.cn/archives/8812", "source": "blog",
         "body": with_translation(body, original["url"])},
        {**base, "url": "https://health.portal.example/2020/0607/a1.html", "source": "portal",
         "body": with_header_and_trailer(body)},
        {**base, "url": "https://news.other.example/n/77.html", "source": "other", "body": edited(body)},
    ]


def negatives() -> list[dict]:
    """Different stories: two other real thepaper.cn pages; two real health-policy reposts from
    one blog on the same topic (优质医疗资源下沉) as each other; the People's Daily story on the
    same Guangxi policy as seed 000, in a Traditional mirror."""
    items = [real_item("thepaper_3"), real_item("thepaper_1", url="https://www.thepaper.cn/newsDetail_forward_3000001")]
    items += [
        {"url": "https://blog.example.cn/archives/000", "source": "blog", "title": "广西推动优质医疗资源扩容",
         "body": seed("000"), "published": "2024-05-22"},
        {"url": "https://blog.example.cn/archives/003", "source": "blog", "title": "紧密型县域医共体建设",
         "body": seed("003"), "published": "2024-03-20"},
        {"url": "http://mirror.example.hk/gx/1.html", "source": "mirror", "title": "廣西推動優質醫療資源擴容",
         "body": seed("001"), "published": "2024-05-28"},
    ]
    return items


def cluster_ids(store: Store, outcomes) -> list[int]:
    return [store.db.execute("SELECT cluster_id FROM articles WHERE id = ?", [o.article_id]).fetchone()[0]
            for o in outcomes]


def test_normalisation_removes_what_reposts_add(original):
    body = original["body"]
    plain = D.normalise(body)
    assert D.normalise(traditional_mirror(body, original["title"])).endswith(plain)  # script, pinyin, nav
    assert D.normalise(with_translation(body, original["url"])) == plain  # translation and 【来源】 gone
    assert D.normalise(body + "\n【编辑:王芳】") == plain
    assert D.normalise(body.replace("\n", "\n\n  ")) == plain
    story, extra = D.split_text(seed("000"))
    assert "英语如下" not in story and "Guangxi" not in story and extra.startswith("Title: Guangxi")
    assert "首页" not in D.normalise(seed("001"))[:50]  # mirror navigation 首頁(yè) trimmed


def test_signature_is_datasketch_minhash_affine32():
    """Our vectorised MinHash equals datasketch's MinHash(scheme='affine32') fed the same 32-bit
    shingle hashes, so stored signatures can be loaded as datasketch MinHash objects."""
    from datasketch import MinHash

    folded = D.normalise(seed("000"))
    hashes = D.shingle_hashes(folded, unique=True)
    shingles = {folded[i:i + 3] for i in range(len(folded) - 2)}
    assert len(hashes) == len(shingles)
    assert sorted(D.shingle_hash32(s) for s in shingles) == sorted(hashes.tolist())
    m = MinHash(num_perm=D.NUM_PERM, seed=D.SEED, scheme="affine32", hashfunc=lambda x: x)
    m.update_batch(hashes.tolist())
    ours = D.signature(hashes)
    assert np.array_equal(ours, D.signature(D.shingle_hashes(folded)))  # repeats change nothing
    assert np.array_equal(m.hashvalues, ours)
    again = MinHash(num_perm=D.NUM_PERM, seed=D.SEED, scheme="affine32", hashvalues=D.from_blob(D.to_blob(ours)))
    assert again.jaccard(m) == 1.0
    for num_perm, draw in ((D.NUM_PERM, D.SEED), (64, 7)):  # drawn without datasketch, as it draws them
        a, b = MinHash(num_perm=num_perm, seed=draw, scheme="affine32").permutations
        assert np.array_equal(D.permutations(num_perm, draw)[0][:, 0], a)
        assert np.array_equal(D.permutations(num_perm, draw)[1][:, 0], b)


def test_reposts_form_one_cluster_and_other_stories_do_not(tmp_path, original):
    store = Store(tmp_path / "hw.db")
    try:
        others = store.save_articles(negatives())
        first = store.save_articles([original])
        copies = store.save_articles(reposts(original))
        assert [o.status for o in others + first + copies] == ["new"] * 10
        story = cluster_ids(store, first + copies)
        assert len(set(story)) == 1, story
        unrelated = cluster_ids(store, others)
        assert len(set(unrelated)) == len(unrelated) and not set(unrelated) & set(story)
        assert store.article_count() == 10  # every repost keeps its own row, URL and source

        cluster = store.cluster_of(first[0].article_id)
        assert cluster["size"] == 5 and cluster["original"]["id"] == first[0].article_id  # published first
        assert cluster["original"]["url"] == original["url"]
        assert {r["source"] for r in cluster["reposts"]} == {"mirror", "blog", "portal", "other"}
        assert all(r["similarity"] >= D.MATCH_THRESHOLD for r in cluster["reposts"])
        assert set(cluster["sites"]) >= {"www.thepaper.cn", "www.0287327.com", "blog.example.cn"}
        assert cluster["dates"] == ["2020-06-06", "2020-06-07"]
        listed = store.clusters()
        assert [c["id"] for c in listed] == [story[0]]  # the negatives are clusters of one
        assert store.clusters(min_size=1) and len(store.clusters(min_size=1)) == 6

        sigs = store.db.execute("SELECT DISTINCT scheme, seed, num_perm FROM article_signatures").fetchall()
        assert sigs == [(D.SCHEME, D.SEED, D.NUM_PERM)]
    finally:
        store.close()


def test_same_normalised_content_elsewhere_is_a_duplicate_not_a_row(tmp_path, original):
    store = Store(tmp_path / "hw.db")
    try:
        first = store.save_articles([original])
        trimmed = store.save_articles([{**original, "url": "https://copy.example/x.html", "source": "copy",
                                        "body": "- 首页\n- 登录\n" + original["body"] + "\n【编辑:张三】"}])
        assert trimmed[0].status == "duplicate" and trimmed[0].article_id == first[0].article_id
        assert store.is_known("https://copy.example/x.html")
        assert store.article_count() == 1
        copies = store.cluster_of(first[0].article_id)["copies"]
        assert [c["url_key"] for c in copies] == ["copy.example/x.html"]
    finally:
        store.close()


def test_a_translation_split_out_by_the_extractor_still_makes_a_repost(tmp_path, original):
    """Whether the English stays in the body or the extractor moved it to translation_body, the
    copy is the same kind of thing: a repost with its own row in the story's cluster."""
    english = "Title: Loss of taste and smell\nContent: The latest research finds that loss of taste and smell..."
    split = {**original, "url": "https://blog.example.cn/archives/9", "source": "blog",
             "translation_title": "Loss of taste and smell", "translation_body": english}
    inline = {**split, "url": "https://blog2.example.cn/archives/9", "body": original["body"] + "\n英语如下:\n" + english}
    store = Store(tmp_path / "hw.db")
    try:
        first = store.save_articles([original])
        copies = store.save_articles([split, inline])
        assert [o.status for o in copies] == ["new", "duplicate"]  # same normalised content, one row
        assert copies[1].article_id == copies[0].article_id
        assert len(set(cluster_ids(store, first + copies))) == 1
    finally:
        store.close()


def test_original_is_the_article_another_points_at(tmp_path, original):
    """A repost crawled (and dated) before its source: the 【来源】 link decides the original."""
    repost = {**reposts(original)[2], "published": "2020-06-01T00:00:00+08:00", "original_url": original["url"]}
    store = Store(tmp_path / "hw.db")
    try:
        early = store.save_articles([repost])
        later = store.save_articles([original])
        assert cluster_ids(store, early) == cluster_ids(store, later)
        assert store.cluster_of(early[0].article_id)["original"]["id"] == later[0].article_id
    finally:
        store.close()


def test_index_is_rebuilt_from_stored_signatures_on_reopen(tmp_path, original):
    path = tmp_path / "hw.db"
    store = Store(path)
    first = store.save_articles([original, *negatives()])
    store.close()

    store = Store(path)
    try:
        assert getattr(store, "_dedup", None) is None  # lazy: nothing built until a save needs it
        mirror, blog, portal, other = reposts(original)
        later = store.save_articles([mirror, blog])
        assert store._dedup.stats["rebuilt"] == 1 and store._dedup.stats["backfilled"] == 0
        assert store._dedup.index.count == 6 + 2  # six loaded from article_signatures, two added
        assert set(cluster_ids(store, later)) == set(cluster_ids(store, first[:1]))
    finally:
        store.close()


def test_two_writers_see_each_others_articles(tmp_path, original):
    """Two Stores on one file, like two crawl processes: each catches up inside its transaction."""
    a, b = Store(tmp_path / "hw.db"), Store(tmp_path / "hw.db")
    try:
        mirror, blog, portal, other = reposts(original)
        first = a.save_articles([original])  # a builds its index now
        via_b = b.save_articles([mirror])
        via_a = a.save_articles([portal])  # a must see b's mirror and the original
        via_b2 = b.save_articles([blog])
        assert len(set(cluster_ids(a, first + via_b + via_a + via_b2))) == 1
        assert a.cluster_of(first[0].article_id)["size"] == 4
    finally:
        a.close()
        b.close()


def test_a_failed_batch_leaves_no_signature_and_clustering_goes_on(tmp_path, original):
    store = Store(tmp_path / "hw.db")
    try:
        first = store.save_articles([original])
        mirror, blog, portal, other = reposts(original)
        with pytest.raises(KeyError):
            store.save_articles([mirror, {"url": "http://x.cn/no-source.html", "body": "无来源"}])
        assert store.db.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 1
        again = store.save_articles([blog, mirror])
        assert len(set(cluster_ids(store, first + again))) == 1
        assert store.cluster_of(first[0].article_id)["size"] == 3
    finally:
        store.close()


def test_database_from_before_clusters_is_signed_and_clustered(tmp_path, original):
    """A v3 database (no signatures, no clusters) migrates; its articles are clustered lazily."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    old = sqlite_utils.Database(conn)
    for number, step in enumerate(MIGRATIONS[:3], start=1):
        step(old)
        old.execute(f"PRAGMA user_version = {number}")
    rows = [original, *reposts(original)[:2], negatives()[0]]
    for i, item in enumerate(rows, start=1):
        old["articles"].insert({"id": i, "url": item["url"], "canonical_url": item["url"], "source": item["source"],
                                "title": item["title"], "body": item["body"], "published": item.get("published"),
                                "first_seen_at": f"2026-10-0{i}T00:00:00Z", "revision_count": 0, "rechecks_done": 0})
        old["article_urls"].insert({"url_key": item["url"].split("://", 1)[1], "article_id": i,
                                    "source": item["source"], "first_seen_at": "2026-10-01T00:00:00Z"})
    conn.close()

    store = Store(path)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        listed = store.clusters()  # a read on an unsigned database signs and clusters first
        assert len(listed) == 1 and listed[0]["size"] == 3 and listed[0]["original"]["id"] == 1
        assert store.db.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 4
        portal = reposts(original)[2]
        assert cluster_ids(store, store.save_articles([portal])) == [listed[0]["id"]]
    finally:
        store.close()


def test_duplicates_command(tmp_path, original):
    path = tmp_path / "hw.db"
    store = Store(path)
    store.save_articles([original, *reposts(original), *negatives()])
    store.db.execute("UPDATE clusters SET updated_at = '2026-10-15T00:00:00Z' WHERE size = 1")
    store.close()
    app = Typer()
    app.command()(duplicates)
    app.command("noop")(lambda: None)  # two commands: typer then wants the command name
    runner = CliRunner()

    result = runner.invoke(app, ["duplicates", "--db", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "original" in result.output and "www.0287327.com/1261520.html" in result.output
    assert "blog.example.cn/archives/8812" in result.output and "1 clusters" in result.output

    result = runner.invoke(app, ["duplicates", "--db", str(path), "--json", "--since", "2026-11-01"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data) == 1 and len(data[0]["reposts"]) == 4 and data[0]["original"]["url"] == original["url"]

    result = runner.invoke(app, ["duplicates", "--db", str(path), "--json", "--since", "2026-11-01",
                                 "--min-size", "1"])
    assert len(json.loads(result.output)) == 1  # the one-article clusters were last updated in October
    result = runner.invoke(app, ["duplicates", "--db", str(path), "--json", "--since", "2099-01-01"])
    assert json.loads(result.output) == []
    result = runner.invoke(app, ["duplicates", "--db", str(path), "--since", "yesterday"])
    assert result.exit_code == 2


def test_same_site_follow_up_quoting_the_story_is_not_a_repost(tmp_path, original):
    """A later thepaper.cn piece that reuses six opening paragraphs of the story and goes on with
    other real text shares LSH bands with it (a candidate) but only ~1/3 of its shingles: the
    Jaccard check keeps it out of the story's cluster."""
    other = real_item("thepaper_3")
    follow_up = {**other, "url": "https://www.thepaper.cn/newsDetail_forward_7740000",
                 "body": "\n".join(original["body"].split("\n")[:6] + other["body"].split("\n")[:6])}
    a, b = D.sign(original), D.sign(follow_up)
    assert (D.band_keys(a.sig)[0] == D.band_keys(b.sig)[0]).any()  # LSH makes it a candidate
    assert 0.2 < D.jaccard(a.sig, b.sig) < D.MATCH_THRESHOLD
    store = Store(tmp_path / "hw.db")
    try:
        first = store.save_articles([original])
        later = store.save_articles([follow_up])
        assert later[0].status == "new"
        assert cluster_ids(store, first) != cluster_ids(store, later)
        assert store.clusters() == []
    finally:
        store.close()


def test_an_abridged_copy_joins_only_when_it_names_its_source(tmp_path, original):
    """Half the story is too little to call it a repost by text alone (below MATCH_THRESHOLD);
    with a 【来源】/original_url link to the stored story it joins the story's cluster."""
    paragraphs = original["body"].split("\n")
    head, tail = "\n".join(paragraphs[:5]), "\n".join(paragraphs[6:11])
    for part in (head, tail):
        sim = D.jaccard(D.sign(original).sig, D.sign({"body": part}).sig)
        assert D.LINK_THRESHOLD <= sim < D.MATCH_THRESHOLD
    store = Store(tmp_path / "hw.db")
    try:
        first = store.save_articles([original])
        plain = store.save_articles([{"url": "https://a.example/1.html", "source": "a", "title": "摘编", "body": tail}])
        linked = store.save_articles([{"url": "https://b.example/2.html", "source": "b", "title": "摘编",
                                       "body": head + "\n（本文有删节）", "original_url": original["url"]}])
        story, alone, joined = cluster_ids(store, first + plain + linked)
        assert alone != story and joined == story
        assert store.cluster_of(linked[0].article_id)["original"]["id"] == first[0].article_id
        # the same abridged text again, now printing 【来源】 in its body (seed 000's style): it joins
        # the story and, being the same text as the lone copy, brings that copy along
        sourced = store.save_articles([{"url": "https://c.example/3.html", "source": "c", "title": "摘编",
                                        "body": "（本文为摘编）\n" + tail + "\n【来源】" + original["url"] + "\nViews: 2"}])
        assert sourced[0].status == "new"
        assert cluster_ids(store, sourced + plain) == [story, story]
        assert store.cluster_of(first[0].article_id)["size"] == 4
    finally:
        store.close()


def test_signatures_of_another_scheme_are_replaced_not_mixed(tmp_path, original):
    """Signatures carry scheme/seed/num_perm; rows of another scheme are never compared with ours:
    the next writer re-signs those articles and they keep their clusters."""
    path = tmp_path / "hw.db"
    store = Store(path)
    first = store.save_articles([original, *reposts(original)[:2]])
    story = cluster_ids(store, first)[0]
    store.db.execute("UPDATE article_signatures SET scheme = 'legacy', signature = zeroblob(1024)")
    store.close()

    store = Store(path)
    try:
        later = store.save_articles([reposts(original)[2]])
        assert cluster_ids(store, later) == [story]
        rows = store.db.execute("SELECT scheme, seed, num_perm, length(signature) FROM article_signatures").fetchall()
        assert rows == [(D.SCHEME, D.SEED, D.NUM_PERM, D.NUM_PERM * 4)] * 4
        assert store.cluster_of(first[0].article_id)["size"] == 4
        assert store.db.execute("SELECT count(*) FROM clusters").fetchone()[0] == 1
    finally:
        store.close()


def test_refreshing_an_edited_article_keeps_its_cluster_and_compares_the_new_text(tmp_path, original):
    """Store._dedup_refresh (the hook for save_recheck): the signature follows the edited text."""
    store = Store(tmp_path / "hw.db")
    try:
        first = store.save_articles([original])
        story = cluster_ids(store, first)[0]
        other = real_item("thepaper_3")
        with write_transaction(store.db):  # as inside save_recheck's transaction
            store._dedup_refresh(first[0].article_id, {"body": other["body"]})
        assert cluster_ids(store, first) == [story]
        repost_of_new_text = store.save_articles([{**other, "url": "https://mirror.example/q.html", "source": "m",
                                                   "body": with_header_and_trailer(other["body"])}])
        assert cluster_ids(store, repost_of_new_text) == [story]
    finally:
        store.close()



def clusters_as_settled(store: Store) -> tuple[list, list]:
    """(id, original, size) of every cluster as stored, and as `settle` decides from all its members."""
    query = "SELECT id, original_article_id, size FROM clusters ORDER BY id"
    stored = store.db.execute(query).fetchall()
    with write_transaction(store.db):
        for cluster_id, _, _ in stored:
            D.settle(store.db.conn, cluster_id)
    return stored, store.db.execute(query).fetchall()


def test_joins_leave_each_cluster_as_settling_all_its_members_would(tmp_path, original):
    """A new member updates its cluster's size and original from the stored ones, without reading
    the other members. After every save (a shuffled order, dates in any order, original_url links
    among the reposts: chains, cycles, links to pages not stored), after an alias that completes a
    link, an edit and a reset, each cluster is what settling all its members decides."""
    rng = random.Random(14)
    urls = [f"https://site{n}.example/a/{n}.html" for n in range(16)]
    source_page = "https://source.example/story.html"  # named as the original; stored later, as an alias
    items = [original]
    for n, url in enumerate(urls):
        item = {"url": url, "source": f"s{n % 3}", "title": original["title"],
                "body": with_header_and_trailer(original["body"].replace("。", f"。第{n}稿", 1))}
        if rng.random() < 0.8:
            item["published"] = f"2020-06-{rng.randint(1, 9):02d}T{rng.randint(0, 23):02d}:00:00+08:00"
        if rng.random() < 0.5:
            item["original_url"] = rng.choice([*urls, original["url"], source_page])
        items.append(item)
    items[1]["original_url"] = source_page
    rng.shuffle(items)
    store = Store(tmp_path / "hw.db")
    try:
        while items:
            batch, items = items[:rng.randint(1, 3)], items
            items = items[len(batch):]
            assert {o.status for o in store.save_articles(batch)} == {"new"}
            stored, settled = clusters_as_settled(store)
            assert stored == settled
        assert len(stored) == 1 and stored[0][2] == 17
        body, title = store.db.execute("SELECT body, title FROM articles WHERE url = ?", [urls[0]]).fetchone()
        alias = store.save_articles([{"url": source_page, "source": "src", "title": title, "body": body}])
        assert alias[0].status == "duplicate"
        stored, settled = clusters_as_settled(store)
        assert stored == settled
        for article_id in (stored[0][1], alias[0].article_id):  # the original, then the article the link names
            edit = {**store.db["articles"].get(article_id), "published": "2020-06-30T00:00:00+08:00"}
            edit["body"] += "\n专家提醒，出现相关症状应及时就医。"
            assert store.save_recheck(article_id, edit) == "changed"
            stored, settled = clusters_as_settled(store)
            assert stored == settled
        with write_transaction(store.db):
            delete_articles(store.db.conn, "s1")
        stored, settled = clusters_as_settled(store)
        assert stored == settled and stored[0][2] == 12
    finally:
        store.close()


def test_an_alias_that_completes_a_link_makes_its_article_the_original(tmp_path, original):
    """A repost dated before the story names the story's page, not stored; the story is stored
    from another URL. Once that page is stored as an exact copy (an alias of the story), the
    repost's link points inside the cluster and the story becomes its original."""
    page = "https://www.thepaper.cn/newsDetail_forward_7738889"
    repost = {**reposts(original)[2], "published": "2020-06-01T00:00:00+08:00", "original_url": page}
    store = Store(tmp_path / "hw.db")
    try:
        early, story = store.save_articles([repost, {**original, "url": "https://m.thepaper.cn/x.html"}])
        assert cluster_ids(store, [early]) == cluster_ids(store, [story])
        assert store.cluster_of(story.article_id)["original"]["id"] == early.article_id  # dated first
        assert store.save_articles([original | {"url": page}])[0].status == "duplicate"
        assert store.cluster_of(story.article_id)["original"]["id"] == story.article_id
    finally:
        store.close()



def test_a_recheck_that_redates_the_original_hands_it_over(tmp_path, original):
    """The original is the earliest published member; a re-check that finds it edited and dated
    later makes the next earliest the original, at once and for the members that join after."""
    mirror, blog, portal, other = reposts(original)
    store = Store(tmp_path / "hw.db")
    try:
        first, second = store.save_articles([original, {**portal, "published": "2020-06-06T12:00:00+08:00"}])
        assert store.cluster_of(first.article_id)["original"]["id"] == first.article_id
        edit = {**original, "published": "2020-06-30T00:00:00+08:00", "body": original["body"] + "\n（更新）"}
        assert store.save_recheck(first.article_id, edit) == "changed"
        assert store.cluster_of(first.article_id)["original"]["id"] == second.article_id
        store.save_articles([{**mirror, "published": "2020-06-08T00:00:00+08:00"}])
        cluster = store.cluster_of(first.article_id)
        assert cluster["original"]["id"] == second.article_id and cluster["size"] == 3
    finally:
        store.close()


def test_latin_words_hash_each_word_as_before():
    import zlib

    from storage.dedup.minhash import latin_words

    words = ["loss", "of", "taste", "snake", "case", "ﬁne".replace("ﬁ", "fi"), "2024", "straße"]
    expected = "".join(chr(0xF0000 + zlib.crc32(w.encode("utf-8")) % 0x1FFFE) for w in words)
    assert latin_words("Loss of  TASTE, snake_case — ﬁne 2024 Straße!") == expected
    assert latin_words("") == latin_words("—") == ""


compiled_minhash = pytest.mark.skipif(D.minhash._compiled is None,
                                      reason="storage.dedup._minhash not built (pip install -e . compiles it)")


@compiled_minhash
def test_compiled_signature_and_word_hashes_equal_the_reference_on_real_pages():
    """The compiled kernels (_minhash.pyx) give what numpy and re give: the signature of every real
    fixture page's folded body and of its words, and the word hashes of its text, lowered or not
    (mixed scripts, digits, accents, full-width forms, '_' and combining marks among them)."""
    from storage.dedup import minhash

    pages = sorted(p for p in (Path(__file__).parent / "fixtures").rglob("*") if p.suffix in (".html", ".htm"))
    bodies = [extract(p.read_bytes(), "https://example.test/a.html").body for p in pages]
    bodies = [b for b in bodies if b] + ["Ünïcödé snake_case Ｆｕｌｌ２０２４ e\u0301t\u00e9 x²³ 中文混排 word"]
    assert len(bodies) > 40
    for body in bodies:
        for text in (body, body.lower(), body.lower().replace("_", " ")):
            assert np.array_equal(minhash._compiled.word_crcs(text), minhash.word_crcs_re(text))
        for hashes in (D.shingle_hashes(D.normalise(body)), D.shingle_hashes(minhash.latin_words(body))):
            assert np.array_equal(D.signature(hashes), minhash.signature_numpy(hashes))
    assert np.array_equal(D.signature(np.empty(0, dtype=np.uint32)), minhash.signature_numpy(np.empty(0, np.uint32)))
