"""Credentials never leave in the clear: URLs with `user:pass@`, secret-looking query parameters
(`?token=`, `key=`, `sign=` …) and notification URLs (an Apprise URL is its secret:
`wecombot://KEY`, `dingtalk://TOKEN`) are masked in crawl_runs, logs, the crawl summary,
`sources` and config errors. Nothing here decides what is fetched: the crawler keeps the real URL.
"""
from __future__ import annotations

import logging
import re

MASK = "***"
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:access_?token|token|auth|authorization|key|api_?key|apikey|secret|client_secret|password|passwd|"
    r"pwd|pass|sign|signature|sig|ticket|session|sessionid|jsessionid)=)[^&#\s'\"<>]*")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]*@")
# Any other scheme is a notification URL (Apprise: wecombot://KEY, dingtalk://TOKEN, json://user:pass@host,
# mailto://…): everything after the scheme identifies the secret.
_OTHER_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,30})://([^\s'\"<>]+)")
_PLAIN_SCHEMES = {"http", "https", "ftp", "file"}


def mask(text: str | None) -> str | None:
    """The text with every credential in it replaced by ***."""
    if not text or "://" not in text and "=" not in text:
        return text
    text = _OTHER_SCHEME.sub(lambda m: m.group(0) if m.group(1).lower() in _PLAIN_SCHEMES
                             else f"{m.group(1)}://{MASK}", text)
    text = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    return _SECRET_PARAM.sub(lambda m: m.group(1) + MASK, text)


class MaskingFilter(logging.Filter):
    """A logging filter that masks credentials in the formatted message (Scrapy logs every URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_log_masking() -> None:
    """On every handler of the root logger (Scrapy's included), once."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
