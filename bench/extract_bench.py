"""Extraction benchmark: our extractor vs trafilatura and readability-lxml, same pages, same run.

Usage: python -m bench.extract_bench [--sets zh-news,cwced,aeb,wcxb] [--no-reference] [--worst N]
       python -m bench.extract_bench --heldout [--sets pages/zh-heldout-<name>]

Pages: ../shared/bench/<set> beside the repository root and the project's own bench/pages/<set> (see
bench/benchsets.py), each page in the tuning or the validation half by its site; every figure is
reported for all pages and for each half. The held-out sets (bench/pages/*heldout*, never tuned on) are
left out of the default run; --heldout scores only them, as one half `heldout`, aggregates only (no
--worst: their per-page misses are not shown).

The metric is the one defined in ../shared/bench/README.md:
- tokens: each CJK ideograph / kana / hangul is one token, any other \\w+ run is one token;
- body: multiset of 4-token shingles; P averaged over pages with output, R over pages with truth,
  F1 of the averages; doc-F1 = mean per-page F1 with empty output scoring 0;
- title exact after NFKC, lower-case, no spaces/punctuation; date equal at the truth's granularity;
  publisher/author/editor: normalised containment either way;
- metadata fields (title, published to the day and to the minute, publisher, author, editor) as
  precision = right / non-empty predictions and recall = right / non-empty truths. A hand-labelled
  truth (zh-news format) states a missing field as null: a prediction there counts against precision;
  elsewhere a missing truth value is unknown and the page does not judge that field;
- speed: pages/s of the extraction call alone, pages already in memory, one process. Each extractor is timed
  in --rounds fresh processes of its own (rounds interleave the extractors, caches start cold each time, no
  extractor runs in another's heap); the figures are the medians of the rounds.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

from bench import benchsets

_CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002ffff"
_TOKEN = re.compile(f"[{_CJK_CLASS}]|[^\\W{_CJK_CLASS}]+")
_NOT_WORD = re.compile(r"[\W_]+")


# ---------------------------------------------------------------- metric

def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = 4) -> Counter:
    toks = tokens(text)
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def body_scores(pred: str | None, truth: str | None) -> tuple[float | None, float | None, float]:
    """(precision or None when no output, recall or None when no truth, per-page F1)."""
    p_sh, t_sh = shingles(pred), shingles(truth)
    common = sum((p_sh & t_sh).values())
    p = common / sum(p_sh.values()) if p_sh else None
    r = common / sum(t_sh.values()) if t_sh else None
    f = 2 * p * r / (p + r) if p and r else 0.0
    return p, r, f


def norm_text(s: str | None) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", s or "").lower())


def title_ok(pred, truth) -> bool:
    return bool(norm_text(truth)) and norm_text(pred) == norm_text(truth)


def contain_ok(pred, truth) -> bool:
    a, b = norm_text(pred), norm_text(truth)
    return bool(a and b) and (a in b or b in a)


_DATE_PARTS = re.compile(r"(\d{4})(?:\D{1,3}(\d{1,2}))?(?:\D{1,3}(\d{1,2}))?(?:\D{1,3}?(\d{1,2})[:：时](\d{1,2}))?")


def date_parts(s: str | None) -> tuple[int, ...]:
    """(year, month, day, hour, minute) up to the granularity the string has."""
    if not s:
        return ()
    m = _DATE_PARTS.search(str(s))
    if not m:
        return ()
    return tuple(int(g) for g in m.groups() if g is not None)


def date_ok(pred, truth, granularity: int | None = None) -> bool:
    """Equal at the truth's granularity (or at `granularity` parts, e.g. 3 = day)."""
    t, p = date_parts(truth), date_parts(pred)
    k = len(t) if granularity is None else min(granularity, len(t))
    return bool(t) and len(p) >= k and p[:k] == t[:k]


# ---------------------------------------------------------------- data

