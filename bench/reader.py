"""Reader benchmark: a built site as a reader gets it, in headless Chromium.

    python bench/reader.py SITE_DIR PROJECT_DIR [--baseline BASELINE_SITE_DIR] [--json OUT]

The site is served on 127.0.0.1 by a static server that gzips text responses
(level 6, like a typical web server).  Each view is opened in a fresh browser
context (nothing cached) and measured: bytes transferred (response bodies as
sent, gzipped, plus headers; ``search_bytes``: those of the search index
``_search/``), requests, and the time until the view is usable:

* a page: its ``load`` event;
* the papers index: until its filters work (the count reads "N of M papers");
* a search: from the start of loading the home page until the first result
  of a query typed as soon as the page has loaded, bytes counted from the start.

The views: home, a paper page, a topic page, the papers index without and with
filters (a topic and a year), an author view, and one search.  The baseline
(plain MkDocs + Material, ``bench/run.py``) is measured where it has the page.
``BUDGETS`` are the page-weight budgets (gzipped kB) a test checks on the seed
site (``tests/test_page_weight.py``) and this benchmark reports at scale.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import mimetypes
import os
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

GZIP_LEVEL = 6
COMPRESSIBLE = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".bib")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

#: Page-weight budgets, gzipped kB over everything the view fetches (HTML, CSS,
#: JavaScript, data), by page type.
BUDGETS = {"home": 200, "paper": 150, "topic": 250, "topics": 250, "survey": 250, "index": 300,
           "index_filtered": 300, "search": 300}
#: of the search view's budget, gzipped kB of the search index (``_search/``)
SEARCH_DATA_BUDGET = 60


class _Handler(SimpleHTTPRequestHandler):
    cache: dict[tuple[str, float], bytes] = {}
    lock = threading.Lock()

    def log_message(self, format, *args):  # noqa: A002
        pass

    def send_head(self):  # gzip text files when the client accepts it
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()
            path = os.path.join(path, "index.html")
        if (not path.endswith(COMPRESSIBLE) or not os.path.isfile(path)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        key = (path, os.path.getmtime(path))
        with self.lock:
            body = self.cache.get(key)
        if body is None:
            with open(path, "rb") as fh:
                body = gzip.compress(fh.read(), compresslevel=GZIP_LEVEL, mtime=0)
            with self.lock:
                self.cache[key] = body
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """A gzip static server over ``directory`` on 127.0.0.1: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


INDEX_READY = "document.querySelector('#survey-index-count') && " \
              "document.querySelector('#survey-index-count').textContent.includes(' of ')"


def measure(browser, url: str, kind: str = "page", query: str | None = None,
            result_selector: str = ".survey-search__item",
            input_selector: str = "#survey-search-input") -> dict:
    """One view in a fresh context: bytes, requests, seconds until usable."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(120000)
    seen: list = []
    page.on("requestfinished", lambda r: seen.append(r))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="load")
        if kind == "index":
            page.wait_for_function(INDEX_READY, polling=10)
            usable = time.perf_counter() - started
        elif kind == "search":
            page.fill(input_selector, query or "")
            try:
                page.wait_for_selector(result_selector)
                usable = time.perf_counter() - started
            except Exception as exc:  # playwright's TimeoutError: no result in time
                if "Timeout" not in type(exc).__name__:
                    raise
                usable = None  # no result within the page's timeout: reported as such
        else:
            usable = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"
                                   ) / 1000
        page.wait_for_load_state("networkidle")
        total = search = 0
        for req in seen:
            sizes = req.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            total += size
            if "/_search/" in req.url:
                search += size
        return {"url": url, "bytes": total, "search_bytes": search, "requests": len(seen),
                "usable_s": usable, "errors": errors}
    finally:
        context.close()


def views(project: Path) -> list[tuple[str, str, str, str | None]]:
    """(name, path, kind, search query) of the views measured on our site."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))
    from survey_core.model.catalog import load_catalog, newest_first

    cat = load_catalog(project, persist_cache=False)
    newest = newest_first(cat.papers)
    paper = next((p for p in newest if p.authors and p.abstract), newest[0])
    topic = "quantization" if "quantization" in cat.taxonomy else sorted(cat.topic_papers)[0]
    years = sorted({p.year for p in cat.topic_papers.get(topic, []) if p.year})
    year = 2024 if 2024 in years else (years[-1] if years else None)
    counts: dict[str, int] = {}
    for p in cat.papers:
        for a in p.authors:
            counts[a] = counts.get(a, 0) + 1
    author = max(counts, key=lambda a: (counts[a], a)) if counts else None
    out = [("home", "", "page", None), ("paper", f"papers/{paper.id}/", "page", None),
           ("topic", f"topics/{topic}/", "page", None), ("topics", "topics/", "page", None)]
    if cat.surveys:
        out.append(("survey", f"surveys/{sorted(cat.surveys)[0]}/", "page", None))
    out.append(("index", "papers/", "index", None))
    out.append(("index_filtered", f"papers/?topic={topic}" + (f"&year={year}" if year else ""),
                "index", None))
    if author:
        out.append(("index_author", f"papers/?author={quote(author)}", "index", None))
    out.append(("search", "", "search", topic.replace("-", " ")))
    return out


