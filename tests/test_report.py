"""`healthwatch report`: one self-contained HTML file (no network needed to open it), page text
escaped, opened in headless Chromium and screenshotted; and the PNG output."""
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from crawler.report import CHROMIUM_FLAGS, chromium
from tests.conftest import run_cli
from tests.sitekit import NewsSite, fixture_articles, write_sources
from tests.test_crawl import crawl

PAGES = fixture_articles()
HOSTILE = '<script>alert("x")</script>卫健委通报 & <b>加粗</b>'


def hostile_page() -> bytes:
    """A page whose title carries markup: the report must show it as text."""
    return (f'<html><head><meta charset="utf-8"><title>{HOSTILE.replace("<", "&lt;")}</title></head><body>'
            f'<h1>{HOSTILE.replace("<", "&lt;")}</h1><div>发布时间：2024-05-20 10:00 来源：测试</div>'
            + "".join(f"<p>第{n}段：医保支付方式改革持续推进，各地落实分级诊疗。</p>" for n in range(8))
            + "</body></html>").encode("utf-8")


@pytest.fixture(scope="module")
def crawled_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    with NewsSite() as news, NewsSite() as other:
        for page in PAGES[:6]:
            news.publish(page["id"], page["html"])
        other.publish("hostile", hostile_page())
        config = write_sources(folder / "sources.toml", [("gd-health-commission", news, {}),
                                                         ("gov-policy-latest", other, {})])
        assert crawl(config, folder / "hw.db").returncode == 0
    return config, folder / "hw.db", folder


def test_report_is_self_contained_and_escaped(crawled_db):
    config, db, folder = crawled_db
    out = folder / "report.html"
    result = run_cli("report", "--days", "7", "-o", out, "--config", config, "--db", db)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page.lower(), "page text is escaped, and the report runs no script"
    assert "&lt;script&gt;alert" in page
    assert not re.search(r'(?:src|href)="https?://(?!127\.0\.0\.1)', page), "nothing to fetch from the network"
    assert not re.search(r"<link|@import|url\(", page)
    assert page.count("<svg") == 2 and "gd-health-commission" in page and "Source health" in page
    assert "Failed runs" in page and "Newest articles" in page


def test_report_opens_in_headless_chromium(crawled_db):
    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium here (Debian: apt-get install chromium): the report is not screenshotted")
    config, db, folder = crawled_db
    out = folder / "shown.html"
    assert run_cli("report", "-o", out, "--config", config, "--db", db).returncode == 0
    shot = folder / "report-screenshot.png"
    with tempfile.TemporaryDirectory() as profile:
        try:
            done = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1400",
                                   f"--screenshot={shot}", "--dump-dom", out.resolve().as_uri()],
                                  capture_output=True, text=True, timeout=90)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"Chromium could not start here: {exc}")
    if done.returncode != 0 and "<svg" not in done.stdout:
        pytest.skip(f"Chromium could not start here: {done.stderr.strip()[-300:]}")
    assert "gd-health-commission" in done.stdout and "<rect" in done.stdout, "the browser drew the chart's DOM"
    assert shot.stat().st_size > 10_000, "a real screenshot, not a blank page"
    Path("/tmp/healthwatch-report-screenshot.png").write_bytes(shot.read_bytes())  # to look at by hand


def test_report_as_png(crawled_db):
    if chromium() is None:
        pytest.skip("no Chromium here: `report -o x.png` needs it (the .html does not)")
    config, db, folder = crawled_db
    png = folder / "report.png"
    result = run_cli("report", "-o", png, "--config", config, "--db", db, timeout=120)
    if result.returncode != 0 and "could not draw" in result.stderr:
        pytest.skip(f"Chromium could not start here: {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
