"""Cross-run health checks: each monitor compares a source's latest runs with its own history.

Shaped like a Spidermon suite (small monitor classes run in order by a suite, whose verdict
triggers actions), but written here rather than with Spidermon: every check below is relative to
the source's own past (its usual gap between new articles, its usual share of dated articles, the
links its list page used to yield), and Spidermon's monitors see one run's stats against fixed
thresholds; its only cross-run monitor needs Zyte Scrapy Cloud (../shared/notes/engineering.md §7).
The per-run facts the checks need are already in crawl_runs and articles, so nothing has to run
inside the crawl.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timezone

from crawler.config import Health, Source
from storage import health as sql
from storage.runs import FAILURES, SUCCESS, parse_utc

STATES = ("ok", "silent", "broken_fields", "failing", "blocked", "unknown")
HEALTHY = ("ok", "unknown")
BLOCK_SIGNS = re.compile(r"\bHTTP (403|412|429|493|521)\b|anti-bot|challenge|blocked", re.I)

RECENT_ARTICLES = 5  # the newest articles judged against ...
BASELINE_ARTICLES = 50  # ... the ones stored before them
MIN_BASELINE = 5
FIELD_DROP = 0.5  # a rate below half its usual value ...
FIELD_GAP = 0.3  # ... and at least 30 points under it is "far below"
SHORT_BODY = 0.3  # a body under 30% of the source's median length is not "of usual length"


@dataclass
class History:
    """What the monitors know of one source, read once."""
    source: Source
    settings: Health
    now: datetime
    runs: list[dict]  # judged runs, newest first
    productive: list[datetime]  # finish times of runs that stored new articles, oldest first
    last_new_at: datetime | None
    articles: list[dict]  # newest first: has_published, has_publisher, body_length

    @classmethod
    def read(cls, db, source: Source, settings: Health, now: datetime | None = None) -> "History":
        return cls(
            source=source, settings=settings, now=now or datetime.now(timezone.utc),
            runs=sql.finished_runs(db, source.name),
            productive=[parse_utc(t) for t in sql.productive_run_times(db, source.name)],
            last_new_at=parse_utc(sql.last_new_article_at(db, source.name)),
            articles=sql.newest_article_fields(db, source.name, RECENT_ARTICLES + BASELINE_ARTICLES),
        )

    def last_good_run(self) -> dict | None:
        return next((r for r in self.runs if r["status"] in SUCCESS), None)

    def failures_in_a_row(self) -> list[dict]:
        streak = []
        for run in self.runs:
            if run["status"] in SUCCESS:
                break
            if run["status"] in FAILURES:
                streak.append(run)
        return streak


@dataclass
class Finding:
    state: str
    evidence: dict
    suggestion: str | None = None
    details: list[str] = field(default_factory=list)


def try_command(source: Source) -> str:
    url = source.api.url if source.kind == "api" and source.api else source.start_urls[0]
    return f"healthwatch sources try '{url}' --source {source.name}"


def _run_ref(run: dict | None) -> dict | None:
    return None if run is None else {"id": run["id"], "finished_at": run["finished_at"], "status": run["status"],
                                     "new": run["new"], "links": run["links"]}


def _reasons(run: dict) -> list[str]:
    import json

    reasons = [r["reason"] for r in json.loads(run.get("error_reasons") or "[]")]
    return reasons or ([run["finish_reason"]] if run.get("finish_reason") not in (None, "finished") else [])


class Monitor:
    """One check; `check` returns a Finding when the source is unhealthy in this way."""
    state: str

    def check(self, history: History) -> Finding | None:
        raise NotImplementedError


class BlockedMonitor(Monitor):
    """The latest run could not read its list pages because the site refused the crawler."""
    state = "blocked"

    def check(self, history: History) -> Finding | None:
        if not history.runs or history.runs[0]["status"] not in FAILURES:
            return None
        latest = history.runs[0]
        signs = [r for r in _reasons(latest) if BLOCK_SIGNS.search(r)]
        if latest["status"] != "blocked" and not signs:
            return None
        return Finding(self.state, {
            "reason": (signs or _reasons(latest) or ["blocked"])[0], "run": _run_ref(latest),
            "last_good_run": _run_ref(history.last_good_run())},
            f"check the page in a browser; if it shows a challenge, set browser = true for "
            f"{history.source.name}; then {try_command(history.source)}")


class FailingMonitor(Monitor):
    """`failures` runs in a row could not read the source."""
    state = "failing"

    def check(self, history: History) -> Finding | None:
        streak = history.failures_in_a_row()
        if len(streak) < history.settings.failures:
            return None
        return Finding(self.state, {
            "failures_in_a_row": len(streak), "reason": (_reasons(streak[0]) or [streak[0]["status"]])[0],
            "last_good_run": _run_ref(history.last_good_run())},
            f"see logs/{history.source.name}.log; {try_command(history.source)}")


class ZeroLinksMonitor(Monitor):
    """The list pages were read but listed no article link, where they used to list some: the
    usual site redesign that breaks `article_pattern` (the run itself says 'ok, 0 new')."""
    state = "silent"

    def check(self, history: History) -> Finding | None:
        read = [r for r in history.runs if r["status"] in SUCCESS and r["links"] is not None]
        if not read or read[0]["links"] != 0:
            return None
        before = next((r for r in read if r["links"]), None)
        if before is None:
            return None
        return Finding(self.state, {
            "reason": "the list pages yield no article links", "links_now": 0, "links_before": before["links"],
            "last_run_with_links": _run_ref(before), "run": _run_ref(read[0])},
            f"the site may have been redesigned: {try_command(history.source)} and adjust article_pattern")


class QuietMonitor(Monitor):
    """No new article for much longer than the source's usual gap (learned, with a floor)."""
    state = "silent"

    def check(self, history: History) -> Finding | None:
        if history.last_new_at is None or not history.runs or history.runs[0]["status"] not in SUCCESS:
            return None
        gaps = [(b - a).total_seconds() for a, b in zip(history.productive, history.productive[1:])]
        usual = statistics.median(gaps) if len(gaps) >= 2 else None
        limit = max(history.settings.silent_after_seconds, history.settings.silent_factor * (usual or 0))
        quiet = (history.now - history.last_new_at).total_seconds()
        if quiet <= limit:
            return None
        return Finding(self.state, {
            "reason": "no new article for much longer than usual", "last_new_article_at": _stamp(history.last_new_at),
            "quiet_seconds": round(quiet), "usual_gap_seconds": round(usual) if usual else None,
            "limit_seconds": round(limit), "last_good_run": _run_ref(history.last_good_run())},
            f"check that the site still publishes here: {try_command(history.source)}")


