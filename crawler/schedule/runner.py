"""Running crawls now, in this process: `healthwatch crawl`. All named sources crawl at once
in one Scrapy process; each writes its own crawl_runs row, which is what the summary shows."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.config import Config

COUNTERS = ("pages", "articles_fetched", "new", "known", "duplicates", "errors")


def scrapy_settings(log_level: str = "WARNING", log_file: str | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", bool(log_file), priority="cmdline")  # keep the live view clean
    if log_file:
        settings.set("LOG_FILE", log_file, priority="cmdline")
    return settings


def crawl_now(config: Config, names: list[str], db: Path, *,
              on_progress: Callable[[dict[str, dict]], None] | None = None,
              log_level: str = "WARNING", log_file: str | None = None) -> dict[str, dict]:
    """Crawl the named sources once; returns source -> its crawl_runs row."""
    from spiders.source import SourceSpider

    process = CrawlerProcess(scrapy_settings(log_level, log_file))
    crawlers = {}
    for name in names:
        crawler = process.create_crawler(SourceSpider)
        crawlers[name] = crawler
        process.crawl(crawler, source=name, config=str(config.origin), db=str(db), loaded_config=config)
    if on_progress:
        from twisted.internet import task

        def report():
            on_progress({name: progress(crawler) for name, crawler in crawlers.items()})

        loop = task.LoopingCall(report)
        loop.start(0.5, now=False)
        process.start()
        report()
    else:
        process.start()
    return {name: _final_row(crawler) for name, crawler in crawlers.items()}


def progress(crawler) -> dict:
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:  # the crawl has not started (or could not)
        stats = {}
    state = "done" if stats.get("finish_reason") else ("running" if stats.get("start_time") else "queued")
    return {"state": state, **{key: stats.get(f"healthwatch/{key}", 0) for key in COUNTERS}}


def _final_row(crawler) -> dict:
    spider = getattr(crawler, "spider", None)
    if spider is None or not getattr(spider, "runbook", None) or not spider.runbook.run_id:
        return {"status": "failed", "finish_reason": "did not start"}
    from storage.store import Store

    fatal = spider.runbook.fatal
    try:
        store = Store(spider.store.path)
        try:
            row = store.run(spider.runbook.run_id)
        finally:
            store.close()
    except Exception as exc:  # the database cannot even be read back (a full disk, a vanished file)
        row = {"status": "failed", "finish_reason": f"could not read the run back: {exc}"}
    if fatal and row.get("status") != "failed":  # the row could not be updated: the run still failed
        row = {**row, "status": "failed", "finish_reason": fatal}
    return row
