"""Multi-page articles (分页): the further pages of an article, named like the first page with
_2, _3 … before the extension (the TRS/CMS convention, e.g. t20240520_123.html → …_123_2.html)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_HREF = re.compile(rb"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
_PLAIN_NAME = re.compile(r"[\w.-]+", re.A)
MAX_PAGES = 30


def continuation_urls(html: bytes, url: str) -> list[str]:
    """The article's other pages linked from its first page, in page order."""
    parts = urlsplit(url)
    stem, dot, ext = parts.path.rpartition(".")
    if not dot or "/" in ext:
        return []
    # Prefilter: a further page's link holds the page's own name and "_" ("t20240520_123_2.html"),
    # absent from almost every page, so most pages cost one byte search instead of a scan of
    # every link (which cost as much as extracting the page).
    name = stem.rsplit("/", 1)[-1]
    if _PLAIN_NAME.fullmatch(name) and f"{name}_".encode() not in html:
        return []
    pattern = re.compile(rf"^{re.escape(stem)}_(\d{{1,2}})\.{re.escape(ext)}$")
    pages = {}
    for match in _HREF.finditer(html):
        try:
            target = urlsplit(urljoin(url, match.group(1).decode("latin-1")))
            target.hostname  # noqa: B018 (parses the host: a malformed one raises here)
        except ValueError:
            continue
        # same site and http(s) only: a "next page" link to file:// or ftp:// is never fetched
        if target.netloc != parts.netloc or target.scheme not in ("http", "https"):
            continue
        number = pattern.match(target.path)
        if number and 2 <= int(number.group(1)) <= MAX_PAGES:
            pages[int(number.group(1))] = target._replace(fragment="").geturl()
    return [pages[n] for n in sorted(pages)]
