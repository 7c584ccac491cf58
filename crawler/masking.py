"""Credentials never leave in the clear (issue 12, point 17). Two levels, one module:

- `mask(text)`: any free text (crawl_runs reasons, logs, the crawl summary, `sources`, config
  errors): URLs with `user:pass@`, secret-looking query parameters (`?token=`, `key=`, `sign=` …)
  and notification URLs (an Apprise URL is its secret: `wecombot://KEY`, `dingtalk://TOKEN`) become
  `***`. Nothing here decides what is fetched: the crawler keeps the real URL.
- `mask_url(url)` / `mask_text(text, secrets)`: a notification URL we know, shown so a person can
  still tell which one it is. Apprise knows which part of each of its ~100 URL schemes is secret and
  masks it itself (`url(privacy=True)`: `wecombot://K...Y`); we only drop the query string it adds
  and fall back to a generic mask for a URL it does not understand (the config error that refuses
  such a URL must not print it).
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
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://(.*)$", re.I | re.S)


# -- free text -------------------------------------------------------------------------------

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


# -- notification URLs we know -----------------------------------------------------------------

def mask_secret(value: str) -> str:
    """'ABCDEFGH' -> 'A…H'; short values become '…' entirely."""
    value = str(value)
    return f"{value[0]}…{value[-1]}" if len(value) >= 8 else "…"


def mask_url(url: str) -> str:
    """A notification URL safe to print: 'wecombot://KEY' -> 'wecombot://K...Y'."""
    try:
        import apprise

        plugin = apprise.Apprise.instantiate(url)
    except Exception:  # noqa: BLE001 - a malformed URL is masked generically below
        plugin = None
    if plugin:
        return plugin.url(privacy=True).split("?", 1)[0].rstrip("/")
    match = _SCHEME.match(url.strip())
    if not match:
        return mask_secret(url)
    scheme, rest = match.groups()
    return f"{scheme}://{mask_secret(rest)}"


def mask_text(text: str, secrets: list[str]) -> str:
    """Replace each known secret URL (and its bare parts) in free text, e.g. a library's error."""
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, mask_url(secret))
        match = _SCHEME.match(secret)
        if match:  # an error may quote the URL without its scheme, or only its token
            for part in re.split(r"[/:@?&=]+", match.group(2)):
                if len(part) >= 8 and "." not in part:  # a token, not a host name
                    text = text.replace(part, mask_secret(part))
    return text
