import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitekit import NewsSite, fixture_articles, write_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def site():
    """The local news site with the real fixture articles published (two list pages)."""
    with NewsSite() as news:
        for article in fixture_articles()[:10]:
            news.publish(article["id"], article["html"])
        yield news


@pytest.fixture
def config_for(tmp_path):
    def make(site, **overrides):
        return write_config(tmp_path / "sources.toml", site, **overrides)
    return make


def run_cli(*args, timeout=120, env=None) -> subprocess.CompletedProcess:
    """Run `healthwatch ARGS` as a user would, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def bench_page(set_name: str, name: str):
    """(the extracted article, its truth) of a labelled page in bench/pages/<set_name>/<name>."""
    import gzip
    import json

    from crawler.extract import extract

    folder = ROOT / "bench" / "pages" / set_name / name
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return extract(gzip.decompress((folder / "page.html.gz").read_bytes()), truth.get("url")), truth
