"""The scheduler and health together: a failed run is retried soon (not a whole interval later),
the live view and the log say why it failed, one alert when the source turns failing, and
`status` shows "next run" only while the scheduler's heartbeat is fresh."""
import json

from rich.console import Console

from tests.conftest import run_cli
from tests.sitekit import NewsSite, fixture_articles, write_sources
from tests.test_scheduler import finished, runs, start_scheduler, stop_scheduler, wait_for
from tests.test_watches import Hook

PAGES = fixture_articles()


def status_json(config, db) -> dict:
    result = run_cli("status", "--json", "--config", config, "--db", db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_failed_runs_are_retried_soon_and_alert_once(tmp_path):
    with Hook() as hook, NewsSite() as up, NewsSite() as down:
        up.publish(PAGES[0]["id"], PAGES[0]["html"])
        config = write_sources(tmp_path / "sources.toml", [("up-source", up, {"schedule": "1h"}),
                                                           ("down-source", down, {"schedule": "1h"})])
        config.write_text(config.read_text() + f'\n[health]\nnotify = ["{hook.apprise_url}"]\nfailures = 2\n'
                          'retry = ["1s", "2s"]\n', encoding="utf-8")
        down.__exit__()  # connection refused from the start
        db = tmp_path / "hw.db"
        proc = start_scheduler(config, db)
        try:
            wait_for(lambda: finished(db, "down-source") >= 3 and finished(db, "up-source") >= 1, timeout=90)
            live = status_json(config, db)
        finally:
            output = stop_scheduler(proc)
        after = status_json(config, db)

    assert finished(db, "up-source") == 1, "the healthy source keeps its hourly schedule"
    statuses = [r["status"] for r in runs(db, "down-source")]
    assert statuses.count("failed") >= 3 and set(statuses) <= {"failed", "stopped"}, statuses
    assert "down-source: failed, 0 new (connection refused)" in output
    assert "down-source: retry at" in output and "(failure 2 in a row)" in output
    failing = [p for p in hook.posts if p["title"] == "healthwatch: down-source is failing"]
    assert len(failing) == 1 and "connection refused" in failing[0]["message"], hook.posts
    assert len(hook.posts) == 1, "one alert for the change, not one per failed run"

    assert live["scheduler"] is not None and live["db"] == str(db.resolve())
    rows = {r["source"]: r for r in live["sources"]}
    assert rows["up-source"]["next_run"] and rows["down-source"]["health"] == "failing"
    assert after["scheduler"] is None and all(r["next_run"] is None for r in after["sources"]), \
        "no scheduler, no next run"
    text = run_cli("status", "--config", config, "--db", db, env={"COLUMNS": "80"}).stdout
    assert "connection refused" in text and "no scheduler is running" in text


def test_live_view_says_why_a_source_failed(tmp_path):
    from crawler.cli.schedule import live_table
    from crawler.config import load_config
    from crawler.schedule.crawl_process import CrawlOutcome
    from crawler.schedule.scheduler import Supervisor

    with NewsSite() as site:
        config = load_config(write_sources(tmp_path / "s.toml", [("gd-health-commission", site, {})]))
    supervisor = Supervisor(config, tmp_path / "hw.db")
    supervisor.states["gd-health-commission"].last = CrawlOutcome("gd-health-commission", "failed",
                                                                  reason="DNS lookup failed")
    console = Console(record=True, width=80)
    console.print(live_table(supervisor))
    text = console.export_text()
    assert "│ gd-health-commission │" in text, text
    cells = " ".join(line.split("│")[3].strip() for line in text.splitlines() if line.count("│") > 4)
    assert "(DNS lookup failed)" in cells, text
