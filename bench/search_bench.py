"""Benchmark of full-text search (storage.search) at 100k stored articles.

    .venv/bin/python -m bench.search_bench [--n 100000] [--ingest 2000] [--out FILE.json] [--keep DB]
    .venv/bin/python -m bench.search_bench --latency-only DB   # latency alone, on a kept database

Corpus: synthetic-but-realistic articles of ~3 KB of Chinese each, recombined from the sentences of
real pages (../shared/bench zh-news and cwced truth texts, and this repository's bench/pages
hand-labelled news and government pages, which bring policy vocabulary: 医保, 集采, 药品 …); 3% are
converted to Traditional script (OpenCC s2t), as mirror sites publish them.

Reports, all measured in this run:
- migration: a 100k database at the schema before search, opened by the new code (the index built
  by migration v6, as a user's existing database would be);
- index size as a share of the database (dbstat where SQLite has it, else the file-size delta);
- search latency for 2-, 4- and 8-character terms and OR queries (median, p95), through
  `storage.search.search` as `healthwatch search` runs it (bm25 ranking, limit 20, snippets), the same
  with every hit ranked (no RANK_ALL bound), and the bare match count; anchor: the `LIKE '%term%'` scan the index replaces, on the same database;
- ingest cost per article through the real write path (Store.save_articles, batches of 20 as the
  pipeline writes them, dedup included) with the index against without it (index_article made a
  no-op), interleaved in the same run; and for the bare row insert alone;
- export rate (rows/s) and peak RSS of `healthwatch export` over the 100k rows, against the peak RSS
  of `healthwatch latest -n 1` (the same process doing next to nothing) in the same run.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """../shared beside the repository root; from a worktree, beside the main checkout."""
    here = ROOT.parent / "shared"
    if here.is_dir():
        return here
    common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--git-common-dir"], capture_output=True,
                            text=True).stdout.strip()
    return (ROOT / common).resolve().parent.parent / "shared"


_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")


def sentences() -> list[str]:
    texts = []
    bench = shared_dir() / "bench"
    for path in glob.glob(str(bench / "zh-news" / "*" / "truth.json")) + glob.glob(str(bench / "cwced" / "*" / "truth.json")) \
            + glob.glob(str(ROOT / "bench" / "pages" / "*" / "*" / "truth.json")):
        truth = json.loads(Path(path).read_text("utf-8"))
        texts.append("\n".join(truth.get("body_paragraphs") or []) or truth.get("body") or "")
    out = [s.strip() for text in texts for s in _SENTENCE.findall(text)]
    return [s for s in out if len(s) >= 8 and len(re.findall(r"[\u4e00-\u9fff]", s)) >= 0.5 * len(s)]


def make_articles(n: int, seed: int = 7) -> list[dict]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    pool = sentences()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        paragraphs, size = [], 0
        while size < 3000:  # UTF-8 bytes, ~1,000 characters
            paragraph = "".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
            paragraphs.append(paragraph)
            size += len(paragraph.encode("utf-8"))
        title = rng.choice(pool)[:30]
        body = "\n".join(paragraphs)
        if rng.random() < 0.03:
            title, body = s2t.convert(title), s2t.convert(body)
        out.append({"url": f"http://bench{i % 50}.example/news/{i}.html", "source": f"src-{i % 20}",
                    "title": title, "body": body, "published": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "publisher": rng.choice(["国家卫生健康委", "国家医保局", "新华社", "人民网", "健康报"])})
    return out


def insert_rows(path: Path, articles: list[dict]) -> None:
    """Bulk rows as the crawler stores them (without index entries; see `pre_search_database`)."""
    from storage.db import open_db

    db = open_db(path)
    db.execute("BEGIN")
    db.conn.executemany(
        "INSERT INTO articles (url, canonical_url, source, title, body, published, publisher, first_seen_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(a["url"], a["url"], a["source"], a["title"], a["body"], a["published"], a["publisher"],
          f"2026-11-{1 + i % 28:02d}T08:00:00Z") for i, a in enumerate(articles)])
    db.execute("COMMIT")
    db.close()


def pre_search_database(path: Path) -> None:
    """Back to the schema version before search (the rows stay): what an existing user has."""
    from storage.db import MIGRATIONS

    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE IF EXISTS articles_fts")
    conn.execute("ALTER TABLE articles DROP COLUMN title_simplified")
    conn.execute(f"PRAGMA user_version = {[m.__name__.endswith('_search') for m in MIGRATIONS].index(True)}")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()


def index_share(path: Path, size_before: int) -> dict:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = path.stat().st_size
    try:
        fts = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%'").fetchone()[0]
        how = "dbstat"
    except sqlite3.Error:
        fts, how = total - size_before, "file-size delta"
    conn.close()
    return {"db_mb": round(total / 1e6, 1), "index_mb": round(fts / 1e6, 1), "index_share": round(fts / total, 3),
            "measured_by": how}


def pick_terms(articles: list[dict], length: int, count: int, rng: random.Random) -> list[str]:
    """Real substrings of the corpus (Chinese characters only), so every query has hits."""
    terms: list[str] = []
    while len(terms) < count:
        body = rng.choice(articles)["body"]
        start = rng.randrange(0, max(1, len(body) - length))
        term = body[start:start + length]
        if re.fullmatch(rf"[\u4e00-\u9fff]{{{length}}}", term) and term not in terms:
            terms.append(term)
    return terms


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def query_groups(articles: list[dict], count: int) -> dict[str, list[str]]:
    rng = random.Random(11)
    two, four, eight = (pick_terms(articles, k, count, rng) for k in (2, 4, 8))
    policy = ["医保", "医疗", "药品", "疫苗", "改革", "新冠", "集采", "卫生", "健康", "发展"]
    return {"2 chars": two, "2 chars (policy words)": policy, "4 chars": four, "8 chars": eight,
            "OR of two 2-char terms": [f"{a} OR {b}" for a, b in zip(two, reversed(two))]}


def latency(path: Path, groups: dict[str, list[str]]) -> dict:
    from storage import search

    conn = sqlite3.connect(path)
    out = {}
    for name, queries in groups.items():
        ranked, unbounded, counted, hits = [], [], [], []
        for q in queries:
            ranked.append(timed(lambda: search.search(conn, q, limit=20)) * 1000)
            bound, search.RANK_ALL = search.RANK_ALL, 10 ** 9
            unbounded.append(timed(lambda: search.search(conn, q, limit=20)) * 1000)
            search.RANK_ALL = bound
            counted.append(timed(lambda: search.count_matches(conn, q)) * 1000)
            hits.append(search.count_matches(conn, q))
        out[name] = {"queries": len(queries), "median_ms": round(statistics.median(ranked), 1),
                     "p95_ms": round(_p95(ranked), 1),
                     "every_hit_ranked_median_ms": round(statistics.median(unbounded), 1),
                     "every_hit_ranked_p95_ms": round(_p95(unbounded), 1), "count_only_median_ms": round(statistics.median(counted), 1),
                     "median_hits": int(statistics.median(hits)), "examples": queries[:3]}
    like_q = groups["2 chars"][:3]
    out["LIKE scan anchor (2 chars)"] = {"median_ms": round(statistics.median(
        timed(lambda: conn.execute("SELECT count(*) FROM articles WHERE body LIKE ?", [f"%{q}%"]).fetchone(), 1) * 1000
        for q in like_q), 1)}
    conn.close()
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def ingest(articles: list[dict], folder: Path, rounds: int = 2) -> dict:
    """ms per article, Store.save_articles in batches of 20, with and without the index, interleaved."""
    import storage.search as search_module
    from storage.store import Store

    real_index = search_module.index_article
    per: dict[str, list[float]] = {"with index": [], "without index": []}
    for r in range(rounds):
        for variant in ("without index", "with index") if r % 2 == 0 else ("with index", "without index"):
            search_module.index_article = real_index if variant == "with index" else (lambda *a, **k: None)
            store = Store(folder / f"ingest-{r}-{variant.replace(' ', '-')}.db")
            batch = [{**a, "url": a["url"].replace("/news/", f"/r{r}/"), "fetched_at": "2026-11-01T00:00:00Z"}
                     for a in articles]
            started = time.perf_counter()
            for start in range(0, len(batch), 20):
                store.save_articles(batch[start:start + 20])
            per[variant].append((time.perf_counter() - started) * 1000 / len(batch))
            store.close()
    search_module.index_article = real_index
    with_ms, without_ms = min(per["with index"]), min(per["without index"])
    return {"articles": len(articles), "ms_per_article_with_index": round(with_ms, 3),
            "ms_per_article_without_index": round(without_ms, 3), "ratio": round(with_ms / without_ms, 2)}


def bare_insert(articles: list[dict], folder: Path) -> dict:
    """The row insert alone vs row insert + index entry, one transaction per 20 rows."""
    from storage import search
    from storage.db import open_db

    out = {}
    for variant in ("rows only", "rows + index", "rows only (again)"):
        db = open_db(folder / f"bare-{variant.split()[1]}-{len(out)}.db")
        conn = db.conn
        started = time.perf_counter()
        for start in range(0, len(articles), 20):
            conn.execute("BEGIN IMMEDIATE")
            for i, a in enumerate(articles[start:start + 20], start=start):
                cur = conn.execute("INSERT INTO articles (url, canonical_url, source, title, body) VALUES (?, ?, ?, ?, ?)",
                                   [a["url"], a["url"], a["source"], a["title"], a["body"]])
                if variant == "rows + index":
                    search.index_article(conn, cur.lastrowid, a)
            conn.execute("COMMIT")
        out[variant] = (time.perf_counter() - started) * 1000 / len(articles)
        db.close()
    rows_only = min(out["rows only"], out["rows only (again)"])
    return {"ms_per_article_rows_only": round(rows_only, 3), "ms_per_article_rows_and_index": round(out["rows + index"], 3),
            "ratio": round(out["rows + index"] / rows_only, 2)}


def peak_rss_mb(command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS MB) of a child process."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, rc)")
    seconds, rss, rc = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True,
                                      cwd=ROOT).stdout.split()
    assert rc == "0", command
    return float(seconds), float(rss)


def export_rate(path: Path, folder: Path, rows: int) -> dict:
    cli = [sys.executable, "-m", "crawler.cli"]
    anchor_s, anchor_rss = peak_rss_mb([*cli, "latest", "-n", "1", "--db", str(path)])
    out = {}
    for fmt in ("jsonl", "csv"):
        seconds, rss = peak_rss_mb([*cli, "export", "--format", fmt, "--db", str(path), "-o", str(folder / f"x.{fmt}")])
        out[fmt] = {"rows_per_s": round(rows / seconds), "seconds": round(seconds, 1), "peak_rss_mb": round(rss, 1),
                    "file_mb": round((folder / f"x.{fmt}").stat().st_size / 1e6, 1)}
    out["anchor: healthwatch latest -n 1"] = {"seconds": round(anchor_s, 2), "peak_rss_mb": round(anchor_rss, 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--ingest", type=int, default=2000, help="articles per ingest variant")
    parser.add_argument("--terms", type=int, default=20, help="queries per length")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--latency-only", type=Path, metavar="DB",
                        help="only the latency part, on a database an earlier run kept (--keep)")
    parser.add_argument("--keep", type=Path, metavar="DB", help="copy the 100k database here for --latency-only")
    args = parser.parse_args()
    report: dict = {"n": args.n, "sqlite": sqlite3.sqlite_version}
    if args.latency_only:
        report["latency"] = latency(args.latency_only, query_groups(make_articles(args.n), args.terms))
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        articles = make_articles(args.n)
        report["corpus"] = {"seconds": round(time.perf_counter() - started, 1),
                            "mean_body_bytes": round(statistics.mean(len(a["body"].encode()) for a in articles[:2000]))}
        print("corpus", report["corpus"], flush=True)

        report["ingest_store_path"] = ingest(articles[:args.ingest], folder)
        print("ingest", report["ingest_store_path"], flush=True)
        report["ingest_bare_insert"] = bare_insert(articles[:args.ingest * 2], folder)
        print("bare insert", report["ingest_bare_insert"], flush=True)

        path = folder / "big.db"
        insert_rows(path, articles)
        pre_search_database(path)
        size_before = path.stat().st_size
        from storage.db import open_db

        started = time.perf_counter()
        open_db(path).close()  # migration v6 builds the index for the 100k rows
        report["migration"] = {"seconds": round(time.perf_counter() - started, 1),
                               "articles_per_s": round(args.n / (time.perf_counter() - started))}
        print("migration", report["migration"], flush=True)
        report["size"] = index_share(path, size_before)
        print("size", report["size"], flush=True)

        report["latency"] = latency(path, query_groups(articles, args.terms))
        if args.keep:
            with sqlite3.connect(path) as source, sqlite3.connect(args.keep) as copy:
                source.backup(copy)
        print("latency", json.dumps(report["latency"], ensure_ascii=False), flush=True)
        report["export"] = export_rate(path, folder, args.n)
        print("export", report["export"], flush=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