class FieldsMonitor(Monitor):
    """The share of new articles with a publish time, a 来源, or a body of usual length dropped
    far below the source's own recent rate (a template change the extractor no longer reads)."""
    state = "broken_fields"

    def check(self, history: History) -> Finding | None:
        recent, baseline = history.articles[:RECENT_ARTICLES], history.articles[RECENT_ARTICLES:]
        if len(recent) < RECENT_ARTICLES or len(baseline) < MIN_BASELINE:
            return None
        usual_length = statistics.median(a["body_length"] for a in baseline)
        measures = {
            "published": lambda a: a["has_published"],
            "publisher": lambda a: a["has_publisher"],
            "body": lambda a: a["body_length"] >= SHORT_BODY * usual_length,
        }
        broken = {}
        for name, has in measures.items():
            before = sum(map(bool, map(has, baseline))) / len(baseline)
            after = sum(map(bool, map(has, recent))) / len(recent)
            if after < before * FIELD_DROP and before - after >= FIELD_GAP:
                broken[name] = {"before": round(before, 2), "after": round(after, 2)}
        if not broken:
            return None
        return Finding(self.state, {
            "reason": "fewer new articles have " + ", ".join(broken), "rates": broken,
            "recent_articles": len(recent), "baseline_articles": len(baseline),
            "newest_article": recent[0]["url"]},
            f"the article template may have changed: healthwatch sources try '{recent[0]['url']}' "
            f"--source {history.source.name} --article; add selectors for {', '.join(broken)}")


class HealthSuite:
    """The monitors in order of urgency: the first finding is the verdict."""
    monitors: tuple[Monitor, ...] = (BlockedMonitor(), FailingMonitor(), ZeroLinksMonitor(), QuietMonitor(),
                                     FieldsMonitor())

    def judge(self, history: History) -> Finding:
        for monitor in self.monitors:
            finding = monitor.check(history)
            if finding:
                return finding
        if len(history.runs) < history.settings.min_runs:
            return Finding("unknown", {"reason": f"{len(history.runs)} finished run(s); judged from "
                                                 f"{history.settings.min_runs}"})
        good = history.last_good_run()
        return Finding("ok", {"last_good_run": _run_ref(good), "last_new_article_at": _stamp(history.last_new_at)})


def _stamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
