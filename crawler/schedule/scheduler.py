"""`healthwatch run`: every enabled source on its own interval or cron, for weeks, unattended.

APScheduler 3.x (4.x is still alpha) with an AsyncIOScheduler whose jobs are coroutines that
await a crawl in a child process (crawler.schedule.crawl_process), so:
- a job lasts as long as its crawl, and `max_instances=1` really means one run per source at a time;
- a hung, blocking or crashing spider only ever takes its own process down; the watchdog ends it;
- job defaults are set on purpose: APScheduler's default misfire grace of 1 s silently drops runs
  that start a little late (Gerapy's "jobs silently stop"); ours lets a late run happen, once.

Jobs come from the config at every start (a MemoryJobStore: nothing pickled to drift from the
config); catch-up after downtime is computed from crawl_runs instead of a persistent job store.
This module is the only one that touches APScheduler, so moving to 4.x is a one-file change.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import Config, Source
from crawler.schedule.crawl_process import GRACE_SECONDS, CrawlOutcome, CrawlProcess
from storage import health as health_sql
from storage import runs
from storage.store import Store, utc_now, utc_stamp

DEFAULT_INTERVAL = 3600.0  # a source with neither `schedule` nor `cron` runs hourly
MISFIRE_GRACE = 6 * 3600  # a run late by up to 6 h (busy machine, suspended laptop) still runs, once
STARTUP_ALLOWANCE = 5.0  # the watchdog waits this much past the spider's own timeout (child start-up ~2 s)

log = logging.getLogger("healthwatch.scheduler")


def trigger_for(source: Source, tz: ZoneInfo):
    if source.cron:
        return CronTrigger.from_crontab(source.cron, timezone=tz)
    return IntervalTrigger(seconds=source.interval_seconds or DEFAULT_INTERVAL, timezone=tz)


def live_run(db_path, source: str) -> dict | None:
    store = Store(db_path)
    try:
        return store.live_run(source)
    finally:
        store.close()


def first_run_time(source: Source, trigger, last_success: datetime | None, now: datetime) -> datetime:
    """Catch-up: a source whose last successful run is older than its schedule runs now (once);
    otherwise it keeps its rhythm from that last run."""
    if last_success is None:
        return now
    if source.cron:
        missed = trigger.get_next_fire_time(None, last_success + timedelta(seconds=1))
        return now if missed is None or missed <= now else missed
    due = last_success + timedelta(seconds=source.interval_seconds or DEFAULT_INTERVAL)
    return max(due, now)


@dataclass
class SourceState:
    """What the live view and the tests see of one source."""
    running_since: datetime | None = None
    waiting: bool = False  # due, but every crawl slot is taken
    last: CrawlOutcome | None = None
    runs: int = 0
    skipped_overlaps: int = 0  # due while its previous run was still going (not queued)
    failures_in_a_row: int = 0  # drives the retry back-off
    retry_at: datetime | None = None  # a failed run's early retry, when one is planned


@dataclass
class Supervisor:
    config: Config
    db_path: Path
    names: list[str] | None = None  # default: every enabled source
    grace: float = GRACE_SECONDS
    on_event: Callable[[str], None] = lambda message: None
    states: dict[str, SourceState] = field(default_factory=dict)
    redis_url: str | None = None  # distributed mode: runs are pushed to Redis (crawler.schedule.ingester)

    def __post_init__(self):
        self.tz = ZoneInfo(self.config.timezone)
        self.sources = [s for s in self.config.sources if (s.name in self.names if self.names else s.enabled)]
        self.states = {s.name: SourceState() for s in self.sources}
        self.crawls: dict[str, CrawlProcess] = {}
        self.jobs: set[asyncio.Task] = set()
        self.scheduler: AsyncIOScheduler | None = None
        self.stopping: asyncio.Event | None = None
        self.started_at = utc_now()

    # -- running -----------------------------------------------------------------------------
    async def serve(self, *, once: bool = False) -> None:
        """Run until stop() (SIGINT/SIGTERM); with `once`, run every source once and return."""
        self.stopping = asyncio.Event()
        self.slots = asyncio.Semaphore(self.config.max_concurrent_crawls)
        self._install_signal_handlers()
        store = Store(self.db_path)
        try:
            closed = store.close_interrupted_runs(reason="interrupted")
            if closed:
                self.on_event(f"marked {closed} run(s) left open by a previous scheduler as interrupted")
            last_success = {s.name: runs.last_success_at(store, s.name) for s in self.sources}
            for s in self.sources:
                self.states[s.name].failures_in_a_row = runs.consecutive_failures(store, s.name)
        finally:
            store.close()
        if once:
            work = asyncio.gather(*(self.run_source(s.name) for s in self.sources))
            stop_asked = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({work, stop_asked}, return_when=asyncio.FIRST_COMPLETED)
            if self.stopping.is_set():
                await self._stop_crawls()
            stop_asked.cancel()
            await work
            return
        self.scheduler = AsyncIOScheduler(
            timezone=self.tz,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": MISFIRE_GRACE},
        )
        self.scheduler.add_listener(self._on_job_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)
        now = datetime.now(timezone.utc)
        for source in self.sources:
            trigger = trigger_for(source, self.tz)
            self.scheduler.add_job(self.run_source, trigger, args=[source.name], id=source.name, name=source.name,
                                   next_run_time=first_run_time(source, trigger, last_success[source.name], now))
        self.scheduler.start()
        self.on_event(f"scheduling {len(self.sources)} source(s); times in {self.config.timezone}")
        beating = asyncio.ensure_future(self._keep_beating())
        try:
            await self.stopping.wait()
            await self._shut_down()
        finally:
            beating.cancel()
            await asyncio.to_thread(self._with_db, health_sql.stop_beating)

    async def run_source(self, name: str) -> CrawlOutcome | None:
        """One scheduled run: wait for a crawl slot, crawl in a child process, record the outcome.
        Never raises: one failing source never stops the others."""
        task = asyncio.current_task()
        self.jobs.add(task)
        state = self.states[name]
        try:
            state.waiting = True
            async with self.slots:
                state.waiting = False
                if self.stopping.is_set():
                    return None
                source = self.config.source(name)
                alive = live_run(self.db_path, name)
                if alive:  # e.g. left by a scheduler killed with -9: never two runs of one source at once
                    self.on_event(f"{name}: run {alive['id']} (pid {alive['pid']}) from an earlier start is "
                                  "still going; skipped")
                    return None
                if self.redis_url:
                    outcome = await asyncio.to_thread(self._push_round, source)
                    state.last, state.runs = outcome, state.runs + 1
                    self.on_event(f"{name}: round {outcome.run_id} queued for the workers")
                    return outcome
                crawl = CrawlProcess(name, self.config.origin, self.db_path, grace=self.grace,
                                     timeout=source.timeout_seconds + STARTUP_ALLOWANCE)
                self.crawls[name] = crawl
                state.running_since = datetime.now(timezone.utc)
                self.on_event(f"{name}: crawl started")
                try:
                    outcome = await crawl.run()
                finally:
                    self.crawls.pop(name, None)
                    state.running_since = None
            state.last, state.runs = outcome, state.runs + 1
            why = f" ({outcome.reason})" if outcome.reason else ""
            self.on_event(f"{name}: {outcome.status}, {outcome.new} new{why}")
            await self._after_run(name, outcome)
            return outcome
        except Exception as exc:  # noqa: BLE001 - logged and shown; the scheduler carries on
            log.exception("run of %s failed", name)
            self.on_event(f"{name}: run failed in the scheduler: {exc!r}")
            return None
        finally:
            state.waiting = False
            self.jobs.discard(task)

    def _push_round(self, source: Source) -> CrawlOutcome:
        from crawler.schedule import redisq
        from crawler.schedule.ingester import push_round

        store, server = Store(self.db_path), redisq.connect(self.redis_url)
        try:
            return CrawlOutcome(source.name, "queued", run_id=push_round(self.config, source, store, server))
        finally:
            store.close()
            server.close()

    def stop(self) -> None:
        """First call: stop scheduling, end running crawls gracefully. Second call: kill them."""
        if self.stopping.is_set():
            for crawl in list(self.crawls.values()):
                crawl.kill()
            return
        self.on_event("stopping: no new runs; running crawls are being stopped (again to kill them)")
        self.stopping.set()

    async def _stop_crawls(self) -> None:
        await asyncio.gather(*(crawl.stop("stopped") for crawl in list(self.crawls.values())))

    async def _shut_down(self) -> None:
        self.scheduler.pause()
        await self._stop_crawls()
        if self.jobs:
            await asyncio.wait(set(self.jobs))
        self.scheduler.shutdown(wait=False)
        self.on_event("stopped")

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.stop)
            except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
                pass

    def _on_job_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:
            self.states[event.job_id].skipped_overlaps += 1
            self.on_event(f"{event.job_id}: due while its previous run is still going; skipped")
        else:
            self.on_event(f"{event.job_id}: job error {event.exception!r}")

    # -- after a run: health, alerts, an early retry ------------------------------------------
    async def _after_run(self, name: str, outcome: CrawlOutcome) -> None:
        """Judge the source (the crawl did too, but a killed or timed-out crawl could not), deliver
        due alerts, and report deliveries that failed. Off the event loop: Apprise blocks."""
        from crawler.health import after_run

        errors = await asyncio.to_thread(self._with_db, lambda db: after_run(db, self.config, name))
        failed = await asyncio.to_thread(self._with_db, health_sql.failed_deliveries)
        for error in errors:
            self.on_event(f"health alert not delivered: {error}")
        if failed:
            self.on_event(f"{len(failed)} notification(s) undelivered (first: {failed[0]['what']}: "
                          f"{failed[0]['error']}); they are retried after each run, or `healthwatch notify --retry`")
        self._plan_retry(name, outcome)

    def _plan_retry(self, name: str, outcome: CrawlOutcome) -> None:
        """A failed run is tried again soon (5 min, 15 min, 1 h by default), never later than
        the source's next regular run: a source down for a moment should not wait 6 hours."""
        state = self.states[name]
        if outcome.status not in runs.FAILURES:
            state.failures_in_a_row, state.retry_at = 0, None
            return
        state.failures_in_a_row += 1
        delays = self.config.health.retry_seconds
        job = self.scheduler.get_job(name) if self.scheduler else None
        if not delays or job is None or self.stopping.is_set():
            return
        retry = datetime.now(timezone.utc) + timedelta(seconds=delays[min(state.failures_in_a_row, len(delays)) - 1])
        if job.next_run_time is None or retry < job.next_run_time:
            job.modify(next_run_time=retry)
            state.retry_at = retry
            self.on_event(f"{name}: retry at {retry.astimezone(self.tz):%H:%M:%S} "
                          f"(failure {state.failures_in_a_row} in a row)")
            self._beat()

    # -- the heartbeat `healthwatch status` reads -----------------------------------------------
    async def _keep_beating(self) -> None:
        while True:
            await asyncio.to_thread(self._beat)
            await asyncio.sleep(health_sql.HEARTBEAT_SECONDS)

    def _beat(self) -> None:
        next_runs = {s.name: (utc_stamp(t) if (t := self.next_run(s.name)) else None) for s in self.sources}
        try:
            self._with_db(lambda db: health_sql.beat(db, next_runs, started_at=self.started_at))
        except Exception:  # noqa: BLE001 - a locked database must not stop the scheduler
            log.exception("could not write the heartbeat")

    def _with_db(self, work):
        store = Store(self.db_path)
        try:
            return work(store.db)
        finally:
            store.close()

    # -- what the live view shows ------------------------------------------------------------
    def next_run(self, name: str) -> datetime | None:
        job = self.scheduler.get_job(name) if self.scheduler else None
        return job.next_run_time if job else None
