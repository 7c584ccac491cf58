"""The anchor of bench/crawl_bench.py: raw Scrapy on the same site with the same concurrency.

It fetches every list page and every article page and reads the list pages' links (Scrapy's own
selectors), and does nothing with the articles: the cost of crawling alone.

    python -m bench.raw_crawl START_URL ARTICLE_REGEX PAGE_REGEX CONCURRENCY
"""
from __future__ import annotations

import re
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class RawSpider(scrapy.Spider):
    name = "raw"

    def __init__(self, start_url: str, article_re: str, page_re: str, **kwargs):
        super().__init__(**kwargs)
        self.start_url, self.article_re, self.page_re = start_url, re.compile(article_re), re.compile(page_re)

    async def start(self):
        yield scrapy.Request(self.start_url, callback=self.parse_list, priority=10)

    def parse_list(self, response):
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if self.article_re.search(url):
                yield scrapy.Request(url, callback=self.parse_article)
            elif self.page_re.search(url):
                yield scrapy.Request(url, callback=self.parse_list, priority=10)

    def parse_article(self, response):
        self.crawler.stats.inc_value("raw/articles")


def main(start_url: str, article_re: str, page_re: str, concurrency: str) -> None:
    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": int(concurrency),
        "REMOTE_CONTROL_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": True,
    })
    process.crawl(RawSpider, start_url=start_url, article_re=article_re, page_re=page_re)
    process.start()


if __name__ == "__main__":
    main(*sys.argv[1:5])
