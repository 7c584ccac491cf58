"""The browser tier's cookie jar: cookies a real browser earned past a site's challenge, per
challenged host, with their expiry; and a log of browser runs (one row per launch)."""
from __future__ import annotations

import time

from storage.db import write_transaction

SESSION_COOKIE_SECONDS = 12 * 3600  # a cookie without expiry is trusted this long (or until challenged)


def save_cookies(db, host: str, cookies: list[dict], user_agent: str | None, earned_at: str) -> None:
    """Replace the host's cookies with what the browser holds now (Playwright's cookie dicts)."""
    with write_transaction(db):
        db.execute("DELETE FROM browser_cookies WHERE host = ?", [host])
        now = time.time()
        db.conn.executemany(
            "INSERT OR REPLACE INTO browser_cookies (host, name, value, domain, path, expires, secure, http_only, "
            "user_agent, earned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(host, c["name"], c["value"], c.get("domain") or host, c.get("path") or "/",
              c["expires"] if (c.get("expires") or -1) > 0 else now + SESSION_COOKIE_SECONDS,
              int(bool(c.get("secure"))), int(bool(c.get("httpOnly"))), user_agent, earned_at)
             for c in cookies])


def live_cookies(db, host: str) -> tuple[dict[str, str], str | None]:
    """(name -> value, the browser's User-Agent) of the host's unexpired cookies."""
    rows = db.execute("SELECT name, value, user_agent FROM browser_cookies WHERE host = ? AND expires > ?",
                      [host, time.time()]).fetchall()
    return {name: value for name, value, _ in rows}, next((ua for _, _, ua in rows if ua), None)


def forget_cookies(db, host: str) -> None:
    """The site challenged again: what the jar holds for it is spent."""
    with write_transaction(db):
        db.execute("DELETE FROM browser_cookies WHERE host = ?", [host])


def challenged_hosts(db) -> list[str]:
    """Hosts a browser was ever needed for: they get the slow, careful pace from the start."""
    return [row[0] for row in db.execute("SELECT DISTINCT host FROM browser_runs")]


def log_browser_run(db, host: str, url: str, started_at: str, seconds: float, outcome: str, detail: str | None) -> None:
    with write_transaction(db):
        db.execute("INSERT INTO browser_runs (host, url, started_at, seconds, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
                   [host, url, started_at, round(seconds, 2), outcome, detail])


def browser_runs(db, since: str | None = None) -> list[dict]:
    rows = db.execute("SELECT host, url, started_at, seconds, outcome, detail FROM browser_runs "
                      "WHERE started_at >= ? ORDER BY id", [since or ""]).fetchall()
    return [dict(zip(("host", "url", "started_at", "seconds", "outcome", "detail"), row)) for row in rows]
