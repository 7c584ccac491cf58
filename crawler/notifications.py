"""Sending one message through Apprise, and saying why it failed.

Apprise returns only False for a refused or unreachable service and writes the reason to its
logger; capturing that log for the duration of the send turns "see the log" into the actual
reason ("A Connection error occurred sending JSON notification to 127.0.0.1"), stored with the
undelivered item. Every URL is masked before any of it is printed or stored.
"""
from __future__ import annotations

import logging

import apprise

from crawler.masking import mask_text, mask_url

log = logging.getLogger("healthwatch.notify")


def send(urls: list[str], title: str, body: str) -> str | None:
    """Deliver to every URL; None when all accepted it, else the reasons (masked)."""
    client = apprise.Apprise()
    for url in urls:
        client.add(url)
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        ok = bool(client.notify(title=title, body=body))
    if ok:
        log.info("sent %r to %s", title, ", ".join(map(mask_url, urls)))
        return None
    reasons = "; ".join(dict.fromkeys(line.strip() for line in captured.getvalue().splitlines() if line.strip()))
    error = mask_text(reasons or "a notification service did not accept the message", urls)[:500]
    log.warning("could not send %r to %s: %s", title, ", ".join(map(mask_url, urls)), error)
    return error
