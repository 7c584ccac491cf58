"""SQL for source health: the history the monitors read, the verdicts and state changes they
write, the alerts still to deliver, and the scheduler's heartbeat."""
from __future__ import annotations

import json
import os
import socket
from datetime import datetime, timezone

import sqlite_utils

from storage.db import write_transaction
from storage.store import process_alive, utc_now

# A run the user ended ("stopped") says nothing about the source; every other finished run does.
JUDGED = "status NOT IN ('running', 'stopped')"
HEARTBEAT_SECONDS = 30  # a running scheduler beats this often ...
HEARTBEAT_STALE = 3 * HEARTBEAT_SECONDS  # ... and counts as gone after this long without a beat


# -- the history the monitors read --------------------------------------------------------------

def finished_runs(db: sqlite_utils.Database, source: str, limit: int = 100) -> list[dict]:
    """The source's judged runs, newest first."""
    return list(db.query(
        f"SELECT id, started_at, finished_at, status, finish_reason, pages, not_modified, new, errors, "
        f"error_reasons, links FROM crawl_runs WHERE source = ? AND {JUDGED} ORDER BY id DESC LIMIT ?",
        [source, limit]))


def productive_run_times(db: sqlite_utils.Database, source: str, limit: int = 200) -> list[str]:
    """When runs that stored new articles finished, oldest first: the source's publishing rhythm."""
    rows = db.execute(
        "SELECT finished_at FROM (SELECT finished_at, id FROM crawl_runs WHERE source = ? AND new > 0 "
        "AND finished_at IS NOT NULL ORDER BY id DESC LIMIT ?) ORDER BY id", [source, limit]).fetchall()
    return [r[0] for r in rows]


def last_new_article_at(db: sqlite_utils.Database, source: str) -> str | None:
    return db.execute("SELECT max(first_seen_at) FROM articles WHERE source = ?", [source]).fetchone()[0]


def newest_article_fields(db: sqlite_utils.Database, source: str, limit: int) -> list[dict]:
    """Newest first: does each stored article have a publish time, a 来源, and how long is its body."""
    return list(db.query(
        "SELECT id, url, first_seen_at, (published IS NOT NULL AND published != '') AS has_published, "
        "(publisher IS NOT NULL AND publisher != '') AS has_publisher, length(coalesce(body, '')) AS body_length "
        "FROM articles WHERE source = ? ORDER BY id DESC LIMIT ?", [source, limit]))


# -- verdicts and state changes -----------------------------------------------------------------

def current(db: sqlite_utils.Database, source: str) -> dict | None:
    rows = list(db.query("SELECT * FROM source_health WHERE source = ?", [source]))
    return _decoded(rows[0]) if rows else None


def all_current(db: sqlite_utils.Database) -> dict[str, dict]:
    return {row["source"]: _decoded(row) for row in db.query("SELECT * FROM source_health")}


def record_verdict(db: sqlite_utils.Database, source: str, state: str, evidence: dict, suggestion: str | None,
                   *, notify: bool) -> dict | None:
    """Store the verdict. When the state changed, log the change (an alert to send when `notify`)
    and return it. Read and written under one write lock, so two processes judging the same run
    (the crawl and the scheduler) log one change, not two."""
    now = utc_now()
    evidence_text = json.dumps(evidence, ensure_ascii=False, sort_keys=True)
    with write_transaction(db):
        row = db.execute("SELECT state FROM source_health WHERE source = ?", [source]).fetchone()
        before = row[0] if row else None
        if before == state:
            db.execute("UPDATE source_health SET checked_at = ?, evidence = ?, suggestion = ? WHERE source = ?",
                       [now, evidence_text, suggestion, source])
            return None
        db.execute("INSERT OR REPLACE INTO source_health VALUES (?, ?, ?, ?, ?, ?)",
                   [source, state, now, now, evidence_text, suggestion])
        event_id = db.execute(
            "INSERT INTO health_events (source, from_state, to_state, at, evidence, suggestion, notify) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", [source, before, state, now, evidence_text, suggestion, int(notify)]
        ).lastrowid
    return event(db, event_id)


def event(db: sqlite_utils.Database, event_id: int) -> dict:
    return _decoded(db["health_events"].get(event_id))


def events(db: sqlite_utils.Database, source: str | None = None) -> list[dict]:
    where, args = ("WHERE source = ?", [source]) if source else ("", [])
    return [_decoded(r) for r in db.query(f"SELECT * FROM health_events {where} ORDER BY id", args)]


