"""The record of one crawl of one source: its crawl_runs row, its errors, its list pages.

Opened when the spider opens, closed after the pipelines have flushed (spider_closed), so the
list-page completeness it records sees every article the crawl stored.
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field

from crawler.masking import mask
from storage.store import Store

logger = logging.getLogger(__name__)
STORAGE_ERRORS = (sqlite3.Error, OSError)  # a full disk, a read-only or vanished file, a lock held too long

MAX_REASONS = 200  # error reasons kept per run; the count is always exact


@dataclass
class ListPage:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    listed: list[str] | None = None  # None: answered 304 Not Modified
    whole: bool = True  # False: the body was cut short (its links are used, the page is never complete)


@dataclass
class RunBook:
    store: Store
    source: str
    crawler: object  # the Scrapy crawler; its stats exist once the crawl starts
    run_id: int = 0
    reasons: list[dict] = field(default_factory=list)
    list_pages: dict[str, ListPage] = field(default_factory=dict)
    failed_lists: dict[str, bool] = field(default_factory=dict)  # list pages that failed -> gone for good
    list_ok: int = 0  # list pages that answered 200 or 304
    list_blocked: int = 0  # list pages that answered with an anti-bot challenge
    fatal: str | None = None  # why the run could not go on (the database cannot be written): it fails

    def fail(self, reason: str) -> None:
        """End the run as failed, with its reason: nothing fetched from here on could be stored,
        and what was not stored stays unknown, so the next run fetches it."""
        if self.fatal is None:
            self.fatal = reason = mask(reason)
            logger.error("%s: %s; closing the crawl", self.source, reason)
            self.crawler.stats.inc_value("healthwatch/errors")
            self.reasons.append({"url": "", "reason": reason})
            from scrapy.utils.defer import deferred_from_coro

            if self.crawler.engine is not None and self.crawler.engine.spider is not None:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="database_error"))

    def storage_failed(self, exc: BaseException) -> None:
        self.fail(f"database write failed: {exc}")

    def open(self) -> None:
        try:
            self.store.close_interrupted_runs(self.source)
            self.run_id = self.store.start_run(self.source)
        except STORAGE_ERRORS as exc:
            self.fail(f"database write failed: {exc}")

    def callback_failed(self, failure, response, spider=None) -> None:
        """An exception in a spider callback (Scrapy only logs it): the page's work is lost, so count it."""
        url = response.meta.get("list_url") or response.meta.get("request_url") or response.url
        self.error(url, f"crawler error: {failure.type.__name__}: {failure.getErrorMessage()}"[:300], remember=False)

    def item_failed(self, item, response, spider=None, failure=None) -> None:
        """An exception in a pipeline (Scrapy only logs it): the item is lost, so count it."""
        if failure is not None and failure.check(*STORAGE_ERRORS):
            self.storage_failed(failure.value)
            return
        what = f"{failure.type.__name__}: {failure.getErrorMessage()}" if failure is not None else "unknown"
        self.error(str((item or {}).get("url") or ""), f"pipeline error: {what}"[:300], remember=False)

    def list_fetched(self, url: str, *, etag: str | None, last_modified: str | None, listed: list[str],
                     whole: bool = True) -> None:
        self.list_ok += 1
        self.crawler.stats.inc_value("healthwatch/pages")
        self.list_pages[url] = ListPage(url, etag, last_modified, listed, whole)

    def list_failed(self, url: str, gone: bool = False) -> None:
        """A list page that could not be read (its error is counted by `error`): the next run
        reads it again, whatever the pages before it answer."""
        self.failed_lists[url] = gone

    def list_not_modified(self, url: str) -> None:
        self.list_ok += 1
        self.crawler.stats.inc_value("healthwatch/pages")
        self.crawler.stats.inc_value("healthwatch/not_modified")
        self.list_pages[url] = ListPage(url)

    def error(self, url: str, reason: str, *, http_status: int | None = None, permanent: bool = False,
              remember: bool = True, blocked: bool = False, retry_after: float | None = None) -> None:
        """Count and keep the reason; `remember` records the URL in fetch_failures (article pages)."""
        self.crawler.stats.inc_value("healthwatch/errors")
        self.list_blocked += blocked
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append({"url": mask(url), "reason": mask(reason)})
        if remember and self.fatal is None:
            try:
                self.store.record_failure(self.source, url, reason, http_status=http_status, permanent=permanent,
                                          retry_after=retry_after)
            except STORAGE_ERRORS as exc:
                self.storage_failed(exc)

    def close(self, finish_reason: str) -> dict:
        # A run that ended early may not have followed its list pages' pagination: none of them is
        # complete, so the next run reads them (and the pages after them) again instead of a 304.
        finished = finish_reason == "finished" and self.fatal is None
        try:
            for page in self.list_pages.values():
                self.store.save_list_page(self.source, page.url, etag=page.etag, last_modified=page.last_modified,
                                          listed=page.listed, settled=finished and page.whole)
            for url, gone in self.failed_lists.items():
                if url not in self.list_pages:  # not read later in the run after all
                    self.store.list_page_failed(self.source, url, gone=gone)
        except STORAGE_ERRORS as exc:
            self.storage_failed(exc)
        counts = {
            key: self.crawler.stats.get_value(f"healthwatch/{key}", 0)
            for key in ("pages", "not_modified", "articles_fetched", "new", "known", "duplicates", "errors",
                        "deferred", "skipped_links")
        }
        counts["links"] = self.links_listed()
        status = self._status(finish_reason, counts)
        reason = self.fatal or finish_reason
        try:
            if not self.run_id:
                raise sqlite3.OperationalError("the run was never opened")
            self.store.finish_run(self.run_id, status=status, finish_reason=reason, counts=counts,
                                  error_reasons=self.reasons)
            return self.store.run(self.run_id)
        except STORAGE_ERRORS as exc:  # not even the run can be recorded: say so where we can
            logger.error("%s: could not record run %s (%s: %s): %s", self.source, self.run_id, status, reason, exc)
            return {"id": self.run_id, "source": self.source, "status": "failed",
                    "finish_reason": f"{reason}; the run could not be recorded: {exc}", **counts,
                    "error_reasons": "[]"}

    def links_listed(self) -> int | None:
        """Article links on the list pages read in full this run; None when all answered 304."""
        read = [len(page.listed) for page in self.list_pages.values() if page.listed is not None]
        return sum(read) if read else None

    def _status(self, finish_reason: str, counts: dict) -> str:
        if self.fatal:
            return "failed"
        if finish_reason not in ("finished",):
            return "timeout" if finish_reason == "closespider_timeout" else "stopped"
        if self.list_ok == 0:  # not one list page could be read: the source failed outright
            return "blocked" if self.list_blocked else "failed"
        return "partial" if counts["errors"] else "ok"
