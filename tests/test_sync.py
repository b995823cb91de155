"""``survey sync``, ``survey reject`` and ``survey proposals`` on the recorded fixtures.

The command runs in a subprocess with ``HF_ENDPOINT`` (read by ``huggingface_hub`` at
import) and ``SURVEY_ARXIV_API`` pointing at local servers (tests/sync_servers.py), so
the real clients, paging and parsing run."""

from __future__ import annotations

import copy
import datetime
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from project import copy_project, run_build
from sync_servers import (
    HF_DAY,
    IN_SCOPE,
    OUT_OF_SCOPE,
    Answer,
    arxiv_listing,
    asked_for,
    hf_entries,
    hub,
    serve,
)

from survey_core.model.catalog import load_catalog

SURVEY = str(Path(sys.executable).with_name("survey"))
SCOPE = "scope: [tokenization, compression]"


def run(project: Path, *args: str, hf: str = "", arxiv: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_ENDPOINT=hf or "http://127.0.0.1:9",
               SURVEY_ARXIV_API=(arxiv + "/api/query") if arxiv else "http://127.0.0.1:9/api/query",
               HF_HOME=str(project.parent / "hf-home"), HF_HUB_DISABLE_TELEMETRY="1")
    return subprocess.run([SURVEY, *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300)


def snapshot(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes()
            for p in sorted(project.rglob("*")) if p.is_file()}


def records(project: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in (project / "content" / "papers").glob("*.yml")}


def by_arxiv(project: Path) -> dict[str, dict]:
    return {r["arxiv_id"]: r for r in records(project).values() if r.get("arxiv_id")}


NEIGHBOURS = "\nneighbours: {min_similarity: 0.15, count: 3}\n"


def set_scope(project: Path, line: str = SCOPE, borderline: str = "null",
              neighbours: str = "null") -> None:
    """Narrow the scope (and, by default, list no borderline papers)."""
    path = project / "content" / "sync.yml"
    text = path.read_text(encoding="utf-8")
    assert "\nscope: []\n" in text and "\nborderline: 0\n" in text and NEIGHBOURS in text
    text = text.replace("\nscope: []\n", f"\n{line}\n")
    text = text.replace(NEIGHBOURS, f"\nneighbours: {neighbours}\n")
    path.write_text(text.replace("\nborderline: 0\n", f"\nborderline: {borderline}\n"),
                    encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def missing(project: Path) -> Path:
    """The project without the fixture day's eight papers, scope narrowed to two branches."""
    for arxiv_id, rec in by_arxiv(project).items():
        if arxiv_id in IN_SCOPE + OUT_OF_SCOPE:
            (project / "content" / "papers" / f"{rec['id']}.yml").unlink()
    assert not set(by_arxiv(project)) & set(IN_SCOPE + OUT_OF_SCOPE)
    set_scope(project)
    return project


def hf_server():
    return serve(hub({HF_DAY: hf_entries()}))


def test_fixture_day_proposes_the_papers_in_scope(missing: Path):
    tax = yaml.safe_load((missing / "content" / "taxonomy.yml").read_text(encoding="utf-8"))
    parent = {t["id"]: t.get("parent") for t in tax["topics"]}

    def branch(tid: str) -> str:
        while parent.get(tid):
            tid = parent[tid]
        return tid

    with hf_server() as (url, asked):
        done = run(missing, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
        assert done.returncode == 0, done.stderr
        assert "proposed 5 new papers in scope" in done.stdout
        assert "3 out of scope" in done.stdout
        assert asked_for(asked, "/api/daily_papers") == [{"date": HF_DAY, "p": "0",
                                                          "limit": "100"}]
        # Links the daily listing's PaperInfo leaves out come from the paper's own page,
        # asked only for the papers proposed.
        assert sorted(q["id"] for q in asked_for(asked, "/api/papers/")) == sorted(IN_SCOPE)
        found = by_arxiv(missing)
        assert set(found) & set(IN_SCOPE + OUT_OF_SCOPE) == set(IN_SCOPE)
        for arxiv_id in IN_SCOPE:
            rec = found[arxiv_id]
            assert rec["topics"] and {branch(t) for t in rec["topics"]} <= {
                "tokenization", "compression"}
            assert rec["provenance"]["title"] == f"Hugging Face Daily Papers {HF_DAY}"
            assert rec["provenance"]["topics"] == "taxonomy rules"
            assert {"file": f"daily-papers/{HF_DAY}", "entry": arxiv_id} in rec["sources"]
            assert rec["date"] == HF_DAY and rec["authors_complete"] is True
            assert rec["links"]["arxiv"] == f"https://arxiv.org/abs/{arxiv_id}"
        assert found["2410.20771"]["upvotes"] == 11
        assert found["2404.00456"]["links"]["code"] == "https://github.com/spcl/QuaRot"
        ledger = yaml.safe_load((missing / "content" / "sync-ledger.yml").read_text())
        rows = {r["arxiv_id"]: r for r in ledger["papers"]}
        assert list(rows) == sorted(IN_SCOPE)
        assert rows["2410.20771"]["topics"] == found["2410.20771"]["topics"]
        assert any(r.startswith("byte-level-tokenization: title /") for r in
                   rows["2410.20771"]["rules"])
        check = run(missing, "check")
        assert check.returncode == 0, check.stdout

        # A run stopped after the records were written but before the ledger: the next
        # run writes the same ledger from the records it finds.
        ledger_path = missing / "content" / "sync-ledger.yml"
        written = ledger_path.read_bytes()
        ledger_path.unlink()
        again = run(missing, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
        assert again.returncode == 0 and "proposed 0 new papers" in again.stdout
        assert ledger_path.read_bytes() == written

        # A second run over the same window changes no byte.
        before = snapshot(missing)
        again = run(missing, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
        assert again.returncode == 0, again.stderr
        assert "proposed 0 new papers" in again.stdout
        assert snapshot(missing) == before

        # A deleted proposal is not proposed again; a rejected one neither.
        deleted = found["2510.21909"]["id"]
        (missing / "content" / "papers" / f"{deleted}.yml").unlink()
        rejected = run(missing, "reject", "2402.17764")
        assert rejected.returncode == 0, rejected.stderr
        assert "deleted content/papers/" in rejected.stdout
        third = run(missing, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
        assert third.returncode == 0, third.stderr
        assert "2 proposed, listed or rejected before" in third.stdout
        assert not {"2510.21909", "2402.17764"} & set(by_arxiv(missing))
        ledger = yaml.safe_load((missing / "content" / "sync-ledger.yml").read_text())
        status = {r["arxiv_id"]: r["status"] for r in ledger["papers"]}
        assert status["2402.17764"] == "rejected" and status["2510.21909"] == "proposed"

    # Ingest of a ledger paper from another source still works.
    era = next(e for e in hf_entries() if e["paper"]["id"] == "2402.17764")
    source = missing / "content" / "sources" / "by-hand.yml"
    source.write_text(yaml.safe_dump({"title": era["title"], "arxiv_id": "2402.17764"}))
    ingest = run(missing, "ingest", str(source))
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert "2402.17764" in by_arxiv(missing)


def test_real_catalog_gains_only_sightings(project: Path):
    set_scope(project)
    before = records(project)
    with hf_server() as (url, _asked):
        done = run(project, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
    assert done.returncode == 0, done.stderr
    assert "proposed 0 new papers" in done.stdout and "8 already in the catalog" in done.stdout
    after = records(project)
    assert set(after) == set(before)
    assert not (project / "content" / "sync-ledger.yml").exists()
    changed = [pid for pid in after if after[pid] != before[pid]]
    assert len(changed) == 8
    for pid in changed:
        old, new = before[pid], after[pid]
        assert {"file": f"daily-papers/{HF_DAY}", "entry": new["arxiv_id"]} in new["sources"]
        assert [s for s in new["sources"] if s not in old["sources"]] == [
            {"file": f"daily-papers/{HF_DAY}", "entry": new["arxiv_id"]}]
        for key, value in old.items():  # nothing a record had is overwritten
            if key not in ("sources", "provenance", "upvotes", "links"):
                assert new[key] == value, (pid, key)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dry_run_offline_one_line_exit_1_nothing_changed(project: Path):
    before = snapshot(project)
    dead = f"http://127.0.0.1:{free_port()}"
    done = run(project, "sync", "--dry-run", hf=dead, arxiv=dead)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("sync: cannot reach the Hugging Face API")
    assert "Traceback" not in done.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize("damage, expected", [
    (lambda rows: rows[2]["paper"].update(id="not-an-id"),
     "entry 3 (not-an-id) 'id' 'not-an-id' is not an arXiv id"),
    (lambda rows: rows[4]["paper"].update(upvotes="many"),
     "entry 5 (2410.20771) 'upvotes' 'many' is not a number"),
    (lambda rows: rows[1]["paper"].update(authors=[["Ada"]]),
     "entry 2 is malformed"),
])
def test_malformed_answer_names_the_entry_and_writes_nothing(missing: Path, damage, expected):
    rows = copy.deepcopy(hf_entries())
    damage(rows)
    before = snapshot(missing)
    with serve(hub({HF_DAY: rows})) as (url, _asked):
        done = run(missing, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
    assert done.returncode == 1
    assert f"date={HF_DAY} (page 0): {expected}" in done.stderr, done.stderr
    assert "nothing was written" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(missing) == before


def test_not_json_is_reported(missing: Path):
    before = snapshot(missing)
    with serve({"/api/daily_papers": lambda q: Answer(200, b"<html>maintenance</html>")}) as (
            url, _asked):
        done = run(missing, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
    assert done.returncode == 1
    assert "is not a JSON list of papers" in done.stderr, done.stderr
    assert snapshot(missing) == before


def test_pages_progress_and_resume_after_interruption(missing: Path):
    template = hf_entries()[5]  # out of scope
    crowd = []
    for n in range(230):
        row = copy.deepcopy(template)
        row["paper"]["id"] = f"2511.{n:05d}"
        row["title"] = f"Fair attribution study number {n}"
        row["publishedAt"] = "2025-11-04T08:00:00.000Z"
        crowd.append(row)
    days = {HF_DAY: hf_entries(), "2025-11-04": crowd}
    window = ("sync", "--source", "hf", "--since", HF_DAY, "--until", "2025-11-04")
    with serve(hub(days, broken={"2025-11-04"})) as (url, asked):
        first = run(missing, *window, hf=url)
        assert first.returncode == 1
        assert "HTTP 500" in first.stderr and "nothing was written" in first.stderr
        assert not (missing / "content" / "sync-ledger.yml").exists()
        assert [q["date"] for q in asked_for(asked, "/api/daily_papers")] == [
            HF_DAY, "2025-11-04"]
    with serve(hub(days)) as (url, asked):
        second = run(missing, *window, hf=url)
        assert second.returncode == 0, second.stderr
        # The finished day was kept: only the day that failed is asked again, page by page.
        assert [(q["date"], q["p"]) for q in asked_for(asked, "/api/daily_papers")] == [
            ("2025-11-04", "0"), ("2025-11-04", "1"), ("2025-11-04", "2")]
    assert "238 entries" in second.stdout and "proposed 5 new papers" in second.stdout
    assert "233 out of scope" in second.stdout
    assert "Daily Papers requests (238 entries): 2/2" in second.stderr


def test_arxiv_listing_in_scope(missing: Path):
    path = missing / "content" / "sync.yml"
    path.write_text(path.read_text().replace("terms: []", "terms: [tokenizer, 4-bit]"))
    with serve({"/api/query": arxiv_listing({HF_DAY: hf_entries()})}) as (url, asked):
        done = run(missing, "sync", "--source", "arxiv", "--date", HF_DAY, arxiv=url)
    assert done.returncode == 0, done.stderr
    assert len(asked) == 1
    query = asked[0][1]["search_query"]
    assert query.startswith("(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202511030000 TO "
                            "202511032359]")
    assert 'abs:"tokenizer"' in query and 'ti:"4-bit"' in query
    found = by_arxiv(missing)
    assert set(found) & set(IN_SCOPE + OUT_OF_SCOPE) == set(IN_SCOPE)
    rec = found["2404.00456"]
    assert rec["provenance"]["title"] == f"arXiv cs.CL new submissions {HF_DAY}"
    assert {"file": f"arxiv-listing/cs.CL/{HF_DAY}", "entry": "2404.00456"} in rec["sources"]
    assert rec["authors"][0] == "Saleh Ashkboos" and rec["primary_class"] == "cs.CL"


def test_proposals_body_is_a_table_of_new_papers(missing: Path):
    base = missing.parent / "base-ledger.yml"
    with hf_server() as (url, _asked):
        assert run(missing, "sync", "--source", "hf", "--date", HF_DAY, hf=url).returncode == 0
    ledger = (missing / "content" / "sync-ledger.yml").read_text()
    rows = yaml.safe_load(ledger)["papers"]
    base.write_text(yaml.safe_dump({"papers": [r for r in rows if r["arxiv_id"] == "2404.00456"]}))
    out = missing.parent / "body.md"
    done = run(missing, "proposals", "--against", str(base), "--output", str(out))
    assert done.returncode == 0, done.stderr
    body = out.read_text()
    assert body.startswith("## 4 new papers in the survey's scope")
    assert "| paper | suggested topics | matching rules | upvotes | record |" in body
    assert ("| [MrT5: Dynamic Token Merging for Efficient Byte-level Language Models]"
            "(https://arxiv.org/abs/2410.20771) | `byte-level-tokenization`, "
            "`token-merging-and-reduction` | byte-level-tokenization: title `") in body
    assert "| 11 | `content/papers/mrt5-" in body
    assert "2404.00456" not in body  # already on the target branch
    table = [line for line in body.splitlines() if line.startswith("| [")]
    assert len(table) == 4 and all(line.count(" | ") == 4 for line in table)


def test_check_reports_sync_settings_with_lines(project: Path):
    path = project / "content" / "sync.yml"
    text = path.read_text().replace("days: 3", "days: 0").replace("scope: []", "scope: [nope]")
    path.write_text(text + "colour: blue\n")
    lines = text.splitlines()
    done = run(project, "check")
    assert done.returncode == 1
    days_line = lines.index("days: 0") + 1
    scope_line = lines.index("scope: [nope]") + 1
    assert f"content/sync.yml:{days_line}:1: error: days must be a whole number" in done.stdout
    assert f"content/sync.yml:{scope_line}:1: error: scope: unknown topic 'nope'" in done.stdout
    assert f"content/sync.yml:{len(lines) + 1}:1: error: unknown sync setting 'colour'" \
        in done.stdout


@pytest.mark.parametrize("line, message", [
    ("borderline: -1", "borderline must be a whole number (0 or more), or null"),
    ("borderline: yes", "borderline must be a whole number (0 or more), or null"),
    ("field_terms: ['(unclosed']", "field_terms must be a list of patterns: pattern "
                                   "'(unclosed' is not a valid regular expression"),
    ("field_terms: ['(a+)+b(?=c)']", "field_terms must be a list of patterns: pattern "
                                     "'(a+)+b(?=c)' can take exponential time"),
    ("field_categories: [cs CL]", "field_categories must be a list of arXiv categories"),
])
def test_check_reports_borderline_settings(project: Path, line: str, message: str):
    path = project / "content" / "sync.yml"
    # the field settings at the end, then the line under test in place of borderline
    text = path.read_text().split("\nfield_terms:\n")[0] + "\n"
    text = text.replace("borderline: 0", line)
    path.write_text(text)
    at = text.splitlines().index(line) + 1
    done = run(project, "check")
    assert done.returncode == 1
    assert f"content/sync.yml:{at}:1: error: {message.split(': pattern')[0]}" in done.stdout
    assert message in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_survey_reading_list_on_page_and_in_check(project: Path):
    """Papers in a survey's scope added after its `revised:` day and not cited yet are listed
    on its page and reported by `survey check` as a note (not an error, not a warning)."""
    cat = load_catalog(project, persist_cache=False)
    survey = cat.surveys["tokenization"]
    assert survey.revised == "2026-11-22" and survey.unread_ids == []
    # A paper filed (now) under tokenization, added after the revision, and not cited.
    paper = next(p for p in cat.papers if p.id not in survey.paper_ids
                 and p.key not in survey.cited_keys and p.topics == ["quantization"])
    path = project / "content" / "papers" / f"{paper.id}.yml"
    text = path.read_text(encoding="utf-8")
    assert "\ntopics:\n- quantization\n" in text
    path.write_text(text.replace(f"added: '{paper.added}'", "added: '2026-11-25'")
                    .replace("\ntopics:\n- quantization\n",
                             "\ntopics:\n- quantization\n- subword-tokenization\n"))
    check = run(project, "check")
    assert check.returncode == 0, check.stdout
    front = (project / "content" / "surveys" / "tokenization.md").read_text().splitlines()
    line = next(n for n, text in enumerate(front, start=1) if text.startswith("revised:"))
    assert (f"content/surveys/tokenization.md:{line}:1: info: 1 paper(s) in scope added since "
            f"the text was revised (2026-11-22) are not cited yet: {paper.key}") in check.stdout
    assert re.search(r"check: 0 error\(s\), \d+ warning\(s\), 1 note\(s\)", check.stderr)

    built = run_build(project)
    assert built.returncode == 0, built.stderr
    page = (project / "site" / "surveys" / "tokenization" / "index.html").read_text()
    block = page[page.index('<details class="survey-unread"'):]
    block = block[:block.index("</details>")]
    assert "1</strong> paper added since the text was revised (2026-11-22)" in block
    assert f'href="../../papers/{paper.id}/"' in block and "added 2026-11-25" in block
    other = (project / "site" / "surveys" / "compression" / "index.html").read_text()
    assert "No papers in scope were added since the text was revised (2026-11-22)." in other


def test_windows_are_asked_by_month_week_and_day():
    from survey_core.importers.sync_fetch import hf_units

    d = datetime.date
    assert [(k, v) for k, v, _ in hf_units(d(2025, 10, 30), d(2025, 12, 2))] == [
        ("date", "2025-10-30"), ("date", "2025-10-31"), ("month", "2025-11"),
        ("date", "2025-12-01"), ("date", "2025-12-02")]
    assert [(k, v) for k, v, _ in hf_units(d(2025, 11, 2), d(2025, 11, 12))] == [
        ("date", "2025-11-02"), ("week", "2025-W45"), ("date", "2025-11-10"),
        ("date", "2025-11-11"), ("date", "2025-11-12")]


def test_a_month_in_one_paged_request_dry_run_then_for_real(missing: Path):
    crowd = []
    for n in range(150):  # other days of the month, out of scope
        row = copy.deepcopy(hf_entries()[5])
        row["paper"]["id"] = f"2511.{n:05d}"
        row["title"] = f"Fair attribution study number {n}"
        row["publishedAt"] = f"2025-11-{(n % 20) + 10:02d}T08:00:00.000Z"
        crowd.append(row)
    days = {HF_DAY: hf_entries(), "2025-11-15": crowd}
    window = ("sync", "--source", "hf", "--since", "2025-11-01", "--until", "2025-11-30")
    before = snapshot(missing)
    with serve(hub(days)) as (url, asked):
        dry = run(missing, *window, "--dry-run", hf=url)
        assert dry.returncode == 0, dry.stderr
        assert "158 entries; would propose 5 new papers in scope" in dry.stdout
        assert "+ 2410.20771 MrT5" in dry.stdout
        assert snapshot(missing) == before  # a dry run writes nothing, not even its cache
        assert [(q.get("month"), q["p"]) for q in asked_for(asked, "/api/daily_papers")] == [
            ("2025-11", "0"), ("2025-11", "1")]
        done = run(missing, *window, hf=url)
    assert done.returncode == 0, done.stderr
    assert "proposed 5 new papers" in done.stdout and "153 out of scope" in done.stdout
    assert set(by_arxiv(missing)) & set(IN_SCOPE + OUT_OF_SCOPE) == set(IN_SCOPE)


def test_arxiv_answer_that_is_not_a_feed_is_reported(missing: Path):
    before = snapshot(missing)
    with serve({"/api/query": lambda q: Answer(200, b"<html>busy</html", "text/html")}) as (
            url, _asked):
        done = run(missing, "sync", "--source", "arxiv", "--date", HF_DAY, arxiv=url)
    assert done.returncode == 1
    assert done.stderr.startswith(f"sync: arXiv listing of {HF_DAY} (page 0): the arXiv API "
                                  "returned a response that is not XML"), done.stderr
    assert "nothing was written" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(missing) == before


def test_a_broken_ledger_stops_the_sync_before_anything(missing: Path):
    ledger = missing / "content" / "sync-ledger.yml"
    ledger.write_text("papers:\n- arxiv_id: '2404.00456'\n  status: maybe\n")
    before = snapshot(missing)
    with hf_server() as (url, asked):
        done = run(missing, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
    assert done.returncode == 1 and not asked
    assert "content/sync-ledger.yml:2:1: error: unknown status 'maybe'" in done.stdout
    assert "nothing was written" in done.stderr
    assert snapshot(missing) == before


def test_scope_default_branches_and_threshold():
    from project import REPO

    from survey_core.importers.sync import in_scope
    from survey_core.importers.sync_config import load_sync_config
    from survey_core.model.taxonomy import load_taxonomy

    taxonomy, _ = load_taxonomy(REPO / "content" / "taxonomy.yml")
    config, problems = load_sync_config(REPO, taxonomy)
    assert problems == [] and config.scope == [] and config.out_of_scope == "other"
    default = config.scope_topics(taxonomy)
    assert "unfiled" not in default and "other" not in default
    assert {"quantization", "agents-and-tools", "vision-language"} <= default
    config.scope = ["tokenization"]
    narrow = config.scope_topics(taxonomy)
    assert {"tokenization", "subword-tokenization", "byte-level-tokenization"} <= narrow
    assert "quantization" not in narrow
    mrt5 = next(e for e in hf_entries() if e["paper"]["id"] == "2410.20771")
    topics, rules = in_scope(taxonomy, config, narrow, mrt5["title"], mrt5["summary"])
    assert "byte-level-tokenization" in topics and rules
    quarot = next(e for e in hf_entries() if e["paper"]["id"] == "2404.00456")
    assert in_scope(taxonomy, config, narrow, quarot["title"], quarot["summary"]) == ([], [])
    config.threshold = 100
    assert in_scope(taxonomy, config, narrow, mrt5["title"], mrt5["summary"]) == ([], [])


# -- borderline papers ---------------------------------------------------------------

STATISTICIANS = "2406.07815"  # curated under evaluation; scored 2 of 5 before its rule
TAKEN = "2305.07759"  # TinyStories: curated under pretraining-data, below every threshold
REFUSED = "2305.16349"  # Lexinvariant Language Models: curated under architectures
PLAIN = "2404.00456"  # QuaRot: in scope by its rules


def day_of_catalog_papers(project: Path, missing_ids: list[str], present: int) -> list[dict]:
    """A Daily Papers day of catalog papers (title, abstract, authors from their records):
    ``missing_ids`` (their records are then deleted) and ``present`` papers still in it."""
    recs = by_arxiv(project)
    kept = [a for a in sorted(recs) if a not in missing_ids][:present]
    template = hf_entries()[0]
    rows = []
    for n, arxiv_id in enumerate(missing_ids + kept):
        rec = recs[arxiv_id]
        row = copy.deepcopy(template)
        row["title"] = row["paper"]["title"] = rec["title"]
        row["summary"] = row["paper"]["summary"] = rec.get("abstract") or ""
        row["paper"]["id"] = arxiv_id
        row["paper"]["upvotes"] = n
        row["paper"]["authors"] = [{"_id": f"a{n:023d}", "name": name, "hidden": False}
                                   for name in rec.get("authors") or ["A. Author"]]
        row["paper"].pop("githubRepo", None)
        rows.append(row)
    for arxiv_id in missing_ids:
        (project / "content" / "papers" / f"{recs[arxiv_id]['id']}.yml").unlink()
    return rows


def ledger_rows(project: Path) -> dict[str, dict]:
    data = yaml.safe_load((project / "content" / "sync-ledger.yml").read_text(encoding="utf-8"))
    return {r["arxiv_id"]: r for r in data["papers"]}


def test_borderline_papers_are_listed_once_taken_or_rejected(project: Path):
    """The whole survey in scope (content/sync.yml as shipped): a day of eight catalog
    papers, four of them missing from the catalog."""
    missing_ids = [STATISTICIANS, TAKEN, REFUSED, PLAIN]
    day = day_of_catalog_papers(project, missing_ids, present=4)
    with serve(hub({HF_DAY: day})) as (url, _asked):
        dry = run(project, "sync", "--source", "hf", "--date", HF_DAY, "--dry-run", hf=url)
        assert dry.returncode == 0, dry.stderr
        assert "would list 2 borderline" in dry.stdout
        assert not (project / "content" / "sync-ledger.yml").exists()

        done = run(project, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
        assert done.returncode == 0, done.stderr
        assert "proposed 2 new papers in scope; listed 2 borderline; 4 already" in done.stdout
        assert f"? {TAKEN} TinyStories" in done.stdout
        assert f"(take it: survey accept {TAKEN})" in done.stdout
        found = by_arxiv(project)
        # the paper is filed by the evaluation rules now; the borderline ones
        # have no record
        assert found[STATISTICIANS]["topics"] == ["evaluation"]
        assert PLAIN in found and TAKEN not in found and REFUSED not in found
        rows = ledger_rows(project)
        assert rows[STATISTICIANS]["status"] == "proposed"
        taken = rows[TAKEN]
        assert taken["status"] == "borderline" and taken["score"] == 2
        assert taken["topics"] and taken["rules"]
        assert any(r.startswith("field /") for r in taken["rules"])
        assert taken["facts"]["abstract"].startswith("Language models (LMs) are powerful")
        assert taken["facts"]["day"] == HF_DAY and taken["facts"]["source"] == "hf"
        assert "record" not in taken

        body = run(project, "proposals")
        assert body.returncode == 0, body.stderr
        text = body.stdout
        assert "## 2 new papers in the survey's scope" in text
        assert "## 2 borderline papers" in text
        line = next(x for x in text.splitlines() if f"abs/{TAKEN})" in x)
        assert line.startswith("| [TinyStories: How Small Can Language Models Be")
        # score, the rules that fired, the field terms it names
        assert "| 2 | " in line and "distillation: abstract `" in line
        assert "| field `\\bLLMs?\\b" in line
        assert f"`survey accept {TAKEN} --topic {taken['topics'][0]}`" in line
        # the borderline list is ordered by score and lists the arXiv categories (n/a: the
        # Daily Papers API gives none)
        assert "| n/a |" in line

        # taking one with another topic; rejecting the other
        wrong = run(project, "accept", TAKEN, "--topic", "no-such-topic")
        assert wrong.returncode == 1 and "unknown topic 'no-such-topic'" in wrong.stderr
        assert TAKEN not in by_arxiv(project)
        accepted = run(project, "accept", f"arXiv:{TAKEN}v1", "--topic", "pretraining-data")
        assert accepted.returncode == 0, accepted.stderr
        rec = by_arxiv(project)[TAKEN]
        assert rec["topics"] == ["pretraining-data"]
        assert rec["provenance"]["topics"] != "taxonomy rules"
        assert rec["abstract"].startswith("Language models (LMs) are powerful")
        assert {"file": f"daily-papers/{HF_DAY}", "entry": TAKEN} in rec["sources"]
        assert rec["authors_complete"] is True and rec["year"] == 2023
        again = run(project, "accept", TAKEN)
        assert again.returncode == 1 and "already a proposal (taken)" in again.stderr
        refused = run(project, "reject", REFUSED)
        assert refused.returncode == 0, refused.stderr
        rows = ledger_rows(project)
        assert rows[TAKEN]["status"] == "taken" and rows[TAKEN]["record"] == rec["id"]
        assert "facts" not in rows[TAKEN] and rows[TAKEN]["decided"]
        assert rows[REFUSED]["status"] == "rejected" and "facts" not in rows[REFUSED]
        assert run(project, "check").returncode == 0

        # the next run lists neither again, and changes nothing
        before = snapshot(project)
        next_run = run(project, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
        assert next_run.returncode == 0, next_run.stderr
        assert "proposed 0 new papers in scope; listed 0 borderline" in next_run.stdout
        assert "?" not in next_run.stdout.split("\n", 1)[1]
        assert snapshot(project) == before
        body = run(project, "proposals").stdout
        assert "borderline" not in body
        assert f"abs/{TAKEN})" in body  # now a record of the pull request, like a proposal
        assert f"abs/{REFUSED})" not in body


def test_borderline_listed_once_against_the_target_ledger(project: Path):
    """A borderline paper the target branch's ledger lists already is not listed again in
    the next pull request's body; an arXiv listing shows its categories."""
    day = day_of_catalog_papers(project, [TAKEN], present=0)
    with serve({"/api/query": arxiv_listing({HF_DAY: day})}) as (url, _asked):
        done = run(project, "sync", "--source", "arxiv", "--date", HF_DAY, arxiv=url)
    assert done.returncode == 0, done.stderr
    assert "listed 1 borderline" in done.stdout
    rows = ledger_rows(project)
    assert rows[TAKEN]["categories"] == ["cs.CL"]
    assert "category cs.CL" in rows[TAKEN]["rules"]
    body = run(project, "proposals").stdout
    line = next(x for x in body.splitlines() if f"abs/{TAKEN})" in x)
    assert "| cs.CL |" in line
    base = project.parent / "main-ledger.yml"
    base.write_bytes((project / "content" / "sync-ledger.yml").read_bytes())
    against = run(project, "proposals", "--against", str(base))
    assert against.returncode == 0 and "borderline" not in against.stdout


def test_accept_refuses_what_it_cannot_take(project: Path):
    unknown = run(project, "accept", "2401.99999")
    assert unknown.returncode == 1
    assert "'2401.99999' is not in content/sync-ledger.yml" in unknown.stderr
    ledger = project / "content" / "sync-ledger.yml"
    for facts, message in (("{colour: red}", "facts must be a mapping of source, day"),
                           ("{authors: 5}", "facts.authors must be a list of names"),
                           ("{abstract: [x]}", "facts.abstract must be text")):
        ledger.write_text("papers:\n- arxiv_id: '2401.99999'\n  title: T\n"
                          f"  status: borderline\n  facts: {facts}\n", encoding="utf-8")
        before = snapshot(project)
        broken = run(project, "accept", "2401.99999")
        assert broken.returncode == 1, broken.stderr
        assert broken.stderr.startswith("accept: content/sync-ledger.yml:2:1: error: malformed "
                                        f"ledger entry ({message}")
        assert "Traceback" not in broken.stderr and snapshot(project) == before
        check = run(project, "check")
        assert check.returncode == 1 and "content/sync-ledger.yml:2:1: error:" in check.stdout
    # a paper the sync proposed is a record already: accept refuses it
    ledger.write_text("papers:\n- arxiv_id: '2401.99999'\n  title: T\n  status: proposed\n",
                      encoding="utf-8")
    proposed = run(project, "accept", "2401.99999")
    assert proposed.returncode == 1 and "already a proposal (proposed)" in proposed.stderr


# -- nearest curated papers -------------------------------------------------------------

LATTICE = "2504.05646"  # curated under state-space-models; no rule of the taxonomy fires
FAR = ("2504.99999", "Neural Radiance Fields for Unbounded Outdoor Scenes",
       "We reconstruct large outdoor scenes from photographs with a volumetric radiance "
       "field, sampling rays along camera frusta and rendering novel views of buildings "
       "and streets in real time.")


def test_a_paper_close_to_curated_ones_is_borderline_naming_them(project: Path):
    """content/sync.yml as shipped: a paper no rule files, whose abstract is close to a
    curated paper, is listed as borderline with that paper (record, title, similarity) as
    its evidence and its topics suggested; a paper far from every curated one is out; with
    ``neighbours: null`` the close one is out too."""
    day = day_of_catalog_papers(project, [LATTICE], present=0)
    far = copy.deepcopy(day[0])
    far["paper"]["id"], far["title"], far["summary"] = FAR
    far["paper"]["title"], far["paper"]["summary"] = far["title"], far["summary"]
    day.append(far)
    sync_yml = project / "content" / "sync.yml"
    shipped = sync_yml.read_text(encoding="utf-8")
    with serve(hub({HF_DAY: day})) as (url, _asked):
        sync_yml.write_text(shipped.replace(NEIGHBOURS, "\nneighbours: null\n"),
                            encoding="utf-8")
        off = run(project, "sync", "--source", "hf", "--date", HF_DAY, "--dry-run", hf=url)
        assert off.returncode == 0, off.stderr
        assert "would list 0 borderline" in off.stdout and "2 out of scope" in off.stdout
        sync_yml.write_text(shipped, encoding="utf-8")
        done = run(project, "sync", "--source", "hf", "--date", HF_DAY, hf=url)
    assert done.returncode == 0, done.stderr
    assert "proposed 0 new papers in scope; listed 1 borderline" in done.stdout
    assert "1 out of scope" in done.stdout
    rows = ledger_rows(project)
    assert FAR[0] not in rows
    entry = rows[LATTICE]
    assert entry["status"] == "borderline"
    nearest = [r for r in entry["rules"] if r.startswith("nearest ")]
    near_id = "memory-efficient-llm-training-with-online-subspace-descent"
    assert nearest and nearest[0].startswith(f"nearest {near_id} (0.1")
    assert all(float(r.rsplit("(", 1)[1].rstrip(")")) >= 0.15 for r in nearest)
    near_topics = records(project)[near_id]["topics"]
    assert entry["topics"][0] in near_topics
    body = run(project, "proposals")
    assert body.returncode == 0, body.stderr
    assert "| nearest curated papers |" in body.stdout
    line = next(x for x in body.stdout.splitlines() if f"abs/{LATTICE})" in x)
    assert (f"`{near_id}` Memory-Efficient LLM Training with Online Subspace Descent "
            "(0.1") in line
    assert f"`survey accept {LATTICE} --topic {entry['topics'][0]}`" in line
    assert line.count(" | ") == 6
    assert run(project, "check").returncode == 0


@pytest.mark.parametrize("value, message", [
    ("0.15", "neighbours must be a mapping with min_similarity, or null"),
    ("{count: 3}", "neighbours.min_similarity must be a number above 0 and at most 1"),
    ("{min_similarity: 0}", "neighbours.min_similarity must be a number above 0 and at most 1"),
    ("{min_similarity: 1.5}", "neighbours.min_similarity must be a number above 0 and at "
                              "most 1"),
    ("{min_similarity: yes}", "neighbours.min_similarity must be a number above 0 and at "
                              "most 1"),
    ("{min_similarity: 0.2, count: 0}", "neighbours.count must be a whole number from 1 to 10"),
    ("{min_similarity: 0.2, count: 2.5}", "neighbours.count must be a whole number from 1 "
                                          "to 10"),
    ("{min_similarity: 0.2, near: 3}", "unknown neighbours setting 'near'"),
])
def test_check_reports_neighbours_settings(project: Path, value: str, message: str):
    path = project / "content" / "sync.yml"
    text = path.read_text(encoding="utf-8")
    assert NEIGHBOURS in text
    text = text.replace(NEIGHBOURS, f"\nneighbours: {value}\n")
    path.write_text(text, encoding="utf-8")
    at = text.splitlines().index(f"neighbours: {value}") + 1
    done = run(project, "check")
    assert done.returncode == 1
    assert f"content/sync.yml:{at}:1: error: {message}" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    # null switches the evidence off and is valid
    path.write_text(text.replace(f"\nneighbours: {value}\n", "\nneighbours: null\n"),
                    encoding="utf-8")
    assert run(project, "check").returncode == 0


def test_nearest_curated_papers_are_the_closest_in_scope():
    """The index: a curated paper's own text finds it first (similarity 1); papers filed
    only outside the scope are never neighbours; the threshold and count hold."""
    from project import REPO

    from survey_core.importers.ingest import load_records
    from survey_core.importers.neighbours import CuratedIndex
    from survey_core.importers.sync_config import load_sync_config
    from survey_core.model.taxonomy import load_taxonomy

    taxonomy, _ = load_taxonomy(REPO / "content" / "taxonomy.yml")
    config, _ = load_sync_config(REPO, taxonomy)
    scope = config.scope_topics(taxonomy)
    papers, _ = load_records(REPO / "content" / "papers", REPO)
    index = CuratedIndex(papers, scope)
    outside = [p for p in papers if not set(p.topics) & scope]
    assert outside and len(index) == len(papers) - len(outside)
    inside = next(p for p in papers if p.arxiv_id == LATTICE)
    texts = [(inside.title, inside.abstract), (outside[0].title, outside[0].abstract or ""),
             FAR[1:]]
    own, other, far = index.nearest(texts, 0.15, 2)
    assert own[0].record == inside.id and own[0].similarity == pytest.approx(1.0)
    assert len(own) == 2 and own[1].similarity >= 0.15 and own[1].record != inside.id
    assert own[0].topics == ("state-space-models",)
    assert all(nb.record != outside[0].id for nb in other) and far == []
    assert index.nearest([("", ""), ("<b>x</b>" * 500, "")], 0.0, 3) == [[], []]
    skipped = index.nearest(texts[:1], 0.15, 3, skip=[inside.id])[0]
    assert inside.id not in [nb.record for nb in skipped]
    assert [nb.similarity for nb in skipped] == sorted((nb.similarity for nb in skipped),
                                                       reverse=True)
