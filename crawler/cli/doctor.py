"""`healthwatch doctor`: is this machine ready for the configured sources? One line per check:
config, database, browser tier, document readers, LibreOffice, Redis (when configured)."""
from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import typer
from rich.markup import escape

from crawler.cli.common import ConfigOption, DbOption, console
from storage.paths import default_db_path

MARKS = {"ok": "[green]ok  [/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]", "skip": "[dim]skip[/]"}


def doctor(
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    launch: bool = typer.Option(True, "--launch/--no-launch", help="Start Chromium once to prove it runs"),
):
    """Check the whole setup, one line per check; exit status 1 when something needed fails."""
    failed = False
    results = []
    cfg, line = check_config(config)
    results.append(line)
    results.append(check_database(db or default_db_path()))
    results.append(check_browser(cfg, launch))
    results.append(check_documents())
    results.append(check_libreoffice())
    results.append(check_redis(cfg))
    for mark, name, detail in results:
        console.print(f"{MARKS[mark]} {name}: {escape(detail)}", highlight=False, soft_wrap=True)
        failed |= mark == "fail"
    if failed:
        raise typer.Exit(1)


def check_config(path: Optional[Path]):
    from crawler.config import ConfigError, default_config_path, load_config

    try:
        cfg = load_config(path or default_config_path())
    except ConfigError as exc:
        return None, ("fail", "config", str(exc))
    enabled = [s for s in cfg.sources if s.enabled]
    return cfg, ("ok", "config", f"{len(cfg.sources)} sources ({len(enabled)} enabled) from {cfg.origin}")


def check_database(path: Path):
    from storage.db import MIGRATIONS, open_db

    if not path.exists():  # doctor does not create it; the first crawl does
        folder = path.resolve().parent
        if os.access(folder if folder.exists() else folder.parent, os.W_OK):
            return "ok", "database", f"{path} does not exist yet; the first crawl creates it"
        return "fail", "database", f"{path} cannot be created: {folder} is not writable"
    try:
        db = open_db(path)
    except Exception as exc:  # unreadable file, too-old SQLite, newer schema, no permission
        return "fail", "database", f"{path}: {exc}"
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        db.execute("BEGIN IMMEDIATE")  # can we take the write lock?
        db.execute("ROLLBACK")
    except Exception as exc:
        return "fail", "database", f"{path}: not writable: {exc}"
    finally:
        db.close()
    return "ok", "database", f"{path} (schema {version}/{len(MIGRATIONS)}, {articles} articles, writable)"


def check_browser(cfg, launch: bool):
    from crawler.fetch.browser import chromium_path, earn_cookies, tier_problem

    needing = [s.name for s in (cfg.sources if cfg else []) if s.enabled and s.browser]
    who = f"needed by {', '.join(needing)}" if needing else "no enabled source needs it"
    problem = tier_problem()
    if problem:
        return ("fail" if needing else "warn"), "browser tier", f"{problem} ({who})"
    from importlib.metadata import version

    where = f"Chromium at {chromium_path()}, playwright {version('playwright')}"
    if not launch:
        return "ok", "browser tier", f"{where} (not started: --no-launch; {who})"
    started = time.monotonic()
    try:
        asyncio.run(earn_cookies("data:text/html,<p>healthwatch doctor</p>", lambda html: "doctor" in html, timeout=30))
    except Exception as exc:
        return ("fail" if needing else "warn"), "browser tier", f"{where}, but it does not start: {exc}"
    return "ok", "browser tier", f"{where}, starts in {time.monotonic() - started:.1f} s ({who})"


def check_documents():
    missing = []
    for module, package in (("pypdfium2", "pypdfium2"), ("docx", "python-docx"), ("openpyxl", "openpyxl"),
                            ("xlrd", "xlrd")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        return "fail", "attachment readers", f"missing {', '.join(missing)}: pip install -e ."
    return "ok", "attachment readers", "PDF (pypdfium2), DOCX (python-docx), XLSX (openpyxl), XLS (xlrd), OFD, ZIP"


def check_libreoffice():
    from crawler.documents.office import soffice

    program = soffice()
    if program is None:
        return ("warn", "LibreOffice", "not installed: .doc/.wps/.et attachments are stored with a 'needs LibreOffice' "
                "note and read by the next crawl after it is (apt-get install libreoffice-writer-nogui "
                "libreoffice-calc-nogui)")
    return "ok", "LibreOffice", f"{program} (.doc/.wps/.et attachments)"


def check_redis(cfg):
    url = getattr(cfg, "redis_url", None) or os.environ.get("HEALTHWATCH_REDIS_URL")
    if not url:
        return "skip", "Redis", "not configured (redis_url / $HEALTHWATCH_REDIS_URL)"
    parts = urlsplit(url)
    try:
        # a bare RESP PING: answers whether the server is there without needing a client library
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3) as conn:
            if parts.password:
                conn.sendall(f"AUTH {parts.password}\r\n".encode())
                conn.recv(64)
            conn.sendall(b"PING\r\n")
            answer = conn.recv(64)
    except OSError as exc:
        return "fail", "Redis", f"{url}: {exc}"
    if not answer.startswith(b"+PONG"):
        return "fail", "Redis", f"{url}: answered {answer[:40]!r}"
    return "ok", "Redis", f"{url} answers PING"
