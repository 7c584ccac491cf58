"""Benchmark of story clustering (storage.dedup) through the real Store.

    .venv/bin/python -m bench.dedup_bench [--n 100000] [--planted 2000] [--million 1000000]

Corpus: synthetic-but-realistic Chinese articles recombined from the sentences of the real pages
in ../shared/bench/zh-news (truth.json body_paragraphs) and ../shared/seeds, each sentence
perturbed with random place names, numbers and CJK words so that articles are distinct but share
phrases and templates the way one site's news does. Planted near-duplicates of some originals:
`edit` (~8% of sentences rewritten, one dropped), `header` (header line + 【编辑:…】 trailer),
`translation` (英语如下: Title:/Keywords:/Content: appended), `trad` (OpenCC s2t + pinyin layer
頁(yè) + mirror navigation lines), `trad_edit` (both). Hard negatives: `sibling` articles that
reuse ~25% of another article's sentences (same template, same notice quoted, other story);
they must NOT cluster with it.

Reports recall/precision of clustering, time per article of Store.save_articles with and without
clustering (anchor: the exact-hash path measured in the same run), index rebuild time, RSS, and the
check+insert cost with 1M signatures stored (lean article rows + real signatures; see `million`).
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.benchsets import shared_bench_dir

ZH_NEWS = shared_bench_dir() / "zh-news"
SEEDS = shared_bench_dir().parent / "seeds"
_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")
_PINYIN_PAIR = re.compile(r"([\u3400-\u9fff])\(([a-zü" + "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ" + r"]{1,7})\s?\)")


# -- real material --------------------------------------------------------------------------------

def real_articles() -> list[dict]:
    """Real pages' labelled text: id, title, body (paragraphs joined by \\n)."""
    out = []
    for path in sorted(glob.glob(str(ZH_NEWS / "*" / "truth.json"))):
        truth = json.loads(Path(path).read_text("utf-8"))
        body = "\n".join(truth.get("body_paragraphs") or [])
        if truth.get("lang", "zh") == "zh" and len(body) > 100:
            out.append({"id": truth["id"], "title": truth.get("title") or "", "body": body,
                        "published": truth.get("published"), "url": truth.get("url")})
    return out


def seed_texts() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def pinyin_table() -> dict[str, str]:
    """Traditional character → tone-marked pinyin, as the spam mirrors in the seeds print it."""
    table: dict[str, str] = {}
    for text in seed_texts():
        for ch, py in _PINYIN_PAIR.findall(text):
            table.setdefault(ch, py)
    return table


# -- planted variants -----------------------------------------------------------------------------

def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


_S2T = None


def traditional_mirror(body: str, title: str = "", rng: random.Random | None = None, every: int = 1) -> str:
    """What the spam mirrors serve: OpenCC s2t, pinyin after characters that have it in the seeds
    (頁(yè)), navigation lines on top and a 热门排行 list at the bottom."""
    global _S2T
    _S2T = _S2T or _s2t()
    table = pinyin_table()
    trad = _S2T.convert(body)
    out, seen = [], 0
    for ch in trad:
        out.append(ch)
        if ch in table:
            seen += 1
            if seen % every == 0:
                out.append(f"({table[ch]})")
    nav = ["- 首頁(yè)", "- 民文", "- English", "- 舉報(bào)專區(qū)", "- 登錄"]
    head = nav + ([_S2T.convert(title)] if title else [])
    tail = ["分享讓更多人看到"]
    return "\n".join(head + ["".join(out)] + tail)


def translation_repost(body: str, title: str = "", source_url: str = "") -> str:
    """A blog repost with an English 'translation' appended (as in seed 000), and a 【来源】 line."""
    english = [
        "英语如下:",
        f"Title: {title or 'Health policy news'} (translated)",
        "Keywords: Healthcare, Policy, Medical Resources",
        "Content: The article reports on measures announced by the health commission to improve "
        "medical services, strengthen primary care and distribute high-quality resources evenly.",
        "It is reported that the measures will be implemented within the year, according to officials.",
    ]
    tail = [f"【来源】{source_url}"] if source_url else []
    return "\n".join([body, *english, *tail, "Views: 2"])


