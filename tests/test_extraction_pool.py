"""The extraction pool keeps pages queued for its processes (crawler.pipelines._deep_pool)."""
from __future__ import annotations

import concurrent.futures.process as futures_process

from crawler.pipelines import QUEUED_PAGES, WAITING_PAGES, _deep_pool


def test_the_pool_holds_queued_pages_and_other_executors_keep_the_standard_queue():
    standard = futures_process.EXTRA_QUEUED_CALLS
    pool = _deep_pool(1)
    try:
        assert pool._call_queue._maxsize == 1 + QUEUED_PAGES  # (the size the standard library gives it)
        assert futures_process.EXTRA_QUEUED_CALLS == standard
        assert [f.result(timeout=120) for f in [pool.submit(pow, 2, n) for n in range(20)]] == [2**n for n in range(20)]
    finally:
        pool.shutdown(wait=True)


def test_pages_beyond_a_full_pool_are_extracted_in_the_crawl_process_alike(tmp_path):
    """A burst of real pages: the pool takes its processes' pages and WAITING_PAGES more, the crawl
    process extracts the rest itself (they would only wait), and every page gives the article that
    extracting it alone gives."""
    import asyncio

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import MemoryStatsCollector

    from crawler.config import load_config
    from crawler.extraction_job import extract_item
    from crawler.pipelines import ExtractPipeline, SharedPool
    from spiders.source import SourceSpider
    from tests.sitekit import fixture_articles

    config = tmp_path / "sources.toml"
    config.write_text('[[sources]]\nname = "demo"\nstart_urls = ["http://news.test/index.html"]\n'
                      "article_pattern = '/a/'\n", encoding="utf-8")
    crawler = Crawler(SourceSpider, {"HEALTHWATCH_EXTRACT_PROCESSES": 1})  # as Crawler.crawl makes it, not started
    crawler.spider = crawler._create_spider(source="demo", loaded_config=load_config(config), db=str(tmp_path / "hw.db"))
    crawler.stats = MemoryStatsCollector(crawler)  # (Crawler.crawl makes it along with the engine and reactor)
    pipeline = ExtractPipeline.from_crawler(crawler)
    real = fixture_articles()
    pages = [{"kind": "page", "url": f"http://news.test/a/{n}.html", "source": "demo", "html": real[n % len(real)]["html"],
              "content_type": "text/html", "status": 200} for n in range(30)]

    async def burst():
        return await asyncio.gather(*[pipeline.process_item(dict(page)) for page in pages])

    pipeline.open_spider()
    try:
        articles = asyncio.run(burst())
    finally:
        pipeline.close_spider()
        crawler.spider.store.close()
    here = crawler.stats.get_value("healthwatch/extracted_in_crawl_process")
    assert here == len(pages) - (1 + WAITING_PAGES) > 0
    assert SharedPool.in_flight == 0
    options = {"sign": True, "timeout": 30}
    alone = [extract_item(dict(page), options) for page in pages]
    comparable = lambda a: {k: v for k, v in a.items() if k not in ("_signed", "named_attachments")}  # noqa: E731
    assert [comparable(a) for a in articles] == [comparable(a) for a in alone]
    assert all(a["kind"] == "article" for a in articles)
    assert [a["_signed"].text_hash for a in articles] == [a["_signed"].text_hash for a in alone]
