"""`healthwatch search / latest / show / export` as a user runs them, on the real crawled database."""
import csv
import io
import json
import sqlite3

from typer.testing import CliRunner

from crawler.cli import app
from tests.conftest import run_cli
from tests.searchkit import like_truth, search_db  # noqa: F401 (fixture)


def cli(*args):
    """The real `healthwatch` command in this process (a fresh process costs seconds; one test
    below runs it as a user does, in its own process)."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    result.returncode = result.exit_code
    return result


def all_rows(db) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM articles ORDER BY id")]
    finally:
        conn.close()


def test_search_prints_ranked_hits_with_snippets(search_db):
    result = run_cli("search", "新冠", "--db", search_db)
    assert result.returncode == 0, result.stderr
    assert "新冠" in result.stdout and "hits" in result.stdout
    hits = json.loads(cli("search", "新冠", "--json", "--db", search_db).stdout)
    assert {h["id"] for h in hits} == like_truth(search_db, "新冠")
    assert all("«新冠»" in h["snippet"] or "新冠" in h["title"] for h in hits)
    lines = cli("search", "医", "--jsonl", "--limit", "2", "--db", search_db).stdout.splitlines()
    assert len(lines) == 2 and all(json.loads(line)["id"] for line in lines)


def test_search_filters_and_bad_input(search_db):
    assert json.loads(cli("search", "新冠", "--source", "nope", "--json", "--db", search_db).stdout) == []
    assert json.loads(cli("search", "新冠", "--since", "2100-01-01", "--json", "--db", search_db).stdout) == []
    bad = cli("search", '"医保', "--db", search_db)
    assert bad.returncode == 2 and "unclosed quote" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    date = cli("search", "医", "--since", "yesterday", "--db", search_db)
    assert date.returncode == 2 and "--since" in date.stderr and "Traceback" not in date.stderr
    missing = cli("search", "医", "--db", search_db.parent / "none.db")
    assert missing.returncode == 1 and "no database" in missing.stderr
    assert not (search_db.parent / "none.db").exists()


def test_latest_lists_the_newest_one_line_each(search_db):
    rows = all_rows(search_db)
    result = cli("latest", "-n", "5", "--db", search_db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5
    newest = sorted(rows, key=lambda r: (r["first_seen_at"], r["id"]), reverse=True)[:5]
    for line, row in zip(lines, newest):
        assert line.endswith(f"#{row['id']}") and (row["title"] or "")[:10] in line and "demo-news" in line
    assert "no articles" in cli("latest", "--since", "2100-01-01", "--db", search_db).stdout


def test_show_gives_one_article_with_its_places(search_db):
    row = next(r for r in all_rows(search_db) if r["title"] and "網絡主播" in r["title"])
    by_id = cli("show", row["id"], "--db", search_db)
    assert by_id.returncode == 0, by_id.stderr
    assert row["title"] in by_id.stdout and row["body"].splitlines()[0][:20] in by_id.stdout
    assert "where the story appeared" in by_id.stdout
    by_url = json.loads(cli("show", row["url"], "--json", "--db", search_db).stdout)
    assert by_url["article"]["id"] == row["id"] and by_url["urls"]
    missing = cli("show", "999999", "--db", search_db)
    assert missing.returncode == 1 and "no article" in missing.stderr


def test_export_round_trips_every_row_and_field(search_db, tmp_path):
    rows = all_rows(search_db)
    json_columns = {"keywords", "breadcrumbs", "gov_meta", "attachments", "translation_keywords", "flags"}

    out = tmp_path / "a.jsonl"
    assert cli("export", "--db", search_db, "-o", out).returncode == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == len(rows)
    for record, row in zip(exported, rows):
        for name, value in row.items():
            expected = json.loads(value) if name in json_columns and value is not None else value
            assert record[name] == expected, (row["id"], name)

    whole = json.loads(cli("export", "--format", "json", "--db", search_db).stdout)
    assert whole == exported

    excel = tmp_path / "a.csv"
    assert cli("export", "--excel", "--db", search_db, "-o", excel).returncode == 0
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(table) == len(rows)
    for record, row in zip(table, rows):
        assert record == {k: "" if v is None else str(v) for k, v in row.items()}

    chosen = tmp_path / "q.jsonl"
    assert cli("export", "--query", "新冠 OR 传呼机", "--db", search_db, "-o", chosen).returncode == 0
    ids = {json.loads(line)["id"] for line in chosen.read_text(encoding="utf-8").splitlines()}
    assert ids == like_truth(search_db, "新冠") | like_truth(search_db, "传呼机")
    bad = cli("export", "--format", "xml", "--db", search_db)
    assert bad.returncode == 2 and "--format" in bad.stderr
