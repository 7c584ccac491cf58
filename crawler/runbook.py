"""The record of one crawl of one source: its crawl_runs row, its errors, its list pages.

Opened when the spider opens, closed after the pipelines have flushed (spider_closed), so the
list-page completeness it records sees every article the crawl stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from storage.store import Store

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
    list_ok: int = 0  # list pages that answered 200 or 304
    list_blocked: int = 0  # list pages that answered with an anti-bot challenge

    def open(self) -> None:
        self.store.close_interrupted_runs(self.source)
        self.run_id = self.store.start_run(self.source)

    def list_fetched(self, url: str, *, etag: str | None, last_modified: str | None, listed: list[str],
                     whole: bool = True) -> None:
        self.list_ok += 1
        self.crawler.stats.inc_value("healthwatch/pages")
        self.list_pages[url] = ListPage(url, etag, last_modified, listed, whole)

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
            self.reasons.append({"url": url, "reason": reason})
        if remember:
            self.store.record_failure(self.source, url, reason, http_status=http_status, permanent=permanent,
                                      retry_after=retry_after)

    def close(self, finish_reason: str) -> dict:
        # A run that ended early may not have followed its list pages' pagination: none of them is
        # complete, so the next run reads them (and the pages after them) again instead of a 304.
        finished = finish_reason == "finished"
        for page in self.list_pages.values():
            self.store.save_list_page(self.source, page.url, etag=page.etag, last_modified=page.last_modified,
                                      listed=page.listed, settled=finished and page.whole)
        counts = {
            key: self.crawler.stats.get_value(f"healthwatch/{key}", 0)
            for key in ("pages", "not_modified", "articles_fetched", "new", "known", "duplicates", "errors",
                        "deferred", "skipped_links")
        }
        self.store.finish_run(self.run_id, status=self._status(finish_reason, counts), finish_reason=finish_reason,
                              counts=counts, error_reasons=self.reasons)
        return self.store.run(self.run_id)

    def _status(self, finish_reason: str, counts: dict) -> str:
        if finish_reason not in ("finished",):
            return "timeout" if finish_reason == "closespider_timeout" else "stopped"
        if self.list_ok == 0:  # not one list page could be read: the source failed outright
            return "blocked" if self.list_blocked else "failed"
        return "partial" if counts["errors"] else "ok"
