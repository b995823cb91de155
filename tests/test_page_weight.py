"""Page-weight budgets (``bench/reader.py`` ``BUDGETS``): every page type of the
seed site, served gzipped and opened in headless Chromium, fetches no more than
its budget (HTML, CSS, JavaScript and data, gzipped), the papers index without
pulling the catalog's data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_browser import browser, site  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import reader  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_every_page_type_within_its_budget(browser, site):  # noqa: F811
    plan = reader.views(site)
    assert {name for name, *_ in plan} >= {"home", "paper", "topic", "topics", "survey", "index",
                                           "index_filtered", "index_author", "search"}
    result = {"ours": {}}
    with reader.serve(site / "site") as base:
        for name, path, kind, query in plan:
            res = reader.measure(browser, base + path, kind, query)
            assert res["errors"] == [], (name, res["errors"])
            assert res["requests"] > 0
            result["ours"][name] = res
    assert reader.over_budget(result) == []
    # The search view fetched the index's manifest, shards and chunks, and little of them.
    assert 0 < result["ours"]["search"]["search_bytes"] <= reader.SEARCH_DATA_BUDGET * 1000
    # The unfiltered index needs no facet data; no view fetches every export.
    assert result["ours"]["index"]["bytes"] < result["ours"]["index_filtered"]["bytes"]


def test_the_server_sends_gzip(site):  # noqa: F811
    import gzip
    import urllib.request

    with reader.serve(site / "site") as base:
        req = urllib.request.Request(base + "papers/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as resp:
            assert resp.headers["Content-Encoding"] == "gzip"
            body = gzip.decompress(resp.read())
    assert body == (site / "site" / "papers" / "index.html").read_bytes()
