"""Source configuration: TOML files in, validated dataclasses out.

A config is one TOML file, or a directory whose *.toml files are read in name order. Every
error names the file, the line, the source and the key at fault, so a broken config is
refused with a message the user can act on.
"""
from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from crawler.fetch.urls import is_http_url

BUNDLED_CONFIG = Path(__file__).parent / "sources"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DURATION_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
KINDS = ("list", "feed", "sitemap", "api")
MAX_DURATION = 10 * 365 * 86400  # any duration; the keys below have tighter ranges
# Ranges a value must fall in: beyond them a crawl hangs (delay = 1e308 ignored SIGTERM) or floods a site.
LIMITS = {
    "delay": (0, 3600), "concurrency": (1, 64), "max_pages": (1, 10_000), "page_template_from": (0, 10_000),
    "max_links": (1, 100_000),
}
DURATION_LIMITS = {"timeout": (1, 7 * 86400), "schedule": (1, 366 * 86400), "recheck": (1, 366 * 86400),
                   "max_age": (1, MAX_DURATION)}
MAX_URL_LENGTH = 2083  # Scrapy's URLLENGTH_LIMIT: longer URLs are dropped
MAX_PATTERN_LENGTH = 1000


class ConfigError(ValueError):
    """A config that cannot be used; str() gives 'file:line: source 'x': key: problem'."""

    def __init__(self, message: str, path: Path | None = None, line: int | None = None):
        from crawler.masking import mask

        message = mask(message)  # a config error may quote a notification URL or a URL with a token
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(where + message)


