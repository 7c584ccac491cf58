"""Run history queries for the scheduler and `healthwatch status` (crawl_runs and articles)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storage.store import Store, utc_stamp

SUCCESS = ("ok", "partial")
# Outcomes that count as a failure of the source; "stopped" (the user stopped the scheduler) does not.
FAILURES = ("failed", "timeout", "killed", "blocked", "interrupted")


def failure_reason(run: dict) -> str | None:
    """Why a run went wrong: its finish reason when the crawl did not finish normally, else its
    first recorded error ("DNS lookup failed", "HTTP 412", "blocked by anti-bot challenge: …")."""
    import json

    if run.get("finish_reason") not in (None, "finished"):
        return run["finish_reason"]
    reasons = json.loads(run.get("error_reasons") or "[]")
    return reasons[0]["reason"] if reasons else None


def parse_utc(stamp: str | None) -> datetime | None:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) if stamp else None


def last_success_at(store: Store, source: str) -> datetime | None:
    """When the source last finished a run that read its list pages (ok or partial)."""
    row = store.db.execute(
        f"SELECT max(finished_at) FROM crawl_runs WHERE source = ? AND status IN {SUCCESS}", [source]
    ).fetchone()
    return parse_utc(row[0])


def consecutive_failures(store: Store, source: str) -> int:
    rows = store.db.execute(
        "SELECT status FROM crawl_runs WHERE source = ? AND status != 'running' ORDER BY id DESC LIMIT 100",
        [source],
    ).fetchall()
    count = 0
    for (status,) in rows:
        if status in SUCCESS:
            break
        count += status in FAILURES
    return count


def new_articles_since(store: Store, source: str, since: datetime) -> int:
    return store.db.execute(
        "SELECT count(*) FROM articles WHERE source = ? AND first_seen_at >= ?", [source, utc_stamp(since)]
    ).fetchone()[0]


def source_summary(store: Store, source: str, now: datetime | None = None) -> dict:
    """What `healthwatch status` shows for one source."""
    now = now or datetime.now(timezone.utc)
    last = store.last_runs(source, 1)
    return {
        "last_run": last[0] if last else None,
        "new_24h": new_articles_since(store, source, now - timedelta(hours=24)),
        "new_7d": new_articles_since(store, source, now - timedelta(days=7)),
        "consecutive_failures": consecutive_failures(store, source),
        "last_success_at": last_success_at(store, source),
    }


def all_runs(store: Store, source: str | None = None) -> list[dict]:
    """Every finished or running run, oldest first (tests and the benchmark read these)."""
    where, args = ("WHERE source = ?", [source]) if source else ("", [])
    return list(store.db.query(f"SELECT * FROM crawl_runs {where} ORDER BY id", args))
