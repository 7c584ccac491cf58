"""The browser tier: a site that answers plain clients with a JavaScript cookie challenge
(NHC's 瑞数 412 + `$_ts`) is opened once in a real Chromium; the cookies it earns are kept per
host in the database, with their expiry, and plain Scrapy requests carry them until the site
challenges again. Only then is the browser started again.

Why Playwright directly and not scrapy-playwright's download handler: the handler sends every
request of a crawl through the browser, while here the browser only earns cookies (one launch
per expiry) and the pages, lists and attachments are fetched by Scrapy as usual."""
from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.http import HtmlResponse
from scrapy.utils.defer import deferred_from_coro

from crawler.fetch.challenge import SMALL_TEXT, challenge

logger = logging.getLogger(__name__)

NEEDS_BROWSER = "needs the browser tier: pip install -e '.[browser]' and apt-get install chromium"
# flags for Debian's Chromium in containers and CI (no sandbox user namespace, no GPU, no updater)
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
# 瑞数 pages reload themselves within seconds; a page stuck longer is given up
SOLVE_TIMEOUT_SECONDS = float(os.environ.get("HEALTHWATCH_BROWSER_TIMEOUT") or 45)
CHALLENGED_DELAY = 5.0  # seconds between requests to a challenged host (randomised by Scrapy)
MAX_SOLVES_PER_CRAWL = 20  # a safety valve: a site whose cookies last minutes still gets crawled


def chromium_path() -> str | None:
    configured = os.environ.get("HEALTHWATCH_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def tier_problem() -> str | None:
    """None when the browser tier can run here, else what is missing (with the fix)."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return f"{NEEDS_BROWSER} (the Python package playwright is not installed)"
    if chromium_path() is None:
        return f"{NEEDS_BROWSER} (no Chromium found{' at $HEALTHWATCH_CHROMIUM' if os.environ.get('HEALTHWATCH_CHROMIUM') else ''})"
    return None


def source_problem(source) -> str | None:
    """Why this source cannot be crawled here (it needs the browser tier, which is missing)."""
    return tier_problem() if source.browser else None


@dataclass
class Earned:
    cookies: list[dict]  # Playwright's cookie dicts (name, value, domain, path, expires, …)
    user_agent: str
    html: str
    url: str


class BrowserFailed(RuntimeError):
    pass


async def earn_cookies(url: str, expect, timeout: float | None = None) -> Earned:
    """One browser run with a driver of its own (doctor, tests); a crawl keeps a Launcher."""
    launcher = Launcher()
    try:
        return await launcher.earn(url, expect, timeout)
    finally:
        await launcher.stop()


class Launcher:
    """Playwright's driver, started once per crawl on the first challenge (it takes seconds to
    start); Chromium itself is launched for each browser run and closed after it."""

    def __init__(self):
        self.playwright = None

    async def stop(self) -> None:
        if self.playwright is not None:
            playwright, self.playwright = self.playwright, None
            await playwright.stop()

    async def earn(self, url: str, expect, timeout: float | None = None) -> Earned:
        """Open `url` in a fresh Chromium until the page passes `expect(html)`, and keep its
        cookies. The browser is closed again: it is needed once per expiry, not for the crawl."""
        from playwright.async_api import async_playwright

        executable = chromium_path()
        if executable is None:
            raise BrowserFailed(tier_problem() or NEEDS_BROWSER)
        if self.playwright is None:
            try:
                self.playwright = await async_playwright().start()
            except Exception as exc:  # its driver is a program of its own: it may be missing or broken
                raise BrowserFailed(f"Playwright's driver would not start: {exc}"[:300]) from None
        return await _run_browser(self.playwright, executable, url, expect, timeout or SOLVE_TIMEOUT_SECONDS)


async def _run_browser(playwright, executable: str, url: str, expect, timeout: float) -> Earned:
    from playwright.async_api import Error as PlaywrightError

    try:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
    except PlaywrightError as exc:
        raise BrowserFailed(f"Chromium would not start: {str(exc).splitlines()[0][:200]}") from None
    try:
        # the plain requests that follow carry this User-Agent: a site may bind its cookie to it,
        # and "HeadlessChrome" is what challenge scripts look for first. Chrome's own reduced
        # form, built from the version (reading navigator.userAgent costs a page)
        user_agent = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      f"Chrome/{browser.version.split('.')[0]}.0.0.0 Safari/537.36")
        context = await browser.new_context(user_agent=user_agent, locale="zh-CN")
        page = await context.new_page()
        try:
            await page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        except PlaywrightError as exc:
            raise BrowserFailed(f"the browser could not open {url}: {str(exc).splitlines()[0][:200]}") from None
        html = await _wait_for(page, expect, timeout)
        return Earned(await context.cookies(), user_agent, html, page.url)
    finally:
        await browser.close()


async def _wait_for(page, expect, timeout: float) -> str:
    """The page's HTML once `expect` accepts it. The challenge reloads the page (maybe more than
    once), so the content is read again until then; a read during a navigation just waits."""
    from playwright.async_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    html = ""
    while time.monotonic() < deadline:
        try:
            html = await page.content()
            if expect(html):
                return html
        except PlaywrightError:
            pass  # "execution context was destroyed": the page is navigating
        await asyncio.sleep(0.3)
    marker = challenge(412, html.encode()) or "the expected content never appeared"
    raise BrowserFailed(f"the page did not pass the challenge in {timeout:.0f} s ({marker})")


def expectation(source, role: str | None):
    """Success judged positively: the page shows what this source's pages show (its list or
    body selector), or at least a page's worth of text; never just "no challenge marker"."""
    from lxml import html as lxml_html

    selector = source.list_selector if role == "list" else (source.selectors or {}).get("body")

    def expect(html: str) -> bool:
        if not html or challenge(200, html.encode()):
            return False
        try:
            root = lxml_html.fromstring(html)
        except Exception:
            return False
        if selector:
            return bool(root.cssselect(selector))
        return len(re.sub(r"\s", "", root.text_content())) >= SMALL_TEXT

    return expect


