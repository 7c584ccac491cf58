"""`healthwatch report`: one self-contained HTML page (and optionally a PNG of it) of the last
days: articles per source per day as a chart, the health table, the newest articles per
source, the failed runs.

Self-contained on purpose: it is mailed, archived and opened offline, so no script, font or
stylesheet is fetched. The chart is inline SVG written here (a bar per day per source, ~20
lines): a plotting library would add tens of MB of dependencies, or a JavaScript bundle inlined
into every report, for bars. Every text that comes from a page is escaped.
"""
from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from crawler.config import Config
from storage import health as sql
from storage.runs import failure_reason, parse_utc

STATE_COLOURS = {"ok": "#2e7d32", "unknown": "#757575", "silent": "#e08e00", "broken_fields": "#e08e00",
                 "failing": "#c62828", "blocked": "#c62828"}
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run")
STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#666} table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid #eee;vertical-align:top} th{background:#f5f5f5} .state{font-weight:600}
.chart td{border:0;padding:2px 8px} .num{text-align:right;white-space:nowrap} .src{white-space:nowrap}
.small{color:#666;font-size:12px} svg{display:block}
"""


def e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def build_report(db: sqlite_utils.Database, config: Config, *, days: int = 30, db_path: Path | None = None,
                 now: datetime | None = None) -> str:
    from crawler.health import verdicts

    now = now or datetime.now(timezone.utc)
    tz = ZoneInfo(config.timezone)
    since = now - timedelta(days=days)
    day_list = [(now.astimezone(tz) - timedelta(days=n)).date() for n in range(days - 1, -1, -1)]
    per_day = _per_source_day(sql.article_times_since(db, since), tz)
    names = [s.name for s in config.sources]
    names += sorted(set(per_day) - set(names))  # sources no longer configured still show what they stored
    parts = [
        f"<h1>healthwatch report</h1><p class=meta>{e(db_path or '')} — last {days} days to "
        f"{e(now.astimezone(tz).strftime('%Y-%m-%d %H:%M %Z'))} — times in {e(config.timezone)}</p>",
        "<h2>New articles per source per day</h2>", chart(names, per_day, day_list),
        "<h2>Source health</h2>", health_table(verdicts(db, config), tz),
        "<h2>Newest articles</h2>", newest_articles(db, names, tz),
        "<h2>Failed runs</h2>", failures_table(sql.failed_runs_since(db, since), tz),
    ]
    return ("<!doctype html><html lang=zh><head><meta charset=utf-8><title>healthwatch report</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")


def _per_source_day(rows: list[tuple[str, str]], tz: ZoneInfo) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for source, stamp in rows:
        out.setdefault(source, Counter())[parse_utc(stamp).astimezone(tz).date()] += 1
    return out


def chart(names: list[str], per_day: dict[str, Counter], days: list[date]) -> str:
    """Small multiples: one row of day bars per source, all on the same scale."""
    peak = max([1, *(n for counts in per_day.values() for n in counts.values())])
    bar, gap, height = 10, 2, 36
    width = len(days) * (bar + gap)
    rows = []
    for name in names:
        counts = per_day.get(name, Counter())
        bars = []
        for i, day in enumerate(days):
            n = counts.get(day, 0)
            h = round(height * n / peak) if n else 0
            bars.append(f'<rect x="{i * (bar + gap)}" y="{height - h}" width="{bar}" height="{max(h, 1)}" '
                        f'fill="{"#1565c0" if n else "#e0e0e0"}"><title>{day:%Y-%m-%d}: {n}</title></rect>')
        svg = (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
               f'aria-label="{e(name)} per day">{"".join(bars)}</svg>')
        rows.append(f"<tr><td class=src>{e(name)}</td><td>{svg}</td><td class=num>{sum(counts.values())}</td></tr>")
    axis = f"<tr><td></td><td class=small>{days[0]:%m-%d} … {days[-1]:%m-%d} (tallest bar: {peak})</td><td></td></tr>"
    return f"<table class=chart>{''.join(rows)}{axis}</table>"


def _when(stamp: str | None, tz: ZoneInfo) -> str:
    moment = parse_utc(stamp) if stamp else None
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "-"


def health_table(rows: list[dict], tz: ZoneInfo) -> str:
    body = []
    for row in rows:
        colour = STATE_COLOURS.get(row["state"], "#222")
        evidence = row["evidence"] or {}
        step = row["suggestion"] if row["state"] not in ("ok", "unknown") else ""
        body.append(f"<tr><td class=src>{e(row['source'])}</td><td class=state style='color:{colour}'>"
                    f"{e(row['state'])}</td><td>{e(_when(row['since'], tz))}</td><td>{e(evidence.get('reason', ''))}"
                    f"</td><td class=small>{e(step)}</td></tr>")
    return ("<table><tr><th>source</th><th>state</th><th>since</th><th>evidence</th><th>next step</th></tr>"
            + "".join(body) + "</table>")


def newest_articles(db: sqlite_utils.Database, names: list[str], tz: ZoneInfo, per_source: int = 5) -> str:
    body = []
    for name in names:
        for article in sql.newest_articles(db, name, per_source):
            body.append(f"<tr><td class=src>{e(name)}</td><td><a href=\"{e(article['url'])}\">"
                        f"{e(article['title'] or article['url'])}</a></td><td class=small>"
                        f"{e(article['published'] or '')}</td><td class=small>{e(article['publisher'] or '')}</td>"
                        f"<td class=small>{e(_when(article['first_seen_at'], tz))}</td></tr>")
    if not body:
        return "<p class=meta>No article stored yet.</p>"
    return ("<table><tr><th>source</th><th>title</th><th>published</th><th>来源</th><th>stored</th></tr>"
            + "".join(body) + "</table>")


def failures_table(runs: list[dict], tz: ZoneInfo) -> str:
    if not runs:
        return "<p class=meta>No failed run in this period.</p>"
    body = [f"<tr><td class=src>{e(r['source'])}</td><td>{e(_when(r['started_at'], tz))}</td><td>{e(r['status'])}"
            f"</td><td>{e(failure_reason(r) or '')}</td></tr>" for r in runs]
    return "<table><tr><th>source</th><th>started</th><th>status</th><th>why</th></tr>" + "".join(body) + "</table>"


def chromium() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def screenshot(html_path: Path, png_path: Path, *, width: int = 1280, height: int = 2000,
               timeout: float = 60) -> None:
    """The page as the headless browser draws it. Raises RuntimeError when it cannot."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("no Chromium found (install the chromium package) to render the PNG")
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars",
             f"--window-size={width},{height}", f"--screenshot={png_path}", html_path.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout)
    if not png_path.is_file() or png_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium could not render the page: {(result.stderr or '').strip()[-300:]}")


def page_height(config: Config, db: sqlite_utils.Database) -> int:
    """A window tall enough for the whole report (Chromium's --screenshot takes the window)."""
    sources = len(config.sources)
    articles = sum(min(5, n) for n in sql.article_counts(db).values())
    return min(16000, 420 + sources * 110 + articles * 26)
