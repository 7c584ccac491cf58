"""`healthwatch sources`: list and validate sources, try a source's rules on one URL, scaffold one."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Optional
from urllib.parse import urljoin, urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from crawler.cli.common import CONTEXT, ConfigOption, console, err, fetch, load, source_named
from crawler.config import Source
from crawler.masking import mask

app = typer.Typer(help="List, validate, try and scaffold sources.", invoke_without_command=True,
                  add_completion=False, context_settings=CONTEXT)


@app.callback()
def list_sources(ctx: typer.Context, config: Optional[Path] = ConfigOption):
    """List and validate the configured sources (the default when no subcommand is given)."""
    if ctx.invoked_subcommand:
        return
    cfg = load(config)
    table = Table(title=f"{len(cfg.sources)} sources from {cfg.origin}")
    for column in ("name", "kind", "schedule", "enabled", "start URL"):
        table.add_column(column, overflow="fold")
    from crawler.fetch.browser import source_problem

    for s in cfg.sources:
        enabled = "yes" if s.enabled else f"no: {s.disabled_reason}" if s.disabled_reason else "no"
        if s.enabled and (problem := source_problem(s)):
            enabled = f"no: {problem}"
        enabled = escape(enabled)  # "[browser]" is not markup
        start = s.api.url if s.kind == "api" else s.start_urls[0]
        table.add_row(s.name, s.kind, s.schedule or s.cron or "1h", enabled, mask(start))
    console.print(table)


def article_pattern_guess(links: list[str], base: str) -> str | None:
    """The URL shape most links of a list page share (digits and hex runs generalised): a
    starting point for `article_pattern`."""
    host = urlsplit(base).netloc
    shapes = Counter()
    for link in links:
        parts = urlsplit(link)
        if parts.netloc != host or not re.search(r"\d{4}", parts.path):
            continue
        folder, _, name = parts.path.rpartition("/")
        stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
        stem = r"\d+" if stem.isdigit() else r"[0-9a-f]+" if re.fullmatch(r"[0-9a-f]{16,}", stem) else r"[\w-]+"
        shape = re.sub(r"\d+", r"\\d+", re.escape(folder + "/")) + stem + (r"\." + re.escape(ext) if dot else "")
        shapes[shape] += 1
    if not shapes:
        return None
    shape, count = shapes.most_common(1)[0]
    return shape + "$" if count >= 3 else None


@app.command("try")
def try_url(
    url: str = typer.Argument(..., help="A list, feed, sitemap, API or article URL"),
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Use this configured source's rules"),
    as_article: bool = typer.Option(False, "--article", help="Treat the URL as an article page"),
    config: Optional[Path] = ConfigOption,
):
    """Run a source's rules on one URL: the links it would follow, or the article it would store."""
    from crawler.discovery import discover
    from crawler.extract import extract

    cfg = load(config)
    src = source_named(cfg, source) if source else None
    body, content_type, final_url = fetch(url, cfg.user_agent, cfg.allow_private_addresses)
    is_article = as_article or (src is not None and src.article_pattern and re.search(src.article_pattern, url)
                                and src.kind != "api")
    if is_article:
        record = extract(body, final_url, content_type=content_type, selectors=(src.selectors if src else None) or None)
        print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))
        return
    if src is None:
        kind = "sitemap" if b"<urlset" in body[:2000] or b"<sitemapindex" in body[:2000] else \
            "feed" if re.search(rb"<(rss|feed)\b", body[:2000]) else "list"
        src = Source(name="try", start_urls=[url], kind=kind, article_pattern=r"://[^/]+/.*\d{4}")  # dated paths
    found = discover(src, body, final_url, content_type)
    if found.problem:
        err.print(f"[red]{found.problem}[/]")
        raise typer.Exit(1)
    table = Table(title=f"{len(found.articles)} article links ({src.kind}) on {final_url}")
    for column in ("url", "title", "date"):
        table.add_column(column, overflow="fold")
    for link in found.articles:
        table.add_row(link.url, link.title or "", link.published or "")
    console.print(table)
    for page in found.pages:
        console.print(f"next list page: {page}")
    if not source:
        guess = article_pattern_guess([link.url for link in found.articles], final_url)
        console.print(f"suggestion: article_pattern = '{guess}'" if guess else
                      "no clear article URL shape: set article_pattern by hand", markup=False, highlight=False)


@app.command()
def new(
    name: str = typer.Argument(..., help="The source name: lower-case letters, digits and '-'"),
    url: str = typer.Option(..., "--url", help="The list page, feed, sitemap or API URL"),
    kind: str = typer.Option("list", "--kind", help="list, feed, sitemap or api"),
    probe: bool = typer.Option(True, "--probe/--no-probe", help="Fetch the URL to suggest an article pattern"),
    config: Optional[Path] = ConfigOption,
):
    """Print a config block for a new source, to paste into a config file and adjust."""
    from crawler.config import KINDS, NAME_RE

    if not NAME_RE.match(name):
        err.print("name: use lower-case letters, digits and '-' only")
        raise typer.Exit(2)
    if kind not in KINDS:
        err.print(f"kind: one of {', '.join(KINDS)}")
        raise typer.Exit(2)
    pattern = None
    if probe and kind == "list":
        from crawler.discovery import discover

        body, content_type, final_url = fetch(url, allow_private=load(config).allow_private_addresses)
        links = discover(Source(name=name, start_urls=[url], article_pattern=r"."), body, final_url, content_type)
        pattern = article_pattern_guess([link.url for link in links.articles], final_url)
    lines = ["[[sources]]", f'name = "{name}"', 'label = ""']
    if kind == "api":
        lines += ['kind = "api"', "", "[sources.api]", f'url = "{url}"', 'items = "data.list"  # dotted path to the list',
                  'url_field = "url"', 'title_field = "title"', 'date_field = "pubtime"']
    else:
        if kind != "list":
            lines.append(f'kind = "{kind}"')
        lines.append(f'start_urls = ["{url}"]')
        default_pattern = r"/\d{6}/[\w-]+\.html$"
        lines.append(f"article_pattern = '{pattern or default_pattern}'"
                     + ("" if pattern else "  # adjust: regex of article URLs"))
        if kind == "list":
            stem = urljoin(url, ".")
            lines.append(f"page_pattern = '{re.escape(urlsplit(stem).path)}index_\\d+\\.html$'  # adjust or remove")
    lines += ['schedule = "1h"', "max_pages = 3", "delay = 2"]
    print("\n".join(lines))
