"""Scrapy settings for every healthwatch crawl. Per-source values (delay, concurrency, headers,
robots) are applied by the spider from the source's config before the crawl starts."""
import os

BOT_NAME = "healthwatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Wall-clock seconds one page's extraction may take in its pool process (crawler.extraction_job):
# past it the page fails, "extraction timed out after N s", and the next run retries it. A normal
# page takes ~5 ms; a 5 MB page of 60,000 paragraphs ~1.2 s.
HEALTHWATCH_EXTRACT_TIMEOUT = float(os.environ.get("HEALTHWATCH_EXTRACT_TIMEOUT") or 30)

ROBOTSTXT_OBEY = True
HEALTHWATCH_ROBOTS_TIMEOUT = 10  # seconds for robots.txt, no retries (crawler.fetch.middlewares.RobotsTimeout)
USER_AGENT = "healthwatch/0.1 (+https://github.com/healthwatch/healthwatch)"
DOWNLOAD_TIMEOUT = 30  # Scrapy's default of 180 s lets one dead server hold a run for minutes
RETRY_TIMES = 2
CONCURRENT_REQUESTS = 16
# Scrapy starts this many asyncio tasks for every response's output, however little it holds (2.19's
# _parallel_asyncio); ours is one page item or a list's links: 100 (the default) cost the reactor's thread
# ~1 ms per page for nothing
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
COOKIES_ENABLED = True
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5  # a chain longer than this is a loop or a trap
DOWNLOAD_FAIL_ON_DATALOSS = True  # fewer bytes than Content-Length: a failure to retry, never a page
# The address guard in the connection path: each host resolved once, every address checked, pinned.
TWISTED_DNS_RESOLVER = "crawler.fetch.address_guard.GuardedResolver"
MEDIA_ALLOW_REDIRECTS = False
HEALTHWATCH_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024  # the config's attachment_max_mb
HEALTHWATCH_ATTACHMENTS_PER_ARTICLE = 20
# Seconds an article waits for its attachments (downloaded at once) before it goes on to be stored:
# a file not sent by then is stored "not fetched yet", and the next crawl downloads it, with the
# whole DOWNLOAD_TIMEOUT (crawler.documents.pipeline). A waiting article holds its page in Scrapy's
# scraper buffer (5 MB, then no page is requested): at the crawl bench's 185 KB average page, 27
# articles, so with every one waiting 10 s pages still go through at 2.7 a second, more than the
# default politeness (delay 1 s, 2 at a time: at most 2 a second) asks for.
HEALTHWATCH_ATTACHMENT_WAIT = float(os.environ.get("HEALTHWATCH_ATTACHMENT_WAIT") or 10)
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# Response headers in all (Twisted caps one line, not their sum): past this the request fails,
# "response headers over 256 KB" (crawler.fetch.headers). Chromium's own limit.
HEALTHWATCH_HEADERS_MAXSIZE = 256 * 1024
DOWNLOAD_HANDLERS = {
    "http": "crawler.fetch.headers.CappedHeadersDownloadHandler",
    "https": "crawler.fetch.headers.CappedHeadersDownloadHandler",
}
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 opens a code-executing HTTP endpoint by default
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    "crawler.fetch.address_guard.PrivateAddressGuard": 50,  # before anything touches the network
    "crawler.fetch.middlewares.RobotsTimeout": 60,
    "crawler.fetch.middlewares.ConditionalGet": 560,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetch.middlewares.RetryAfterAware": 550,  # Scrapy's place; no in-run retry past a Retry-After
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.fetch.middlewares.HopRedirects": 600,
    "crawler.fetch.middlewares.RedirectStubs": 580,  # meta refresh and JavaScript redirect stubs
    "crawler.fetch.browser.BrowserTier": 570,  # before CookiesMiddleware (700): its cookies join the jar
}
SPIDER_MIDDLEWARES = {
    "crawler.fetch.middlewares.SkipKnownArticles": 600,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.documents.pipeline.AttachmentPipeline": 500,
    "crawler.pipelines.StorePipeline": 800,
}