def claim_undelivered(db: sqlite_utils.Database, *, only_failed: bool = False) -> list[dict]:
    """State changes whose alert is unsent (or failed before), claimed by this process so that
    two processes finishing together do not both send them."""
    claim = f"sending:{os.getpid()}"
    condition = "notify = 1 AND notified_at IS NULL" + (" AND error IS NOT NULL" if only_failed else "")
    with write_transaction(db):
        db.execute(f"UPDATE health_events SET notified_at = ? WHERE {condition}", [claim])
    return [_decoded(r) for r in db.query("SELECT * FROM health_events WHERE notified_at = ? ORDER BY id", [claim])]


def mark_delivered(db: sqlite_utils.Database, event_ids: list[int], error: str | None) -> None:
    """Sent: stamp the time. Failed: release the claim and keep the error, to try again."""
    with write_transaction(db):
        for event_id in event_ids:
            db.execute("UPDATE health_events SET notified_at = ?, error = ?, attempts = attempts + 1 WHERE id = ?",
                       [None if error else utc_now(), error, event_id])


def failed_deliveries(db: sqlite_utils.Database) -> list[dict]:
    """Every notification that could not be delivered and waits for a retry: health alerts and
    keyword-watch hits, each with its error."""
    rows = [{"kind": "health", "what": f"{r['source']}: {r['from_state'] or 'new'} -> {r['to_state']}",
             "error": r["error"], "at": r["at"]}
            for r in db.query("SELECT * FROM health_events WHERE notify = 1 AND notified_at IS NULL "
                              "AND error IS NOT NULL ORDER BY id")]
    rows += [{"kind": "watch", "what": f"{r['watch']}: {r['hits']} hit(s)", "error": r["error"], "at": r["at"]}
             for r in db.query("SELECT watch, count(*) AS hits, max(error) AS error, max(matched_at) AS at "
                               "FROM watch_hits WHERE notified_at IS NULL AND error IS NOT NULL GROUP BY watch")]
    return rows


def _decoded(row: dict) -> dict:
    row = dict(row)
    if row.get("evidence"):
        row["evidence"] = json.loads(row["evidence"])
    return row


# -- the scheduler's heartbeat ------------------------------------------------------------------

def beat(db: sqlite_utils.Database, next_runs: dict[str, str | None], *, started_at: str) -> None:
    with write_transaction(db):
        db.execute("INSERT OR REPLACE INTO scheduler_heartbeat VALUES (1, ?, ?, ?, ?, ?)",
                   [os.getpid(), socket.gethostname(), started_at, utc_now(), json.dumps(next_runs)])


def stop_beating(db: sqlite_utils.Database) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM scheduler_heartbeat WHERE pid = ?", [os.getpid()])


def live_scheduler(db: sqlite_utils.Database, *, max_age_seconds: float) -> dict | None:
    """The running scheduler's heartbeat row, or None when none beat recently (or its process,
    on this host, is gone)."""
    rows = list(db.query("SELECT * FROM scheduler_heartbeat WHERE id = 1"))
    if not rows:
        return None
    row = rows[0]
    beat_at = datetime.strptime(row["beat_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    if (datetime.now(timezone.utc) - beat_at).total_seconds() > max_age_seconds:
        return None
    if row["host"] == socket.gethostname() and not process_alive(row["pid"]):
        return None
    row["next_runs"] = json.loads(row["next_runs"] or "{}")
    return row


# -- what `healthwatch report` shows ------------------------------------------------------------

def article_times_since(db: sqlite_utils.Database, since: datetime) -> list[tuple[str, str]]:
    """(source, first_seen_at) of every article stored since then."""
    return db.execute("SELECT source, first_seen_at FROM articles WHERE first_seen_at >= ?",
                      [since.strftime("%Y-%m-%dT%H:%M:%SZ")]).fetchall()


def article_counts(db: sqlite_utils.Database) -> dict[str, int]:
    return dict(db.execute("SELECT source, count(*) FROM articles GROUP BY source").fetchall())


def newest_articles(db: sqlite_utils.Database, source: str, limit: int) -> list[dict]:
    return list(db.query("SELECT url, title, published, publisher, first_seen_at FROM articles WHERE source = ? "
                         "ORDER BY id DESC LIMIT ?", [source, limit]))


def failed_runs_since(db: sqlite_utils.Database, since: datetime, limit: int = 200) -> list[dict]:
    return list(db.query(
        "SELECT source, started_at, status, finish_reason, error_reasons FROM crawl_runs WHERE started_at >= ? "
        "AND status IN ('failed', 'timeout', 'killed', 'blocked', 'interrupted') ORDER BY id DESC LIMIT ?",
        [since.strftime("%Y-%m-%dT%H:%M:%SZ"), limit]))
