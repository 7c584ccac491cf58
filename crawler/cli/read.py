"""`healthwatch search`, `latest`, `show`, `export`: reading what was collected, without SQL."""
from __future__ import annotations

import json
import sys
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from crawler.cli.common import ConfigOption, DbOption, console, err, load
from storage.paths import default_db_path

SourceOption = typer.Option(None, "--source", "-s", help="Only this source (config name)")
_MARK = ("\x02", "\x03")  # snippet hit markers, turned into terminal highlighting after escaping


def open_existing(db: Optional[Path]):
    """The database (migrated, so an older file gets its search index), or exit 1 if there is none."""
    from storage.db import open_db

    path = Path(db or default_db_path())
    if not path.exists():
        err.print(f"[red]no database at {escape(str(path))}[/] (crawl first, or pass --db)")
        raise typer.Exit(1)
    return open_db(path)


def _date(value: Optional[str], option: str) -> Optional[str]:
    """A --since/--until value as given, checked: a date (2026-11-01) or an ISO time."""
    if value is None:
        return None
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        err.print(f"[red]{option} wants a date like 2026-11-01, got {escape(value)!r}[/]")
        raise typer.Exit(2) from None
    return value.strip()


def _local(stamp: Optional[str], tz: ZoneInfo) -> str:
    """A stored UTC stamp (2026-11-25T08:00:00Z) in the config's time zone."""
    if not stamp:
        return "-"
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def _highlight(text: str) -> str:
    return escape(text).replace(_MARK[0], "[bold yellow]").replace(_MARK[1], "[/]")


