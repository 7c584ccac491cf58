"""Text of an attachment's bytes, by file type: PDF (pypdfium2), DOCX (python-docx), XLSX
(openpyxl), XLS (xlrd), OFD (its XML pages), ZIP (each member), DOC/WPS/ET (LibreOffice).

Never raises for bad input: a broken or unsupported file comes back with `error` set, and a
PDF without a text layer (a scan) with `needs_ocr`, not as an empty text."""
from __future__ import annotations

import io
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from lxml import etree

from crawler.documents import office

TYPES = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip")
MIN_CHARS_PER_PAGE = 10  # a PDF page with less visible text than this is a scan (or a blank page)
ZIP_MAX_MEMBERS = 50
ZIP_MAX_BYTES = 64 * 1024 * 1024  # uncompressed, all members together: a zip bomb stops here


@dataclass
class DocumentText:
    type: str | None
    text: str | None = None
    pages: int | None = None  # PDF/OFD pages, spreadsheet sheets, zip members read
    error: str | None = None
    needs_ocr: bool = False


def file_type(name: str | None, url: str | None, content_type: str | None, data: bytes) -> str | None:
    """The document type, from the bytes first (sites serve PDFs as application/octet-stream
    under download.jsp?id=…), then the file name, the URL and the Content-Type."""
    suffix = _suffix(name) or _suffix(urlsplit(url or "").path) or _suffix_of_type(content_type)
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data) or suffix or "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .doc, .xls, .wps, .et share the container
        return suffix if suffix in ("doc", "xls", "wps", "et") else "doc"
    return suffix


def extract_text(data: bytes, name: str | None = None, url: str | None = None,
                 content_type: str | None = None) -> DocumentText:
    kind = file_type(name, url, content_type, data)
    if not data:
        return DocumentText(kind, error="empty file")
    if _looks_like_html(data):
        return DocumentText(kind, error=f"not a document: the server sent a web page ({content_type or 'text/html'})")
    reader = _READERS.get(kind)
    if reader is None:
        return DocumentText(kind, error=f"unsupported file type ({kind or content_type or 'unknown'})")
    try:
        found = reader(data)
    except office.NeedsLibreOffice as exc:
        return DocumentText(kind, error=str(exc))
    except Exception as exc:  # every library has its own exceptions for a damaged file
        return DocumentText(kind, error=f"unreadable {kind.upper()} file: {type(exc).__name__}: {exc}"[:300])
    found.type = kind
    if found.text is not None:
        found.text = _tidy(found.text)
        if not found.text and not found.needs_ocr and not found.error:
            found.error = "no text in the file"
            found.text = None
    return found


# -- readers ------------------------------------------------------------------------------------

# PDFium is not thread-safe, not even across documents: two calls at once corrupt or crash the process
# (pypdfium2's docs; an article's files are read in threads, asyncio.to_thread). One PDF at a time.
_PDFIUM = threading.Lock()


def read_pdf(data: bytes) -> DocumentText:
    import pypdfium2 as pdfium

    with _PDFIUM:
        pdf = pdfium.PdfDocument(data)
        try:
            pages = []
            for page in pdf:
                textpage = page.get_textpage()
                pages.append(textpage.get_text_bounded())
                textpage.close()
                page.close()
        finally:
            pdf.close()
    visible = sum(len(re.sub(r"\s", "", p)) for p in pages)
    if pages and visible < MIN_CHARS_PER_PAGE * len(pages):
        return DocumentText("pdf", text=None, pages=len(pages), needs_ocr=True,
                            error="no text layer (a scanned PDF): needs OCR")
    return DocumentText("pdf", text="\n\n".join(pages), pages=len(pages))


def read_docx(data: bytes) -> DocumentText:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = []
    for block in document.iter_inner_content():  # paragraphs and tables in document order
        if hasattr(block, "rows"):
            lines.extend(_row_text(_distinct_cells(row)) for row in block.rows)
        else:
            lines.append(block.text)
    return DocumentText("docx", text="\n".join(lines))


