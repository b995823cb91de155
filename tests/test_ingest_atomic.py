"""Ingest is all-or-nothing and one run at a time.

* a source entry that would make a record ``survey check`` rejects makes the
  whole source broken: exit 1, the entry named, nothing written;
* ``SIGKILL`` at any moment of an ingest of a large ``.bib`` leaves
  ``content/papers/`` exactly as before or exactly as after;
* two ingests started together both succeed and no record is lost or overwritten.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_bad_input import make_project, snapshot, survey

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def words(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(LETTERS) for _ in range(8)) for _ in range(n)]


def bib_entries(n: int, seed: int, prefix: str) -> str:
    """``n`` BibTeX entries with titles far apart (random words)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b, c = words(rng, 3)
        out.append(f"@article{{{prefix}{i},\n  title = {{Learning {a} with {b} and {c} "
                   f"models}},\n  author = {{Doe, Jane and Roe, Rick}},\n  year = {{2023}},\n}}\n")
    return "\n".join(out)


def papers_state(root: Path) -> dict[str, str]:
    folder = root / "content" / "papers"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file()}


def ingest_cmd(root: Path, *sources: str) -> list[str]:
    return [sys.executable, "-m", "survey_core.cli", "--root", str(root), "ingest", "-q", *sources]


# -- a source that would make a rejected record is broken ------------------------------------

GOOD = "@article{good2024,\n  title = {A Good Entry About Models},\n  year = {2024},\n}\n\n"
#: key -> (the fields of an entry on line 6, a piece of the error)
BROKEN_ENTRIES = {
    "long2024": ("title = {" + "Long " * 230 + "},", "title is 1,149 characters"),
    "marks2024": ("title = {???},", "has no letters or digits"),
}


@pytest.mark.parametrize("key", list(BROKEN_ENTRIES))
def test_an_entry_that_check_would_reject_breaks_the_source(tmp_path, capsys, key):
    root = make_project(tmp_path)
    fields, message = BROKEN_ENTRIES[key]
    bib = root / "content" / "sources" / "refs.bib"
    bib.write_text(f"{GOOD}@article{{{key},\n  {fields}\n}}\n", encoding="utf-8")
    before = snapshot(root)
    code, out, err = survey(root, capsys, "ingest", "-q", str(bib))
    assert code == 1, out + err
    lines = [x for x in out.splitlines() if ": error: " in x]
    assert any(x.startswith(f"{bib.as_posix()}:6:1: error: this source entry (entry {key}) "
                            "would make a record") and message in x for x in lines), out
    assert snapshot(root) == before


def test_a_year_out_of_range_is_dropped_and_named_or_refused_with_strict(tmp_path, capsys):
    """A value that is not a year is left out and said (issue: every dropped value is
    reported); --strict refuses the run instead."""
    root = make_project(tmp_path)
    bib = root / "content" / "sources" / "refs.bib"
    bib.write_text(f"{GOOD}@article{{zero2024,\n  title = {{A Fine Title Of A Paper}},\n"
                   "  year = {0000},\n}\n", encoding="utf-8")
    before = snapshot(root)
    code, out, err = survey(root, capsys, "ingest", "-q", "--strict", str(bib))
    assert code == 1, out + err
    assert (f"{bib.as_posix()}:6:1: error: entry zero2024: year '0' is not a year between "
            "1900 and 2100; dropped") in out
    assert snapshot(root) == before
    code, out, err = survey(root, capsys, "ingest", "-q", str(bib))
    assert code == 0, out + err
    assert f"{bib.as_posix()}:6:1: warning: entry zero2024: year '0' is not a year" in out
    assert "1 value dropped" in out
    record = (root / "content" / "papers" / "a-fine-title-of-a-paper.yml").read_text()
    assert "\nyear:" not in record


HAND_WRITTEN = {
    "links: {code: 'javascript:alert(1)'}": "links.code 'javascript:alert(1)' is not an http(s)",
    "authors: Jane Doe": "every author must be a non-empty name",
    "topics: [no-such-topic]": "unknown topic 'no-such-topic'",
}