def load_set(name: str) -> list[dict]:
    return benchsets.load_set(name)


# ---------------------------------------------------------------- extractors

def run_ours(page):
    from crawler.extract import extract

    a = extract(page["html"], page["truth"].get("url"))
    return {"body": a.body, "title": a.title, "published": a.published, "publisher": a.publisher,
            "author": a.author, "editor": a.editor, "flags": a.flags}


def run_trafilatura(page):
    import trafilatura

    doc = trafilatura.bare_extraction(page["html"], url=page["truth"].get("url"), with_metadata=True)
    if doc is None:
        return {"body": ""}
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    return {"body": get("text") or "", "title": get("title"), "published": get("date"),
            "author": get("author"), "publisher": get("sitename")}


def run_readability(page):
    import lxml.html
    from readability import Document

    doc = Document(page["html"])
    summary = doc.summary(html_partial=True)
    tree = lxml.html.fragment_fromstring(summary, create_parent="div") if summary.strip() else None
    lines = []
    if tree is not None:
        for br in tree.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for el in tree.iter("p", "h1", "h2", "h3", "h4", "li", "pre", "blockquote", "div", "td"):
            el.tail = "\n" + (el.tail or "")  # block boundaries become line breaks
        text = tree.text_content()
        lines = [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]
    return {"body": "\n".join(x for x in lines if x), "title": doc.short_title()}


EXTRACTORS = {"ours": run_ours, "trafilatura": run_trafilatura, "readability": run_readability}

# A small made-up page (not from any set) that every extractor runs once before timing: imports and
# one-off set-up (regex compilation, lazy tables) are not "the extraction call alone" the metric asks
# for. The same for all extractors, and no bench page is seen early (no cache learns its class names).
WARMUP_PAGE = {"id": "warm-up", "truth": {"url": "https://example.org/news/2024/05/20/warm-up.html"}, "html": (
    "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>卫生健康委发布通知 - 示例网</title>"
    "<meta name='author' content='张三'><meta property='article:published_time' content='2024-05-20T09:30:00+08:00'>"
    "</head><body><div class='nav'><a href='/'>首页</a> &gt; <a href='/news'>新闻</a></div>"
    "<div class='article'><h1>卫生健康委发布通知</h1><div class='info'>2024-05-20 09:30 来源：示例网 作者：张三</div>"
    "<div class='content'><p>国家卫生健康委员会近日印发通知，要求各地进一步加强基层医疗卫生服务能力建设，"
    "推动优质医疗资源下沉。</p><p>The notice asks local health commissions to report progress, "
    "publish data and improve primary care services before the end of the year.</p>"
    "<p>通知强调，各地要结合实际制定实施方案，确保各项措施落实到位。</p></div>"
    "<div class='editor'>责任编辑：李四</div></div><div class='footer'>版权所有 示例网</div></body></html>"
).encode("utf-8")}


def warm_up(names) -> None:
    warnings.simplefilter("ignore")
    for name in names:
        try:
            EXTRACTORS[name](WARMUP_PAGE)
        except Exception:  # noqa: BLE001 -- a reference tool failing here fails again (and is scored) later
            pass


# ---------------------------------------------------------------- scoring

def _weights(pages):
    """Pages with identical truth bodies (thepaper_2/thepaper_4) count once together."""
    key = [hashlib.sha1((p["truth"].get("body") or p["id"]).encode()).hexdigest() for p in pages]
    n = Counter(key)
    return [1 / n[k] for k in key]


# metadata fields: (truth key, output key, check, granularity of a date: parts that must agree)
FIELDS = {
    "title": ("title", "title", title_ok, None),
    "day": ("published", "published", date_ok, 3),
    "minute": ("published", "published", date_ok, 5),
    "publisher": ("publisher", "publisher", contain_ok, None),
    "author": ("author", "author", contain_ok, None),
    "editor": ("editor", "editor", contain_ok, None),
}


