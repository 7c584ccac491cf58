"""The crawl step for documents: an article's attachments are downloaded through Scrapy's own
downloader (so the address guard, robots.txt, the per-host delay and concurrency and the browser
tier's cookies apply as to pages), size-capped, read to text off the reactor thread, and stored
with the article; then its 文号/title keys and citations are stored (store_documents).

The same pipeline runs in Redis workers (crawler.schedule.worker): the files travel to the ingester
with the article in hw:items and are stored there. A worker has no database: a URL stored in an
earlier round is in hw:attachments (kept by the ingester), and the worker sends only its name and
URL; the ingester copies the stored row's result (store_documents). The same bytes under a new URL
are downloaded (the worker cannot know their sha256) and stored as a copy of the first row. A file
to download again (`retry`) comes to the worker as a start entry of the round, and its result goes
back to the ingester in hw:items.

A slow file host must not hold the crawl. An article's files are downloaded at once (each host at
its own concurrency), and the article waits for them at most HEALTHWATCH_ATTACHMENT_WAIT seconds:
a file not read by then is stored as NOT_FETCHED, with why, and the next crawl downloads it (the
retry path: storage.attachments.due_retries). The pipeline lets a host's files into Scrapy's
downloader only as fast as the host's slot takes them (`_take_place`): waiting there, they counted in
its CONCURRENT_REQUESTS and stopped the crawl's page requests; and an article waiting for its files
holds its page in Scrapy's scraper buffer, so the wait is what bounds it. Measured on a file host
taking 3 s a file (tests/test_attachments_slow_host.py: 8 articles with 2 files each, one more that
never answers): the crawl took 89 s, its articles stored 28 to 86 s after their pages; with the wait
(4 s there) 6 s, all stored 4 s after."""
from __future__ import annotations

import asyncio
import hashlib
import re
import time
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.exceptions import DownloadTimeoutError

from crawler.documents.citations import Citation, document_keys, extract_citations
from crawler.documents.links import attachment_links
from crawler.documents.text import extract_text
from crawler.runbook import STORAGE_ERRORS
from storage import attachments as attachment_rows
from storage import citations as citation_rows


KEEP_READ = 2000  # files kept in memory for "never fetched twice" within a crawl (see _forget_old)
# How a file the crawl did not read in time is stored: a reason that may pass (storage.attachments
# retries it), never a result
NOT_FETCHED = "not fetched yet"


class AttachmentPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.max_bytes = crawler.settings.getint("HEALTHWATCH_ATTACHMENT_MAX_BYTES")
        self.per_article = crawler.settings.getint("HEALTHWATCH_ATTACHMENTS_PER_ARTICLE")
        self.wait = crawler.settings.getfloat("HEALTHWATCH_ATTACHMENT_WAIT")  # per article (and per retry)
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        # files in Scrapy's downloader at once: per host its slot's concurrency, in all half the crawl's
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.downloads = asyncio.Semaphore(max(1, crawler.settings.getint("CONCURRENT_REQUESTS") // 2))
        self.fetching: dict[str, asyncio.Task] = {}  # url -> its one download and reading, this crawl
        self.by_sha256: dict[str, dict] = {}  # files read this crawl

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item):
        spider = self.crawler.spider
        if item.get("kind") == "attachment_retry":
            await self.retry(item, spider)
            return item
        if item.get("kind") != "article" or item.get("recheck_of") or not spider.source.attachments:
            return item
        links = attachment_links(item.get("attachments"), item.pop("named_attachments", None), self.per_article)
        deadline = time.monotonic() + self.wait
        item["attachment_files"] = list(await asyncio.gather(*(self.attachment(link, spider, deadline) for link in links)))
        return item

    async def attachment(self, link: dict, spider, deadline: float) -> dict:
        """The attachment's row. Never fetched twice: a URL stored before or being fetched for
        another article of this crawl is not requested again (storage links the rows). Not read by
        the `deadline` (time.monotonic()): NOT_FETCHED, for the next crawl."""
        url = link["url"]
        db = _database(spider)
        earlier = attachment_rows.known_by_url(db, url) if db is not None else None
        if earlier:
            self.crawler.stats.inc_value("healthwatch/attachments_known")
            return {**_reuse(earlier), "name": link["name"], "url": url}
        if db is None and spider.store.attachment_known(url):  # a Redis worker: the ingester has the row
            self.crawler.stats.inc_value("healthwatch/attachments_known")
            return {"name": link["name"], "url": url, "stored_before": True}
        if url not in self.fetching:  # its download ends by this deadline (then it is read, however long)
            self.fetching[url] = asyncio.ensure_future(self.fetch_and_read(link, spider, deadline=deadline))
            self._forget_old()
            return dict(await asyncio.shield(self.fetching[url]))
        self.crawler.stats.inc_value("healthwatch/attachments_known")
        try:  # another article's (or a retry's) download: as long as this article waits
            async with asyncio.timeout_at(_loop_time(deadline)):
                return {**(await asyncio.shield(self.fetching[url])), "name": link["name"]}
        except TimeoutError:
            return self._not_fetched(link, "unsent")

    async def retry(self, item: dict, spider) -> None:
        """A stored article's attachment that failed for a reason that may pass (spiders.source
        yields them): downloaded and read again, its row updated at once. It waits for a place at
        its host as long as an article would (not given one: the row stays as it is, due again),
        then has the whole DOWNLOAD_TIMEOUT: nothing waits for it but the crawl's end."""
        from datetime import datetime, timezone

        link = {"name": item["name"], "url": item["url"]}
        # read here, never reused by its sha256: the stored row with these bytes may be this one, unread
        task = asyncio.ensure_future(self.fetch_and_read(link, spider, reuse=False, deadline=time.monotonic() + self.wait,
                                                         whole_timeout=True))
        self.fetching.setdefault(item["url"], task)  # an article of this crawl linking it takes this download
        self._forget_old()
        file = await asyncio.shield(task)
        if (file.get("error") or "").startswith(NOT_FETCHED):
            return
        if _database(spider) is None:  # a Redis worker: the ingester stores the result (Ingester._save_retry)
            item["file"] = file
            return
        try:
            read = attachment_rows.save_retry(_database(spider), item["attachment_id"], file,
                                              now=datetime.now(timezone.utc))
        except STORAGE_ERRORS as exc:
            spider.runbook.storage_failed(exc)
            return
        self.crawler.stats.inc_value("healthwatch/attachments_recovered" if read else "healthwatch/attachment_retries_failed")

    def _forget_old(self) -> None:
        """A Redis worker's pipeline lives for weeks: the files it read (their text) are not all kept.
        The oldest finished ones go; by then the store (or hw:attachments) knows them."""
        if len(self.fetching) > KEEP_READ:
            for url in [u for u, task in self.fetching.items() if task.done()][:len(self.fetching) - KEEP_READ // 2]:
                del self.fetching[url]
        if len(self.by_sha256) > KEEP_READ:
            for sha256 in list(self.by_sha256)[:len(self.by_sha256) - KEEP_READ // 2]:
                del self.by_sha256[sha256]

    def _not_fetched(self, link: dict, why: str) -> dict:
        """The row of a file not read in time: `why` "busy" (no place at its host by the deadline) or
        "unsent" (its host had not sent it by then)."""
        from storage.store import utc_now

        host = _host(link["url"])
        why = (f"{host} was busy with other files for the {self.wait:g} s wait" if why == "busy" else
               f"{host} had not sent it within the article's {self.wait:g} s")

        self.crawler.stats.inc_value("healthwatch/attachments_deferred")
        return {"name": link["name"], "url": link["url"], "fetched_at": utc_now(), "needs_ocr": False,
                "error": f"{NOT_FETCHED}: {why}; the next crawl downloads it"}

    async def fetch_and_read(self, link: dict, spider, *, deadline: float, reuse: bool = True,
                             whole_timeout: bool = False) -> dict:
        """The file's row. Not given a place at its host by the `deadline` (time.monotonic()), or
        not sent by then (unless `whole_timeout`: then DOWNLOAD_TIMEOUT once sent): NOT_FETCHED."""
        from storage.store import utc_now

        url = link["url"]
        row = {"name": link["name"], "url": url, "fetched_at": utc_now(), "needs_ocr": False}
        try:
            async with asyncio.timeout_at(_loop_time(deadline)):
                await self._take_place(url)
        except TimeoutError:
            return self._not_fetched(link, "busy")
        if not whole_timeout and self._sent_at(url) >= deadline:  # it would wait past it in the slot's queue
            self._leave_place(url)
            return self._not_fetched(link, "busy")
        try:
            body, content_type, problem = await self.download(url, spider, None if whole_timeout else deadline)
        finally:
            self._leave_place(url)
        if problem and problem.startswith("timed out") and not whole_timeout:
            return self._not_fetched(link, "unsent")
        if problem:
            self.crawler.stats.inc_value("healthwatch/attachment_errors")
            return {**row, "error": problem}
        row.update(bytes=len(body), sha256=hashlib.sha256(body).hexdigest())
        db = _database(spider)
        same = reuse and ((attachment_rows.known_by_sha256(db, row["sha256"]) if db is not None else None)
                          or self.by_sha256.get(row["sha256"]))
        if same:  # the same file under another URL: read once
            self.crawler.stats.inc_value("healthwatch/attachments_known")
            return {**_reuse(same), **row}
        name = row["name"] if "." in row["name"][-6:] else (_disposition_name(content_type[1]) or row["name"])
        found = await asyncio.to_thread(extract_text, body, name, url, content_type[0])
        row.update(type=found.type, text=found.text, pages=found.pages, error=found.error, needs_ocr=found.needs_ocr)
        self.crawler.stats.inc_value("healthwatch/attachments_read" if found.text else "healthwatch/attachment_errors")
        self.by_sha256[row["sha256"]] = row
        return row

    async def _take_place(self, url: str) -> None:
        """A place in Scrapy's downloader for a file of this host: at most as many as its slot
        downloads at once (the downloader itself lets a burst past that when the delay is 0), and
        half the crawl's CONCURRENT_REQUESTS in all. Files waiting in the downloader count in its
        CONCURRENT_REQUESTS, and while it is full no page is requested; each leaves the slow host's
        slot only after its delay, even one past its deadline. Measured with 26 article pages of 2
        files each on a host taking 3 s a file (wait 4 s): 9 s for the crawl with the places, 180 s
        without (the last pages requested 110 s after the first). The host's place first: a busy
        host holds none of the others'."""
        key = _host(url)
        if key not in self.hosts:
            downloader = self.crawler.engine.downloader
            concurrency = downloader.per_slot_settings.get(key, {}).get(
                "concurrency", downloader.ip_concurrency or downloader.domain_concurrency)
            self.hosts[key] = asyncio.Semaphore(max(1, concurrency))
        await self.hosts[key].acquire()
        try:
            await self.downloads.acquire()
        except BaseException:
            self.hosts[key].release()
            raise

    def _sent_at(self, url: str) -> float:
        """When the host's download slot would send a request now queued (time.monotonic(), as
        Scrapy's slots keep it): after the slot's delay (AutoThrottle's, for a slow host about its
        response time) for each request queued before it."""
        slot = self.crawler.engine.downloader.slots.get(_host(url))
        if slot is None or not slot.delay:
            return time.monotonic()
        return max(time.monotonic(), slot.lastseen + slot.delay) + len(slot.queue) * slot.delay

    def _leave_place(self, url: str) -> None:
        self.downloads.release()
        self.hosts[_host(url)].release()

    async def download(self, url: str, spider, deadline: float | None = None) -> tuple[bytes, tuple, str | None]:
        """(body, (Content-Type, Content-Disposition), problem). By the `deadline` (time.monotonic()),
        if one is given: the download handler (crawler.fetch.headers) times it out at what is left of
        it when the request leaves its download slot's queue (after the slot's delay)."""
        request = scrapy.Request(url, cookies=spider.source.cookies or None, dont_filter=True, meta={
            "role": "attachment", "download_maxsize": self.max_bytes, "download_warnsize": self.max_bytes,
            "handle_httpstatus_all": True, "download_timeout": self.timeout, "healthwatch_deadline": deadline,
            # no in-crawl retries: a file that hangs cost three DOWNLOAD_TIMEOUTs (90 s) with them, past
            # any wait; a reason that may pass is retried by the next crawl, with its backoff
            "dont_retry": True})
        try:
            response = await self.crawler.engine.download_async(request)
        except DownloadTimeoutError:
            return b"", (None, None), "timed out" if deadline else f"timed out after {self.timeout:g} s"
        except Exception as exc:  # refused address, DNS, over the size cap: the reason is kept
            return b"", (None, None), _download_problem(exc, self.max_bytes)
        headers = (_header(response, "Content-Type"), _header(response, "Content-Disposition"))
        if response.status >= 400:
            return b"", headers, f"HTTP {response.status}"
        if len(response.body) > self.max_bytes:
            return b"", headers, _too_large(len(response.body), self.max_bytes)
        return response.body, headers, None


def store_documents(db, article_id: int, item: dict) -> None:
    """After the article is stored (from this item, just now): its attachments, its keys and what
    it cites. The item may carry what its extraction process worked out: the index texts the article
    was stored with (`_index`) and the citations of its body (`_body_citations`:
    crawler.documents.citations.body_citations)."""
    files = [_stored_before(db, f) if f.get("stored_before") else _read_meanwhile(db, f)
             for f in item.get("attachment_files") or []]
    ids = attachment_rows.save_attachments(db, article_id, files, ahead=item.get("_index")) if files else []
    keys = document_keys(item.get("doc_number"), item.get("title"))
    cited, seen = [], set()
    body = item.get("body") or ""
    texts = [(None, body)] + [(i, f.get("text") or "") for i, f in zip(ids, files)]
    for attachment_id, text in texts:
        ahead = item.get("_body_citations") if attachment_id is None else None
        for citation in (map(Citation.from_dict, ahead) if ahead is not None else extract_citations(text, keys)):
            key = citation.number or ("title", citation.title)
            if key not in seen:
                seen.add(key)
                cited.append({"number": citation.number, "title": citation.title, "raw": citation.raw,
                              "attachment_id": attachment_id})
    citation_rows.save_document(db, article_id, keys, cited)


def _stored_before(db, file: dict) -> dict:
    """A file a Redis worker did not fetch because an earlier round stored it: that row's result."""
    from storage.store import utc_now

    earlier = attachment_rows.known_by_url(db, file["url"])
    if earlier is None:  # gone since (reset --articles): said so; the next article that links it fetches it
        return {**file, "fetched_at": utc_now(), "needs_ocr": False,
                "error": "not fetched: stored in an earlier round, but no longer in the database"}
    return {**_reuse(earlier), "name": file["name"], "url": file["url"]}


def _read_meanwhile(db, file: dict) -> dict:
    """A file this article stopped waiting for while another article's download of it went on: that
    article's row, when it was stored first. (Stored as the copy of that row, it would keep saying
    "not fetched yet", and copies are not retried.)"""
    if not (file.get("error") or "").startswith(NOT_FETCHED):
        return file
    earlier = attachment_rows.known_by_url(db, file["url"])
    return {**_reuse(earlier), "name": file["name"], "url": file["url"]} if earlier else file


def _host(url: str) -> str:
    """The file's host as Scrapy's downloader names its slot."""
    return urlsplit(url).hostname or ""


def _loop_time(deadline: float) -> float:
    """A time.monotonic() deadline on the event loop's clock."""
    return asyncio.get_running_loop().time() + deadline - time.monotonic()


def _database(spider):
    """The crawl's database; None in a Redis worker, which holds none."""
    return getattr(spider.store, "db", None)


def _reuse(row: dict) -> dict:
    keep = ("type", "bytes", "sha256", "text", "pages", "error", "needs_ocr", "fetched_at")
    return {k: row.get(k) for k in keep}


def _download_problem(exc: Exception, max_bytes: int) -> str:
    from crawler.fetch.middlewares import BlockedAddress

    message = str(exc)
    if isinstance(exc, BlockedAddress):
        return message
    if "max size" in message or "maxsize" in message or "larger than" in message:
        return _too_large(None, max_bytes)
    return f"{type(exc).__name__}: {message}"[:300]


def _too_large(size: int | None, max_bytes: int) -> str:
    shown = f"{size / 2**20:.1f} MB, " if size else ""
    return f"larger than the download cap ({shown}cap {max_bytes / 2**20:g} MB): not read"


def _disposition_name(value: str | None) -> str | None:
    if not value:
        return None
    match = re.search(r"filename\*=(?:UTF-8'')?([^;]+)|filename=\"?([^\";]+)", value, re.I)
    return unquote((match.group(1) or match.group(2)).strip()) if match else None


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("utf-8", "replace") if value else None