@pytest.mark.parametrize("line", list(HAND_WRITTEN))
def test_a_hand_written_record_check_would_reject_breaks_the_source(tmp_path, capsys, line):
    root = make_project(tmp_path)
    source = root / "content" / "sources" / "mine.yml"
    source.write_text(f"- title: A Fine Paper About Models\n- title: A Paper Made Wrong\n"
                      f"  {line}\n", encoding="utf-8")
    before = snapshot(root)
    code, out, err = survey(root, capsys, "ingest", "-q", str(source))
    assert code == 1, out + err
    assert f"{source.as_posix()}:2:1: error: " in out and HAND_WRITTEN[line] in out, out
    assert snapshot(root) == before


# -- SIGKILL --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_bib(tmp_path_factory):
    """A project, a 6,000-entry .bib, and the state of content/papers after ingesting it."""
    base = tmp_path_factory.mktemp("kill")
    text = bib_entries(6_000, seed=1, prefix="big")
    (base / "after").mkdir()
    after_root = make_project(base / "after")
    bib = after_root / "content" / "sources" / "big.bib"
    bib.write_text(text, encoding="utf-8")
    start = time.monotonic()
    out = subprocess.run(ingest_cmd(after_root, str(bib)), capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    return base, text, papers_state(after_root), time.monotonic() - start


@pytest.mark.parametrize("when", ["reading", "staging", "swapping", "random"])
def test_sigkill_leaves_the_catalog_before_or_after(big_bib, when):
    base, text, after, duration = big_bib
    (base / f"run-{when}").mkdir()
    root = make_project(base / f"run-{when}")
    bib = root / "content" / "sources" / "big.bib"
    bib.write_text(text, encoding="utf-8")
    before = papers_state(root)
    staged = root / "content" / ".papers-staged"
    proc = subprocess.Popen(ingest_cmd(root, str(bib)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    if when == "reading":
        time.sleep(min(0.5, duration / 4))
    elif when == "random":
        time.sleep(random.Random(7).uniform(0.2, duration))
    else:
        while not staged.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        if when == "swapping":  # part of the way through staging the files
            while (staged.exists() and len(os.listdir(staged)) < 3000 and proc.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.001)
    staging = staged.exists()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    state = papers_state(root)
    if when in ("staging", "swapping"):  # the kill hit the write phase
        assert staging, "the ingest was not writing when it was killed"
    assert state in (before, after), (
        f"{len(state)} records: neither the {len(before)} before nor the {len(after)} after")
    # the next run cleans up and finishes the job
    out = subprocess.run(ingest_cmd(root, str(bib)), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert papers_state(root) == after
    assert not staged.exists()


# -- two at once -----------------------------------------------------------------------------


def test_two_ingests_at_once_lose_nothing(tmp_path):
    root = make_project(tmp_path)
    shared = ("@article{shared2024,\n  title = {A Paper Both Sources List},\n"
              "  author = {Doe, Jane},\n  year = {2024},\n}\n\n")
    sources = root / "content" / "sources"
    (sources / "one.bib").write_text(shared + bib_entries(1500, 2, "one"), encoding="utf-8")
    (sources / "two.bib").write_text(shared + bib_entries(1500, 3, "two"), encoding="utf-8")
    procs = [subprocess.Popen(ingest_cmd(root, str(sources / name)), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for name in ("one.bib", "two.bib")]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    created = sorted(int(o.split("created ")[1].split(",")[0]) for o, _e in outs)
    assert created == [1500, 1501], outs  # the shared paper is created once
    state = papers_state(root)
    assert len(state) == 3 + 1 + 3000
    text = (root / "content" / "papers" / "a-paper-both-sources-list.yml").read_text()
    assert "file: one.bib" in text and "file: two.bib" in text  # neither sighting lost
    code = subprocess.run([sys.executable, "-m", "survey_core.cli", "--root", str(root), "check",
                           "--errors-only"], capture_output=True, text=True, timeout=300)
    assert code.returncode == 0, code.stdout[-2000:]