def search(
    query: str = typer.Argument(..., help='Terms (all must occur), "exact phrase", A OR B, -excluded, (groups)'),
    source: Optional[str] = SourceOption,
    publisher: Optional[str] = typer.Option(None, "--publisher", "-p", help="Only articles whose 来源 contains this"),
    since: Optional[str] = typer.Option(None, "--since", help="Published on or after this date (2026-11-01)"),
    until: Optional[str] = typer.Option(None, "--until", help="Published on or before this date (the whole day)"),
    limit: int = typer.Option(20, "--limit", "-n", help="At most N hits"),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as a JSON array"),
    as_jsonl: bool = typer.Option(False, "--jsonl", help="Print one JSON object per hit and line"),
    db: Optional[Path] = DbOption,
):
    """Full-text search over titles, bodies and attachments' text, best match first, with the term in context.

    A hit found through an attachment names it: "in attachment: 名单.xlsx", with the text around the term.

    Chinese terms of any length match as substrings, in either script (医保 finds 醫保); Latin words
    and numbers match at a word start. Examples: 医保  '新冠 疫苗'  '"DRG 付费"'  '集采 OR 带量采购'  '医保 -招聘'."""
    from storage import search as search_sql

    filters = search_sql.Filters(source=source, publisher=publisher, since=_date(since, "--since"),
                                 until=_date(until, "--until"))
    store = open_existing(db)
    try:
        try:
            hits = search_sql.search(store.conn, query, filters, limit=limit,
                                     mark=("«", "»") if as_json or as_jsonl else _MARK)
        except search_sql.QuerySyntaxError as exc:
            err.print(f"[red]bad query:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(2) from None
    finally:
        store.close()
    if as_json or as_jsonl:
        for hit in hits:
            hit["rank"] = round(hit["rank"], 4)
        if as_json:
            print(json.dumps(hits, ensure_ascii=False, indent=2))
        else:
            for hit in hits:
                print(json.dumps(hit, ensure_ascii=False))
        return
    if not hits:
        console.print(f"nothing found for {escape(query)}", highlight=False)
        return
    for hit in hits:
        head = " · ".join(filter(None, [(hit["published"] or "")[:16] or None, hit["source"], hit["publisher"]]))
        console.print(f"[bold]{hit['id']:>6}[/]  {escape(hit['title'] or '(untitled)')}  [dim]{escape(head)}[/]",
                      highlight=False)
        if _MARK[0] in hit["snippet"] or not hit["in_attachments"]:
            console.print(f"        {_highlight(hit['snippet'])}", highlight=False)
        for attachment in hit["in_attachments"]:
            console.print(f"        [dim]in attachment:[/] [bold]{escape(_attachment_label(attachment))}[/]  "
                          f"{_highlight(attachment['snippet'])}", highlight=False)
        console.print(f"        [dim]{escape(hit['url'])}[/]", highlight=False)
    console.print(f"{len(hits)} hits" + (f" (--limit {limit})" if len(hits) == limit else ""), highlight=False)


def _attachment_label(attachment: dict) -> str:
    """名单.xlsx, or the link's text with the file name: 4.医疗机构名单 (名单.xlsx)."""
    name, file = attachment["name"] or "", attachment["file"]
    if not file or file in name:
        return name or file or attachment["url"]
    return f"{name} ({file})" if name else file


def latest(
    source: Optional[str] = SourceOption,
    since: Optional[str] = typer.Option(None, "--since", help="Came in on or after this date or time (config's time "
                                        "zone), e.g. 2026-11-25"),
    limit: int = typer.Option(20, "--limit", "-n", help="The newest N"),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """The newest articles, one line each: when they came in, source, publisher, title."""
    from storage import reading
    from storage.store import utc_stamp

    tz = ZoneInfo(load(config).timezone)
    since_utc = None
    if _date(since, "--since"):
        when = datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
        if when.tzinfo is None:  # a date or a naive time is in the config's time zone
            when = (when if len(since.strip()) > 10 else datetime.combine(when.date(), time())).replace(tzinfo=tz)
        since_utc = utc_stamp(when.astimezone(timezone.utc))
    store = open_existing(db)
    try:
        rows = reading.latest(store.conn, source=source, since=since_utc, limit=limit)
    finally:
        store.close()
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("no articles" + (f" since {escape(since)}" if since else ""), highlight=False)
        return
    width = max(len(r["source"] or "") for r in rows)
    for row in rows:
        console.print(f"{_local(row['first_seen_at'], tz)}  {escape((row['source'] or '-').ljust(width))}  "
                      f"[dim]{escape(row['publisher'] or '-')}[/]  {escape(row['title'] or '(untitled)')}  "
                      f"[dim]#{row['id']}[/]", highlight=False, soft_wrap=True)


def show(
    ref: str = typer.Argument(..., help="Article id or any URL that leads to it"),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
    config: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
):
    """One article: metadata, body, its attachments, what it cites and what cites it (文号, titles), where
    else the story appeared (reposts, exact copies), revisions."""
    from crawler.cli.documents import citation_lines
    from storage import attachments as attachment_rows
    from storage import citations, reading
    from storage.db import json_fields
    from storage.store import Store

    tz = ZoneInfo(load(config).timezone)
    store = open_existing(db)
    try:
        article = reading.find_article(store.conn, ref)
        if article is None:
            err.print(f"[red]no article {escape(ref)}[/] (an id, or a URL the crawler stored)")
            raise typer.Exit(1)
        aliases = reading.aliases(store.conn, article["id"])
        revisions = reading.revisions(store.conn, article["id"])
    finally:
        store.close()
    writer = Store(Path(db or default_db_path()))  # the story cluster, as `duplicates` reads it
    try:
        cluster = writer.cluster_of(article["id"])
        documents = {"cites": citations.cited_by_article(writer.db, article["id"]),
                     "cited_by": citations.citing_article(writer.db, article["id"]),
                     "attachments": attachment_rows.attachments_of(writer.db, article["id"])}
        lines = citation_lines(writer, article["id"], urls=True)
    finally:
        writer.close()
    for name in json_fields() & set(article):
        if article[name]:
            try:
                article[name] = json.loads(article[name])
            except ValueError:
                pass
    if as_json:
        for attachment in documents["attachments"]:
            attachment["needs_ocr"] = bool(attachment["needs_ocr"])
        print(json.dumps({"article": article, "urls": aliases, "cluster": cluster, "revisions": revisions, **documents},
                         ensure_ascii=False, indent=2))
        return
    _print_article(article, aliases, cluster, revisions, tz, documents["attachments"], lines)


def _print_article(article: dict, aliases: list[dict], cluster: dict | None, revisions: list[dict], tz,
                   attachments: list[dict], citation_lines: tuple[list[str], list[str]]) -> None:
    say = lambda text="": console.print(text, highlight=False, soft_wrap=True)  # noqa: E731
    say(f"[bold]{escape(article['title'] or '(untitled)')}[/]  [dim]#{article['id']}[/]")
    if article.get("subtitle"):
        say(escape(article["subtitle"]))
    for label, key in (("published", "published"), ("source", "source"), ("publisher", "publisher"),
                       ("author", "author"), ("editor", "editor"), ("文号", "doc_number"),
                       ("发文机关", "issuing_agency"), ("url", "url"), ("original", "original_url")):
        if article.get(key):
            say(f"[dim]{label:>10}[/]  {escape(str(article[key]))}")
    say(f"[dim]{'came in':>10}[/]  {_local(article['first_seen_at'], tz)}"
        + (f"   [dim]edited[/] {_local(article['updated_at'], tz)}" if article.get("updated_at") else "")
        + (f"   [red]gone[/] {_local(article['gone_at'], tz)}" if article.get("gone_at") else ""))
    say()
    say(escape(article["body"] or ""))
    if article.get("translation_body"):
        say()
        say(f"[dim]translation:[/] {escape(article.get('translation_title') or '')}")
        say(escape(article["translation_body"]))
    stored = {a["url"] for a in attachments}
    for attachment in attachments:  # what was fetched: its type and size of text, or why there is none
        what = (f"{attachment['type'] or '?'}, {len(attachment['text']):,} characters" if attachment["text"]
                else attachment["error"] or "no text")
        say(f"[dim]attachment[/] {escape(attachment['name'] or '')}  [dim]({escape(what)})[/]  {escape(attachment['url'])}")
    for attachment in article.get("attachments") or []:  # linked, not fetched (attachments = false, or older)
        if attachment.get("url") not in stored:
            say(f"[dim]attachment[/] {escape(attachment.get('name') or '')} {escape(attachment.get('url') or '')}")
    cites, cited_by = citation_lines
    if cites or cited_by:
        say()
        say(f"[bold]cites[/] ({len(cites)})")
        for line in cites or ["—"]:
            say(f"  {escape(line)}")
        say(f"[bold]cited by[/] ({len(cited_by)})")
        for line in cited_by or ["—"]:
            say(f"  {escape(line)}")
    say()
    own = article["url"].split("://", 1)[-1]
    others = [a for a in aliases if a["url_key"].split("/", 1)[0] != own.split("/", 1)[0]]
    places = (cluster["size"] - 1 if cluster else 0) + len(others)
    say(f"[bold]where the story appeared[/] ({places} other place{'s' if places != 1 else ''})")
    if cluster:
        original = cluster["original"]
        for entry in [original, *cluster["reposts"]]:
            role = "this" if entry["id"] == article["id"] else "original" if entry is original else "repost"
            sim = entry.get("similarity")
            say(f"  {role:>10}  {(entry['published'] or entry['first_seen_at'] or '-')[:10]}  {escape(entry['source'] or '-')}"
                f"  {escape(entry['url'])}" + (f"  [dim]similarity {sim:.2f}[/]" if sim is not None else ""))
        for copy in cluster["copies"]:
            say(f"  {'exact copy':>10}  {'-':10}  {escape(copy['source'] or '-')}  {escape(copy['url_key'])}"
                + (f"  [dim]copy of #{copy['copy_of']}[/]" if copy["copy_of"] != article["id"] else ""))
    say(f"[dim]URLs that lead here:[/] " + ", ".join(escape(a["url_key"]) for a in aliases))
    if revisions:
        say()
        say(f"[bold]revisions[/] ({len(revisions) - 1} edit{'s' if len(revisions) != 2 else ''})")
        for rev in revisions:
            say(f"  [bold]#{rev['revision']}[/] {_local(rev['seen_at'], tz)}  {escape(rev['title'] or '')}")
            for line in (rev["diff"] or "").splitlines():
                style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
                say(f"    [{style}]{escape(line)}[/]")


def export(
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl, csv or json"),
    since: Optional[str] = typer.Option(None, "--since", help="Published on or after this date"),
    until: Optional[str] = typer.Option(None, "--until", help="Published on or before this date"),
    source: Optional[str] = SourceOption,
    query: Optional[str] = typer.Option(None, "--query", "-q", help="Only articles matching this search"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file [default: stdout]"),
    excel: bool = typer.Option(False, "--excel", help="CSV with a UTF-8 BOM, so Excel opens Chinese right"),
    db: Optional[Path] = DbOption,
):
    """Export articles (every column) as JSON lines, CSV or JSON, streaming: constant memory at any size."""
    from storage import export as export_sql
    from storage import search as search_sql

    if excel:
        fmt = "csv"
    if fmt not in export_sql.FORMATS:
        err.print(f"[red]--format must be one of {', '.join(export_sql.FORMATS)}, got {escape(fmt)!r}[/]")
        raise typer.Exit(2)
    if query:
        try:
            search_sql.parse_query(query)
        except search_sql.QuerySyntaxError as exc:
            err.print(f"[red]bad query:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(2) from None
    filters = search_sql.Filters(source=source, since=_date(since, "--since"), until=_date(until, "--until"))
    store = open_existing(db)
    try:
        if output:
            partial = output.with_name(output.name + ".part")  # no half-written file under the real name
            with open(partial, "w", encoding="utf-8", newline="") as out:
                count = export_sql.write(store.conn, out, fmt, filters, query, excel=excel)
            partial.replace(output)
        else:
            sys.stdout.reconfigure(encoding="utf-8", newline="" if fmt == "csv" else None)
            count = export_sql.write(store.conn, sys.stdout, fmt, filters, query, excel=excel)
    finally:
        store.close()
    err.print(f"{count} articles exported" + (f" to {escape(str(output))}" if output else ""), highlight=False)
