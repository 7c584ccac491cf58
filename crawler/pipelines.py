"""Item pipelines: fetched page -> extracted article -> batched, transactional store.

Items are dicts with a "kind": "page" (raw bytes from the spider), "article" (after extraction)
or "error" (a page that could not be used, with its reason).
"""
from __future__ import annotations

import time

from crawler.documents.links import named_attachments
from crawler.embedded_json import apply_json_fields
from crawler.runbook import STORAGE_ERRORS
from crawler.extract import decode_html, extract

from crawler.documents.pipeline import store_documents

BATCH_SIZE = 20
BATCH_SECONDS = 2.0


class ExtractPipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if item.get("kind") != "page":
            return item
        source = self.crawler.spider.source
        content_type = item.get("content_type")
        if source.encoding:  # the config knows better than the site's declaration
            content_type = f"text/html; charset={source.encoding}"
        base = {k: item.get(k) for k in ("url", "request_url", "source", "fetched_at", "list_url", "recheck_of")}
        try:
            record = extract(item["html"], item["url"], content_type=content_type, selectors=source.selectors or None)
            stitch(record, item, content_type, source.selectors or None)
            if source.json_fields:
                apply_json_fields(record, decode_html(item["html"], content_type)[0], source.json_fields)
        except Exception as exc:  # the extractor promises not to raise; if it does, keep the reason
            return {**base, "kind": "error", "reason": f"extraction failed: {type(exc).__name__}: {exc}"[:300],
                    "http_status": item.get("status"), "permanent": False}
        if not record.body.strip() and not record.attachments:
            flags = ", ".join(record.flags) or "no text"
            return {**base, "kind": "error", "reason": f"no article text found ({flags})",
                    "http_status": item.get("status"), "permanent": False}
        named = named_attachments(item["html"], item["url"]) if source.attachments else []
        return {**base, "kind": "article", **record.to_dict(), "named_attachments": named}


def stitch(record, item: dict, content_type: str | None, selectors: dict | None) -> None:
    """A multi-page article: the bodies of its further pages follow the first page's."""
    more = item.get("more_pages") or []
    for html in more:
        record.body = "\n".join(filter(None, [record.body, extract(html, item["url"], content_type=content_type,
                                                                    selectors=selectors).body]))
    if more:
        record.flags.append(f"stitched_pages:{len(more) + 1}")
    if item.get("missing_pages"):
        record.flags.append(f"missing_pages:{item['missing_pages']}")


class StorePipeline:
    """Buffers articles and writes them in one transaction per batch; records errors at once."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.buffer: list[dict] = []
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        kind = item.get("kind")
        if kind == "error":
            self.crawler.spider.runbook.error(item["url"], item["reason"], http_status=item.get("http_status"),
                                              permanent=item.get("permanent", False), remember=not item.get("recheck_of"),
                                              retry_after=item.get("retry_after"))
        elif item.get("recheck_of"):  # a stored article fetched again: unchanged, changed or gone
            try:
                outcome = self.crawler.spider.store.save_recheck(item["recheck_of"], item if kind == "article" else None)
            except STORAGE_ERRORS as exc:
                self.crawler.spider.runbook.storage_failed(exc)
                return item
            self.crawler.stats.inc_value(f"healthwatch/recheck_{outcome}")
        elif kind == "article":
            self.crawler.stats.inc_value("healthwatch/articles_fetched")
            self.buffer.append(item)
            if len(self.buffer) >= BATCH_SIZE or time.monotonic() - self.last_flush > BATCH_SECONDS:
                self.flush()
        return item

    def close_spider(self):
        self.flush()

    def store_documents(self, store, article_id: int, item: dict) -> None:
        """The article is stored; a failure here loses its attachments' rows, not the article."""
        try:
            store_documents(store.db, article_id, item)
        except Exception as exc:
            self.crawler.spider.runbook.error(item["url"], f"storing its attachments and citations failed: "
                                              f"{type(exc).__name__}: {exc}"[:300], remember=False)

    def flush(self):
        self.last_flush = time.monotonic()
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        runbook = self.crawler.spider.runbook
        if runbook.fatal:  # the database already failed: these stay unstored, so the next run fetches them
            return
        try:
            outcomes = self.crawler.spider.store.save_articles(batch)
        except STORAGE_ERRORS as exc:  # a full disk, a read-only file: the run fails with the reason
            runbook.storage_failed(exc)
            return
        store = self.crawler.spider.store
        for item, outcome in zip(batch, outcomes):
            if outcome.status == "new":  # its attachments, 文号 and citations (crawler.documents)
                self.store_documents(store, outcome.article_id, item)
            stat = {"new": "new", "known": "known", "duplicate": "duplicates"}[outcome.status]
            self.crawler.stats.inc_value(f"healthwatch/{stat}")
