"""Attachments and citations in a real crawl: article pages on the local site link real files
(tests/fixtures/documents); the crawl downloads them (size-capped, once), stores their text or
why there is none, and links the documents' 文号 citations both ways."""
from urllib.parse import quote

import pytest

from tests.conftest import run_cli
from tests.sitekit import NewsSite, write_sources
from tests.test_crawl import rows
from tests.test_documents import FIXTURES

NOTICE = """<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/news/index.html">新闻</a></div>
<div class="article"><h1>{title}</h1>
<table class="bd1"><tr><td><b>发文字号：</b></td><td>{number}</td><td><b>发文机关：</b></td><td>国家卫生健康委</td></tr></table>
<div id="UCAP-CONTENT">{paragraphs}</div>
<div class="files">{links}</div></div>
<div class="footer">版权所有 国家卫生健康委员会</div></body></html>"""

A_TITLE = "国家卫生健康委办公厅关于开展2024年医疗机构药品目录核查工作的通知"
B_TITLE = "国家卫生健康委关于进一步规范医疗机构药品目录管理的通知"


def notice(title, number, paragraphs, links):
    return NOTICE.format(title=title, number=number, paragraphs="".join(f"<p>{p}</p>" for p in paragraphs),
                         links="".join(f'<p><a href="{href}">{name}</a></p>' for name, href in links)).encode()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("attachments")
    with NewsSite() as site:
        files = {name: (FIXTURES / name).read_bytes() for name in ("text.pdf", "scanned.pdf", "plan.docx",
                                                                   "名单.xlsx", "broken.pdf")}
        for name, data in files.items():
            site.add_raw(quote(f"/files/{name}"), 200, data, "application/octet-stream", listed=False)
        site.add_raw("/files/big.pdf", 200, b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 4096), "application/pdf", listed=False)
        # the list again behind a download script whose URL shows no file type: found by its 附件 name
        site.add_raw("/files/download.jsp", 200, files["名单.xlsx"], "application/octet-stream", listed=False)
        site.publish("b-number", notice(B_TITLE, "国卫医政发〔2024〕12号", [
            "各省、自治区、直辖市卫生健康委：为规范医疗机构药品目录管理，现就有关事项通知如下。",
            f"各地要按照《{A_TITLE}》要求，做好核查与本通知的衔接，确保药品目录管理规范有序，并及时报送工作进展。"],
            [("附件：核查通知", "/files/text.pdf")]))
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
    assert set(articles) == {A_TITLE, B_TITLE}
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
