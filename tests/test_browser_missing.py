"""Without the browser tier (the playwright package or Chromium missing), the sources that need
it say so everywhere a user looks: `sources`, the crawl summary, `status`, `doctor`."""
import subprocess
import sys

from tests.conftest import ROOT, run_cli
from tests.sitekit import write_sources
from tests.test_crawl import rows

NEEDS = "needs the browser tier: pip install -e '.[browser]' and apt-get install chromium"
NO_CHROMIUM = {"HEALTHWATCH_CHROMIUM": "/nonexistent/chromium"}


def with_browser_source(config, site):
    write_sources(config, [("demo-news", site, {"max_pages": 1})])
    config.write_text(config.read_text(encoding="utf-8") + "\n".join([
        "", "[[sources]]", 'name = "nhc-like"', f'start_urls = ["{site.url("/nhc/list.shtml")}"]',
        r"article_pattern = '/\d{6}/[0-9a-f]{32}\.shtml$'", "browser = true", ""]), encoding="utf-8")
    return config


def test_sources_says_what_to_install_when_playwright_is_missing(site, tmp_path):
    config = with_browser_source(tmp_path / "sources.toml", site)
    # a Python without the package: an import of playwright fails as it would there
    code = ("import sys; sys.modules['playwright'] = None; from crawler.cli import app; "
            f"sys.argv = ['healthwatch', 'sources', '--config', {str(config)!r}]; app()")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"COLUMNS": "250", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    [line] = [l for l in result.stdout.splitlines() if "nhc-like" in l]
    assert NEEDS in line and "playwright is not installed" in line
    [other] = [l for l in result.stdout.splitlines() if "demo-news" in l]
    assert "yes" in other


def test_the_crawl_summary_status_and_doctor_say_what_is_missing(site, tmp_path):
    config, db = with_browser_source(tmp_path / "sources.toml", site), tmp_path / "hw.db"
    everything = run_cli("crawl", "--config", config, "--db", db, env=NO_CHROMIUM)
    assert everything.returncode == 0, everything.stdout + everything.stderr  # the rest crawled fine
    assert f"nhc-like: {NEEDS}" in everything.stdout and "skipped" in everything.stdout
    assert [r["source"] for r in rows(db, "SELECT source FROM crawl_runs")] == ["demo-news"]

    named = run_cli("crawl", "nhc-like", "--config", config, "--db", db, env=NO_CHROMIUM)
    assert named.returncode == 1 and NEEDS in named.stdout
    [run] = rows(db, "SELECT * FROM crawl_runs WHERE source = 'nhc-like'")
    assert run["status"] == "failed" and NEEDS in run["error_reasons"]

    status = run_cli("status", "--config", config, "--db", db, env=NO_CHROMIUM)
    assert status.returncode == 0 and f"nhc-like: {NEEDS}" in status.stdout

    doctor = run_cli("doctor", "--config", config, "--db", db, env={**NO_CHROMIUM, "HEALTHWATCH_REDIS_URL":
                                                                    "redis://127.0.0.1:6379/0"})
    assert doctor.returncode == 1, doctor.stdout
    lines = doctor.stdout.strip().splitlines()
    assert [l.split()[1] for l in lines] == ["config:", "database:", "browser", "attachment", "LibreOffice:", "Redis:"]
    assert lines[2].startswith("FAIL browser tier:") and NEEDS in lines[2] and "needed by nhc-like" in lines[2]
    assert lines[1].startswith("ok") and "2 articles" not in lines[1]
    assert lines[5].startswith(("ok   Redis: redis://127.0.0.1:6379/0 answers PING", "FAIL Redis"))


def test_doctor_passes_where_everything_is_installed(tmp_path):
    from crawler.fetch.browser import tier_problem

    result = run_cli("doctor", "--no-launch", "--db", tmp_path / "hw.db")
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 6, result.stdout
    assert lines[0].startswith("ok   config:") and "does not exist yet" in lines[1]
    assert not (tmp_path / "hw.db").exists()  # doctor looks, it does not create
    if tier_problem() is None:
        assert result.returncode == 0 and lines[2].startswith("ok   browser tier: Chromium at")
    else:
        assert result.returncode == 1 and lines[2].startswith("FAIL browser tier")


def test_the_scheduler_leaves_out_a_source_that_needs_the_missing_tier_and_says_why(site, tmp_path):
    config, db = with_browser_source(tmp_path / "sources.toml", site), tmp_path / "hw.db"
    result = run_cli("run", "--once", "--config", config, "--db", db, env=NO_CHROMIUM, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr  # the source it can run ran fine
    [said] = [line for line in result.stdout.splitlines() if "nhc-like" in line]
    assert f"nhc-like: not scheduled: {NEEDS}" in said and "no Chromium found at $HEALTHWATCH_CHROMIUM" in said
    assert [(r["source"], r["status"]) for r in rows(db, "SELECT source, status FROM crawl_runs")] == [("demo-news", "ok")]
    log = (tmp_path / "logs" / "scheduler.log").read_text(encoding="utf-8")
    assert f"nhc-like: not scheduled: {NEEDS}" in log
