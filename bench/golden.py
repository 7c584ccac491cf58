"""Golden outputs: every Article field of every bench page and every test fixture page, for refactors that
must not change a single output.

    python -m bench.golden dump before.json [--no-compiled]
    python -m bench.golden diff before.json after.json

`--no-compiled` hides crawler.extract._walk before the extractor is imported, so the pure-Python
fallbacks run (their outputs must be the same as the compiled module's).
"""
from __future__ import annotations

import argparse
import gzip
import importlib.abc
import json
import sys
from pathlib import Path

from bench import benchsets

FIXTURES = benchsets.REPO_ROOT / "tests" / "fixtures"


class _HideCompiled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "crawler.extract._walk":
            raise ImportError("compiled walk hidden by bench.golden --no-compiled")
        return None


def pages():
    """(id, html bytes, url) of every bench page, then every fixture page (.html files and
    page.html.gz folders under tests/fixtures)."""
    for name in benchsets.set_dirs():
        for page in benchsets.load_set(name):
            yield page["id"], page["html"], page["truth"].get("url")
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".html", ".htm") and path.is_file():
            yield f"fixtures/{path.relative_to(FIXTURES)}", path.read_bytes(), None
        elif path.name == "page.html.gz":
            truth = path.parent / "truth.json"
            url = json.loads(truth.read_text(encoding="utf-8")).get("url") if truth.exists() else None
            yield f"fixtures/{path.parent.relative_to(FIXTURES)}", gzip.decompress(path.read_bytes()), url


def dump(target: Path, compiled: bool) -> int:
    if not compiled:
        sys.meta_path.insert(0, _HideCompiled())
    from crawler.extract import body, extract

    if not compiled and body._compiled_walker is not None:
        raise SystemExit("the compiled walk was imported anyway")
    out = {pid: extract(html, url).to_dict() for pid, html, url in pages()}
    target.write_text(json.dumps(out, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    print(f"{len(out)} pages -> {target} ({'compiled' if compiled else 'pure Python'} walk)")
    return 0


def diff(a: Path, b: Path, show: int = 20) -> int:
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    changed = []
    only = set(old) ^ set(new)  # pages added to (or gone from) the sets between the dumps: not compared
    if only:
        print(f"{len(only)} pages in one dump only (not compared): {', '.join(sorted(only)[:5])}{' …' if len(only) > 5 else ''}")
    for pid in sorted(set(old) & set(new)):
        x, y = old.get(pid), new.get(pid)
        if x != y:
            fields = sorted(k for k in set(x or {}) | set(y or {}) if (x or {}).get(k) != (y or {}).get(k))
            changed.append((pid, fields))
    for pid, fields in changed[:show]:
        print(f"  {pid}: {', '.join(fields)}")
        for k in fields[:3]:
            print(f"      {k}: {str(old.get(pid, {}).get(k))[:150]!r}\n   -> {k}: {str(new.get(pid, {}).get(k))[:150]!r}")
    print(f"{len(changed)} of {len(set(old) & set(new))} pages differ")
    return 1 if changed else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("target", type=Path)
    d.add_argument("--no-compiled", action="store_true")
    c = sub.add_parser("diff")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    c.add_argument("--show", type=int, default=20)
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        return dump(args.target, not args.no_compiled)
    return diff(args.a, args.b, args.show)


if __name__ == "__main__":
    sys.exit(main())