def _truth_value(truth: dict, key: str):
    """(value, labelled): a hand-labelled truth (zh-news format, with body_paragraphs) states an empty
    field as null, so a prediction there is wrong; in the other sets a missing value is unknown."""
    if key == "published":
        value = truth.get("published") or truth.get("date")
        present = "published" in truth or "date" in truth
    else:
        value, present = truth.get(key), key in truth
    return value, present and "body_paragraphs" in truth


def field_judgement(name: str, truth: dict, out: dict) -> tuple[bool, bool, bool] | None:
    """(truth non-empty, prediction non-empty, right) for one field of one page, or None when the page
    cannot judge it (unlabelled; a date truth coarser than the field)."""
    tkey, okey, ok, gran = FIELDS[name]
    value, labelled = _truth_value(truth, tkey)
    pred = out.get(okey)
    if gran:
        if value and len(date_parts(value)) < gran:
            return None
        has_pred = len(date_parts(pred)) >= gran
        if not value:
            return (False, has_pred, False) if labelled else None
        return True, has_pred, has_pred and ok(pred, value, gran)
    has_pred = bool(norm_text(pred))
    if not value:
        return (False, has_pred, False) if labelled else None
    return True, has_pred, has_pred and ok(pred, value)


def field_scores(pages, outputs) -> dict[str, dict]:
    """Per field: precision = right / non-empty predictions, recall = right / non-empty truths (on the
    pages that can judge the field)."""
    res = {}
    for name in FIELDS:
        n_truth = n_pred = right_t = right_p = 0
        for page, out in zip(pages, outputs):
            j = field_judgement(name, page["truth"], out)
            if j is None:
                continue
            has_truth, has_pred, right = j
            n_truth += has_truth
            n_pred += has_pred
            right_t += right and has_truth
            right_p += right and has_pred
        if n_truth or n_pred:
            res[name] = {"P": right_p / n_pred if n_pred else None, "R": right_t / n_truth if n_truth else None,
                         "n_pred": n_pred, "n_truth": n_truth}
    return res


def score(pages, outputs):
    weights = _weights(pages)
    ps, rs, fs = [], [], []
    for page, out, w in zip(pages, outputs, weights):
        truth = page["truth"].get("body")
        if not truth:
            continue
        p, r, f = body_scores(out.get("body"), truth)
        out["_f1"] = f
        if p is not None:
            ps.append((p, w))
        if r is not None:
            rs.append((r, w))
        fs.append((f, w))
    avg = lambda xs: sum(x * w for x, w in xs) / sum(w for _, w in xs) if xs else 0.0
    P, R = avg(ps), avg(rs)
    return {"n": len(fs), "P": P, "R": R, "F1": 2 * P * R / (P + R) if P + R else 0.0, "docF1": avg(fs),
            "empty": len(fs) - len(ps), "fields": field_scores(pages, outputs)}


def time_run(fn, pages):
    outs = []
    warnings.simplefilter("ignore")
    start = time.process_time()
    for page in pages:
        try:
            outs.append(fn(page))
        except Exception as exc:  # a reference tool crashing on a page scores it empty
            outs.append({"body": "", "error": repr(exc)})
    elapsed = time.process_time() - start
    return outs, len(pages) / elapsed if elapsed else float("inf")


def time_one(name: str, sets: list[str]) -> dict[str, float]:
    """Seconds of CPU per set for one extractor, in this process (run in a fresh one: --time-one)."""
    warm_up([name])
    out = {}
    for set_name in sets:
        pages = load_set(set_name)
        _, speed = time_run(EXTRACTORS[name], pages)
        out[set_name] = len(pages) / speed
    return out


