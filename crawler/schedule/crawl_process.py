"""One crawl of one source in its own process, under a watchdog.

Why a process per crawl (../shared/notes/engineering.md §1): in one process a blocking callback
froze the scheduler and every other source for its whole duration, and one source's memory or
crash is everyone's; a child process costs ~2 s and ~100 MB per run, nothing for crawls every few
minutes to hours, and the OS takes its memory back when it ends.

Past its timeout a crawl gets SIGTERM (Scrapy closes gracefully and flushes its batch), then
SIGKILL after a grace period; the crawl_runs row then says "timeout" either way.
"""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from storage.runs import failure_reason
from storage.store import Store

GRACE_SECONDS = 20.0
LOG_MAX_BYTES = 5 * 1024 * 1024  # a source's log is rotated past this, keeping LOG_KEEP old files
LOG_KEEP = 3


@dataclass
class CrawlOutcome:
    source: str
    status: str
    new: int = 0
    run_id: int | None = None
    returncode: int | None = None
    child_seconds: float = 0.0  # from spawning the crawl process to its exit
    reason: str | None = None  # why it did not go well: "DNS lookup failed", "HTTP 412", ...


class CrawlProcess:
    def __init__(self, source: str, config_path: Path, db_path: Path, *, timeout: float,
                 log_dir: Path | None = None, grace: float = GRACE_SECONDS):
        # `timeout` is the watchdog's: the spider's own CLOSESPIDER_TIMEOUT should normally end it first.
        self.source, self.config_path, self.db_path = source, Path(config_path), Path(db_path)
        self.timeout, self.grace = timeout, grace
        self.log_dir = log_dir or self.db_path.resolve().parent / "logs"
        self.proc: asyncio.subprocess.Process | None = None
        self.ended_by: str | None = None  # "timeout" or "stopped" when the supervisor ended it

    def command(self) -> list[str]:
        return [sys.executable, "-m", "scrapy", "crawl", "source", "-a", f"source={self.source}",
                "-a", f"config={self.config_path}", "-a", f"db={self.db_path}"]

    async def run(self) -> CrawlOutcome:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        rotate(self.log_dir / f"{self.source}.log")
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),  # the repository root
                                                           os.environ.get("PYTHONPATH")]))}
        started = time.monotonic()
        with open(self.log_dir / f"{self.source}.log", "ab") as log:
            # A session of its own: a Ctrl-C in the terminal reaches the scheduler, which decides.
            self.proc = await asyncio.create_subprocess_exec(
                *self.command(), stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL, env=env,
                start_new_session=True, preexec_fn=die_with_parent(os.getpid()))
            try:
                await asyncio.wait_for(self.proc.wait(), self.timeout)
            except asyncio.TimeoutError:
                await self.stop("timeout")
        child_seconds = time.monotonic() - started
        outcome = self._record()
        outcome.child_seconds = child_seconds
        return outcome

    async def stop(self, why: str = "stopped") -> None:
        """SIGTERM, then SIGKILL if the crawl has not ended within the grace period."""
        if not self.proc or self.proc.returncode is not None:
            return
        self.ended_by = self.ended_by or why
        self._signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), self.grace)
        except asyncio.TimeoutError:
            self._signal(signal.SIGKILL)
            await self.proc.wait()

    def kill(self) -> None:
        """At once, no grace (a second Ctrl-C)."""
        self.grace = 0
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        try:
            os.kill(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def _record(self) -> CrawlOutcome:
        """Make the crawl_runs row tell how the run ended, whatever state the child left it in."""
        store = Store(self.db_path)
        code = self.proc.returncode
        try:
            run = store.run_of_process(self.source, self.proc.pid)
            if run is None:  # ended before it opened its run: stopped at start-up, or it could not start
                run_id = store.start_run(self.source, pid=self.proc.pid)
                if self.ended_by:
                    store.finish_run(run_id, status=self.ended_by, finish_reason=f"{self.ended_by} before its crawl began",
                                     counts={}, error_reasons=[])
                else:
                    reason = _log_tail(self.log_dir / f"{self.source}.log") or f"exit status {code}"
                    store.finish_run(run_id, status="failed", finish_reason="crawl process failed to start",
                                     counts={"errors": 1}, error_reasons=[{"url": "", "reason": reason}])
                run = store.run(run_id)
            elif run["status"] == "running":  # killed before it could close its run
                how = f"killed (signal {-code})" if (code or 0) < 0 else f"exit status {code}"
                why = {"timeout": f"past its {self.timeout:.0f} s timeout", "stopped": "scheduler stopping"}
                store.end_run(run["id"], status=self.ended_by or "killed",
                              finish_reason=f"{how}: {why[self.ended_by]}" if self.ended_by else how)
                run = store.run(run["id"])
            elif self.ended_by == "timeout" and run["status"] != "timeout":
                store.end_run(run["id"], status="timeout", finish_reason=f"stopped after its {self.timeout:.0f} s timeout")
                run = store.run(run["id"])
            reason = failure_reason(run) if run["status"] != "ok" else None
            return CrawlOutcome(self.source, run["status"], run["new"] or 0, run["id"], self.proc.returncode,
                                reason=reason)
        finally:
            store.close()


def die_with_parent(parent: int):
    """For the child, before exec: SIGTERM when the scheduler dies, even by kill -9 (Linux
    PR_SET_PDEATHSIG), so no crawl is orphaned to run beside the next scheduler's. Its own session
    keeps a terminal's Ctrl-C away from it; this keeps it from outliving us."""
    def arm() -> None:
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # not Linux: the start-up check for live runs still holds
            return
        if os.getppid() != parent:  # the parent died before the line above: nobody would signal us
            os._exit(1)
    return arm


def rotate(path: Path, max_bytes: int = LOG_MAX_BYTES, keep: int = LOG_KEEP) -> None:
    """source.log -> source.log.1 -> … -> source.log.<keep>, so weeks of runs stay bounded."""
    if not path.exists() or path.stat().st_size < max_bytes:
        return
    for n in range(keep - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n + 1}"))
    path.replace(path.with_name(f"{path.name}.1"))


def _log_tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])[-500:]
