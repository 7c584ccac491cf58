"""Source health as a user meets it: real crawls (`healthwatch crawl`, fresh processes) of local
sites that change between runs (a redesign that breaks article_pattern, a site that stops
publishing, pages that lose their date line, a 412 challenge); the verdicts; one alert per change
of state and the recoveries, received by a real webhook on 127.0.0.1 through Apprise; a failed
delivery kept and retried; `status` at 80 and 120 columns."""
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from crawler.config import load_config
from tests.conftest import ROOT, run_cli
from tests.sitekit import ChangingSite, NewsSite, fixture_articles, without_date_line, write_sources
from tests.test_crawl import crawl
from tests.test_watches import Hook

PAGES = fixture_articles()
NAMES = {"redesign": "redesigned-health-news", "guarded": "guarded-policy-portal",
         "quiet": "quiet-provincial-news", "undated": "undated-health-bureau"}


@pytest.fixture
def hook():
    with Hook() as h:
        yield h


def health_of(config, db) -> dict[str, dict]:
    result = run_cli("health", "--json", "--config", config, "--db", db)
    assert result.returncode == 0, result.stderr
    verdicts = json.loads(result.stdout)
    assert all(set(v) == {"source", "state", "since", "evidence"} for v in verdicts)
    return {v["source"]: v for v in verdicts}


def crawled(config, db, *names):
    result = crawl(config, db, *names)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result


def plain_article(key: str) -> bytes:
    """A small article page of its own (for the sites whose list pages are what changes)."""
    body = "".join(f"<p>第{n}段：关于{key}的卫生健康工作通报，各地要落实分级诊疗和医保支付改革要求。</p>" for n in range(8))
    return (f'<html><head><meta charset="utf-8"><title>通报 {key}</title></head><body><h1>通报 {key}</h1>'
            f'<div class="info">发布时间：2024-05-20 10:00 来源：卫生健康委</div>{body}</body></html>').encode("utf-8")


def push_back_in_time(db, source, days=(10, 9, 8)):
    """The source's runs (and what they stored) happened days ago, one day apart."""
    now = datetime.now(timezone.utc)
    con = sqlite3.connect(db)
    ids = [r[0] for r in con.execute("SELECT id FROM crawl_runs WHERE source = ? ORDER BY id", [source])]
    for run_id, age in zip(ids, days):
        stamp = (now - timedelta(days=age)).strftime("%Y-%m-%dT%H:%M:%SZ")
        con.execute("UPDATE crawl_runs SET started_at = ?, finished_at = ? WHERE id = ?", [stamp, stamp, run_id])
    stamp = (now - timedelta(days=days[-1])).strftime("%Y-%m-%dT%H:%M:%SZ")
    con.execute("UPDATE articles SET first_seen_at = ? WHERE source = ?", [stamp, source])
    con.commit()
    con.close()


def titles(hook) -> list[str]:
    return [post["title"] for post in hook.posts]


