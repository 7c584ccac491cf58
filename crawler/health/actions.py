"""What follows a verdict: store it, log a change of state, alert on the changes that matter."""
from __future__ import annotations

import logging
from datetime import datetime

import sqlite_utils

from crawler.config import Config
from crawler.health.monitors import HEALTHY, HealthSuite, History
from crawler.notifications import send
from storage import health as sql

log = logging.getLogger("healthwatch.health")
SUITE = HealthSuite()


def worth_an_alert(before: str | None, after: str) -> bool:
    """Turning unhealthy (or unhealthy another way) and recovering are news; 'unknown' is not."""
    if after not in HEALTHY:
        return True
    return after == "ok" and before is not None and before not in HEALTHY


def check_sources(db: sqlite_utils.Database, config: Config, names: list[str] | None = None,
                  now: datetime | None = None) -> list[dict]:
    """Judge the sources (default: every configured one) and store the verdicts; returns the
    state changes this logged."""
    changes = []
    for source in config.sources:
        if names and source.name not in names:
            continue
        finding = SUITE.judge(History.read(db, source, config.health, now))
        before = sql.current(db, source.name)
        change = sql.record_verdict(db, source.name, finding.state, finding.evidence, finding.suggestion,
                                    notify=worth_an_alert(before["state"] if before else None, finding.state))
        if change:
            log.info("%s: %s -> %s (%s)", source.name, change["from_state"], change["to_state"],
                     finding.evidence.get("reason", ""))
            changes.append(change)
    return changes


def after_run(db: sqlite_utils.Database, config: Config, source: str) -> list[str]:
    """After a run of `source`: judge it, then deliver every alert still due. Returns the
    errors of deliveries that failed (they stay queued for the next run or `notify --retry`)."""
    check_sources(db, config, [source])
    return deliver_alerts(db, config)["errors"]


def deliver_alerts(db: sqlite_utils.Database, config: Config, *, only_failed: bool = False) -> dict:
    """Send the logged state changes not yet delivered, one message each."""
    pending = sql.claim_undelivered(db, only_failed=only_failed)
    if pending and not config.health.notify:  # nowhere to send: settle them, nothing is failing
        sql.mark_delivered(db, [e["id"] for e in pending], None)
        return {"sent": 0, "errors": []}
    sent, errors = 0, []
    for event in pending:
        error = send(config.health.notify, alert_title(event), alert_body(event, config))
        sql.mark_delivered(db, [event["id"]], error)
        if error:
            errors.append(f"{event['source']} {event['to_state']}: {error}")
        else:
            sent += 1
    return {"sent": sent, "errors": errors}


def alert_title(event: dict) -> str:
    if event["to_state"] == "ok":
        return f"healthwatch: {event['source']} recovered"
    return f"healthwatch: {event['source']} is {event['to_state'].replace('_', ' ')}"


def alert_body(event: dict, config: Config) -> str:
    evidence = event.get("evidence") or {}
    lines = [f"{event['source']}: {event['from_state'] or 'new'} -> {event['to_state']} at {event['at']}"]
    if evidence.get("reason") and event["to_state"] != "ok":
        lines.append(f"why: {evidence['reason']}")
    good = evidence.get("last_good_run")
    if good:
        lines.append(f"last good run: #{good['id']} at {good['finished_at']} ({good['new']} new)")
    for name, rate in (evidence.get("rates") or {}).items():
        lines.append(f"{name}: {rate['before']:.0%} of articles before, {rate['after']:.0%} now")
    if event.get("suggestion") and event["to_state"] != "ok":
        lines.append(f"next step: {event['suggestion']}")
    return "\n".join(lines)


def verdicts(db: sqlite_utils.Database, config: Config) -> list[dict]:
    """The stored verdict of every configured source, for `health` and `status`."""
    stored = sql.all_current(db)
    out = []
    for source in config.sources:
        row = stored.get(source.name)
        out.append({"source": source.name, "state": row["state"] if row else "unknown",
                    "since": row["since"] if row else None,
                    "evidence": row["evidence"] if row else {"reason": "never judged: no run yet"},
                    "suggestion": row["suggestion"] if row else None,
                    "checked_at": row["checked_at"] if row else None})
    return out
