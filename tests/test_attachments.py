"""Attachments and citations in a real crawl: article pages on the local site link real files
(tests/fixtures/documents); the crawl downloads them (size-capped, once), stores their text or
why there is none, and links the documents' 文号 citations both ways."""
import asyncio
import gzip
import json
from urllib.parse import quote, urlencode

import pytest

from crawler.documents import office
from tests.conftest import ROOT, run_cli
from tests.sitekit import NewsSite, write_sources
from tests.test_crawl import rows
from tests.test_documents import FIXTURES, ofd_package
from tests.test_read_cli import cli

NOTICE = """<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/news/index.html">新闻</a></div>
<div class="article"><h1>{title}</h1>
<table class="bd1"><tr><td><b>发文字号：</b></td><td>{number}</td><td><b>发文机关：</b></td><td>国家卫生健康委</td></tr></table>
<div id="UCAP-CONTENT">{paragraphs}</div>
<div class="files">{links}</div></div>
<div class="footer">版权所有 国家卫生健康委员会</div></body></html>"""

A_TITLE = "国家卫生健康委办公厅关于开展2024年医疗机构药品目录核查工作的通知"
B_TITLE = "国家卫生健康委关于进一步规范医疗机构药品目录管理的通知"
C_TITLE = "国家卫生健康委办公厅关于公布第一批远程医疗协作网建设单位的通知"
# a real gov.cn 国务院办公厅 document (bench/pages/zh-gov-new/govcn_2, provenance in its truth.json), cited by B
GOV_PAGE = ROOT / "bench" / "pages" / "zh-gov-new" / "govcn_2" / "page.html.gz"
GOV_TITLE = "国务院办公厅关于印发国家组织药品集中采购和使用试点方案的通知"
OFD_TEXT = ["远程医疗协作网建设单位名单", "北京市：首都医科大学宣武医院远程会诊中心", "四川省：四川大学华西医院远程医学中心"]