def test_sites_that_change_get_verdicts_one_alert_each_and_recover(hook, tmp_path):
    with ChangingSite() as redesign, ChangingSite() as guarded, NewsSite() as quiet, NewsSite() as undated:
        config = write_sources(tmp_path / "sources.toml", [
            (NAMES["redesign"], redesign, {}), (NAMES["guarded"], guarded, {}),
            (NAMES["quiet"], quiet, {}), (NAMES["undated"], undated, {})])
        config.write_text(config.read_text() + f'\n[health]\nnotify = ["{hook.apprise_url}"]\n', encoding="utf-8")
        db = tmp_path / "hw.db"

        # three ordinary runs: each source builds a history; quiet and undated publish real pages
        for site in (redesign, guarded):
            for n in (1, 2):
                site.publish(f"plain-{n}", plain_article(f"{site.server.server_address[1]}-{n}"))
        for dated, quiet_page in (((0, 1), PAGES[10]), ((2, 3), PAGES[11]), ((4,), None)):
            for n in dated:
                undated.publish(PAGES[n]["id"], PAGES[n]["html"])
            if quiet_page:
                quiet.publish(quiet_page["id"], quiet_page["html"])
            else:
                quiet.publish("plain-3", plain_article("quiet-3"))
            crawled(config, db)
        verdicts = health_of(config, db)
        assert {v["state"] for v in verdicts.values()} == {"ok"}, verdicts
        assert hook.posts == [], "becoming ok from unknown is not news"

        # then the sites change under the crawler
        redesign.mode = "redesigned"
        guarded.mode = "challenge"
        for n in range(5, 10):
            undated.publish(PAGES[n]["id"], without_date_line(PAGES[n]["html"]))
        push_back_in_time(db, NAMES["quiet"])
        crawled(config, db)

        verdicts = health_of(config, db)
        assert verdicts[NAMES["redesign"]]["state"] == "silent"
        evidence = verdicts[NAMES["redesign"]]["evidence"]
        assert evidence["links_now"] == 0 and evidence["links_before"] == 2
        assert f"--source {NAMES['redesign']}" in evidence["next_step"] and "sources try" in evidence["next_step"]
        assert verdicts[NAMES["guarded"]]["state"] == "blocked"
        assert "412" in verdicts[NAMES["guarded"]]["evidence"]["reason"]
        assert verdicts[NAMES["quiet"]]["state"] == "silent"
        assert verdicts[NAMES["quiet"]]["evidence"]["usual_gap_seconds"] == 86400
        assert verdicts[NAMES["undated"]]["state"] == "broken_fields"
        assert verdicts[NAMES["undated"]]["evidence"]["rates"]["published"] == {"before": 1.0, "after": 0.0}
        assert all(verdicts[name]["since"] for name in NAMES.values())
        assert sorted(titles(hook)) == sorted([
            f"healthwatch: {NAMES['redesign']} is silent", f"healthwatch: {NAMES['guarded']} is blocked",
            f"healthwatch: {NAMES['quiet']} is silent", f"healthwatch: {NAMES['undated']} is broken fields"])
        blocked_alert = next(p["message"] for p in hook.posts if "blocked" in p["title"])
        assert "412" in blocked_alert and "last good run" in blocked_alert and "next step" in blocked_alert

        assert_status_readable(config, db)

        crawled(config, db)  # still broken: no second alert
        assert len(hook.posts) == 4

        # the sites are repaired; the recoveries are sent once, but the webhook is down at first
        redesign.mode = guarded.mode = "normal"
        hook.status = 500
        result = crawled(config, db, NAMES["redesign"], NAMES["guarded"])
        assert "not delivered" in result.stdout and "notify --retry" in result.stdout
        assert len(hook.posts) == 4
        retry = run_cli("notify", "--retry", "--config", config, "--db", db)
        assert retry.returncode == 1 and "not delivered" in retry.stdout, retry.stdout + retry.stderr
        assert "HTTP" in retry.stdout or "error" in retry.stdout.lower(), "the reason, not 'see the log'"
        hook.status = 200
        retry = run_cli("notify", "--retry", "--config", config, "--db", db)
        assert retry.returncode == 0, retry.stdout + retry.stderr
        assert sorted(titles(hook)[4:]) == [f"healthwatch: {NAMES['guarded']} recovered",
                                           f"healthwatch: {NAMES['redesign']} recovered"]
        assert run_cli("notify", "--retry", "--config", config, "--db", db).returncode == 0
        assert len(hook.posts) == 6, "each alert is delivered once"
        verdicts = health_of(config, db)
        assert verdicts[NAMES["redesign"]]["state"] == verdicts[NAMES["guarded"]]["state"] == "ok"
        assert (tmp_path / "logs" / "notify.log").read_text(encoding="utf-8").count("+0000") + \
            (tmp_path / "logs" / "notify.log").read_text(encoding="utf-8").count("+0") > 0, "log times carry their zone"


def assert_status_readable(config, db):
    for columns in (80, 120):
        result = run_cli("status", "--config", config, "--db", db, env={"COLUMNS": str(columns)})
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert max(map(len, lines)) <= columns, "\n".join(lines)
        for name in NAMES.values():
            assert any(name in line.split() for line in lines), f"{name} not whole at {columns} columns:\n{result.stdout}"
        assert str(db.resolve()) in result.stdout.replace("\n", "").replace(" ", "") or db.name in result.stdout
        for state in ("silent", "blocked", "broken_fields"):
            assert state in result.stdout
        assert "next run" not in result.stdout and "→" not in result.stdout, "no scheduler runs: no next run"
    wide = run_cli("status", "--wide", "--config", config, "--db", db, env={"COLUMNS": "200"})
    assert "failures in a row" in wide.stdout and "sources try" in wide.stdout


def test_status_at_80_columns_keeps_every_bundled_source_name_whole(tmp_path):
    from storage.store import Store

    db = tmp_path / "hw.db"
    Store(db).close()
    names = [s.name for s in load_config(ROOT / "crawler" / "sources").sources]
    result = run_cli("status", "--db", db, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    words = set(result.stdout.split())
    assert [name for name in names if name not in words] == []
    assert max(map(len, result.stdout.splitlines())) <= 80


def test_cli_conventions(tmp_path):
    help_text = run_cli("run", "-h", env={"COLUMNS": "120"}).stdout
    assert "[default: every enabled source]" in help_text and "[default: $HEALTHWATCH_DB" in help_text
    assert "<bool>" not in help_text and "--once" in help_text
    assert run_cli("--version").stdout.startswith("healthwatch ")
    missing = tmp_path / "nothing-here.db"
    for command in (["status"], ["feed"], ["notify"], ["health"]):
        result = run_cli(*command, "--db", missing)
        assert result.returncode == 2 and "no database at" in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert not missing.exists(), "a reading command never creates an empty database"
    for command in (["sources", "try", "http://127.0.0.1:9/", "--source", "nosuch"], ["crawl", "nosuch"],
                    ["health", "nosuch", "--db", missing]):
        result = run_cli(*command)
        assert result.returncode == 2 and "no source named 'nosuch'" in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[health]\nnotify = ["wecombot://SECRETWEBHOOKKEY123"]\n\n[[watches]]\nname = "w"\n'
                   'keywords = ["医保"]\nnotify = ["nosuchservice://SECRETTOKEN98765"]\n', encoding="utf-8")
    result = run_cli("sources", "--config", bad)
    assert result.returncode == 2 and "notify" in result.stderr
    assert "SECRETTOKEN98765" not in result.stderr and "nosuchservice://" in result.stderr
    assert "logs/" in (ROOT / ".gitignore").read_text().split()