def header_trailer_repost(body: str, site: str = "健康时报网", editor: str = "李晓明") -> str:
    """A portal's repost: a lead-in header line and an editor trailer."""
    header = f"{site}讯 本网转发这篇报道，供读者参阅，以下为报道全文内容。"
    return "\n".join([header, body, f"【编辑:{editor}】"])


def edited(body: str, rng: random.Random, frac: float = 0.08) -> str:
    """An edited repost: ~frac of sentences rewritten (words swapped in), one sentence dropped."""
    paragraphs = body.split("\n")
    sentences = [(p, s) for p, para in enumerate(paragraphs) for s in _SENTENCE.findall(para)]
    if len(sentences) < 3:
        return body + "（本文有删改）"
    drop = rng.randrange(len(sentences))
    new_paras: list[list[str]] = [[] for _ in paragraphs]
    for i, (p, s) in enumerate(sentences):
        if i == drop:
            continue
        if rng.random() < frac:
            s = _rewrite(s, rng)
        new_paras[p].append(s)
    return "\n".join("".join(ss) for ss in new_paras if ss)


_FILLER = list("的了在是和有也对把被让向从到与及等并其各该此这那更最很已将会能可要")
_WORDS = ["卫生健康委", "医疗保障局", "疾控中心", "县级医院", "基层医疗", "医共体", "集中采购", "医保基金",
          "公立医院", "家庭医生", "分级诊疗", "药品供应", "中医药", "公共卫生", "健康中国", "互联网医院",
          "专家表示", "据了解", "记者获悉", "数据显示", "进一步", "有关部门", "重点任务", "工作方案"]
_PLACES = ["北京", "上海", "广东", "广西", "四川", "浙江", "江苏", "山东", "河南", "湖北", "湖南", "福建",
           "云南", "贵州", "陕西", "甘肃", "新疆", "西藏", "海南", "重庆", "天津", "河北", "山西", "辽宁",
           "吉林", "黑龙江", "安徽", "江西", "青海", "宁夏", "内蒙古", "深圳", "杭州", "南京", "成都", "武汉"]


