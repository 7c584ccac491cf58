"""A slow attachment host does not hold a crawl's pages: the article pages answer at once, their
files come from another host that takes seconds a file (gov sites often serve PDFs from a file
server of their own), one of them never answers. The articles are stored in a time that does
not grow with the number of files; a file not read within the article's wait is stored with
why (a reason that may pass) and downloaded by the next crawl, never twice in one crawl."""
import threading
import time
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer

from crawler.documents.pipeline import NOT_FETCHED
from tests.conftest import run_cli
from tests.localserver import LocalServer, QuietHandler
from tests.sitekit import NewsSite, fixture_articles, write_sources
from tests.test_crawl import rows
from tests.test_documents import FIXTURES

ARTICLES, FILES_EACH, DELAY, WAIT = 8, 2, 3.0, 4.0
HANG = "/files/hang.pdf"


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the crawl gives up on a file it waited for: the reply meets a closed connection


class SlowFiles(LocalServer):
    """A file server at `localhost` (a download slot of its own, as a separate file host is):
    every file takes `delay` seconds, HANG answers only when `hang` is cleared."""

    def __init__(self):
        self.delay, self.hang = DELAY, threading.Event()
        self.hang.set()
        self.hits: dict[str, list[float]] = {}
        self.pdf = (FIXTURES / "text.pdf").read_bytes()
        files = self

        class Handler(QuietHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                if path == "/robots.txt":
                    return self.reply(404, b"", "text/plain")
                files.hits.setdefault(path, []).append(time.monotonic())
                if path == HANG:
                    while files.hang.is_set():
                        time.sleep(0.1)
                time.sleep(files.delay)
                # distinct bytes per file: each read for itself, not as a copy of the first
                self.reply(200, files.pdf + f"\n% {path}\n".encode(), "application/pdf")

        super().__init__(Handler, QuietServer)

    def url(self, path: str) -> str:
        return super().url(path).replace("127.0.0.1", "localhost")

    def counts(self, since: dict | None = None) -> dict[str, int]:
        """Requests per file (since an earlier count)."""
        since = since or {}
        return {path: n for path, times in self.hits.items() if (n := len(times) - since.get(path, 0))}

    def path(self, url: str) -> str:
        return url.split(f":{self.server.server_address[1]}", 1)[1]

    def __exit__(self, *exc):
        self.hang.clear()
        super().__exit__(*exc)


def test_a_slow_attachment_host_does_not_hold_the_crawl_and_its_files_come_next_run(tmp_path):
    with NewsSite() as site, SlowFiles() as files:
        pages = [a for a in fixture_articles() if "spam" not in a["id"]][:ARTICLES]
        for i, article in enumerate(pages):  # real article pages, each linking its files
            links = [(f"附件{j + 1}：名单", files.url(f"/files/{i}-{j}.pdf")) for j in range(FILES_EACH)]
            if i == 0:
                links.append(("附件：不回应的文件", files.url(HANG)))
            anchors = "".join(f'<p><a href="{href}">{name}</a></p>' for name, href in links).encode()
            site.publish(article["id"], article["html"].replace(b"</body>", anchors + b"</body>", 1))
        config, db = tmp_path / "sources.toml", tmp_path / "hw.db"
        # the default politeness: a delay (so AutoThrottle) and 2 requests at a time to a host
        write_sources(config, [("demo-docs", site, {"concurrency": 2, "delay": 0.1})])
        env = {"HEALTHWATCH_ATTACHMENT_WAIT": str(WAIT)}

        started = time.monotonic()
        first = run_cli("crawl", "--config", config, "--db", db, env=env)
        took = time.monotonic() - started
        assert first.returncode == 0, first.stdout + first.stderr
        print(f"first crawl {took:.1f} s")
        assert len(rows(db, "SELECT id FROM articles")) == ARTICLES
        # each article waiting for its files one after another, at the host's pace (AutoThrottle: about
        # one file per response time), and the one that never answers for its DOWNLOAD_TIMEOUT:
        # 89 s, the articles stored 28 to 86 s after their pages (147 s with Scrapy's retries)
        assert took < ARTICLES * DELAY / 2, took
        stored = rows(db, "SELECT * FROM attachments ORDER BY id")
        assert len(stored) == ARTICLES * FILES_EACH + 1
        read = [r for r in stored if r["text"]]
        unread = [r for r in stored if not r["text"]]
        assert read and unread and any(r["url"].endswith(HANG) for r in unread)
        for row in read:
            assert "完成辖区内二级以上医疗机构的药品目录核查" in row["text"] and row["error"] is None
        for row in unread:  # stored with why, for the next crawl to download again
            assert row["error"].startswith(NOT_FETCHED) and row["sha256"] is None and row["needs_ocr"] == 0, row
        assert set(files.counts().values()) == {1}  # never twice in a crawl

        # the host still slow (the hanging file answering now, as slowly): the next crawl's retries
        # wait for a place as an article does; those given one are read (a retry has the whole
        # DOWNLOAD_TIMEOUT), the others stay as they are, due
        files.delay = DELAY / 2
        files.hang.clear()
        before = files.counts()
        started = time.monotonic()
        retried = run_cli("crawl", "--config", config, "--db", db, env=env)
        assert retried.returncode == 0, retried.stdout + retried.stderr
        took = time.monotonic() - started
        print(f"retry crawl {took:.1f} s")
        # a retry waits for a place as long as an article, then has the whole DOWNLOAD_TIMEOUT: the
        # crawl ends a few files' time after the wait, not when the host has sent them all (15 files
        # at its pace, 1.5 s and AutoThrottle's as much again each: 45 s)
        assert took < ARTICLES * DELAY, took
        after = {r["id"]: r for r in rows(db, "SELECT * FROM attachments ORDER BY id")}
        late = [r for r in unread if after[r["id"]]["text"]]
        assert late and len(late) < len(unread)
        for row in unread:
            now = after[row["id"]]
            if not now["text"]:  # not asked: no attempt counted, no backoff, the same reason
                assert [now[k] for k in ("error", "attempts", "next_attempt_at")] == [
                    row[k] for k in ("error", "attempts", "next_attempt_at")], now
        asked = files.counts(since=before)
        assert set(asked.values()) == {1} and {files.path(r["url"]) for r in late} <= set(asked)
        assert not {files.path(r["url"]) for r in read} & set(asked)  # read in the first: not asked again
        unread = [r for r in unread if r not in late]

        files.delay = 0.0  # the host is quick again
        before = files.counts()
        last = run_cli("crawl", "--config", config, "--db", db, env=env)
        assert last.returncode == 0, last.stdout + last.stderr
        again = rows(db, "SELECT * FROM attachments ORDER BY id")
        assert all(r["text"] and r["error"] is None for r in again), [(r["url"], r["error"]) for r in again if not r["text"]]
        assert files.counts(since=before) == {files.path(r["url"]): 1 for r in unread}  # only the unread, once each


def test_an_article_that_stopped_waiting_for_a_file_another_read_takes_that_read(tmp_path):
    """Two articles link one file; the second stopped waiting for the first's download of it. Stored
    after the first, its row is the first's result, not a "not fetched yet" copy no crawl retries."""
    from crawler.documents.pipeline import store_documents
    from storage import attachments
    from storage.store import Store

    store = Store(tmp_path / "hw.db")
    url = "https://files.nhc.gov.cn/a.pdf"
    a, b = store.save_articles([
        {"url": f"https://www.nhc.gov.cn/{n}.html", "source": "nhc", "title": title, "body": body * 5}
        for n, title, body in (("a", "关于开展药品目录核查工作的通知", "各省卫生健康委：详见附件。"),
                               ("b", "关于公布远程医疗协作网建设单位的通知", "各地要加强指导，推动优质资源下沉。"))])
    read = {"name": "附件", "url": url, "type": "pdf", "bytes": 10, "sha256": "ab" * 32, "text": "名单全文",
            "pages": 1, "error": None, "needs_ocr": False, "fetched_at": "2026-12-03T10:00:00Z"}
    store_documents(store.db, a.article_id, {"attachment_files": [read]})
    waited = {"name": "附件一", "url": url, "error": f"{NOT_FETCHED}: files.nhc.gov.cn had not sent it",
              "needs_ocr": False, "fetched_at": "2026-12-03T10:00:01Z"}
    store_documents(store.db, b.article_id, {"attachment_files": [waited]})
    [row] = attachments.attachments_of(store.db, b.article_id)
    assert (row["name"], row["text"], row["error"]) == ("附件一", "名单全文", None)
    # with no read row to take, it stays what it is: due for the next crawl
    other = {**waited, "url": "https://files.nhc.gov.cn/b.pdf"}
    store_documents(store.db, b.article_id, {"attachment_files": [other]})
    due = attachments.due_retries(store.db, "nhc", office=False, now=datetime.now(timezone.utc))
    assert [r["url"] for r in due] == [other["url"]]
    store.close()
