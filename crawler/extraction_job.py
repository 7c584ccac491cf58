"""The work an extraction process does for a fetched page (crawler.pipelines.ExtractPipeline
sends it here): extraction, stitching multi-page articles, the content hash, the dedup
signature, the search index's texts and the body's citations. A module of its own so the pool's
processes import only this (no Scrapy: ~30 MB less each)."""
from __future__ import annotations

import gc
import os
import signal
import threading
from contextlib import contextmanager

from crawler.documents.citations import body_citations
from crawler.documents.links import named_attachments
from crawler.extract import decode_html, extract
from storage.store import presign  # (at start-up: its imports take ~0.2 s, not from the first page's time limit)

BASE_FIELDS = ("url", "request_url", "source", "fetched_at", "list_url", "recheck_of")


def _pool_started(parent: int | None = None) -> None:
    _die_with_parent(parent)
    return_large_blocks()
    gc.freeze()  # the imported modules are long-lived: keep them out of the cyclic collector's passes


def return_large_blocks() -> None:
    """glibc's malloc raises its mmap threshold each time a large block is freed, so after the first
    pages (185 KB bodies, their decoded text and trees) every page's buffers come from the heap,
    which fragments and never shrinks. A fixed threshold keeps blocks of 128 KB and more in their
    own mappings, returned to the system when freed; two arenas instead of eight per core for the
    crawl's threads. Measured on a 5,000-page crawl: ~40 MB less at the peak (crawl process and
    extraction process). Elsewhere than glibc: nothing."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        return


def _die_with_parent(parent: int | None) -> None:
    """A pool process outlives a crawl killed with SIGKILL (the watchdog's last resort) unless the
    kernel is told to end it with its parent (Linux's PR_SET_PDEATHSIG; elsewhere nothing)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent and os.getppid() != parent:  # the parent died before the call above
        os._exit(1)


class ExtractionTimeout(BaseException):
    """A page's extraction ran past its time limit. Not an Exception: the extractor's own
    `except Exception` (its promise never to raise) must not swallow it."""


def extract_item(item: dict, options: dict) -> dict:
    """A fetched page -> an "article" item (with its content hash and dedup signature worked out,
    so the store only looks them up) or an "error" item. Runs in a pool process, within
    options["timeout"] seconds: a pathological page (a regex blow-up, a huge table) fails as a
    transient error, retried by the next run, instead of holding a pool process for good."""
    seconds = options.get("timeout")
    try:
        with time_limit(seconds):
            return _extract_item(item, options)
    except ExtractionTimeout:
        return _error(item, f"extraction timed out after {seconds:g} s")


RETAKE_SECONDS = 0.05


@contextmanager
def time_limit(seconds: float | None):
    """Raise ExtractionTimeout in this thread after `seconds` of wall time (SIGALRM: only the main
    thread can take it, which a pool process's work runs in; elsewhere, or with no limit, nothing).
    Python code and the re module take the signal between steps; a single long C call (one lxml
    parse) is bounded by the page's size, and ends before the signal is taken."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    active = [True]

    def expire(signum, frame):
        if active[0]:
            raise ExtractionTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    # and again every RETAKE_SECONDS: an exception raised where Python cannot pass it on is dropped (a
    # weakref callback the collector ran just then: "Exception ignored in: WeakSet._remove"), and the
    # limit must still end the work
    signal.setitimer(signal.ITIMER_REAL, seconds, RETAKE_SECONDS)
    try:
        yield
    finally:
        active[0] = False  # from here an alarm does nothing
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:  # even if the alarm went off just now: the handler is not left behind
            signal.signal(signal.SIGALRM, previous)


def _extract_item(item: dict, options: dict) -> dict:
    content_type = item.get("content_type")
    if options.get("encoding"):  # the config knows better than the site's declaration
        content_type = f"text/html; charset={options['encoding']}"
    selectors = options.get("selectors")
    try:
        record = extract(item["html"], item["url"], content_type=content_type, selectors=selectors)
        stitch(record, item, content_type, selectors)
        if options.get("json_fields"):  # (imported here: it brings crawler.discovery, ~4 MB, to every process)
            from crawler.embedded_json import apply_json_fields

            apply_json_fields(record, decode_html(item["html"], content_type)[0], options["json_fields"])
    except Exception as exc:  # the extractor promises not to raise; if it does, keep the reason
        return _error(item, f"extraction failed: {type(exc).__name__}: {exc}"[:300])
    if not record.body.strip() and not record.attachments:
        return _error(item, f"no article text found ({', '.join(record.flags) or 'no text'})")
    named = named_attachments(item["html"], item["url"]) if options.get("attachments") else []
    article = {**{k: item.get(k) for k in BASE_FIELDS}, "kind": "article", **record.to_dict(), "named_attachments": named}
    if options.get("sign"):
        presign(article)
        article["_body_citations"] = body_citations(article)
    return article


def _error(item: dict, reason: str) -> dict:
    return {**{k: item.get(k) for k in BASE_FIELDS}, "kind": "error", "reason": reason,
            "http_status": item.get("status"), "permanent": False}


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
