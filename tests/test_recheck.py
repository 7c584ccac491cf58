"""Re-checks (config `recheck`): an edited article becomes a revision with a readable diff,
a vanished one is marked gone, nothing is deleted."""
import time

from tests.sitekit import fixture_articles
from tests.test_crawl import crawl, rows


def test_recheck_keeps_revisions_and_marks_deleted_pages(site, config_for, tmp_path):
    config, db = config_for(site, recheck=["1s"]), tmp_path / "hw.db"
    assert crawl(config, db).returncode == 0
    assert len(rows(db, "select id from articles")) == 10

    # The publisher edits one article and deletes another.
    edited = next(a for a in fixture_articles() if a["id"] == "people_2024")
    first_paragraph = edited["truth"]["body_paragraphs"][0]
    html = edited["html"].decode("utf-8")
    assert first_paragraph[:20] in html
    corrected = html.replace(first_paragraph[:20], "【更正】" + first_paragraph[:20], 1).encode("utf-8")
    for index, (path, _, ctype) in enumerate(site.articles):
        if edited["id"] in path:
            site.articles[index] = (path, corrected, ctype)
        deleted_path = site.articles[0][0]
    site.raw[deleted_path] = (404, b"<html>gone</html>", "text/html")
    time.sleep(1.2)

    assert crawl(config, db).returncode == 0
    article = rows(db, "select * from articles where url like ?", f"%{edited['id']}%")[0]
    assert "【更正】" in article["body"], "the row shows the latest text"
    assert article["revision_count"] == 1 and article["updated_at"]
    revisions = rows(db, "select * from article_revisions where article_id = ? order by revision", article["id"])
    assert [r["revision"] for r in revisions] == [0, 1]
    assert "【更正】" not in revisions[0]["body"] and "【更正】" in revisions[1]["body"]
    assert "+" in revisions[1]["diff"] and "【更正】" in revisions[1]["diff"]

    gone = rows(db, "select gone_at, body from articles where url like ?", f"%{deleted_path}")[0]
    assert gone["gone_at"] and gone["body"], "a deleted page is marked, not removed"
    assert len(rows(db, "select id from articles")) == 10

    # Each offset is checked once: a third crawl fetches no article page again.
    hits = site.article_hits()
    crawl(config, db)
    assert site.article_hits() == hits