def parse_duration(value: str | int | float) -> float:
    """'90s', '30m', '2h', '1d', '1h30m' or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like '30m'")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value <= 0:
            raise ValueError("must be a positive, finite number of seconds")
        if value > MAX_DURATION:
            raise ValueError(f"{value:g} s is more than {MAX_DURATION // 86400} days")
        return float(value)
    match = DURATION_RE.match(str(value).strip())
    if not match or not any(match.groups()):
        raise ValueError(f"{value!r} is not a duration like '45s', '30m', '2h', '1d'")
    d, h, m, s = (int(g or 0) for g in match.groups())
    seconds = d * 86400 + h * 3600 + m * 60 + s
    if seconds <= 0:
        raise ValueError("must be positive")
    if seconds > MAX_DURATION:
        raise ValueError(f"{value!r} is more than {MAX_DURATION // 86400} days")
    return float(seconds)


@dataclass
class ApiSpec:
    """A JSON/JSONP/XML list endpoint. `url` and `body` may use {page}, {page0} (0-based),
    {start}/{end} (1-based record range of the page, from page_size)."""
    url: str
    method: str = "GET"
    body: str | dict | None = None  # dict: form-encoded, or JSON with body_format = "json"
    body_format: str = "form"  # "form" or "json"
    format: str = "json"  # "json", "jsonp" or "xml"
    items: str = ""  # dotted path to the item list; "*" walks every value of a dict; "" = the root
    url_field: str | None = None  # item field holding the article URL (dotted path)
    url_template: str | None = None  # or build it: "https://www.thepaper.cn/newsDetail_forward_{contId}"
    html_field: str | None = None  # items are (or hold) HTML fragments: links in them, by article_pattern
    title_field: str | None = None
    date_field: str | None = None
    first_page: int = 1
    page_size: int = 20
    keep: dict[str, list[str]] = field(default_factory=dict)  # field -> substrings; keep items matching one


_API_TYPES: dict[str, type | tuple[type, ...]] = {
    "url": str, "method": str, "body": (str, dict), "body_format": str, "format": str, "items": str,
    "url_field": str, "url_template": str, "html_field": str, "title_field": str, "date_field": str,
    "first_page": int, "page_size": int, "keep": dict,
}


@dataclass
class Source:
    name: str
    start_urls: list[str] = field(default_factory=list)  # api sources: derived from api.url
    kind: str = "list"
    article_pattern: str | None = None  # regex on absolute article URLs
    page_pattern: str | None = None  # regex on list pages to follow (pagination)
    max_pages: int = 5
    label: str = ""  # human name, e.g. "国家卫生健康委员会 新闻"
    schedule: str | None = None  # interval, e.g. "30m"
    cron: str | None = None  # crontab line, e.g. "0 */2 * * *"
    timeout: str = "30m"  # per run
    enabled: bool = True
    disabled_reason: str = ""
    selectors: dict[str, str] = field(default_factory=dict)  # field -> CSS, wins over the extractor
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 1.0  # seconds between requests to the site
    concurrency: int = 2  # parallel requests to the site
    encoding: str | None = None  # override when the site declares a wrong charset
    obey_robots: bool = True
    recheck: list[str] = field(default_factory=list)  # fetch stored articles again after e.g. "1h", "24h"
    list_selector: str | None = None  # CSS: only links inside this part of a list page are articles
    page_template: str | None = None  # list pages not linked in the HTML (JS pagers): "list_{n}.shtml"
    page_template_from: int = 2  # the {n} of the second list page (TRS sites: index_1 follows index)
    stop_at_known: bool = False  # stop paginating at the first list page with nothing new
    max_age: str | None = None  # ignore listed items dated older than this (feeds, sitemaps, APIs)
    warmup_url: str | None = None  # fetched first so the site sets its cookies (e.g. before an API)
    cookies: dict[str, str] = field(default_factory=dict)
    multipage: bool = True  # stitch 分页 articles (_2.html, 下一页) into one
    browser: bool = False  # JS cookie challenges: a real browser earns the cookies (crawler/fetch/browser.py)
    challenge_delay: float = 5.0  # seconds between requests to a host once it has challenged
    attachments: bool = True  # download linked attachments and store their text
    api: ApiSpec | None = None  # kind = "api": how to call the list endpoint and read its answer
    json_fields: dict[str, str] = field(default_factory=dict)  # article as JSON in a script tag
    max_links: int = 1000  # article links taken from one list page (a page listing 10,000 is a trap or a dump)

    @property
    def max_age_seconds(self) -> float | None:
        return parse_duration(self.max_age) if self.max_age else None

    @property
    def recheck_seconds(self) -> list[float]:
        return sorted(parse_duration(value) for value in self.recheck)

    @property
    def interval_seconds(self) -> float | None:
        return parse_duration(self.schedule) if self.schedule else None

    @property
    def timeout_seconds(self) -> float:
        return parse_duration(self.timeout)


@dataclass
class Watch:
    """Keywords to watch for in new articles, and where to send what matched (Apprise URLs)."""
    name: str
    keywords: list[str]
    exclude: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # empty: every source
    notify: list[str] = field(default_factory=list)  # e.g. "wecombot://KEY", "dingtalk://TOKEN", "mailto://…"
    on_edit: bool = False  # also notify when a matched article is edited (a new revision)


@dataclass
class Health:
    """The [health] block: when a source counts as unhealthy, where alerts go, how soon a failed
    run is retried."""
    notify: list[str] = field(default_factory=list)  # Apprise URLs; one message per change of state
    silent_after: str = "1d"  # floor: never "silent" before this long without a new article
    silent_factor: float = 3.0  # ... nor before this many times the source's usual gap
    failures: int = 3  # failed runs in a row that make a source "failing"
    min_runs: int = 3  # fewer finished runs than this: "unknown" (unless failing or blocked)
    retry: list[str] = field(default_factory=lambda: ["5m", "15m", "1h"])  # after a failed run; capped by the schedule

    @property
    def silent_after_seconds(self) -> float:
        return parse_duration(self.silent_after)

    @property
    def retry_seconds(self) -> list[float]:
        return [parse_duration(value) for value in self.retry]


@dataclass
class Config:
    sources: list[Source]
    watches: list[Watch] = field(default_factory=list)
    health: Health = field(default_factory=Health)
    allow_private_addresses: bool = False
    timezone: str = "Asia/Shanghai"
    max_concurrent_crawls: int = 4  # crawl processes at once under `healthwatch run` (~100 MB each)
    attachment_max_mb: int = 20  # an attachment larger than this is recorded with the reason, not read
    user_agent: str = "healthwatch/0.1 (+https://github.com/healthwatch/healthwatch)"
    origin: Path | None = None  # the file or directory it was loaded from
    paths: list[Path] = field(default_factory=list)  # the files read

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} (configured: {known})")


_TOP_KEYS = {"allow_private_addresses": bool, "timezone": str, "user_agent": str, "max_concurrent_crawls": int,
             "attachment_max_mb": int}
_SOURCE_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str, "start_urls": list, "kind": str, "article_pattern": str, "page_pattern": str,
    "max_pages": int, "label": str, "schedule": (str, int), "cron": str, "timeout": (str, int),
    "enabled": bool, "disabled_reason": str, "selectors": dict, "headers": dict,
    "delay": (int, float), "concurrency": int, "encoding": str, "obey_robots": bool, "recheck": list,
    "list_selector": str, "stop_at_known": bool, "max_age": (str, int), "warmup_url": str, "cookies": dict,
    "multipage": bool, "browser": bool, "challenge_delay": (int, float), "attachments": bool, "api": dict, "json_fields": dict, "page_template": str, "page_template_from": int,
    "max_links": int,
}
_SELECTOR_FIELDS = {
    "title", "subtitle", "body", "published", "publisher", "author", "editor", "keywords",
    "breadcrumbs", "doc_number", "issuing_agency", "attachments", "original_url",
}


def _read_utf8(file: Path) -> str:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", file) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8", file, line) from None


def default_config_path() -> Path:
    return Path(os.environ.get("HEALTHWATCH_CONFIG") or BUNDLED_CONFIG)


def load_config(path: str | Path | None = None) -> Config:
    path = Path(path) if path else default_config_path()
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise ConfigError("no *.toml files in this directory", path)
    elif path.exists():
        files = [path]
    else:
        raise ConfigError("config file not found", path)

    config = Config(sources=[], origin=path, paths=files)
    top_seen: dict[str, tuple[Any, Path]] = {}
    health_from: Path | None = None
    for file in files:
        text = _read_utf8(file)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = re.search(r"line (\d+)", str(exc))
            raise ConfigError(f"invalid TOML: {exc}", file, int(line.group(1)) if line else None) from None
        locate = _Locator(file, text)
        for key, value in data.items():
            if key in ("sources", "watches"):
                continue
            if key == "health":
                if health_from is not None:
                    raise locate.error(f"[health] is also given in {health_from}; give it once", key="health")
                config.health, health_from = _build_health(value, locate), file
                continue
            if key not in _TOP_KEYS:
                raise locate.error(f"unknown top-level key {key!r}{_suggest(key, _TOP_KEYS)}", key=key)
            if not isinstance(value, _TOP_KEYS[key]):
                raise locate.error(f"{key}: expected {_TOP_KEYS[key].__name__}", key=key)
            if key == "max_concurrent_crawls" and value < 1:
                raise locate.error(f"{key}: must be at least 1", key=key)
            if key in top_seen and top_seen[key][0] != value:
                raise locate.error(f"{key} conflicts with {top_seen[key][1]}", key=key)
            top_seen[key] = (value, file)
            setattr(config, key, value)
        raw_sources = data.get("sources", [])
        if not isinstance(raw_sources, list):
            raise locate.error("'sources' must be an array of tables: [[sources]]", key="sources")
        for index, raw in enumerate(raw_sources):
            config.sources.append(_build_source(raw, index, locate))
        raw_watches = data.get("watches", [])
        if not isinstance(raw_watches, list):
            raise locate.error("'watches' must be an array of tables: [[watches]]", key="watches")
        for index, raw in enumerate(raw_watches):
            config.watches.append(_build_watch(raw, index, locate))

    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: unknown time zone {config.timezone!r}", files[0]) from None
    names = [s.name for s in config.sources]
    seen: set[str] = set()
    for name in names:  # one pass: 1,000 sources must not cost a million comparisons
        if name in seen:
            raise ConfigError(f"source {name!r} is defined twice; names must be unique", files[0])
        seen.add(name)
    watch_names = [w.name for w in config.watches]
    for watch in config.watches:
        if watch_names.count(watch.name) > 1:
            raise ConfigError(f"watch {watch.name!r} is defined twice; names must be unique", files[0])
        unknown = [s for s in watch.sources if s not in names]
        if unknown:
            raise ConfigError(f"watch {watch.name!r}: sources: no source named {unknown[0]!r}", files[0])
    return config


_WATCH_KEYS = {"name": str, "keywords": list, "exclude": list, "sources": list, "notify": list, "on_edit": bool}
_HEALTH_KEYS = {"notify": list, "silent_after": (str, int), "silent_factor": (int, float), "failures": int,
                "min_runs": int, "retry": list}


def _check_notify_urls(urls: list[str], fail) -> None:
    import apprise

    from crawler.masking import mask_url

    for url in urls:
        if not apprise.Apprise().add(url):
            raise fail("notify", f"not a notification URL Apprise understands: {mask_url(url)}")


def _build_health(raw: Any, locate: "_Locator") -> Health:
    def fail(key: str | None, problem: str) -> ConfigError:
        return locate.error(f"[health]: {key + ': ' if key else ''}{problem}", key=key)

    if not isinstance(raw, dict):
        raise fail(None, "expected a table: [health]")
    for key, value in raw.items():
        if key not in _HEALTH_KEYS:
            raise fail(key, f"unknown key{_suggest(key, _HEALTH_KEYS)}")
        if not isinstance(value, _HEALTH_KEYS[key]) or isinstance(value, bool):
            raise fail(key, "wrong type")
        if isinstance(value, list) and not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(key, "expected a list of strings")
    health = Health(**raw)
    if isinstance(health.silent_after, int):
        health.silent_after = f"{health.silent_after}s"
    for key, values in (("silent_after", [health.silent_after]), ("retry", health.retry)):
        for value in values:
            try:
                parse_duration(value)
            except ValueError as exc:
                raise fail(key, str(exc)) from None
    if health.failures < 1 or health.min_runs < 1 or health.silent_factor <= 0:
        raise fail(None, "failures and min_runs must be at least 1, silent_factor above 0")
    _check_notify_urls(health.notify, fail)
    return health


def _build_watch(raw: dict, index: int, locate: "_Locator") -> Watch:
    label = f"watch {raw.get('name')!r}" if isinstance(raw.get("name"), str) else f"watch #{index + 1}"

    def fail(key: str | None, problem: str) -> ConfigError:
        return locate.error(f"{label}: {key + ': ' if key else ''}{problem}", table="watches",
                            source_index=index, key=key)

    for key, value in raw.items():
        if key not in _WATCH_KEYS:
            raise fail(key, f"unknown key{_suggest(key, _WATCH_KEYS)}")
        if not isinstance(value, _WATCH_KEYS[key]) or (
                isinstance(value, list) and not all(isinstance(v, str) and v.strip() for v in value)):
            raise fail(key, {str: "expected a string", bool: "expected true or false"}.get(
                _WATCH_KEYS[key], "expected a list of strings"))
    if not NAME_RE.match(raw.get("name", "")):
        raise fail("name", "required; use lower-case letters, digits and '-' only")
    if not raw.get("keywords"):
        raise fail("keywords", "give at least one keyword")
    if not isinstance(raw.get("on_edit", False), bool):
        raise fail("on_edit", "expected true or false")
    _check_notify_urls(raw.get("notify") or [], fail)
    return Watch(**raw)


def _build_source(raw: dict, index: int, locate: "_Locator") -> Source:
    name = raw.get("name")
    label = f"source {name!r}" if isinstance(name, str) else f"source #{index + 1}"

    def fail(key: str | None, problem: str) -> ConfigError:
        prefix = f"{label}: {key}: " if key else f"{label}: "
        return locate.error(prefix + problem, source_index=index, key=key)

    for key, value in raw.items():
        if key not in _SOURCE_TYPES:
            problem = f"{label}: unknown key {key!r}{_suggest(key, _SOURCE_TYPES)}"
            raise locate.error(problem, source_index=index, key=key)
        expected = _SOURCE_TYPES[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
            raise fail(key, f"expected {names}, got {type(value).__name__}")
    if raw.get("kind", "list") not in KINDS:
        raise fail("kind", f"{raw['kind']!r} is not one of {', '.join(KINDS)}")
    for required in ("name",) if raw.get("kind") == "api" else ("name", "start_urls"):
        if required not in raw:
            raise fail(None, f"missing required key {required!r}")
    if not NAME_RE.match(raw["name"]):
        raise fail("name", "use lower-case letters, digits and '-' only")

    source = Source(**{f.name: raw[f.name] for f in fields(Source) if f.name in raw and f.name != "api"})
    if source.kind == "api":
        source.api = _build_api(raw.get("api"), fail)
        source.start_urls = source.start_urls or [source.api.url.split("?")[0]]
    elif "api" in raw:
        raise fail("api", "an [sources.api] table needs kind = \"api\"")
    if not source.start_urls or not all(isinstance(u, str) and is_http_url(u) for u in source.start_urls):
        raise fail("start_urls", "give one or more absolute http(s) URLs")
    if source.kind == "list" and not source.article_pattern:
        raise fail(None, "missing required key 'article_pattern' (regex of article URLs)")
    if source.page_template and "{n}" not in source.page_template:
        raise fail("page_template", "put {n} where the page number goes, e.g. \"list_{n}.shtml\"")
    if source.json_fields:
        allowed = {"script", "title", "subtitle", "body", "published", "publisher", "author", "editor", "keywords"}
        unknown = set(source.json_fields) - allowed
        if unknown:
            raise fail("json_fields", f"unknown field {sorted(unknown)[0]!r} (use {', '.join(sorted(allowed))})")
        if not _valid_css(str(source.json_fields.get("script", ""))):
            raise fail("json_fields", "script: give the CSS selector of the script element, e.g. \"script#__NEXT_DATA__\"")
    # browser = true loads without the browser tier installed: `sources`, `status`, `doctor` and
    # the crawl say what is missing (crawler.fetch.browser.tier_problem)
    if source.warmup_url and not is_http_url(source.warmup_url):
        raise fail("warmup_url", "give an absolute http(s) URL")
    if source.list_selector and not _valid_css(source.list_selector):
        raise fail("list_selector", f"invalid CSS selector {source.list_selector!r}")
    if source.max_age is not None:
        try:
            source.max_age = str(source.max_age) if isinstance(source.max_age, str) else f"{source.max_age}s"
            _check_duration("max_age", source.max_age)
        except ValueError as exc:
            raise fail("max_age", str(exc)) from None
    for key in ("article_pattern", "page_pattern"):
        pattern = getattr(source, key)
        if pattern is not None:
            problem = pattern_problem(pattern)
            if problem:
                raise fail(key, problem)
    for key, (low, high) in LIMITS.items():
        value = getattr(source, key, None)
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise fail(key, f"must be between {low} and {high}, got {value!r}")
    for key in ("schedule", "timeout"):
        value = getattr(source, key)
        if value is not None:
            try:
                setattr(source, key, str(value) if isinstance(value, str) else f"{value}s")
                _check_duration(key, value)
            except ValueError as exc:
                raise fail(key, str(exc)) from None
    for value in source.recheck:
        try:
            _check_duration("recheck", value)
        except ValueError as exc:
            raise fail("recheck", str(exc)) from None
    for url in [*source.start_urls, *([source.warmup_url] if source.warmup_url else [])]:
        if len(url) > MAX_URL_LENGTH:
            raise fail("start_urls" if url in source.start_urls else "warmup_url",
                       f"a URL of {len(url)} characters is longer than {MAX_URL_LENGTH}")
    if source.schedule and source.cron:
        raise fail("cron", "give either 'schedule' (interval) or 'cron', not both")
    if source.cron:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(source.cron)
        except ValueError as exc:
            raise fail("cron", f"invalid crontab line: {exc}") from None
    for field_name, selector in source.selectors.items():
        if field_name not in _SELECTOR_FIELDS:
            raise fail("selectors", f"unknown field {field_name!r}{_suggest(field_name, _SELECTOR_FIELDS)}")
        if not isinstance(selector, str) or not _valid_css(selector):
            raise fail("selectors", f"{field_name}: invalid CSS selector {selector!r}")
    if source.encoding:
        import codecs

        try:
            codecs.lookup(source.encoding)
        except LookupError:
            raise fail("encoding", f"unknown encoding {source.encoding!r}") from None
    return source


def _check_duration(key: str, value) -> float:
    seconds = parse_duration(value)
    low, high = DURATION_LIMITS[key]
    if not low <= seconds <= high:
        raise ValueError(f"{value!r} is outside {_human(low)} .. {_human(high)}")
    return seconds


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def pattern_problem(pattern: str) -> str | None:
    """Why a URL pattern is refused, or None. Beyond syntax: a repetition inside a repetition
    (`(a+)+`, `(\\w*)*`, `(a|aa)+`) can take exponential time on one unlucky URL, on the crawl's
    only thread; such patterns can always be written without the nesting."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"a pattern of {len(pattern)} characters is longer than {MAX_PATTERN_LENGTH}"
    try:
        parsed = _sre_parse(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    if _nested_repeat(parsed):
        return ("a repetition inside a repetition, like (a+)+, can take exponential time; "
                "write it without the nesting (e.g. (a+)+ as a+)")
    return None


def _sre_parse(pattern: str):
    try:
        from re import _parser as sre_parse  # Python >= 3.11
    except ImportError:  # pragma: no cover
        import sre_parse
    re.compile(pattern)
    return sre_parse.parse(pattern)


def _nested_repeat(items) -> bool:
    """An unbounded repetition whose body is nothing but repetitions, one of them unbounded: the
    ways to split a string between them multiply. A body with a fixed part, like (?:/[a-z]+)+,
    has one way only and is fine."""
    from re import _constants as c

    for op, arg in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = arg
            if (high is c.MAXREPEAT or high > 10) and _only_repeats(body):
                return True
            if _nested_repeat(body):
                return True
        elif op == c.SUBPATTERN and _nested_repeat(arg[-1]):
            return True
        elif op == c.BRANCH and any(_nested_repeat(branch) for branch in arg[1]):
            return True
        elif op in (c.ASSERT, c.ASSERT_NOT) and _nested_repeat(arg[1]):
            return True
    return False


def _only_repeats(body) -> bool:
    from re import _constants as c

    items = list(body)
    while len(items) == 1 and items[0][0] == c.SUBPATTERN:  # (…) around the body
        items = list(items[0][1][-1])
    repeats = [arg for op, arg in items if op in (c.MAX_REPEAT, c.MIN_REPEAT)]
    return bool(items) and len(repeats) == len(items) and any(h is c.MAXREPEAT or h > 10 for _, h, _ in repeats)


def _build_api(raw: Any, fail) -> ApiSpec:
    if not isinstance(raw, dict):
        raise fail("api", "kind = \"api\" needs an [sources.api] table (url, items, url_field or url_template)")
    for key, value in raw.items():
        if key not in _API_TYPES:
            raise fail("api", f"unknown key {key!r}{_suggest(key, _API_TYPES)}")
        expected = _API_TYPES[key]
        if not isinstance(value, expected) or isinstance(value, bool):
            names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
            raise fail("api", f"{key}: expected {names}, got {type(value).__name__}")
    if "url" not in raw or not is_http_url(raw["url"].replace("{", "").replace("}", "")):
        raise fail("api", "url: give the endpoint's absolute http(s) URL")
    spec = ApiSpec(**raw)
    spec.method = spec.method.upper()
    if spec.method not in ("GET", "POST"):
        raise fail("api", f"method: {spec.method!r} is not GET or POST")
    if spec.format not in ("json", "jsonp", "xml"):
        raise fail("api", f"format: {spec.format!r} is not json, jsonp or xml")
    if spec.body_format not in ("form", "json"):
        raise fail("api", f"body_format: {spec.body_format!r} is not form or json")
    if not (spec.url_field or spec.url_template or spec.html_field):
        raise fail("api", "say where article URLs are: url_field, url_template or html_field")
    if not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in spec.keep.values()):
        raise fail("api", "keep: each field needs a list of strings")
    try:
        spec.url.format(page=1, page0=0, start=1, end=1)
        if isinstance(spec.body, str):
            spec.body.format(page=1, page0=0, start=1, end=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise fail("api", f"url/body: unknown placeholder {exc} (use {{page}}, {{page0}}, {{start}}, {{end}})") from None
    return spec


def _valid_css(selector: str) -> bool:
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError:
        return False
    return True


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Locator:
    """Finds the line of a key in the TOML text, for error messages (tomllib keeps no positions)."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = path, text.splitlines()

    def error(self, message: str, *, source_index: int | None = None, key: str | None = None,
              table: str = "sources") -> ConfigError:
        return ConfigError(message, self.path, self._line(source_index, key, table))

    def _line(self, source_index: int | None, key: str | None, table: str = "sources") -> int | None:
        start, end = 0, len(self.lines)
        if source_index is not None:
            headers = [i for i, line in enumerate(self.lines) if line.strip() == f"[[{table}]]"]
            if source_index >= len(headers):
                return None
            start = headers[source_index]
            following = [i for i, line in enumerate(self.lines) if i > start and line.strip().startswith("[[")]
            end = following[0] if following else end
        if key:
            key_re = re.compile(rf"^\s*(\[sources\.)?{re.escape(key)}\]?\s*(=|$)")
            for i in range(start, end):
                if key_re.match(self.lines[i]):
                    return i + 1
        return start + 1 if source_index is not None else None
