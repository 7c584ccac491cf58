"""Attachment text and 文号 citations on real files and real policy texts."""
import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from crawler.documents import office
from crawler.documents.citations import document_keys, extract_citations, normalise_number
from crawler.documents.text import extract_text, file_type
from crawler.extract import extract

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "documents"
# the gov.cn capture of ../shared/fixtures, copied into the repository (same bytes)
GOV_CN = ROOT / "tests" / "fixtures" / "extract" / "gov.cn"


def read(name: str):
    return extract_text((FIXTURES / name).read_bytes(), name)


def test_a_text_pdf_gives_its_text_and_page_count():
    found = read("text.pdf")
    assert (found.type, found.pages, found.error, found.needs_ocr) == ("pdf", 1, None, False)
    assert "国卫办医政函〔2024〕88号" in found.text and "核查结果请按附件格式报送" in found.text


def test_pdfs_read_in_threads_at_once_all_give_their_text():
    # an article's files are read in threads (asyncio.to_thread); PDFium is not thread-safe: without the lock
    # in read_pdf this failed to load documents, returned garbled text or crashed the process (in a child
    # process here, so a crash fails the test instead of ending the run)
    import subprocess
    import sys

    script = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from crawler.documents.text import read_pdf\n"
        "data = Path(sys.argv[1]).read_bytes()\n"
        "want = read_pdf(data).text\n"
        "bad = []\n"
        "def work():\n"
        "    for _ in range(25):\n"
        "        try:\n"
        "            bad.extend([] if read_pdf(data).text == want else ['text'])\n"
        "        except Exception as exc:\n"
        "            bad.append(type(exc).__name__)\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(len(bad), 'bad of 200')\n")
    done = subprocess.run([sys.executable, "-c", script, str(FIXTURES / "text.pdf")], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "0 bad of 200", (done.returncode, done.stdout, done.stderr[-500:])


def test_a_scanned_pdf_is_marked_needs_ocr_not_stored_as_empty_text():
    found = read("scanned.pdf")
    assert found.needs_ocr and found.text is None and found.pages == 1
    assert "OCR" in found.error


def test_docx_paragraphs_and_tables_in_order_merged_cells_once():
    text = read("plan.docx").text
    lines = text.splitlines()
    assert lines[0] == "医疗机构药品目录核查工作方案"
    assert "核查进度安排" in lines and lines.count("核查进度安排") == 1  # merged across three columns
    assert lines.index("阶段\t时间\t内容") < lines.index("自查\t2024年5月\t医疗机构自查药品目录")


def test_an_xlsx_list_reads_every_sheet_and_row():
    found = read("名单.xlsx")
    assert found.type == "xlsx" and found.pages == 2
    assert "【第一批】" in found.text and "【第二批】" in found.text
    assert "3\t广东省\t中山大学附属第一医院\t3000" in found.text and "四川大学华西医院" in found.text


def test_broken_and_non_documents_say_why():
    assert "unreadable PDF" in read("broken.pdf").error
    page = extract_text(b"<!DOCTYPE html><html><body>404</body></html>", "x.pdf", content_type="text/html")
    assert page.text is None and "not a document" in page.error
    assert extract_text(b"", "x.docx").error == "empty file"
    assert "unsupported" in extract_text(b"just text", "notes.txt").error


def test_the_type_comes_from_the_bytes_before_the_name():
    data = (FIXTURES / "名单.xlsx").read_bytes()
    assert file_type("download.jsp", "https://x.gov.cn/download.jsp?id=7", "application/octet-stream", data) == "xlsx"
    assert file_type(None, None, None, (FIXTURES / "text.pdf").read_bytes()) == "pdf"


def test_a_zip_reads_its_members_with_gbk_names():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("plan.docx", (FIXTURES / "plan.docx").read_bytes())
        archive.writestr("XXXX.xlsx", (FIXTURES / "名单.xlsx").read_bytes())
        archive.writestr("broken.pdf", (FIXTURES / "broken.pdf").read_bytes())
    # as a Chinese Windows zip tool writes it: GBK name bytes (same length here), no UTF-8 flag
    data = buffer.getvalue().replace(b"XXXX.xlsx", "名单.xlsx".encode("gbk"))
    found = extract_text(data, "附件.zip")
    assert found.type == "zip" and found.pages == 2
    assert "【名单.xlsx】" in found.text and "北京协和医院" in found.text and "核查进度安排" in found.text
    assert "broken.pdf: unreadable PDF" in found.error


def test_doc_wps_et_need_libreoffice_and_say_so(monkeypatch):
    # a machine without LibreOffice: the program the code runs is not there (nothing is mocked)
    monkeypatch.setenv("HEALTHWATCH_SOFFICE", "/nonexistent/soffice")
    assert office.soffice() is None
    doc, xls = (FIXTURES / "plan.doc").read_bytes(), (FIXTURES / "名单.xls").read_bytes()
    for name, data in (("plan.doc", doc), ("通知.wps", doc), ("名单.et", xls)):
        found = extract_text(data, name)
        assert found.text is None and found.error.startswith("needs LibreOffice") and name.split(".")[1] in found.error
        assert "apt-get install libreoffice-writer-nogui" in found.error
    # .xls needs no LibreOffice (xlrd reads it)
    assert "北京协和医院" in extract_text(xls, "名单.xls").text


def libreoffice():
    if office.soffice() is None:
        pytest.skip("LibreOffice is not installed here (apt-get install libreoffice-writer-nogui "
                    "libreoffice-calc-nogui): .doc/.wps/.et conversion untested")


def test_a_real_doc_reads_through_libreoffice_like_its_docx():
    libreoffice()
    found = read("plan.doc")  # LibreOffice's own .doc (see the fixtures' README)
    assert (found.type, found.error) == ("doc", None)
    assert found.text == read("plan.docx").text  # paragraphs, then the table row by row, merged cell once
    assert "阶段\t时间\t内容" in found.text.splitlines()
    wps = extract_text((FIXTURES / "plan.doc").read_bytes(), "方案.wps")  # the Writer filter reads it by content
    assert (wps.type, wps.text) == ("wps", found.text)


def test_an_xls_list_reads_with_or_without_libreoffice_and_an_et_through_it():
    xls = read("名单.xls")
    assert (xls.type, xls.pages, xls.error) == ("xls", 2, None)
    assert xls.text == read("名单.xlsx").text
    libreoffice()
    et = extract_text((FIXTURES / "名单.xls").read_bytes(), "名单.et")  # .et → .xlsx → openpyxl
    assert (et.type, et.pages, et.error, et.text) == ("et", 2, None, xls.text)


def ofd_package(pages: list[list[str]]) -> bytes:
    """An OFD file as GB/T 33190-2016 lays it out: OFD.xml → Doc_0/Document.xml → one Content.xml
    per page, text in TextObject/TextCode (one TextCode per line, as 数科/福昕 writers emit)."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
                         "<ofd:DocBody><ofd:DocInfo><ofd:DocID>healthwatch-test</ofd:DocID></ofd:DocInfo>"
                         "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        archive.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}>'
                         "<ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea>"
                         "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>"
                         + "".join(f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
                         + "</ofd:Pages></ofd:Document>")
        for n, lines in enumerate(pages):
            objects = "".join(
                f'<ofd:TextObject ID="{100 * n + i + 10}" Boundary="20 {30 + 8 * i} 170 8" Font="3" Size="4.2">'
                f'<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="6">{line}</ofd:TextCode></ofd:TextObject>'
                for i, line in enumerate(lines))
            archive.writestr(f"Doc_0/Pages/Page_{n}/Content.xml",
                             f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content>'
                             f'<ofd:Layer ID="{100 * n + 5}">{objects}</ofd:Layer></ofd:Content></ofd:Page>')
    return buffer.getvalue()


def test_an_ofd_reads_its_pages_in_order():
    pages = [[f"第{n + 1}页", f"互联网医院监管平台接入名单（{n + 1}）"] for n in range(11)]
    data = ofd_package(pages)
    assert file_type("download.jsp", None, "application/octet-stream", data) == "ofd"  # by its bytes
    found = extract_text(data, "名单.ofd")
    assert (found.type, found.pages, found.error) == ("ofd", 11, None)
    # Page_10 after Page_9, not after Page_1
    assert found.text.split("\n\n") == ["\n".join(lines) for lines in pages]
    empty = extract_text(ofd_package([]), "x.ofd")
    assert empty.text is None and "no pages in the OFD package" in empty.error


@pytest.mark.parametrize("written", ["国卫医政发〔2024〕12号", "国卫医政发[2024]12号", "国卫医政发［2024］12号",
                                     "国卫医政发（2024）12号", "国卫医政发(２０２４)第１２号", "国卫医政发 〔 2024 〕 012 号",
                                     "根据国卫医政发【2024】12号", "按照国卫医政发〔2024〕12号文件"])
def test_doc_number_spellings_normalise_to_one(written):
    assert normalise_number(written) == "国卫医政发〔2024〕12号"


def test_citations_in_a_real_gov_cn_document_by_title():
    page = (GOV_CN / "gongbao_2007_23.html").read_bytes()
    record = extract(page, "http://www.gov.cn/gongbao/content/2007/content_678.htm")
    cited = extract_citations(record.body, document_keys(record.doc_number, record.title))
    assert [c.title for c in cited] == ["国务院关于提请审议财政部发行特别国债购买外汇及调整2007年末国债余额限额的议案"]


def test_real_gov_cn_policy_documents_do_not_cite_themselves():
    """gov.cn 国务院办公厅 documents (bench/pages/zh-gov-new, real captures): their own 文号 is
    printed in the body and is a key, not a citation; the documents they name are citations."""
    folder = ROOT / "bench" / "pages" / "zh-gov-new" / "govcn_2"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    record = extract(gzip.decompress((folder / "page.html.gz").read_bytes()), "http://www.gov.cn/zhengce/content/x.htm")
    keys = document_keys(record.doc_number, truth["title"])
    assert ("number", "国办发〔2019〕2号") in keys and "国办发〔2019〕2号" in record.body
    # the notice issues the 试点方案: citations naming the plan reach this document
    assert ("title", "国家组织药品集中采购和使用试点方案") in keys
    cited = extract_citations(record.body, keys)
    assert all(c.number != "国办发〔2019〕2号" for c in cited)
    assert {"处方管理办法", "医院处方点评管理规范(试行)"} <= {c.title for c in cited}


def test_a_title_with_its_number_is_one_citation():
    text = read("text.pdf").text  # the PDF's text layer breaks "36\n号" across a line
    cited = extract_citations(text, document_keys("国卫办医政函〔2024〕88号", None))
    assert [(c.number, c.title) for c in cited] == [
        ("国办发〔2023〕36号", "国务院办公厅关于进一步完善医疗卫生服务体系的意见"), ("国卫医政发〔2024〕12号", None)]