def run(site: Path, project: Path, baseline: Path | None = None) -> dict:
    """Every view on our site and, where it has the page, on the baseline."""
    from playwright.sync_api import sync_playwright

    plan = views(project)
    out: dict = {"ours": {}, "baseline": {}, "budgets_kb": BUDGETS}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            with serve(site) as base:
                for name, path, kind, query in plan:
                    out["ours"][name] = measure(browser, base + path, kind, query)
            if baseline is not None and baseline.exists():
                with serve(baseline) as base:
                    for name, path, kind, query in plan:
                        if kind == "index" or (path and not (baseline / path).exists()):
                            continue
                        out["baseline"][name] = measure(
                            browser, base + path, kind, query,
                            result_selector=".md-search-result__item",
                            input_selector=".md-search__input")
        finally:
            browser.close()
    return out


def over_budget(result: dict) -> list[str]:
    """Views of ours over their budget (the author view counts as a filtered view)."""
    bad = []
    for name, res in result["ours"].items():
        budget = BUDGETS.get("index_filtered" if name == "index_author" else name)
        if budget is not None and res["bytes"] > budget * 1000:
            bad.append(f"{name}: {res['bytes'] / 1000:.0f} kB > {budget} kB")
        if res.get("search_bytes", 0) > SEARCH_DATA_BUDGET * 1000:
            bad.append(f"{name}: search data {res['search_bytes'] / 1000:.0f} kB > "
                       f"{SEARCH_DATA_BUDGET} kB")
    return bad


def _secs(value: float | None) -> str:
    return "timed out" if value is None else f"{value:.2f}"


def table(result: dict) -> str:
    lines = ["| view | ours kB (gz) | requests | usable s | baseline kB (gz) | requests | "
             "usable s | budget kB |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, res in result["ours"].items():
        b = result["baseline"].get(name)
        budget = BUDGETS.get("index_filtered" if name == "index_author" else name, "")
        lines.append(
            f"| {name} | {res['bytes'] / 1000:.1f} | {res['requests']} | "
            f"{_secs(res['usable_s'])} | "
            + (f"{b['bytes'] / 1000:.1f} | {b['requests']} | {_secs(b['usable_s'])}" if b
               else "– | – | –") + f" | {budget} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", type=Path)
    ap.add_argument("project", type=Path)
    ap.add_argument("--baseline", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    result = run(args.site, args.project, args.baseline)
    print(table(result))
    search = result["ours"].get("search")
    if search:
        print(f"search index data fetched by the search view: {search['search_bytes'] / 1000:.1f}"
              f" kB (gz) of {search['bytes'] / 1000:.1f} kB")
    for line in over_budget(result):
        print("over budget:", line)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
