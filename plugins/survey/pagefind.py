"""Full-text search of the built site with Pagefind.  No MkDocs import.

After the build, Pagefind (the binary the ``pagefind-bin`` package ships)
indexes the generated pages marked ``data-pagefind-body`` (``overrides/main.html``)
and, as small records rather than whole pages to parse, the paper pages
(:func:`paper_records`: title, authors, venue, topics, abstract; the header
search box, ``assets/survey/survey.js``, shows their authors, year and topics
with each result).  It writes a chunked index to ``<site>/pagefind/``: a search
downloads the index chunks of its words and the fragments of the results it
shows, never the whole catalog.  A development server refreshes the index in
the background (:class:`Background`), so a rebuild does not wait for it.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

BUNDLE = "pagefind"


class SearchIndexError(RuntimeError):
    pass


@dataclass
class Record:
    """A page given to Pagefind as text instead of HTML to parse (paper pages:
    the bulk of the site, and cheaper to index from their records)."""
    url: str  # from the site root, e.g. "/papers/x/"
    content: str
    meta: dict[str, str]


def paper_records(papers, topic_name: Callable[[str], str | None]) -> Iterator[Record]:
    """Search records of paper pages: title, authors, venue, year, topics and abstract,
    with ``title``, ``authors``, ``year`` and ``topics`` shown with a result."""
    for p in papers:
        topics = [n for n in (topic_name(t) for t in p.topics) if n]
        who = ", ".join(p.authors[:6]) + (" et al." if len(p.authors) > 6
                                          or (p.authors and not p.authors_complete) else "")
        meta = {"title": p.title, "topics": " · ".join(topics)}
        if who:
            meta["authors"] = who
        if p.year:
            meta["year"] = str(p.year)
        text = [p.title + ".", ", ".join(p.authors) + ".", p.venue or "", " · ".join(topics),
                p.abstract or ""]
        yield Record(f"/papers/{p.id}/", "\n".join(t for t in text if t and t != "."), meta)


def _record_html(r: Record) -> str:
    meta = "".join(f'<span data-pagefind-meta="{html.escape(k)}">{html.escape(v)}</span>'
                   for k, v in r.meta.items() if k != "title")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in r.content.split("\n")[1:])
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>'
            f'<main data-pagefind-body><h1>{html.escape(r.meta.get("title", ""))}</h1>{body}'
            f'<div hidden data-pagefind-ignore>{meta}</div></main></body></html>\n')


def index_site(site_dir: Path | str, records: list[Record] | None = None,
               skip: Callable[[str], bool] | None = None, timeout: float = 1800,
               gentle: bool = False) -> str:
    """Index ``site_dir`` into ``site_dir/pagefind/``: every HTML page whose site
    path ``skip`` does not reject (those marked ``data-pagefind-body``), and
    ``records``.  Pagefind reads a staging folder of links to those pages and
    small HTML files of the records (parsing a record's whole page, theme and
    navigation included, costs it far more time and memory).  ``gentle``: one
    thread at the lowest CPU priority (beside a development server's rebuilds).
    Returns a summary."""
    try:
        from pagefind_bin import get_executable
        exe = str(get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise SearchIndexError(f"the Pagefind binary is missing (pip install pagefind-bin): "
                               f"{exc}") from None
    site = Path(site_dir).resolve()
    records = records or []
    pages = 0
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=site.parent) as tmp:
        stage = Path(tmp)
        for path in site.rglob("*.html"):
            rel = path.relative_to(site).as_posix()
            if rel.startswith(BUNDLE + "/") or (skip is not None and skip(rel)):
                continue
            dest = stage / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, dest)
            except OSError:
                shutil.copyfile(path, dest)
            pages += 1
        for r in records:
            dest = stage / r.url.strip("/") / "index.html"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(_record_html(r), encoding="utf-8")
        try:
            proc = subprocess.run(
                [exe, "--site", str(stage), "--output-path", str(site / BUNDLE),
                 "--force-language", "en", "--exclude-selectors", ".headerlink", "--quiet"],
                capture_output=True, text=True, timeout=timeout,
                env={**os.environ, "RAYON_NUM_THREADS": "1"} if gentle else None,
                preexec_fn=(lambda: os.nice(19)) if gentle and os.name == "posix" else None)
        except subprocess.TimeoutExpired:
            raise SearchIndexError(f"Pagefind did not finish within {timeout:.0f}s") from None
    if proc.returncode != 0:
        raise SearchIndexError("Pagefind failed: " + (proc.stderr or proc.stdout).strip()[-2000:])
    return f"{pages} pages and {len(records)} papers indexed"


class SearchJob:
    """Indexing a built site of ``catalog``: its paper pages as records (made now,
    so the job may run later in another thread) and every other page as HTML."""

    def __init__(self, site_dir: Path | str, catalog, report: Callable[[str], None]) -> None:
        tax = catalog.taxonomy
        self.site_dir = site_dir
        self.report = report
        self.records = list(paper_records(
            catalog.papers, lambda t: tax[t].name if t in tax else None))
        ids = set(catalog.by_id)
        self.skip = lambda rel: (rel.startswith("papers/") and rel.count("/") == 2
                                 and rel.split("/")[1] in ids)

    def run(self, gentle: bool = False) -> None:
        """Index the site (raises :class:`SearchIndexError`)."""
        self.report("survey: search index (Pagefind): "
                    + index_site(self.site_dir, self.records, self.skip, gentle=gentle))


class Background:
    """Index runs in a thread, one at a time, for a development server whose
    rebuilds should not wait for the search index, nor compete with it for the
    processor (the index runs with one thread at the lowest priority): a request
    while a run is going makes one more run (of the latest job) when it ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: SearchJob | None = None
        self._thread: threading.Thread | None = None

    def request(self, job: SearchJob) -> None:
        with self._lock:
            self._pending = job
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="survey-pagefind")
                self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    #: seconds to wait after a request, so that edits in a row make one run
    settle = 2.0

    def _run(self) -> None:
        while True:
            time.sleep(self.settle)
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    return
            try:
                job.run(gentle=True)
            except SearchIndexError as exc:
                job.report(f"survey: search index not updated: {exc}")
