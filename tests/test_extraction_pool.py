"""The extraction pool keeps pages queued for its processes (crawler.pipelines._deep_pool)."""
from __future__ import annotations

import concurrent.futures.process as futures_process

from crawler.pipelines import QUEUED_PAGES, _deep_pool


def test_the_pool_holds_queued_pages_and_other_executors_keep_the_standard_queue():
    standard = futures_process.EXTRA_QUEUED_CALLS
    pool = _deep_pool(1)
    try:
        assert pool._call_queue._maxsize == 1 + QUEUED_PAGES  # (the size the standard library gives it)
        assert futures_process.EXTRA_QUEUED_CALLS == standard
        assert [f.result(timeout=120) for f in [pool.submit(pow, 2, n) for n in range(20)]] == [2**n for n in range(20)]
    finally:
        pool.shutdown(wait=True)
