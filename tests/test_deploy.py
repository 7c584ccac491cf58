"""Running it for months: the systemd unit and the Dockerfile in deploy/ and the repository root,
each started as written and asked `healthwatch status`. Where systemd is not PID 1 (containers,
CI) the unit is checked by systemd-analyze and its ExecStart run with its Environment and
WorkingDirectory, as systemd would; the Docker build needs a daemon and is skipped without one."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.sitekit import NewsSite, fixture_articles, write_sources

UNIT = ROOT / "deploy" / "healthwatch.service"
BIN = Path(sys.executable).parent / "healthwatch"


def unit_settings(text: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def status_of(env) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "status", "--json"], env=env, capture_output=True, text=True, timeout=60)


def test_systemd_unit_starts_and_answers_status(tmp_path):
    if not BIN.exists():
        pytest.skip(f"{BIN} is not installed (pip install -e .)")
    text = UNIT.read_text(encoding="utf-8")
    here = text.replace("/opt/healthwatch/bin/healthwatch", str(BIN)).replace("/var/lib/healthwatch", str(tmp_path))
    unit = unit_settings(here)
    assert unit["ExecStart"] == [f"{BIN} run"] and unit["KillSignal"] == ["SIGTERM"]
    assert unit["Restart"] == ["on-failure"] and unit["WantedBy"] == ["multi-user.target"]
    if shutil.which("systemd-analyze"):
        copy = tmp_path / "healthwatch.service"
        copy.write_text(here.replace("User=healthwatch\nGroup=healthwatch\n", ""), encoding="utf-8")
        verified = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
        problems = [line for line in verified.stderr.splitlines()
                    if "healthwatch.service" in line and "Failed to" not in line and "bus" not in line.lower()]
        assert not problems, verified.stderr

    env = {**os.environ, "PATH": os.environ.get("PATH", "")}
    for assignment in unit["Environment"]:
        key, value = assignment.split("=", 1)
        env[key] = value
    with NewsSite() as site:
        site.publish(fixture_articles()[0]["id"], fixture_articles()[0]["html"])
        env["HEALTHWATCH_CONFIG"] = str(write_sources(tmp_path / "sources.toml", [("local-news", site, {})]))
        proc = subprocess.Popen(unit["ExecStart"][0].split(), cwd=unit["WorkingDirectory"][0], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline, answer = time.monotonic() + 60, None
            while time.monotonic() < deadline:
                result = status_of(env)
                if result.returncode == 0 and json.loads(result.stdout)["scheduler"]:
                    answer = json.loads(result.stdout)
                    if answer["sources"][0]["last_run"] and answer["sources"][0]["last_run"]["status"] == "ok":
                        break
                time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=int(unit["TimeoutStopSec"][0]))
    assert answer, output
    assert answer["db"] == str(tmp_path / "healthwatch.db") and answer["scheduler"]["pid"] == proc.pid
    assert answer["sources"][0]["last_run"]["status"] == "ok" and answer["sources"][0]["next_run"]
    assert proc.returncode == 0, output
    assert (tmp_path / "logs" / "scheduler.log").exists()


def test_dockerfile_builds_and_answers_status(tmp_path):
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["healthwatch", "run"]' in dockerfile and "HEALTHCHECK" in dockerfile
    assert "STOPSIGNAL SIGTERM" in dockerfile and "HEALTHWATCH_DB=/data/healthwatch.db" in dockerfile
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("no Docker daemon runs here: the image is not built (the Dockerfile's content is checked)")
    tag = "healthwatch-test:latest"
    subprocess.run([docker, "build", "-t", tag, str(ROOT)], check=True, capture_output=True, timeout=1800)
    name = f"healthwatch-test-{os.getpid()}"
    subprocess.run([docker, "run", "-d", "--name", name, tag], check=True, capture_output=True, timeout=120)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            result = subprocess.run([docker, "exec", name, "healthwatch", "status", "--json"], capture_output=True,
                                    text=True, timeout=60)
            if result.returncode == 0 and json.loads(result.stdout)["scheduler"]:
                break
            time.sleep(2)
        assert result.returncode == 0 and json.loads(result.stdout)["db"] == "/data/healthwatch.db", result.stderr
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, timeout=120)