def read_xlsx(data: bytes) -> DocumentText:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = [_sheet_text(sheet.title, sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    finally:
        book.close()
    return DocumentText("xlsx", text="\n\n".join(sheets), pages=len(sheets))


def read_xls(data: bytes) -> DocumentText:
    import xlrd

    book = xlrd.open_workbook(file_contents=data)
    sheets = [_sheet_text(s.name, (s.row_values(r) for r in range(s.nrows))) for s in book.sheets()]
    return DocumentText("xls", text="\n\n".join(sheets), pages=len(sheets))


def read_ofd(data: bytes) -> DocumentText:
    """OFD (GB/T 33190, China's fixed-layout format): a zip of XML pages whose text sits in
    TextCode elements. No maintained Python reader exists, and the text needs only this."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted((n for n in archive.namelist() if re.search(r"Pages/Page_\d+/Content\.xml$", n)),
                       key=lambda n: [int(d) for d in re.findall(r"\d+", n)])
        pages = []
        for page_name in names:
            root = etree.fromstring(archive.read(page_name), etree.XMLParser(resolve_entities=False, no_network=True))
            lines = ["".join(code.itertext()) for code in root.iter("{*}TextCode")]
            pages.append("\n".join(lines))
    if not names:
        raise ValueError("no pages in the OFD package")
    return DocumentText("ofd", text="\n\n".join(pages), pages=len(pages))


def read_zip(data: bytes) -> DocumentText:
    """Each supported member's text under its name; members that fail are named in `error`."""
    parts, problems, total = [], [], 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()][:ZIP_MAX_MEMBERS]
        for member in members:
            total += member.file_size
            if total > ZIP_MAX_BYTES:
                problems.append(f"stopped at {member_name(member)}: over {ZIP_MAX_BYTES // 2**20} MB uncompressed")
                break
            name = member_name(member)
            found = extract_text(archive.read(member), name)
            if found.text:
                parts.append(f"【{name}】\n{found.text}")
            if found.error:
                problems.append(f"{name}: {found.error}")
    return DocumentText("zip", text="\n\n".join(parts), pages=len(parts),
                        error="; ".join(problems)[:500] or None, needs_ocr=False)


def read_with_libreoffice(kind: str):
    def read(data: bytes) -> DocumentText:
        converted, target = office.convert(data, kind)
        found = read_xlsx(converted) if target == "xlsx" else read_docx(converted)
        found.type = kind
        return found
    return read


_READERS = {
    "pdf": read_pdf, "docx": read_docx, "xlsx": read_xlsx, "xls": read_xls, "ofd": read_ofd, "zip": read_zip,
    "doc": read_with_libreoffice("doc"), "wps": read_with_libreoffice("wps"), "et": read_with_libreoffice("et"),
}


# -- helpers ------------------------------------------------------------------------------------

def member_name(member: zipfile.ZipInfo) -> str:
    """Zip member names from Chinese Windows tools are GBK without the UTF-8 flag; Python reads
    those as cp437, so they are re-decoded."""
    name = member.filename
    if not member.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def _suffix(path: str | None) -> str | None:
    suffix = PurePosixPath(unquote(path or "")).suffix.lower().lstrip(".")
    return suffix if suffix in TYPES else None


_CONTENT_TYPES = {
    "application/pdf": "pdf", "application/msword": "doc", "application/vnd.ms-excel": "xls",
    "application/zip": "zip", "application/ofd": "ofd", "application/x-zip-compressed": "zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


def _suffix_of_type(content_type: str | None) -> str | None:
    return _CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())


def _looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<script"))


def _row_text(cells) -> str:
    return "\t".join(str(v).strip() for v in cells if v is not None and str(v).strip())


def _distinct_cells(row):
    """A merged Word cell appears once per grid column it spans: read it once."""
    seen = set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            yield cell.text


def _sheet_text(title: str, rows) -> str:
    lines = [_row_text(_cell_value(v) for v in row) for row in rows]
    return "\n".join([f"【{title}】", *filter(None, lines)])


def _cell_value(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)  # xlrd reads every number as float: 1.0 -> 1
    return value


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t\u3000]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