class BrowserTier:
    """Downloader middleware for sources with `browser = true`: stored cookies on every request to
    a challenged host; a challenged response sends its URL through the browser once, then the
    request goes again as a plain request with the new cookies."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("HEALTHWATCH_BROWSER")
        self.jars: dict[str, tuple[dict, str | None]] = {}  # host -> (cookies, user agent)
        self.generation: dict[str, int] = {}  # host -> how many times cookies were earned this crawl
        self.locks: dict[str, asyncio.Lock] = {}
        self.challenged: set[str] | None = None
        self.solves = 0
        self.broken: str | None = None  # why the browser cannot be used in this crawl
        self.gate = HostGate()
        self.launcher = Launcher()
        if self.enabled:
            crawler.signals.connect(self.closed, signal=signals.spider_closed)
        self.passed: dict[tuple[str, int], int] = {}  # (host, generation) -> responses that passed

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def closed(self):
        return deferred_from_coro(self.launcher.stop())

    @property
    def db(self):
        return self.crawler.spider.store.db

    async def process_request(self, request):
        if not self.enabled:
            return None
        host = urlsplit(request.url).hostname or ""
        await self.gate.enter(request, host)
        if self.challenged is None:
            from storage.cookies import challenged_hosts

            self.challenged = set(challenged_hosts(self.db))
        if host not in self.jars:
            from storage.cookies import live_cookies

            self.jars[host] = live_cookies(self.db, host)
        cookies, user_agent = self.jars[host]
        if cookies:
            request.meta.setdefault("hw_own_cookies", request.cookies)
            own = request.meta["hw_own_cookies"]
            request.cookies = {**(own if isinstance(own, dict) else {}), **cookies}
            request.headers["User-Agent"] = user_agent or request.headers.get("User-Agent")
            self.crawler.stats.inc_value("healthwatch/browser_cookie_requests")
        request.meta["hw_browser_generation"] = self.generation.get(host, 0)
        if host in self.challenged:
            request.meta["autothrottle_dont_adjust_delay"] = True  # keep the careful pace
            if slot_name(host) in self.crawler.engine.downloader.per_slot_settings:
                request.meta["download_slot"] = slot_name(host)
        return None

    def process_exception(self, request, exception):
        if self.enabled:
            self.gate.leave(request)
        return None

    async def process_response(self, request, response):
        if not self.enabled:
            return response
        try:
            return await self._after(request, response)
        finally:
            self.gate.leave(request)

    async def _after(self, request, response):
        host = urlsplit(request.url).hostname or ""
        sent_with = request.meta.get("hw_browser_generation", 0)
        if not challenge(response.status, response.body):
            self.passed[(host, sent_with)] = self.passed.get((host, sent_with), 0) + 1
            return response
        self.crawler.stats.inc_value("healthwatch/challenged_responses")
        self.slow_down(host, request)
        if request.meta.get("hw_solver") == (host, self.generation.get(host, 0)) == (host, sent_with) \
                and not self.passed.get((host, sent_with)):
            # the request that made the browser run, sent again with its fresh cookies, and
            # challenged while no request passed with them: the site binds its cookies to the
            # browser itself; the page the browser saw is the best there is for this request
            html = request.meta.get("hw_browser_html")
            if html:
                self.crawler.stats.inc_value("healthwatch/browser_pages_used")
                return HtmlResponse(request.url, status=200, body=html.encode("utf-8"), encoding="utf-8",
                                    request=request, flags=["browser"])
            return response
        html = await self.earn(host, request)
        if html is None:
            return response  # the spider records the challenge as the reason
        meta = {**request.meta, "hw_browser_html": html,
                "hw_solver": (host, self.generation.get(host, 0)) if html is not False else None}
        return request.replace(dont_filter=True, meta=meta, cookies=request.meta.get("hw_own_cookies", request.cookies))

    async def earn(self, host: str, request) -> str | bool | None:
        """New cookies for the host (one browser run however many requests wait for them): the
        HTML the browser saw when it opened this request's URL, "" when it opened another,
        False when another request's browser run already earned them, None when it failed."""
        from storage.cookies import forget_cookies, log_browser_run, save_cookies
        from storage.store import utc_now

        lock = self.locks.setdefault(host, asyncio.Lock())
        async with lock:
            if self.generation.get(host, 0) > request.meta.get("hw_browser_generation", 0):
                return False  # it went out with older cookies than the jar holds now
            if self.broken or self.solves >= MAX_SOLVES_PER_CRAWL:
                self.broken = self.broken or (f"the site kept challenging after {MAX_SOLVES_PER_CRAWL} browser runs; "
                                              "its cookies do not hold for plain requests")
                self.crawler.stats.set_value("healthwatch/browser_problem", self.broken)
                return None
            forget_cookies(self.db, host)
            self.jars.pop(host, None)
            self.solves += 1
            spider = self.crawler.spider
            # attachments cannot be judged in a browser tab: earn the host's cookies on a list page
            url = request.url if request.meta.get("role") in ("list", "article", "recheck", "article_page") \
                else next((u for u in spider.source.start_urls if urlsplit(u).hostname == host), request.url)
            role = request.meta.get("role") if url == request.url else "list"
            started, started_at = time.monotonic(), utc_now()
            self.crawler.stats.inc_value("healthwatch/browser_launches")
            try:
                earned = await self.launcher.earn(url, expectation(spider.source, role))
            except BrowserFailed as exc:
                log_browser_run(self.db, host, url, started_at, time.monotonic() - started, "failed", str(exc))
                logger.warning("browser tier: %s", exc)
                spider.runbook.error(url, f"browser tier: {exc}", remember=False)
                self.broken = str(exc)
                self.crawler.stats.set_value("healthwatch/browser_problem", self.broken)
                return None
            save_cookies(self.db, host, earned.cookies, earned.user_agent, started_at)
            log_browser_run(self.db, host, url, started_at, time.monotonic() - started, "ok",
                            f"{len(earned.cookies)} cookies")
            self.jars.pop(host, None)
            self.generation[host] = self.generation.get(host, 0) + 1
            return earned.html if url == request.url else ""

    def slow_down(self, host: str, request) -> None:
        """A challenged host gets one request at a time and several seconds between them, from
        now on (this crawl: its requests move to the slot `challenged_slots` configured) and from
        the start of later crawls (browser_runs remembers the host). A host without such a slot
        (an attachment server) has its own slot slowed instead."""
        if self.challenged is not None:
            self.challenged.add(host)
        downloader = self.crawler.engine.downloader
        if slot_name(host) in downloader.per_slot_settings:
            return
        slot = downloader.slots.get(request.meta.get("download_slot") or downloader.get_slot_key(request))
        if slot is not None:
            slot.concurrency = 1
            slot.delay = max(slot.delay, self.crawler.settings.getfloat("HEALTHWATCH_CHALLENGED_DELAY", CHALLENGED_DELAY))


