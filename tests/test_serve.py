"""`healthwatch serve`: a real Datasette process on 127.0.0.1 over the crawled database, its JSON API,
canned queries, the table's own search box, and a headless Chromium screenshot of the search page."""
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from storage.search import matching_ids
from tests.conftest import ROOT
from tests.searchkit import like_truth, search_db  # noqa: F401 (fixture)

CHROMIUM = "/usr/bin/chromium"
QUERIES = ("search", "latest", "per_source_per_day", "by_publisher", "stories", "watch_hits", "fetch_failures",
           "revisions")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base: str, path: str, **params) -> bytes:
    url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def get_json(base, path, **params):
    return json.loads(get(base, path, **params))


@pytest.fixture(scope="module")
def datasette(search_db):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--db", str(search_db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            get(base, "/-/versions.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("Datasette did not start: " + (proc.stdout.read() if proc.stdout else ""))
            time.sleep(0.3)
    yield base, search_db.stem
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def cli_ids(db, query) -> set[int]:
    conn = sqlite3.connect(db)
    try:
        return set(matching_ids(conn, query))
    finally:
        conn.close()


def test_canned_search_finds_a_two_character_term(datasette, search_db):
    base, name = datasette
    truth = like_truth(search_db, "医保")
    assert truth, "医保 occurs in the test pages"
    rows = get_json(base, f"/{name}/search.json", q="医保", _shape="array")
    assert {r["id"] for r in rows} == truth
    assert any("«医保»" in (r["snippet"] or "") for r in rows)  # the term in context


def test_the_table_search_box_returns_what_healthwatch_search_finds(datasette, search_db):
    base, name = datasette
    for query in ("医保", "醫保", "集采 OR 新冠", "医保 -集采", '"国家组织"'):
        rows = get_json(base, f"/{name}/articles.json", _search=query, _shape="array", _col="title")
        assert {r["id"] for r in rows} == cli_ids(search_db, query), query
    assert {r["id"] for r in get_json(base, f"/{name}/articles.json", _search="医保", _shape="array")} == \
        like_truth(search_db, "医保")
    # a stray quote does not break the box: the words are searched
    assert get_json(base, f"/{name}/articles.json", _search='"医保', _shape="array")


def test_metadata_labels_hidden_columns_and_every_canned_query(datasette):
    base, name = datasette
    page = get(base, f"/{name}/articles").decode("utf-8")
    assert "来源 (publisher as shown on the page)" in page  # a column label
    assert 'data-column="title"' in page and 'data-column="body"' not in page  # heavy column hidden in HTML
    full = get_json(base, f"/{name}/articles.json", _shape="array", _size="1")
    assert "body" in full[0]  # the JSON API stays whole
    for query in QUERIES:
        params = {"q": "医保"} if query == "search" else {}
        result = get_json(base, f"/{name}/{query}.json", _shape="objects", **params)
        assert result.get("ok", True) and "rows" in result, (query, result)
    stories = get_json(base, f"/{name}/stories.json", _shape="array")
    assert isinstance(stories, list)


def test_a_headless_browser_renders_the_search_page(datasette, tmp_path):
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package chromium)")
    base, name = datasette
    url = f"{base}/{name}/search?" + urllib.parse.urlencode({"q": "医保"})
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--window-size=1280,900", f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "search.png"
    try:
        taken = subprocess.run([*flags, f"--screenshot={shot}", url], capture_output=True, text=True, timeout=90)
        dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=90)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"Chromium could not run here: {exc}")
    if not shot.exists():
        pytest.skip(f"Chromium could not start here: {taken.stderr.strip()[-300:]}")
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000, "a real rendered page, not a blank image"
    assert "zh_govcn_2" in dom.stdout and "«医保»" in dom.stdout, dom.stdout[-3000:]  # the hit and its snippet