def _rewrite(sentence: str, rng: random.Random) -> str:
    chars = list(sentence)
    for _ in range(max(2, len(chars) // 6)):
        pos = rng.randrange(len(chars) + 1)
        chars.insert(pos, rng.choice(_WORDS))
    return "".join(chars)


# -- synthetic corpus -----------------------------------------------------------------------------

class Corpus:
    """Distinct synthetic articles from real sentences: each sentence gets 2-4 random insertions
    (place, number, domain word, random CJK characters), so two articles share phrases but not
    whole shingle runs unless they are copies."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        pool: list[str] = []
        for art in real_articles():
            pool.extend(s for s in _SENTENCE.findall(art["body"].replace("\n", "")) if len(s) >= 12)
        for text in seed_texts()[:1] + seed_texts()[3:4]:  # Simplified seeds, Chinese part
            chinese = text.split("英语如下")[0].split("Title:")[0]
            pool.extend(s for s in _SENTENCE.findall(chinese.replace("\n", "")) if len(s) >= 12)
        self.sentences = pool
        self.cjk = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]

    def sentence(self) -> str:
        rng = self.rng
        chars = list(rng.choice(self.sentences))
        for _ in range(rng.randint(2, 4)):
            kind = rng.random()
            if kind < 0.3:
                piece = rng.choice(_PLACES)
            elif kind < 0.5:
                piece = str(rng.randint(2, 99999))
            elif kind < 0.7:
                piece = rng.choice(_WORDS)
            else:
                piece = "".join(rng.choice(self.cjk) for _ in range(rng.randint(2, 4)))
            chars.insert(rng.randrange(len(chars) + 1), piece)
        return "".join(chars)

    def article(self, sentences: int | None = None) -> dict:
        rng = self.rng
        n = sentences or rng.randint(10, 30)
        sents = [self.sentence() for _ in range(n)]
        paras, i = [], 0
        while i < len(sents):
            k = rng.randint(2, 4)
            paras.append("".join(sents[i:i + k]))
            i += k
        title = self.sentence()[:24]
        return {"title": title, "body": "\n".join(paras)}

    def sibling(self, body: str, share: float = 0.25) -> str:
        """Another story from the same desk: reuses ~share of the sentences (template, quoted notice)."""
        rng = self.rng
        sents = _SENTENCE.findall(body.replace("\n", ""))
        keep = [s for s in sents if rng.random() < share]
        fresh = [self.sentence() for _ in range(max(4, len(sents) - len(keep)))]
        mixed = keep + fresh
        rng.shuffle(mixed)
        return "\n".join("".join(mixed[i:i + 3]) for i in range(0, len(mixed), 3))


def plant(kind: str, art: dict, rng: random.Random, url: str) -> str:
    body, title = art["body"], art["title"]
    if kind == "edit":
        return edited(body, rng)
    if kind == "header":
        return header_trailer_repost(body, editor=rng.choice(["王芳", "张伟", "刘洋", "陈静"]))
    if kind == "translation":
        return translation_repost(body, "Health news", url)
    if kind == "trad":
        return traditional_mirror(body, title, rng)
    if kind == "trad_edit":
        return traditional_mirror(edited(body, rng), title, rng)
    raise ValueError(kind)


KINDS = ["edit", "header", "translation", "trad", "trad_edit"]


# -- measuring ------------------------------------------------------------------------------------

def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _item(i: int, body: str, title: str, source: str, published: str) -> dict:
    return {"url": f"https://{source}/news/{i}.html", "source": source, "title": title, "body": body,
            "published": published, "fetched_at": "2026-11-20T00:00:00Z"}


def run_main(n: int, planted: int, siblings: int, batch: int, workdir: Path, probe_n: int = 2000) -> dict:
    import storage.store as store_mod
    from storage.store import Store

    corpus = Corpus()
    rng = random.Random(11)
    t0 = time.perf_counter()
    originals = [corpus.article() for _ in range(n)]
    gen_s = time.perf_counter() - t0
    # which originals get reposts / siblings
    chosen = rng.sample(range(n), planted)
    kinds = [KINDS[i % len(KINDS)] for i in range(planted)]
    sib_of = rng.sample([i for i in range(n) if i not in set(chosen)], siblings)

    items, truth = [], {}  # truth: item index -> story id
    for i, art in enumerate(originals):
        items.append(_item(i, art["body"], art["title"], f"site{i % 50}.cn", f"2026-10-{1 + i % 28:02d}"))
        truth[len(items) - 1] = i
    planted_idx = []
    for j, (i, kind) in enumerate(zip(chosen, kinds)):
        body = plant(kind, originals[i], rng, items[i]["url"])
        items.append(_item(n + j, body, originals[i]["title"], f"mirror{j % 20}.com", "2026-11-02"))
        truth[len(items) - 1] = i
        planted_idx.append((len(items) - 1, kind))
    sib_idx = []
    for j, i in enumerate(sib_of):
        body = corpus.sibling(originals[i]["body"])
        items.append(_item(n + planted + j, body, originals[i]["title"], items[i]["source"], "2026-11-03"))
        truth[len(items) - 1] = ("sibling", j)
        sib_idx.append((len(items) - 1, i))

    # ground-truth similarity of planted pairs and hard negatives (sampled), exact from shingles
    from storage import dedup as D

    def exact_j(a: str, b: str) -> float:
        x, y = set(D.shingle_hashes(D.normalise(a)).tolist()), set(D.shingle_hashes(D.normalise(b)).tolist())
        return len(x & y) / max(1, len(x | y))

    jstats: dict[str, list[float]] = {}
    hamming: dict[str, list[int]] = {}  # SimHash-64 over the same shingles, for the method choice
    pairs = [(kind, items[truth[idx]]["body"], items[idx]["body"]) for idx, kind in planted_idx[:1000]]
    pairs += [("sibling", items[i]["body"], items[idx]["body"]) for idx, i in sib_idx[:500]]
    pairs += [("random pair", originals[rng.randrange(n)]["body"], originals[rng.randrange(n)]["body"])
              for _ in range(500)]
    for kind, a, b in pairs:
        jstats.setdefault(kind, []).append(exact_j(a, b))
        hamming.setdefault(kind, []).append(bin(simhash64(a) ^ simhash64(b)).count("1"))
    simhash_choice = simhash_quality(hamming)

    # order: each repost / sibling arrives a little after its original (within ~3,000 articles),
    # as a crawl would see them
    position = {k: float(k) for k in range(n)}
    for idx in range(n, len(items)):
        story = truth[idx] if not isinstance(truth[idx], tuple) else sib_idx[truth[idx][1]][1]
        position[idx] = story + 1 + rng.random() * 3000
    order = sorted(range(len(items)), key=position.__getitem__)

    db_path = workdir / "bench.db"
    store = Store(db_path)
    rss_before = rss_mb()
    outcomes: dict[int, object] = {}
    t_all = time.perf_counter()
    for start in range(0, len(order), batch):
        chunk = order[start:start + batch]
        for k, out in zip(chunk, store.save_articles([items[k] for k in chunk])):
            outcomes[k] = out
    total_s = time.perf_counter() - t_all
    rss_after = rss_mb()
    index_mb = store._dedup.index.nbytes() / 2**20

    cluster_of_article = dict(store.db.execute("SELECT id, cluster_id FROM articles").fetchall())

    def cluster(k):
        return cluster_of_article.get(outcomes[k].article_id)

    found_by_kind: dict[str, list[int]] = {}
    for idx, kind in planted_idx:
        found_by_kind.setdefault(kind, []).append(int(cluster(idx) == cluster(truth[idx])))
    # pairwise precision: of the article pairs that share a cluster, how many are one story
    members: dict[int, list[int]] = {}
    for k in range(len(items)):
        if outcomes[k].status == "new":
            members.setdefault(cluster(k), []).append(k)
    true_pairs = false_pairs = 0
    for ks in members.values():
        for a in range(len(ks)):
            for b in range(a + 1, len(ks)):
                if truth[ks[a]] == truth[ks[b]]:
                    true_pairs += 1
                else:
                    false_pairs += 1
    sibling_merged = sum(cluster(idx) == cluster(i) for idx, i in sib_idx)
    original_of = dict(store.db.execute("SELECT id, original_article_id FROM clusters").fetchall())
    planted_clusters = {cluster(truth[idx]): outcomes[truth[idx]].article_id for idx, _ in planted_idx}
    original_right = sum(original_of.get(c) == a for c, a in planted_clusters.items())
    planted_total = sum(len(v) for v in found_by_kind.values())
    planted_found = sum(sum(v) for v in found_by_kind.values())
    statuses: dict[str, int] = {}
    for out in outcomes.values():
        statuses[out.status] = statuses.get(out.status, 0) + 1
    store.close()

    # probes at ~n stored: fresh originals and reposts of stored ones, as a crawl batch brings them
    probe_items = []
    for j in range(probe_n):
        if j % 2:
            i = rng.randrange(n)
            body = plant(KINDS[j % len(KINDS)], originals[i], rng, items[i]["url"])
            probe_items.append(_item(5 * 10**6 + j, body, originals[i]["title"], "probe-mirror.com", "2026-11-04"))
        else:
            art = corpus.article()
            probe_items.append(_item(5 * 10**6 + j, art["body"], art["title"], "probe.cn", "2026-11-04"))
    anchor_path = workdir / "anchor.db"
    shutil.copyfile(db_path, anchor_path)

    # 1. with clustering; the Store opens fresh, so the first call also rebuilds the index
    store = Store(db_path)
    t = time.perf_counter()
    store.save_articles([])
    reopen_s = time.perf_counter() - t
    rebuild_s = store._dedup.stats["rebuild_seconds"]
    with timed_dedup(store) as timers:
        t = time.perf_counter()
        for start in range(0, len(probe_items), batch):
            store.save_articles(probe_items[start:start + batch])
        with_per = (time.perf_counter() - t) / len(probe_items)
    # the exact-hash check that existed before (fold + sha1 + indexed lookup), same db, same run
    t = time.perf_counter()
    for item in probe_items:
        digest = store_mod.content_hash(item["body"])
        store.db.execute("SELECT id FROM articles WHERE content_hash = ? LIMIT 1", [digest]).fetchone()
    exact_per = (time.perf_counter() - t) / len(probe_items)
    store.close()

    # 2. anchor: the same probes into a copy of the same database, clustering switched off
    anchor = Store(anchor_path)
    anchor._dedup_prepare = lambda: _NoDedup()
    anchor._dedup_ready = lambda now: _NoDedup()
    real_sign, store_mod.dedup_sign = store_mod.dedup_sign, lambda item: None
    try:
        t = time.perf_counter()
        for start in range(0, len(probe_items), batch):
            anchor.save_articles(probe_items[start:start + batch])
        without_per = (time.perf_counter() - t) / len(probe_items)
    finally:
        store_mod.dedup_sign = real_sign
    anchor.close()
    anchor_path.unlink()
    writer = fresh_process_rss(db_path)

    return {
        "n_items": len(items), "generate_s": gen_s, "statuses": statuses,
        "jaccard": {k: {"min": round(min(v), 3), "p10": round(float(np.percentile(v, 10)), 3),
                        "median": round(statistics.median(v), 3), "max": round(max(v), 3), "n": len(v)}
                    for k, v in jstats.items()},
        "recall": planted_found / planted_total,
        "recall_by_kind": {k: round(sum(v) / len(v), 4) for k, v in found_by_kind.items()},
        "pair_precision": true_pairs / max(1, true_pairs + false_pairs),
        "true_pairs": true_pairs, "false_pairs": false_pairs,
        "siblings_merged": f"{sibling_merged}/{len(sib_idx)}",
        "original_identified": f"{original_right}/{len(planted_clusters)}",
        "simhash64_same_pairs": simhash_choice,
        "ingest_ms_per_article_whole_run": 1000 * total_s / len(items),
        "at_n_stored": {
            "probe_articles": len(probe_items),
            "save_ms_with_clustering": 1000 * with_per,
            "save_ms_without_clustering_anchor": 1000 * without_per,
            "ratio_save_with_vs_without": with_per / without_per,
            "check_insert_ms": 1000 * timers["check_insert"] / len(probe_items),
            "sign_ms": 1000 * timers["sign"] / len(probe_items),
            "exact_hash_check_ms_anchor": 1000 * exact_per,
            "ratio_check_insert_vs_exact_hash_check": timers["check_insert"] / len(probe_items) / exact_per,
        },
        "reopen_first_save_s": reopen_s, "index_rebuild_s": rebuild_s, "fresh_writer_process": writer,
        "index_mb": index_mb, "rss_mb_before": rss_before, "rss_mb_after_ingest": rss_after,
        "db_mb": db_path.stat().st_size / 2**20,
    }


def simhash64(body: str) -> int:
    """64-bit SimHash over the same folded 3-gram shingles (for comparison with MinHash)."""
    from storage import dedup as D

    h = D.shingle_hashes(D.normalise(body)).astype(np.uint64)
    if not len(h):
        return 0
    h2 = D._fmix32((h ^ np.uint64(0x9E3779B9)).astype(np.uint32)).astype(np.uint64)
    h64 = (h << np.uint64(32)) | h2
    bits = np.unpackbits(h64.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)  # (n, 64)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(h)
    return int("".join("1" if v > 0 else "0" for v in votes), 2)


def simhash_quality(hamming: dict[str, list[int]]) -> dict:
    """Recall on planted pairs and false matches on siblings/random pairs for Hamming k."""
    planted = [d for kind, ds in hamming.items() if kind in KINDS for d in ds]
    negatives = hamming.get("sibling", []) + hamming.get("random pair", [])
    out = {"hamming_planted_p50_p90_max": [int(np.percentile(planted, 50)), int(np.percentile(planted, 90)),
                                           max(planted)],
           "hamming_sibling_min": min(hamming.get("sibling", [64])),
           "by_kind_recall_at_k3": {k: round(sum(d <= 3 for d in ds) / len(ds), 3)
                                    for k, ds in hamming.items() if k in KINDS}}
    for k in (3, 6, 10, 14):
        out[f"k={k}"] = {"recall": round(sum(d <= k for d in planted) / len(planted), 3),
                         "false_matches": f"{sum(d <= k for d in negatives)}/{len(negatives)}"}
    return out


def fresh_process_rss(db_path: Path) -> dict:
    """A writer as a crawl runs it: a new process opens the Store and saves (the index rebuilds).
    RSS of that process before and after, and the rebuild time."""
    code = (
        "import json, time\n"
        "from bench.dedup_bench import rss_mb\n"
        "from storage.store import Store\n"
        "import storage.dedup, numpy, opencc\n"
        "before = rss_mb()\n"
        f"store = Store({str(db_path)!r})\n"
        "t = time.perf_counter()\n"
        "store.save_articles([])\n"
        "took = time.perf_counter() - t\n"
        "print(json.dumps({'rss_mb_imports_only': round(before, 1), 'rss_mb_with_index': round(rss_mb(), 1),"
        " 'first_save_s': round(took, 3), 'rebuild_s': round(store._dedup.stats['rebuild_seconds'], 3),"
        " 'indexed': store._dedup.index.count, 'index_mb': round(store._dedup.index.nbytes() / 2**20, 1)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def timed_dedup(store):
    """Time what clustering adds inside save_articles: signing, and check+insert (exact lookup,
    LSH query, confirmation, signature row, index insert, cluster assignment)."""
    import storage.store as store_mod

    dd = store._dedup
    timers = {"check_insert": 0.0, "sign": 0.0}

    def wrap(fn, key):
        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                timers[key] += time.perf_counter() - t0
        return timed

    real_add, real_exact, real_sign = dd.add, dd.exact_match, store_mod.dedup_sign
    dd.add, dd.exact_match = wrap(real_add, "check_insert"), wrap(real_exact, "check_insert")
    store_mod.dedup_sign = wrap(real_sign, "sign")
    try:
        yield timers
    finally:
        del dd.add, dd.exact_match
        store_mod.dedup_sign = real_sign


class _NoDedup:
    """Stand-in for the anchor run: what save_articles did before clustering (exact hash only)."""

    high_water = 0

    def exact_match(self, conn, signed):
        return None

    def add(self, *args, **kwargs):
        return None


def run_million(total: int, probes: int, workdir: Path) -> dict:
    """check+insert with `total` signatures stored. Faster path for setup: lean article rows
    (url, source, one-line body) and signatures of synthetic shingle sets are bulk-inserted with
    executemany instead of going through save_articles (which would take ~hours of signing);
    then real planted articles go through the normal Store.save_articles path."""
    from storage import dedup as D
    from storage.store import Store, utc_now

    path = workdir / "million.db"
    store = Store(path)
    conn = store.db.conn
    rng = np.random.default_rng(5)
    t = time.perf_counter()
    now = utc_now()
    chunk = 50_000
    conn.execute("BEGIN")
    for start in range(1, total + 1, chunk):
        ids = range(start, min(total + 1, start + chunk))
        conn.executemany(
            "INSERT INTO articles (id, url, canonical_url, source, body, first_seen_at, cluster_id, "
            "revision_count, rechecks_done) VALUES (?, ?, ?, 'filler', '', ?, ?, 0, 0)",
            ((i, f"https://filler/{i}", f"https://filler/{i}", now, i) for i in ids))
        conn.executemany("INSERT INTO clusters (id, original_article_id, size, first_seen_at, updated_at) "
                         "VALUES (?, ?, 1, ?, ?)", ((i, i, now, now) for i in ids))
        # signatures of unrelated ~1000-shingle articles: each MinHash value is the minimum of
        # ~1000 independent uniform 32-bit hashes, sampled directly as 2^32 * Beta(1, 1000)
        u = 1.0 - (1.0 - rng.random((len(ids), D.NUM_PERM))) ** (1.0 / 1000)
        sigs = np.minimum(u * 2**32, 2**32 - 1).astype("<u4")
        conn.executemany(
            "INSERT INTO article_signatures (article_id, scheme, seed, num_perm, signature) VALUES (?, ?, ?, ?, ?)",
            ((i, D.SCHEME, D.SEED, D.NUM_PERM, sigs[k].tobytes()) for k, i in enumerate(ids)))
    conn.execute("COMMIT")
    fill_s = time.perf_counter() - t
    store.close()

    rss0 = rss_mb()
    store = Store(path)
    t = time.perf_counter()
    store.save_articles([])  # triggers the index rebuild from 1M signatures
    rebuild_s = time.perf_counter() - t
    rss1 = rss_mb()
    corpus = Corpus(seed=99)
    prng = random.Random(3)
    originals = [corpus.article() for _ in range(probes // 2)]
    items = [_item(2 * 10**7 + i, a["body"], a["title"], "p.cn", "2026-11-01") for i, a in enumerate(originals)]
    items += [_item(3 * 10**7 + i, plant(KINDS[i % 5], originals[i], prng, items[i]["url"]), "", "m.cn", "2026-11-02")
              for i in range(len(originals))]
    dd = store._dedup
    signed = [D.sign(it) for it in items[:500]]
    t = time.perf_counter()
    for s in signed:
        dd.similar(store.db.conn, s)
    query_only = (time.perf_counter() - t) / len(signed)
    with timed_dedup(store) as timers:
        t = time.perf_counter()
        for start in range(0, len(items), 100):
            store.save_articles(items[start:start + 100])
        save_per = (time.perf_counter() - t) / len(items)
    found = 0
    for i in range(len(originals)):
        c1 = store.db.execute("SELECT cluster_id FROM articles WHERE url = ?", [items[i]["url"]]).fetchone()
        c2 = store.db.execute("SELECT cluster_id FROM articles WHERE url = ?", [items[len(originals) + i]["url"]]).fetchone()
        found += bool(c1 and c2 and c1[0] == c2[0])
    store.close()
    writer = fresh_process_rss(path)
    return {"stored": total, "fresh_writer_process": writer, "fill_s": fill_s, "index_rebuild_s": rebuild_s, "index_mb": dd.index.nbytes() / 2**20,
            "rss_mb_before_open": rss0, "rss_mb_after_rebuild": rss1,
            "lsh_query_and_confirm_ms": 1000 * query_only,
            "check_insert_ms": 1000 * timers["check_insert"] / len(items), "sign_ms": 1000 * timers["sign"] / len(items),
            "save_ms_with_clustering": 1000 * save_per,
            "recall_at_1m": f"{found}/{len(originals)}", "db_mb": path.stat().st_size / 2**20}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic originals")
    parser.add_argument("--planted", type=int, default=2_000, help="planted near-duplicates")
    parser.add_argument("--siblings", type=int, default=1_000, help="hard negatives (same-desk other stories)")
    parser.add_argument("--batch", type=int, default=100, help="articles per save_articles call")
    parser.add_argument("--million", type=int, default=1_000_000, help="stored signatures for the scale test (0: skip)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dedup_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    report = {"main": run_main(args.n, args.planted, args.siblings, args.batch, workdir)}
    print(json.dumps(report, ensure_ascii=False, indent=1), flush=True)
    if args.million:
        report["million"] = run_million(args.million, 2000, workdir)
        print(json.dumps(report["million"], ensure_ascii=False, indent=1), flush=True)
    report["peak_rss_mb"] = peak_rss_mb()
    report["wall_s"] = time.perf_counter() - t
    print(json.dumps({"peak_rss_mb": report["peak_rss_mb"], "wall_s": report["wall_s"], "workdir": str(workdir)}))


if __name__ == "__main__":
    main()