def notice(title, number, paragraphs, links):
    return NOTICE.format(title=title, number=number, paragraphs="".join(f"<p>{p}</p>" for p in paragraphs),
                         links="".join(f'<p><a href="{href}">{name}</a></p>' for name, href in links)).encode()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("attachments")
    with NewsSite() as site:
        files = {name: (FIXTURES / name).read_bytes() for name in ("text.pdf", "scanned.pdf", "plan.docx",
                                                                   "名单.xlsx", "broken.pdf", "plan.doc", "名单.xls")}
        files["名单.ofd"] = ofd_package([OFD_TEXT])
        for name, data in files.items():
            site.add_raw(quote(f"/files/{name}"), 200, data, "application/octet-stream", listed=False)
        site.add_raw("/files/big.pdf", 200, b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 4096), "application/pdf", listed=False)
        # the list again behind a download script whose URL shows no file type: found by its 附件 name
        site.add_raw("/files/download.jsp", 200, files["名单.xlsx"], "application/octet-stream", listed=False)
        site.publish("b-number", notice(B_TITLE, "国卫医政发〔2024〕12号", [
            "各省、自治区、直辖市卫生健康委：为规范医疗机构药品目录管理，现就有关事项通知如下。",
            f"各地要按照《{A_TITLE}》要求，做好核查与本通知的衔接，确保药品目录管理规范有序，并及时报送工作进展。",
            f"药品目录管理要与《{GOV_TITLE}》（国办发〔2019〕2号）确定的集中采购中选药品使用要求相衔接。"],
            [("附件：核查通知", "/files/text.pdf")]))
        site.publish("c-list", notice(C_TITLE, "国卫办医政函〔2024〕120号", [
            "各省、自治区、直辖市卫生健康委：",
            "经各地推荐和专家评审，现将第一批远程医疗协作网建设单位名单予以公布，请各地加强指导，推动优质医疗资源下沉。"],
            [("1.工作方案（Word 97）", "/files/plan.doc"), ("2.医疗机构名单（Excel 97）", "/files/名单.xls"),
             ("3.建设单位名单（OFD）", "/files/名单.ofd")]))
        site.publish("govcn-2", gzip.decompress(GOV_PAGE.read_bytes()))
        site.publish("a-notice", notice(A_TITLE, "国卫办医政函〔2024〕88号", [
            "各省、自治区、直辖市卫生健康委：",
            "为贯彻落实《国务院办公厅关于进一步完善医疗卫生服务体系的意见》（国办发〔2023〕36号），"
            "按照国卫医政发［2024］12号文件要求，现就药品目录核查工作通知如下。",
            "一、各地要在2024年6月30日前完成辖区内二级以上医疗机构的药品目录核查。详见附件。"],
            [("1.核查通知（PDF）", "/files/text.pdf"), ("2.扫描件", "/files/scanned.pdf"),
             ("3.工作方案", "/files/plan.docx"), ("4.医疗机构名单", "/files/名单.xlsx"),
             ("5.损坏的文件", "/files/broken.pdf"), ("6.高清版", "/files/big.pdf"),
             ("附件7：名单下载", "/files/download.jsp?id=7")]))
        config, db = tmp_path / "sources.toml", tmp_path / "hw.db"
        write_sources(config, [("demo-docs", site, {})], attachment_max_mb=1)
        result = run_cli("crawl", "--config", config, "--db", db, timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
        yield {"site": site, "db": db, "config": config, "result": result}


def test_attachments_are_read_once_with_their_text_or_the_reason_why_not(crawled):
    db, site = crawled["db"], crawled["site"]
    articles = {r["title"]: r["id"] for r in rows(db, "SELECT id, title FROM articles")}
    assert set(articles) == {A_TITLE, B_TITLE, C_TITLE, GOV_TITLE}
    got = {r["name"]: r for r in rows(db, "SELECT * FROM attachments WHERE article_id = ?", articles[A_TITLE])}
    assert len(got) == 7, sorted(got)

    pdf = got["1.核查通知（PDF）"]
    [shared] = rows(db, "SELECT * FROM attachments WHERE article_id = ?", articles[B_TITLE])
    assert (pdf["type"], pdf["pages"], pdf["error"], pdf["needs_ocr"]) == ("pdf", 1, None, 0)
    assert "完成辖区内二级以上医疗机构的药品目录核查" in pdf["text"]
    assert pdf["bytes"] == len((FIXTURES / "text.pdf").read_bytes()) and len(pdf["sha256"]) == 64

    scan = got["2.扫描件"]
    assert scan["needs_ocr"] == 1 and scan["text"] is None and "OCR" in scan["error"]
    assert "自查\t2024年5月\t医疗机构自查药品目录" in got["3.工作方案"]["text"]
    table = got["4.医疗机构名单"]
    assert table["type"] == "xlsx" and table["pages"] == 2 and "北京协和医院" in table["text"]
    assert "unreadable PDF" in got["5.损坏的文件"]["error"] and got["5.损坏的文件"]["text"] is None
    big = got["6.高清版"]
    assert "larger than the download cap" in big["error"] and big["text"] is None and big["sha256"] is None

    # same bytes under another URL: downloaded, but read once (duplicate_of the first row)
    again = got["附件7：名单下载"]
    assert again["type"] == "xlsx" and again["duplicate_of"] == table["id"] and again["text"] == table["text"]
    # same URL for the other article: not downloaded again; whichever was stored second is the copy
    first, second = sorted([pdf, shared], key=lambda r: r["id"])
    assert first["duplicate_of"] is None and second["duplicate_of"] == first["id"] and second["text"] == first["text"]
    assert site.hits["/files/text.pdf"] == 1 and site.hits[quote("/files/名单.xlsx")] == 1


def test_citations_link_documents_both_ways_whatever_the_spelling(crawled):
    db, config = crawled["db"], crawled["config"]
    ids = {r["title"]: r["id"] for r in rows(db, "SELECT id, title FROM articles")}
    a, b = ids[A_TITLE], ids[B_TITLE]
    cited = rows(db, "SELECT number, title, attachment_id FROM citations WHERE article_id = ? ORDER BY id", a)
    numbers = [c["number"] for c in cited if c["number"]]
    # 国卫医政发［2024］12号 (body) and 国卫医政发[2024]12号 (plan.docx) are one citation
    assert numbers == ["国办发〔2023〕36号", "国卫医政发〔2024〕12号"]
    # the DOCX also cites a document by title only: recorded as from that attachment
    assert any(c["attachment_id"] and "临床路径管理指导原则" in (c["title"] or "") for c in cited)

    result = run_cli("cites", "国卫医政发[2024]12号", "--db", db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"#{b} {B_TITLE}")
    assert f"#{a} {A_TITLE}  (as 国卫医政发〔2024〕12号)" in result.stdout  # cited by A
    assert f"《{A_TITLE}》 → #{a} {A_TITLE}" in result.stdout  # B cites A by title

    from_a = run_cli("cites", str(a), "--db", db)
    assert f"国卫医政发〔2024〕12号 → #{b} {B_TITLE}" in from_a.stdout
    assert "国办发〔2023〕36号" in from_a.stdout and "not stored" in from_a.stdout
    assert f"#{b} {B_TITLE}  (as 《{A_TITLE}》)" in from_a.stdout

    unknown = run_cli("cites", "国办发（２０２３）第36号", "--db", db)
    assert "no stored document carries 国办发〔2023〕36号" in unknown.stdout and f"#{a} " in unknown.stdout
    bad = run_cli("cites", "hello", "--db", db)
    assert bad.returncode == 2 and "not a 文号" in bad.stderr and "Traceback" not in bad.stderr


def test_the_binary_office_formats_and_ofd_are_read_in_a_crawl(crawled):
    db = crawled["db"]
    [c] = [r["id"] for r in rows(db, "SELECT id FROM articles WHERE title = ?", C_TITLE)]
    got = {r["name"]: r for r in rows(db, "SELECT * FROM attachments WHERE article_id = ?", c)}
    xls, ofd, doc = got["2.医疗机构名单（Excel 97）"], got["3.建设单位名单（OFD）"], got["1.工作方案（Word 97）"]
    assert (xls["type"], xls["pages"], xls["error"]) == ("xls", 2, None) and "四川大学华西医院\t4300" in xls["text"]
    assert (ofd["type"], ofd["pages"], ofd["error"], ofd["text"]) == ("ofd", 1, None, "\n".join(OFD_TEXT))
    assert doc["type"] == "doc"
    if office.soffice():
        assert doc["error"] is None and "自查\t2024年5月\t医疗机构自查药品目录" in doc["text"]
    else:  # stored with the note, not as empty text
        assert doc["text"] is None and doc["error"].startswith("needs LibreOffice to read .doc files")


def test_search_names_the_attachment_a_hit_was_found_in(crawled):
    db = crawled["db"]
    ids = {r["title"]: r["id"] for r in rows(db, "SELECT id, title FROM articles")}
    a, b, c = ids[A_TITLE], ids[B_TITLE], ids[C_TITLE]

    def found(query):
        hits = json.loads(cli("search", query, "--json", "--db", db).stdout)
        return {h["id"]: [(x["name"], x["file"]) for x in h["in_attachments"]] for h in hits}, hits

    # only in the spreadsheets: A's 名单.xlsx (and the same file behind download.jsp), C's 名单.xls
    where, hits = found("北京协和医院")
    assert where == {a: [("4.医疗机构名单", "名单.xlsx"), ("附件7：名单下载", None)],
                     c: [("2.医疗机构名单（Excel 97）", "名单.xls")]}
    assert all("«北京协和医院»" in x["snippet"] for h in hits for x in h["in_attachments"])
    assert all(x["url"].startswith("http://127.0.0.1:") and x["id"] for h in hits for x in h["in_attachments"])
    # in A's body: no attachment named, though its PDF has the words too; B has them only in the PDF
    assert found("二级以上医疗机构")[0] == {a: [], b: [("附件：核查通知", "text.pdf")]}
    # one term in the title, the other only in an attachment: the attachment is named for that one;
    # in C both are in attachments (药品目录 in the .doc, where LibreOffice can read it)
    both = found("药品目录 北京协和医院")[0]
    assert both[a] == [("4.医疗机构名单", "名单.xlsx"), ("附件7：名单下载", None)]
    assert both.get(c) == ([("1.工作方案（Word 97）", "plan.doc"), ("2.医疗机构名单（Excel 97）", "名单.xls")]
                           if office.soffice() else None) and len(both) == (3 if office.soffice() else 2) - 1
    assert found("宣武医院")[0] == {c: [("3.建设单位名单（OFD）", "名单.ofd")]}
    doc_hit = found("医疗机构自查药品目录")[0]
    assert doc_hit[a] == [("3.工作方案", "plan.docx")]
    assert doc_hit.get(c) == ([("1.工作方案（Word 97）", "plan.doc")] if office.soffice() else None)

    lines = cli("search", "北京协和医院", "--jsonl", "--db", db).stdout.splitlines()
    assert {json.loads(line)["id"]: len(json.loads(line)["in_attachments"]) for line in lines} == {a: 2, c: 1}
    shown = cli("search", "北京协和医院", "--db", db).stdout
    assert "in attachment: 4.医疗机构名单 (名单.xlsx)  …" in shown and "北京协和医院" in shown
    assert "in attachment: 2.医疗机构名单（Excel 97） (名单.xls)" in shown
    body = cli("search", "二级以上医疗机构", "--db", db).stdout
    assert body.count("in attachment:") == 1 and "in attachment: 附件：核查通知 (text.pdf)" in body


def test_show_lists_what_a_document_cites_and_what_cites_it(crawled):
    db = crawled["db"]
    ids = {r["title"]: r["id"] for r in rows(db, "SELECT id, title FROM articles")}
    urls = {r["id"]: r["url"] for r in rows(db, "SELECT id, url FROM articles")}
    a, b, gov = ids[A_TITLE], ids[B_TITLE], ids[GOV_TITLE]

    shown = cli("show", str(a), "--db", db)
    assert shown.returncode == 0, shown.stdout
    text = shown.stdout
    cites, cited_by = text.index("cites ("), text.index("cited by (")
    assert cites < cited_by
    assert f"国卫医政发〔2024〕12号 → #{b} {B_TITLE}  {urls[b]}" in text[cites:cited_by]
    assert "国办发〔2023〕36号 《国务院办公厅关于进一步完善医疗卫生服务体系的意见》 → not stored" in text[cites:cited_by]
    assert "(in attachment: 3.工作方案)" in text[cites:cited_by]  # the DOCX's title citation
    assert f"#{b} {B_TITLE}  (as 《{A_TITLE}》)  {urls[b]}" in text[cited_by:]
    # the attachments as fetched: their type and text, or why none
    assert "4.医疗机构名单  (xlsx, " in text and "2.扫描件  (no text layer (a scanned PDF): needs OCR)" in text

    # the real gov.cn document: B cites it by its 文号; what it cites by title is not stored here
    real = cli("show", urls[gov], "--db", db).stdout
    assert f"#{b} {B_TITLE}  (as 国办发〔2019〕2号)  {urls[b]}" in real
    assert "《处方管理办法》 → not stored" in real and f"#{gov} " not in real.split("cites (", 1)[1].split("cited by")[0]

    data = json.loads(cli("show", str(b), "--json", "--db", db).stdout)
    by_number = {c["number"]: c["articles"] for c in data["cites"] if c["number"]}
    assert by_number["国办发〔2019〕2号"] == [gov]
    assert any(c["title"] == A_TITLE and c["articles"] == [a] for c in data["cites"])
    assert {c["article_id"] for c in data["cited_by"]} >= {a}
    assert [x["name"] for x in data["attachments"]] == ["附件：核查通知"] and data["attachments"][0]["type"] == "pdf"


def test_the_canned_search_query_names_the_attachment_too(crawled):
    """Datasette in this process (its own ASGI client, no port): the packaged canned query."""
    datasette_app = pytest.importorskip("datasette.app")
    import yaml

    from storage.datasette import METADATA

    db = crawled["db"]
    ids = {r["title"]: r["id"] for r in rows(db, "SELECT id, title FROM articles")}
    ds = datasette_app.Datasette([str(db)], metadata=yaml.safe_load(METADATA.read_text(encoding="utf-8")))

    async def search(q):
        response = await ds.client.get(f"/{db.stem}/search.json?" + urlencode({"q": q, "_shape": "array"}))
        assert response.status_code == 200, response.text
        return {r["id"]: r["in_attachment"] for r in response.json()}

    found = asyncio.run(search("宣武医院"))
    assert list(found) == [ids[C_TITLE]] and found[ids[C_TITLE]].startswith("3.建设单位名单（OFD）: ")
    assert "«宣武医院»" in found[ids[C_TITLE]]
    body = asyncio.run(search("二级以上医疗机构"))
    assert body[ids[A_TITLE]] is None and body[ids[B_TITLE]].startswith("附件：核查通知: ")


def test_an_attachment_that_failed_for_a_passing_reason_is_fetched_again_by_the_next_crawl(tmp_path):
    """A 503 and a missing LibreOffice pass: the next crawl downloads those files again (the article
    itself is not fetched again), stores their text and makes the article findable by it. A 404 is
    not asked for again, and a file read once is not downloaded again."""
    with NewsSite() as site:
        pdf, doc = (FIXTURES / "text.pdf").read_bytes(), (FIXTURES / "plan.doc").read_bytes()
        site.add_raw("/files/flaky.pdf", 503, b"maintenance", "text/html", listed=False)
        site.add_raw("/files/plan.doc", 200, doc, "application/msword", listed=False)
        site.add_raw("/files/gone.pdf", 404, b"gone", "text/html", listed=False)
        site.publish("late-files", notice(A_TITLE, "国卫办医政函〔2024〕88号", ["各省、自治区、直辖市卫生健康委：详见附件。"],
                                          [("1.核查通知", "/files/flaky.pdf"), ("2.工作方案", "/files/plan.doc"),
                                           ("3.已删除", "/files/gone.pdf")]))
        config, db = tmp_path / "sources.toml", tmp_path / "hw.db"
        write_sources(config, [("demo-docs", site, {})])

        first = run_cli("crawl", "--config", config, "--db", db, env={"HEALTHWATCH_SOFFICE": "/nonexistent/soffice"})
        assert first.returncode == 0, first.stdout + first.stderr
        got = {r["name"]: r for r in rows(db, "SELECT * FROM attachments")}
        assert got["1.核查通知"]["error"] == "HTTP 503" and got["3.已删除"]["error"] == "HTTP 404"
        assert got["2.工作方案"]["error"].startswith("needs LibreOffice")
        assert cli("search", "二级以上医疗机构", "--db", db, "--json").stdout.strip() == "[]"

        site.add_raw("/files/flaky.pdf", 200, pdf, "application/pdf", listed=False)  # the maintenance is over
        article_hits = site.article_hits()
        second = run_cli("crawl", "--config", config, "--db", db,
                         env={} if office.soffice() else {"HEALTHWATCH_SOFFICE": "/nonexistent/soffice"})
        assert second.returncode == 0, second.stdout + second.stderr
        assert site.article_hits() == article_hits  # the article is not fetched again, its files are
        got = {r["name"]: r for r in rows(db, "SELECT * FROM attachments")}
        assert got["1.核查通知"]["error"] is None and "完成辖区内二级以上医疗机构的药品目录核查" in got["1.核查通知"]["text"]
        assert got["1.核查通知"]["attempts"] == 1 and got["1.核查通知"]["next_attempt_at"] is None
        [hit] = json.loads(cli("search", "二级以上医疗机构", "--db", db, "--json").stdout)
        assert [x["name"] for x in hit["in_attachments"]] == ["1.核查通知"]
        assert site.hits["/files/gone.pdf"] == 1 and got["3.已删除"]["error"] == "HTTP 404"
        if office.soffice():  # CI installs LibreOffice (.ci/run)
            assert got["2.工作方案"]["error"] is None and "医疗机构自查药品目录" in got["2.工作方案"]["text"]
            assert site.hits["/files/plan.doc"] == 2

        fetched = dict(site.hits)
        assert run_cli("crawl", "--config", config, "--db", db).returncode == 0
        assert all(site.hits[f] == fetched[f] for f in ("/files/flaky.pdf", "/files/gone.pdf", "/files/plan.doc"))


def test_a_retry_that_fails_again_waits_longer_and_stops_after_the_give_up_time(tmp_path):
    """storage.attachments on a real database: each failed retry counts an attempt and backs off as a
    failing page does; past GIVE_UP_AFTER_DAYS since the first attempt the row is not due any more."""
    from datetime import datetime, timedelta, timezone

    from storage import attachments
    from storage.store import GIVE_UP_AFTER_DAYS, Store, utc_stamp

    store = Store(tmp_path / "hw.db")
    [saved] = store.save_articles([{"url": "https://www.nhc.gov.cn/a.html", "source": "nhc", "title": A_TITLE,
                                    "body": "各省、自治区、直辖市卫生健康委：详见附件。" * 5}])
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    [row_id] = attachments.save_attachments(store.db, saved.article_id, [
        {"name": "附件", "url": "https://www.nhc.gov.cn/f.pdf", "error": "HTTP 503", "fetched_at": utc_stamp(start)}])
    assert [r["id"] for r in attachments.due_retries(store.db, "nhc", office=False, now=start)] == [row_id]
    now = start
    for attempt in (2, 3, 4):
        attachments.save_retry(store.db, row_id, {"error": "TimeoutError: took too long"}, now=now)
        attempts, until = store.db.execute("SELECT attempts, next_attempt_at FROM attachments").fetchone()
        assert attempts == attempt and until == utc_stamp(now + timedelta(minutes=10 * 2 ** (attempt - 2)))
        assert attachments.due_retries(store.db, "nhc", office=False, now=now) == []
        now += timedelta(minutes=10 * 2 ** (attempt - 2))
        assert attachments.due_retries(store.db, "nhc", office=False, now=now)
    assert attachments.due_retries(store.db, "nhc", office=False, now=start + timedelta(days=GIVE_UP_AFTER_DAYS + 1)) == []
    store.close()