class HostGate:
    """One request at a time per host, held from before its cookies are attached until its
    response (and any browser run it causes) is handled. Scrapy attaches cookies before a
    request waits in its downloader slot, so without this gate every request queued during a
    browser run would go out with the spent cookies and be challenged once more."""

    def __init__(self):
        self.locks: dict[str, asyncio.Lock] = {}
        self.holders: dict[str, int] = {}  # host -> id of the request chain holding it
        self.next_id = 0

    async def enter(self, request, host: str) -> None:
        permit = request.meta.get("hw_permit")
        if permit and permit[0] == host and self.holders.get(host) == permit[1]:
            return  # a redirect of the request holding the gate goes on under its permit
        self.leave(request)  # a redirect to another host gives its first host back
        lock = self.locks.setdefault(host, asyncio.Lock())
        await lock.acquire()
        self.next_id += 1
        self.holders[host] = self.next_id
        request.meta["hw_permit"] = (host, self.next_id)

    def leave(self, request) -> None:
        permit = request.meta.get("hw_permit")
        if permit and self.holders.get(permit[0]) == permit[1]:
            del self.holders[permit[0]]
            self.locks[permit[0]].release()


def slot_name(host: str) -> str:
    return f"challenged:{host}"


def challenged_slots(hosts, delay: float) -> dict:
    """DOWNLOAD_SLOTS for a browser source's hosts once they challenge: one request at a time,
    `delay` seconds apart (BrowserTier moves their requests there)."""
    return {slot_name(host): {"concurrency": 1, "delay": delay, "jitter": 0.3} for host in hosts}
