import os
from pathlib import Path


def default_db_path() -> Path:
    """--db default: $HEALTHWATCH_DB, else healthwatch.db in the working directory."""
    return Path(os.environ.get("HEALTHWATCH_DB") or "healthwatch.db")