def timed_rounds(names: list[str], sets: list[str], rounds: int) -> dict[str, list[dict[str, float]]]:
    """Per extractor, one {set: seconds} per round, each from a fresh process; the extractors take turns
    starting a round so slow drift of the machine spreads over all of them."""
    runs: dict[str, list] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            heldout = ["--heldout"] if any(benchsets.is_heldout(s) for s in sets) else []
            proc = subprocess.run([sys.executable, "-m", "bench.extract_bench", "--time-one", name, "--sets", ",".join(sets),
                                   *heldout],
                                  capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
                                  env={**os.environ, "PYTHONWARNINGS": "ignore"})
            runs[name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return runs


def _pr(v) -> str:
    p = "  -  " if v["P"] is None else f"{v['P']:.3f}"
    r = "  -  " if v["R"] is None else f"{v['R']:.3f}"
    return f"{p}/{r} ({v['n_pred']}/{v['n_truth']})"


def fmt(res, speed=None):
    pace = f" {speed:6.1f} p/s" if speed is not None else ""
    body = (f"P={res['P']:.3f} R={res['R']:.3f} F1={res['F1']:.3f} docF1={res['docF1']:.3f} "
            f"empty={res['empty']}/{res['n']}{pace}" if res["n"] else f"(no body truth){pace}")
    fields = "  ".join(f"{k} {_pr(v)}" for k, v in res["fields"].items())
    return body + ("\n" + " " * 28 + fields if fields else "")


def subsets(pages):
    """("all", indexes), then each half's indexes; held-out pages only: ("heldout", all indexes)."""
    if pages and all(p["half"] == benchsets.HELDOUT for p in pages):
        yield benchsets.HELDOUT, list(range(len(pages)))
        return
    yield "all", list(range(len(pages)))
    for half in benchsets.HALVES:
        yield half, [i for i, p in enumerate(pages) if p["half"] == half]


def _pick(xs, idx):
    return [xs[i] for i in idx]


def _is_chinese(page) -> bool:
    return (page["truth"].get("lang") or "").startswith("zh") or page["set"] in ("zh-news", "cwced")


def chosen_sets(names: str | None, heldout: bool) -> list[str]:
    """The sets to run: the named ones, else every set of the run's kind. A held-out set is run only
    with --heldout, and --heldout runs nothing else."""
    available = benchsets.heldout_set_dirs() if heldout else benchsets.set_dirs()
    sets = names.split(",") if names else list(available)
    wrong = [s for s in sets if benchsets.is_heldout(s) != heldout]
    if wrong:
        raise SystemExit(f"{', '.join(wrong)}: " + ("not a held-out set" if heldout else
                                                    "a held-out set runs only with --heldout"))
    if not sets:
        raise SystemExit("no held-out set found (bench/pages/*heldout*)" if heldout else "no bench set found")
    return sets


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", help="comma-separated set names (default: every set that is not held out)")
    ap.add_argument("--heldout", action="store_true", help="score only the held-out sets (bench/pages/*heldout*)")
    ap.add_argument("--no-reference", action="store_true", help="score only our extractor")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages of ours per set")
    ap.add_argument("--json", help="write all figures to this file")
    ap.add_argument("--rounds", type=int, default=3,
                    help="speed: time each extractor in this many fresh processes and report the medians "
                         "(0: time the scoring run itself, in this one process)")
    ap.add_argument("--time-one", help=argparse.SUPPRESS)  # a round's worker: print {set: seconds} as JSON
    args = ap.parse_args(argv)
    sets = chosen_sets(args.sets, args.heldout)
    if args.time_one:
        print(json.dumps(time_one(args.time_one, sets)))
        return 0
    if args.heldout and args.worst:
        ap.error("--worst is not shown for the held-out sets (their per-page misses stay unseen)")
    names = ["ours"] + ([] if args.no_reference else ["trafilatura", "readability"])
    warm_up(names)
    print(f"bench pages: {benchsets.shared_bench_dir()} and {benchsets.OWN_PAGES}")
    print("halves: held-out sets only, every page in the half `heldout` (never tuned on)" if args.heldout else
          "halves: by site (sha1 of the host/site key), the same half for every page of a site")
    print("metadata: field P/R (predictions/truths): P = right / non-empty predictions, R = right / non-empty truths")
    print("warm-up: every extractor ran once on the same small synthetic page before timing "
          "(imports and one-off set-up are not timed; no bench page is seen early)")
    runs = timed_rounds(names, sets, args.rounds) if args.rounds > 0 else None
    if runs:
        print(f"speed: median of {args.rounds} rounds, each extractor timed in a fresh process per round")
    speed_total = {n: [0, 0.0] for n in names}
    report = {"rounds": args.rounds}
    pooled_pages, pooled_outs = [], {n: [] for n in names}
    for set_name in sets:
        pages = load_set(set_name)
        kinds = (benchsets.HELDOUT,) if benchsets.is_heldout(set_name) else benchsets.HALVES
        halves = {h: sum(p["half"] == h for p in pages) for h in kinds}
        print(f"\n== {set_name} ({len(pages)} pages: " + ", ".join(f"{h} {n}" for h, n in halves.items()) + ")")
        pooled_pages.extend(pages)
        for name in names:
            outs, speed = time_run(EXTRACTORS[name], pages)
            if runs:
                speed = len(pages) / statistics.median(run[set_name] for run in runs[name])
            pooled_outs[name].extend(outs)
            speed_total[name][0] += len(pages)
            speed_total[name][1] += len(pages) / speed
            for part, idx in subsets(pages):
                if not idx:
                    continue
                res = score(_pick(pages, idx), _pick(outs, idx))
                report[f"{set_name}/{part}/{name}"] = {**res, "pages_per_s": speed}
                print(f"  {name:12s} {part:10s}  {fmt(res, speed if part in ('all', benchsets.HELDOUT) else None)}")
            if name == "ours" and args.worst:
                ranked = sorted((o.get("_f1", 1.0), p["id"], p["half"], o.get("flags")) for p, o in zip(pages, outs))
                for f, pid, half, flags in ranked[:args.worst]:
                    print(f"      {f:.3f} {pid} [{half}] {flags}")
    for lang, keep in (("Chinese", _is_chinese), ("other", lambda p: not _is_chinese(p))):
        idx_lang = [i for i, p in enumerate(pooled_pages) if keep(p)]
        if not idx_lang:
            continue
        print(f"\n== pooled: {lang} pages of the sets above ({len(idx_lang)})")
        for name in names:
            for part, idx in subsets(_pick(pooled_pages, idx_lang)):
                if not idx:
                    continue
                sel = _pick(idx_lang, idx)
                res = score(_pick(pooled_pages, sel), _pick(pooled_outs[name], sel))
                report[f"pooled-{lang}/{part}/{name}"] = res
                print(f"  {name:12s} {part:10s}  {fmt(res)}")
    print("\n== speed over all sets" + (" (median round)" if runs else ""))
    n_pages = speed_total["ours"][0]
    # the whole-run figure of each round; the median round's pages/s (not a sum of per-set medians)
    totals = {n: [n_pages / sum(run.values()) for run in runs[n]] for n in names} if runs else \
        {n: [n_pages / t] for n, (_, t) in speed_total.items()}
    for name in names:
        line = f"  {name:12s} {statistics.median(totals[name]):7.1f} pages/s"
        if len(totals[name]) > 1:
            line += f" (rounds {min(totals[name]):.1f}-{max(totals[name]):.1f})"
        if name != "ours":
            ratios = [o / t for o, t in zip(totals["ours"], totals[name])]
            line += f"   ours/{name} = {statistics.median(totals['ours']) / statistics.median(totals[name]):.1f}x"
            if len(ratios) > 1:
                line += f" (per round {', '.join(f'{r:.1f}' for r in ratios)})"
        print(line)
        report[f"speed/{name}"] = statistics.median(totals[name])
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    sys.exit(main())
