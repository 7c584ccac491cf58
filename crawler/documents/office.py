"""LibreOffice headless for the binary office formats no maintained Python library reads:
.doc and Kingsoft .wps (to .docx, then python-docx), .et (to .xlsx, then openpyxl).

Through .docx rather than LibreOffice's own text export: that export runs a table's cells together
with nothing between them (核查进度安排阶段时间内容…, LibreOffice 7.4), where python-docx reads the
converted table row by row, as it reads a DOCX attachment. `$HEALTHWATCH_SOFFICE` names the program
(a path that does not exist means "not installed": the tests check the note that way)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 60
NEEDS_LIBREOFFICE = ("needs LibreOffice to read .{kind} files: apt-get install libreoffice-writer-nogui "
                     "libreoffice-calc-nogui (or libreoffice)")
_TARGETS = {"doc": "docx", "wps": "docx", "et": "xlsx"}


class NeedsLibreOffice(RuntimeError):
    pass


def soffice() -> str | None:
    configured = os.environ.get("HEALTHWATCH_SOFFICE")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next(filter(None, map(shutil.which, ("soffice", "libreoffice"))), None)


def convert(data: bytes, kind: str) -> tuple[bytes, str]:
    """(converted bytes, their extension). Raises NeedsLibreOffice where it is not installed."""
    program = soffice()
    if program is None:
        raise NeedsLibreOffice(NEEDS_LIBREOFFICE.format(kind=kind))
    target = _TARGETS[kind]
    extension = target.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="healthwatch-office-") as folder:
        source = Path(folder) / f"attachment.{kind}"
        source.write_bytes(data)
        # a private profile: a user's running LibreOffice (or a parallel conversion) would lock the default one
        profile = Path(folder, "profile").as_uri()
        result = subprocess.run(
            [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", target,
             "--outdir", folder, str(source)],
            capture_output=True, timeout=TIMEOUT_SECONDS, env={**os.environ, "HOME": folder})
        converted = Path(folder) / f"attachment.{extension}"
        if not converted.exists():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[:200]
            raise ValueError(f"LibreOffice could not convert it ({detail or f'exit {result.returncode}'})")
        return converted.read_bytes(), extension
