"""Where the benchmark pages are and which half each one belongs to.

Sets: the read-only development sets in `../shared/bench/<set>/` (found from the repository root, see
`shared_bench_dir`) and the project's own labelled pages in `bench/pages/<set>/` (same layout:
`<id>/page.html.gz` + `truth.json`), whichever exist.

Halves: every page is in the *tuning* or the *validation* half by its site (publisher host), never by
the page: two pages of one site always fall in the same half, so a rule written for a site's template is
judged on other sites. The half is a stable hash of the site key (sha1, not Python's salted hash()).

Held-out sets: a bench/pages set whose folder name holds "heldout" (zh-heldout-news-9 was one; spent, it became
zh-news-spent-9) was labelled before anyone ran the extractor on it and is never tuned on. All its pages are in the half
`heldout`, whatever their site; `set_dirs()` leaves these sets out (so the default benchmark run and the
golden dumps never show them) and `heldout_set_dirs()` lists them.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from pathlib import Path
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parents[1]
# the project's labelled pages (HEALTHWATCH_PAGES_DIR: another copy of them, e.g. a branch not landed yet)
OWN_PAGES = Path(os.environ.get("HEALTHWATCH_PAGES_DIR") or REPO_ROOT / "bench" / "pages")
SHARED_SETS = ("zh-news", "cwced", "aeb", "wcxb")
HALVES = ("tuning", "validation")
HELDOUT = "heldout"


def shared_bench_dir() -> Path:
    """`../shared/bench` beside the repository root. A git worktree may sit deeper than the main checkout
    (/…/wt/<name>), so the nearest ancestor holding `shared/bench` is taken; HEALTHWATCH_BENCH_DIR overrides."""
    if env := os.environ.get("HEALTHWATCH_BENCH_DIR"):
        return Path(env)
    for folder in (REPO_ROOT, *REPO_ROOT.parents):
        if (folder / ".." / "shared" / "bench").is_dir():
            return (folder / ".." / "shared" / "bench").resolve()
    return (REPO_ROOT / ".." / "shared" / "bench").resolve()


def is_heldout(set_name: str) -> bool:
    return HELDOUT in set_name.split("/")[-1]


def set_dirs() -> dict[str, Path]:
    """{set name: folder}: the shared sets, then every bench/pages/<set> (named "pages/<set>") that is not
    held out."""
    return {name: folder for name, folder in _all_set_dirs().items() if not is_heldout(name)}


def heldout_set_dirs() -> dict[str, Path]:
    """{set name: folder} of the held-out sets only."""
    return {name: folder for name, folder in _all_set_dirs().items() if is_heldout(name)}


def _all_set_dirs() -> dict[str, Path]:
    found = {}
    shared = shared_bench_dir()
    for name in SHARED_SETS:
        if (shared / name).is_dir():
            found[name] = shared / name
    if OWN_PAGES.is_dir():
        for folder in sorted(OWN_PAGES.iterdir()):
            if folder.is_dir() and any(folder.glob("*/truth.json")):
                found[f"pages/{folder.name}"] = folder
    return found


# second-level registrations under which the registrable name has three labels ("nhc.gov.cn", "qq.com.cn")
_CN_SECOND_LEVEL = {"gov", "com", "org", "edu", "net", "ac"}
_CANONICAL = re.compile(rb"""<(?:link[^>]+rel=["']?canonical|meta[^>]+property=["']og:url)[^>]*?"""
                        rb"""(?:href|content)=["']?(https?://[^"' >]+)""", re.I)


def registrable(host: str) -> str:
    """"news.qq.com" -> "qq.com", "wsjkw.gd.gov.cn" -> "gd.gov.cn": one site's subdomains together."""
    parts = host.lower().strip(".").split(".")
    if parts and parts[0] == "www":
        parts = parts[1:]
    keep = 3 if len(parts) >= 3 and parts[-2] in _CN_SECOND_LEVEL and len(parts[-1]) == 2 else 2
    return ".".join(parts[-keep:])


def site_key(page_id: str, truth: dict, html: bytes) -> str:
    """The truth's `site`, else the host of its URL, else of the page's canonical link, else the id's
    stem ("zh-news/wechat_2" -> "wechat": the labelled sets name pages site_n; `load_set` then maps a stem
    to a host of the same set whose first label it is: "thepaper" -> "thepaper.cn")."""
    if truth.get("site"):
        site = str(truth["site"]).strip()
        return registrable(urlparse(site).hostname or site) if "." in site else site.lower()
    for url in (truth.get("url"), _canonical(html)):
        if url and (host := urlparse(url).hostname):
            return registrable(host)
    name = page_id.split("/")[-1]
    return (name.split("_")[0] if "_" in name else name).lower()


def _canonical(html: bytes) -> str | None:
    m = _CANONICAL.search(html[:200_000])
    return m.group(1).decode("ascii", "replace") if m else None


def half_of(site: str) -> str:
    return HALVES[hashlib.sha1(site.encode("utf-8")).digest()[0] & 1]


def load_set(name: str, folder: Path | None = None) -> list[dict]:
    """Pages of one set: {"id", "html", "truth", "set", "site", "half"}; a zh-news-style truth's
    body_paragraphs become its `body`. A held-out set's pages are all in the half `heldout`."""
    folder = folder or _all_set_dirs()[name]
    pages = []
    for page_dir in sorted(folder.iterdir()):
        if not (page_dir / "truth.json").exists() or not (page_dir / "page.html.gz").exists():
            continue
        truth = json.loads((page_dir / "truth.json").read_text(encoding="utf-8"))
        if "body_paragraphs" in truth and not truth.get("body"):
            truth["body"] = "\n".join(truth["body_paragraphs"] or [])
        page_id = f"{name}/{page_dir.name}"
        html = gzip.decompress((page_dir / "page.html.gz").read_bytes())
        pages.append({"id": page_id, "html": html, "truth": truth, "set": name,
                      "site": site_key(page_id, truth, html)})
    hosts = {p["site"].split(".")[0]: p["site"] for p in pages if "." in p["site"]}
    for page in pages:
        page["site"] = hosts.get(page["site"], page["site"])
        page["half"] = HELDOUT if is_heldout(name) else half_of(page["site"])
    return pages
