"""Dates as list documents give them (feeds, sitemaps, APIs): to an aware datetime, or None.
Bare dates and times are Beijing time; epoch numbers may be seconds or milliseconds."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
_NUMERIC = re.compile(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})(?:\D{1,3}(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}))?)?")


def to_datetime(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, time.struct_time):  # feedparser's *_parsed fields are UTC
        return datetime(*value[:6], tzinfo=timezone.utc)
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit() and len(value.strip()) >= 10):
        number = float(value)
        return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, timezone.utc)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)
    except ValueError:
        pass
    match = _NUMERIC.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)
    except ValueError:
        return None


def to_iso(value) -> str | None:
    """ISO 8601 in Beijing time, the time the sources publish in."""
    moment = to_datetime(value)
    return moment.astimezone(BEIJING).isoformat() if moment else None
