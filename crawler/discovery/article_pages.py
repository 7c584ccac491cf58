"""Multi-page articles (分页): the further pages of an article, named like the first page with
_2, _3 … before the extension (the TRS/CMS convention, e.g. t20240520_123.html → …_123_2.html)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_HREF = re.compile(rb"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
MAX_PAGES = 30


def continuation_urls(html: bytes, url: str) -> list[str]:
    """The article's other pages linked from its first page, in page order."""
    parts = urlsplit(url)
    stem, dot, ext = parts.path.rpartition(".")
    if not dot or "/" in ext:
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
