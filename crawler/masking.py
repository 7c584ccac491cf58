"""Secrets out of every message: notification URLs (webhook keys, tokens, passwords) and cookies.

Apprise knows which part of each of its ~100 URL schemes is secret and masks it itself
(`url(privacy=True)`); we only drop the query string it adds and fall back to a generic mask
for a URL it does not understand (the config error that refuses such a URL must not print it).
"""
from __future__ import annotations

import re

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://(.*)$", re.I | re.S)


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


def mask_cookies(cookies: dict[str, str]) -> dict[str, str]:
    return {name: mask_secret(value) for name, value in cookies.items()}


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
