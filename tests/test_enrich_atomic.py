"""``survey enrich`` writes the way ingest does (the content lock, staging, one swap).

* ``SIGKILL`` while it looks papers up, while it stages the records, or at a random
  moment leaves ``content/papers/`` exactly as before or exactly as after, and the next
  run finishes the job (nothing is marked done that was not written);
* an ingest that changes the same records while an enrich waits for arXiv loses nothing:
  the enrich fills the records as they are when it writes;
* two enrich runs at once both land.

The arXiv API is a local stand-in (tests/sync_servers.py) answering ``id_list`` queries
with the recorded Daily Papers fixture, so the real client runs."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from sync_servers import Answer, hf_entries, listing_feed, serve
from test_bad_input import make_project
from test_ingest_atomic import bib_entries, ingest_cmd, papers_state

PAPERS = {e["paper"]["id"]: e["paper"] for e in hf_entries()}


def enrich_cmd(root: Path, *ids: str) -> list[str]:
    return [sys.executable, "-m", "survey_core.cli", "--root", str(root), "enrich", "-q", *ids]


def arxiv(gate: threading.Event | None = None, asked: list | None = None):
    """The arXiv API answering ``id_list`` queries from the fixture; with ``gate``, each
    answer waits until the gate opens (``asked`` counts the requests waiting)."""

    def route(query: dict[str, str]) -> Answer:
        if asked is not None:
            asked.append(query)
        if gate is not None:
            gate.wait(120)
        ids = [i for i in query.get("id_list", "").split(",") if i]
        return Answer(200, listing_feed([{"paper": PAPERS[i]} for i in ids if i in PAPERS])
                      .encode(), "application/atom+xml")

    return {"/api/query": route}


def env(url: str) -> dict[str, str]:
    return dict(os.environ, SURVEY_ARXIV_API=url + "/api/query")


def add_bare_records(root: Path) -> list[str]:
    """The fixture's eight papers as records with a title and an arXiv id only (what
    enrich fills: authors, year, abstract, links), written through ingest; their arXiv
    ids, sorted."""
    rows = [{"title": p["title"], "arxiv_id": p["id"]} for p in PAPERS.values()]
    source = root / "content" / "sources" / "bare.yml"
    source.write_text(yaml.safe_dump(rows, sort_keys=False), encoding="utf-8")
    done = subprocess.run(ingest_cmd(root, str(source)), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return sorted(PAPERS)


def by_arxiv(root: Path) -> dict[str, dict]:
    out = {}
    for path in (root / "content" / "papers").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("arxiv_id"):
            out[data["arxiv_id"]] = data
    return out


def record_ids(root: Path) -> list[str]:
    """The ids of the records of the fixture's papers (the bib records need no lookup by
    id, and a lookup by title waits 3 s a request: runs name these ids)."""
    return sorted(r["id"] for a, r in by_arxiv(root).items() if a in PAPERS)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """A project of 3,000 records and the eight bare ones, and the state of
    content/papers after one enrich."""
    base = tmp_path_factory.mktemp("enrich")
    root = make_project(base)
    big = root / "content" / "sources" / "big.bib"
    big.write_text(bib_entries(3_000, seed=5, prefix="big"), encoding="utf-8")
    done = subprocess.run(ingest_cmd(root, str(big)), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    add_bare_records(root)
    bare = record_ids(root)
    after_root = base / "after"
    shutil.copytree(root, after_root, symlinks=True)
    with serve(arxiv()) as (url, _asked):
        start = time.monotonic()
        done = subprocess.run(enrich_cmd(after_root, *bare), capture_output=True, text=True,
                              timeout=600, env=env(url))
        duration = time.monotonic() - start
    assert done.returncode == 0, done.stdout + done.stderr
    assert "updated 8 of 8 papers" in done.stdout, done.stdout
    return root, bare, papers_state(after_root), duration


@pytest.mark.parametrize("when", ["looking-up", "staging", "random"])
def test_sigkill_leaves_the_catalog_before_or_after(catalog, tmp_path, when):
    source, bare, after, duration = catalog
    root = tmp_path / "project"
    shutil.copytree(source, root, symlinks=True)
    before = papers_state(root)
    assert before != after
    staged = root / "content" / ".papers-staged"
    gate, asked = threading.Event(), []
    if when != "looking-up":
        gate.set()
    with serve(arxiv(gate, asked)) as (url, _asked):
        proc = subprocess.Popen(enrich_cmd(root, *bare), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env(url))
        deadline = time.monotonic() + 300
        if when == "looking-up":  # the request is waiting for its answer
            while not asked and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert asked, "enrich never asked arXiv"
        elif when == "staging":
            while not staged.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
            assert staged.exists(), "enrich was not writing when it was killed"
        else:
            time.sleep(random.Random(11).uniform(0.1, duration))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        gate.set()
        state = papers_state(root)
        assert state in (before, after), (
            f"{len(state)} records: neither as before nor as after the enrich")
        if state == before:  # nothing was marked done that was not written
            again = subprocess.run(enrich_cmd(root, *bare), capture_output=True, text=True,
                                   timeout=600, env=env(url))
            assert again.returncode == 0, again.stdout + again.stderr
        assert papers_state(root) == after
        assert not staged.exists()


def test_an_ingest_during_the_lookups_loses_nothing(tmp_path):
    root = make_project(tmp_path)
    ids = add_bare_records(root)
    more = root / "content" / "sources" / "more.bib"
    more.write_text("\n".join(
        f"@article{{more{n},\n  title = {{{PAPERS[i]['title']}}},\n  year = {{2024}},\n}}\n"
        for n, i in enumerate(ids)), encoding="utf-8")
    gate, asked = threading.Event(), []
    with serve(arxiv(gate, asked)) as (url, _asked):
        proc = subprocess.Popen(enrich_cmd(root, *record_ids(root)), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env(url))
        deadline = time.monotonic() + 300
        while not asked and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert asked, "enrich never asked arXiv"
        # the enrich has read the records and waits for arXiv: an ingest adds sightings
        ingested = subprocess.run(ingest_cmd(root, str(more)), capture_output=True, text=True,
                                  timeout=300)
        assert ingested.returncode == 0, ingested.stdout + ingested.stderr
        gate.set()
        out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    found = by_arxiv(root)
    for arxiv_id in ids:
        rec = found[arxiv_id]
        assert any(s["file"] == "more.bib" for s in rec["sources"]), rec["sources"]
        assert rec["abstract"] == " ".join(PAPERS[arxiv_id]["summary"].split())
        assert rec["authors"][0] == PAPERS[arxiv_id]["authors"][0]["name"]
        assert rec["provenance"]["abstract"].startswith("arxiv-api ")
    check = subprocess.run([sys.executable, "-m", "survey_core.cli", "--root", str(root),
                            "check", "--errors-only"], capture_output=True, text=True,
                           timeout=300)
    assert check.returncode == 0, check.stdout[-2000:]


def test_two_enrich_runs_at_once_lose_nothing(tmp_path):
    root = make_project(tmp_path)
    ids = add_bare_records(root)
    record_of = {a: r["id"] for a, r in by_arxiv(root).items() if a in PAPERS}
    halves = ([record_of[i] for i in ids[:4]], [record_of[i] for i in ids[4:]])
    gate, asked = threading.Event(), []
    with serve(arxiv(gate, asked)) as (url, _asked):
        procs = [subprocess.Popen(enrich_cmd(root, *half), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env(url))
                 for half in halves]
        deadline = time.monotonic() + 300
        while len(asked) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(asked) == 2, "the two runs did not both wait for arXiv"
        gate.set()  # both answers at once: the two writes race for the lock
        outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    found = by_arxiv(root)
    for arxiv_id in ids:
        assert found[arxiv_id]["abstract"], arxiv_id
        assert found[arxiv_id]["authors_complete"] is True
    state = yaml.safe_load((root / ".survey-cache" / "enrich-state.json").read_text())
    assert sorted(state["done"]) == sorted(record_of.values())  # neither run's progress lost
    assert not list((root / ".survey-cache").glob("enrich-state.run*"))
