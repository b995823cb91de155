"""Importers that get real collections right, and say what they skip and drop.

Each test ingests a source of a shape real collections have (version-numbered
titles, crossrefs, tables, HTML anchors, name suffixes, deep nesting, values
that cannot be kept) into a copy of the project with ``survey ingest``, checks
the records written or the message given (never a traceback), and that a
second run changes no byte.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from survey_core.cli import main
from survey_core.model import catalog as catalog_module
from survey_core.model.catalog import Catalog, _near_duplicates, load_catalog
from survey_core.model.model import Paper
from survey_core.model.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project's content without its records."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "content", tmp_path / "content",
                    ignore=shutil.ignore_patterns("papers", ".survey-cache"))
    (tmp_path / "content" / "papers").mkdir()
    return tmp_path


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def ingest(project: Path, capsys, *sources: Path, strict: bool = False) -> tuple[int, str]:
    code = main(["--root", str(project), "ingest", "-q", *(["--strict"] if strict else []),
                 *map(str, sources)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return code, text


def records(project: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((project / "content" / "papers").glob("*.yml"))}


def by_title(project: Path) -> dict[str, dict]:
    return {r["title"]: r for r in records(project).values()}


def ingest_twice(project: Path, capsys, *sources: Path) -> str:
    """Ingest; then again, which must change no byte. Returns the first run's output."""
    code, text = ingest(project, capsys, *sources)
    assert code == 0, text
    before = snapshot(project / "content" / "papers")
    code, again = ingest(project, capsys, *sources)
    assert code == 0, again
    assert snapshot(project / "content" / "papers") == before
    assert "created 0, updated 0" in again
    return text


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def csl(items: list[dict]) -> str:
    return json.dumps(items, indent=2) + "\n"


# -- row 1: version-numbered titles, identity by identifiers ---------------------------


def test_version_numbered_titles_with_their_ids_are_three_papers(project, tmp_path, capsys):
    source = write(tmp_path / "family.json", csl([
        {"id": "a", "title": "InternLM2 Technical Report", "URL": "https://arxiv.org/abs/2403.17297",
         "issued": {"date-parts": [[2024, 3]]}},
        {"id": "b", "title": "InternLM2.5 Technical Report",
         "URL": "https://arxiv.org/abs/2407.90001", "issued": {"date-parts": [[2024, 7]]}},
        {"id": "c", "title": "InternLM3 Technical Report",
         "URL": "https://arxiv.org/abs/2501.90002", "issued": {"date-parts": [[2025, 1]]}},
    ]))
    text = ingest_twice(project, capsys, source)
    got = by_title(project)
    assert {t: r["arxiv_id"] for t, r in got.items()} == {
        "InternLM2 Technical Report": "2403.17297", "InternLM2.5 Technical Report": "2407.90001",
        "InternLM3 Technical Report": "2501.90002"}
    assert "near-identical" not in text
    cat = load_catalog(project, persist_cache=False)
    assert not [d for d in cat.diagnostics if "title" in d.message]


def test_the_same_title_with_other_ids_is_another_paper(project, tmp_path, capsys):
    source = write(tmp_path / "same.bib", """
@article{one, title = {Deep Residual Learning Revisited}, year = 2020, doi = {10.1234/abc.1}}
@article{two, title = {Deep Residual Learning Revisited}, year = 2022, doi = {10.1234/abc.2}}
@article{three, title = {Deep residual learning revisited}, year = 2022, doi = {10.1234/ABC.2}}
""")
    ingest_twice(project, capsys, source)
    got = sorted((r["doi"], r["year"]) for r in records(project).values())
    assert got == [("10.1234/abc.1", 2020), ("10.1234/abc.2", 2022)]
    assert not [d for d in load_catalog(project, persist_cache=False).diagnostics
                if d.is_error and d.file.startswith("content/papers/")]


def test_near_identical_titles_without_ids_are_a_warning_not_a_wall(project, tmp_path, capsys):
    source = write(tmp_path / "near.ris", """TY  - JOUR
TI  - Sparse Autoencoders Find Interpretable Features in Vision Models
PY  - 2024
ER  -
TY  - JOUR
TI  - Sparse Autoencoder Find Interpretable Features in Vision Models
PY  - 2024
ER  -
""")
    text = ingest_twice(project, capsys, source)
    assert len(records(project)) == 2
    assert "warning: the record" in text and "near-identical title" in text
    assert f"{source.as_posix()}:" in text
    cat = load_catalog(project, persist_cache=False)
    near = [d for d in cat.diagnostics if "near-identical" in d.message]
    assert len(near) == 1 and not near[0].is_error
    assert not [d for d in cat.diagnostics if d.is_error and d.file.startswith("content/papers/")]


# -- rows 2 and 3: nesting deeper than any parser can follow ----------------------------


@pytest.mark.parametrize("name,text,line", [
    ("deep.json", "[\n" + "[" * 120_000 + "]" * 120_000 + "\n]\n", 2),
    ("wrapped.json", '{"items":\n\n' + "[" * 70_000 + "]" * 70_000 + "}\n", 3),
    ("objects.json", '[{"title": "A", "x": ' + '{"a":' * 60_000 + "1" + "}" * 60_000 + "}]", 1),
    ("facts.jsonl", '{"title": "Fine", "confidence": "high"}\n\n'
     + '{"title": "Deep", "x": ' + "[" * 90_000 + "]" * 90_000 + "}\n", 3),
], ids=["list", "items", "objects", "facts"])
def test_deep_nesting_is_one_error_with_its_line(project, tmp_path, capsys, name, text, line):
    source = write(tmp_path / name, text)
    code, out = ingest(project, capsys, source)
    assert code == 1
    assert f"{source.as_posix()}:{line}:1: error:" in out
    assert "nest more than 500 levels" in out
    assert "nothing was written" in out
    assert records(project) == {}


@pytest.mark.parametrize("text,line", [
    ("- title: Fine\n- title: Deep\n  x:\n    " + "- " * 100_000 + "x\n", 4),
    ("- title: Fine\n- title: Deep\n  x: " + "[" * 100_000 + "]" * 100_000 + "\n", 3),
], ids=["block", "flow"])
def test_deep_yaml_is_one_error_not_a_crash(project, tmp_path, text, line):
    """Run as its own process: a parser recursing that deep crashes the interpreter."""
    import os
    import subprocess
    import sys

    source = write(tmp_path / "deep.yml", text)
    done = subprocess.run([sys.executable, "-m", "survey_core.cli", "--root", str(project),
                           "ingest", "-q", str(source)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))
    assert done.returncode == 1, done.stderr[-500:]
    assert f"{source.as_posix()}:{line}:1: error:" in done.stdout
    assert "levels deep" in done.stdout and "Traceback" not in done.stderr
    assert records(project) == {}


# -- row 4: names through one parser -------------------------------------------------


def test_ris_name_suffixes(project, tmp_path, capsys):
    source = write(tmp_path / "names.ris", """TY  - CONF
TI  - Notes on Analytical Engines
AU  - Lovelace, Ada, III
AU  - Babbage, Charles, Sr.
AU  - van der Berg, Jan
AU  - Hopper, Grace
PY  - 1950
ER  -
""")
    ingest_twice(project, capsys, source)
    assert by_title(project)["Notes on Analytical Engines"]["authors"] == [
        "Ada Lovelace III", "Charles Babbage Sr.", "Jan van der Berg", "Grace Hopper"]


# -- row 5: HTML anchors -----------------------------------------------------------


def test_html_anchor_text_is_the_title(project, tmp_path, capsys):
    source = write(tmp_path / "anchors.md", """# Awesome anchors

## Papers

- <a href='https://arxiv.org/abs/2311.12345'>Anchors Make Fine Titles</a> (EMNLP 2023)
- <a href="https://arxiv.org/pdf/2310.54321v2" target="_blank"><b>Bold Anchor &amp; Title</b></a>
- [Markdown Still Works Here](https://arxiv.org/abs/2309.11111)
""")
    ingest_twice(project, capsys, source)
    got = {r["title"]: r.get("arxiv_id") for r in records(project).values()}
    assert got == {"Anchors Make Fine Titles": "2311.12345", "Bold Anchor & Title": "2310.54321",
                   "Markdown Still Works Here": "2309.11111"}
    assert by_title(project)["Anchors Make Fine Titles"]["year"] == 2023


# -- row 6: field groups filled together from one source --------------------------------


@pytest.mark.parametrize("issued,year,month,from_csl", [
    ([2022, 11], 2023, None, False),  # the preprint's year disagrees: nothing of it
    ([2023, 7], 2023, 7, True),  # the same year: its month too, and the group is the CSL's
])
def test_year_and_month_come_from_one_source(project, tmp_path, capsys, issued, year, month,
                                             from_csl):
    first = write(tmp_path / "a_list.md", "# List\n\n## Papers\n\n"
                  "- [Grouped Fields Are Filled Together](https://arxiv.org/abs/2212.07777) "
                  "ICML 2023\n")
    second = write(tmp_path / "b_export.json", csl([
        {"id": "g", "title": "Grouped Fields Are Filled Together",
         "URL": "https://arxiv.org/abs/2212.07777", "issued": {"date-parts": [issued]}}]))
    ingest_twice(project, capsys, first)
    ingest_twice(project, capsys, second)
    record = by_title(project)["Grouped Fields Are Filled Together"]
    assert record["year"] == year
    assert record.get("month") == month
    label = "csl-json b_export.json" if from_csl else "awesome list a_list.md"
    assert record["provenance"]["year"].endswith(label.split()[-1])
    assert record["provenance"]["year"].startswith(label.split()[0])


# -- row 7: BibTeX crossref ----------------------------------------------------------


def test_crossref_is_resolved_and_the_volume_is_not_a_paper(project, tmp_path, capsys):
    source = write(tmp_path / "xref.bib", """
@inproceedings{chapter,
  author = {Liskov, Barbara},
  title = {Data Abstraction and Hierarchy Reconsidered},
  crossref = {volume87},
}
@inproceedings{orphan,
  author = {Dijkstra, Edsger},
  title = {Notes on Structured Programming Again},
  year = {1972},
  crossref = {nowhere},
}
@proceedings{volume87,
  title = {Addendum to the Proceedings on Object-Oriented Programming Systems},
  year = {1987},
  month = oct,
  publisher = {ACM},
}
""")
    text = ingest_twice(project, capsys, source)
    got = by_title(project)
    assert set(got) == {"Data Abstraction and Hierarchy Reconsidered",
                        "Notes on Structured Programming Again"}
    chapter = got["Data Abstraction and Hierarchy Reconsidered"]
    assert (chapter["year"], chapter["month"]) == (1987, 10)
    assert chapter["venue"] == "Addendum to the Proceedings on Object-Oriented Programming Systems"
    assert f"{source.as_posix()}:13:1: warning: entry volume87: skipped" in text
    assert "named by crossref, not a paper" in text
    assert "entry orphan: crossref 'nowhere' names no entry of this file; dropped" in text
    assert "1 skipped as not a paper" in text


# -- row 8: links to docs, blogs and repositories are not papers ------------------------


def test_docs_blog_and_video_links_are_skipped_and_counted(project, tmp_path, capsys):
    source = write(tmp_path / "README.md", """# Awesome retrieval

## Papers

- [Dense Passage Retrieval Once More](https://arxiv.org/abs/2004.04906) EMNLP 2020
  - read the [API reference](https://docs.example.com/api/retrieval) first
- then follow [this write-up](https://example.substack.com/p/retrieval-notes)
- a [talk](https://www.youtube.com/watch?v=abc) and [slides](https://blog.example.org/talk)
- [Some Tool](https://github.com/example/tool)
""")
    text = ingest_twice(project, capsys, source)
    assert list(by_title(project)) == ["Dense Passage Retrieval Once More"]
    assert "4 skipped as not papers" in text
    assert "links only to docs pages" in text and "links only to blog pages" in text
    assert "links only to repository pages" in text


# -- row 9: Markdown tables ------------------------------------------------------------


def test_tables_are_read_like_lists(project, tmp_path, capsys):
    # rows written on two lines here (a backslash-newline joins them) to keep lines short
    source = write(tmp_path / "tables.md", """# Survey repository

## Reading list

| Year | Paper | Conference | Links |
|:----:|-------|------------|-------|
| 2022 | [Chain of Thought Prompting Elicits Things](https://arxiv.org/abs/2201.11903) \
| NeurIPS | [code](https://github.com/x/cot) |
| 2023 | Tree Search Over Thoughts For Reasoning | ACL \
| [pdf](https://aclanthology.org/2023.acl-long.999.pdf) |

Some prose between tables.

| Title | Venue |
| --- | --- |
| [Reflexion Style Agents Learn](https://openreview.net/forum?id=abc) | ICLR 2024 |
""")
    ingest_twice(project, capsys, source)
    got = by_title(project)
    assert set(got) == {"Chain of Thought Prompting Elicits Things",
                        "Tree Search Over Thoughts For Reasoning", "Reflexion Style Agents Learn"}
    cot = got["Chain of Thought Prompting Elicits Things"]
    assert (cot["arxiv_id"], cot["year"], cot["venue"]) == ("2201.11903", 2022, "NeurIPS 2022")
    assert cot["links"]["code"] == "https://github.com/x/cot"
    tree = got["Tree Search Over Thoughts For Reasoning"]
    assert (tree["year"], tree["venue"]) == (2023, "ACL 2023")
    assert got["Reflexion Style Agents Learn"]["venue"] == "ICLR 2024"


# -- row 10: a summary that counts what was read ----------------------------------------


def test_the_summary_counts_entries_of_every_format(project, tmp_path, capsys):
    bib = write(tmp_path / "a.bib", "@article{k1, title = {Counting Entries Properly}, "
                "year = 2021}\n@article{k2, title = {Counting Entries Twice}, year = 2021}\n")
    ris = write(tmp_path / "b.ris", "TY  - JOUR\nTI  - Counting RIS References\nER  -\n")
    md = write(tmp_path / "c.md", "# L\n\n- [Counting List Items](https://arxiv.org/abs/2101.00001)\n")
    text = ingest_twice(project, capsys, bib, ris, md)
    assert "4 source entries read (BibTeX 2, RIS 1, awesome list 1); created 4" in text


# -- row 11: the near-title check stays linear -------------------------------------------


def test_number_differing_titles_are_compared_in_blocks_of_one(monkeypatch):
    """Count the title pairs handed to the Levenshtein matrix: linear, not N^2."""
    from rapidfuzz import process

    cells = []
    real = process.cdist

    def counting(queries, choices, **kw):
        cells.append(len(queries) * len(choices))
        return real(queries, choices, **kw)

    monkeypatch.setattr(process, "cdist", counting)
    n = 6000
    papers = [Paper(id=f"p{i}", key=f"k{i}", title=f"Qwen{i} Technical Report",
                    path=f"content/papers/p{i}.yml") for i in range(n)]
    papers.append(Paper(id="typo", key="t", title="Qwen17 Technicol Report",
                        path="content/papers/typo.yml"))
    catalog_module._BLOCK_PAIRS.start()
    diags: list = []
    _near_duplicates(Catalog(root=ROOT, taxonomy=Taxonomy({}), papers=papers, surveys={}),
                     diags)
    assert sum(cells) <= 4 * len(papers)
    assert [(d.file, d.severity) for d in diags] == [("content/papers/typo.yml", "warning")]


# -- issue 21: every dropped value is reported ------------------------------------------

BAD_BIB = """@article{okay,
  title = {A Paper Whose Values Are Fine},
  year = {2024},
  doi = {10.5555/fine.1},
}

@article{broken,
  title = {A Paper With Values That Cannot Be Kept},
  author = {Roe, Richard},
  doi = {not-a-doi},
  year = {20x4},
  date = {someday},
  url = {javascript:alert(1)},
  pdf = {ftp://files.example.org/paper.pdf},
  eprint = {hello},
}

@misc{noauthors,
  title = {A Paper With An Unreadable Author List},
  author = {{}},
  year = {2023},
}
"""


def test_every_dropped_value_is_named_and_counted(project, tmp_path, capsys):
    source = write(tmp_path / "values.bib", BAD_BIB)
    text = ingest_twice(project, capsys, source)
    where = f"{source.as_posix()}:7:1: warning: entry broken:"
    for part in ("doi 'not-a-doi' is not a DOI; dropped", "year '20x4' is not a year; dropped",
                 "date 'someday' is not a date (YYYY-MM-DD); dropped",
                 "url 'javascript:alert(1)' is not an http(s) address; dropped",
                 "pdf 'ftp://files.example.org/paper.pdf' is not an http(s) address; dropped",
                 "eprint 'hello' is not an arXiv id; dropped"):
        assert f"{where} {part}" in text
    assert f"{source.as_posix()}:18:1: warning: entry noauthors: author" in text
    assert "7 values dropped" in text
    kept = by_title(project)["A Paper With Values That Cannot Be Kept"]
    assert kept["authors"] == ["Richard Roe"]
    assert not {"doi", "year", "arxiv_id"} & set(kept) and "links" not in kept
    assert by_title(project)["A Paper Whose Values Are Fine"]["doi"] == "10.5555/fine.1"


@pytest.mark.parametrize("name,text,expected", [
    ("v.json", csl([{"id": "c1", "title": "CSL Values Paper", "DOI": "doi-less",
                     "issued": {"raw": "sometime"}, "URL": "mailto:a@b.c",
                     "author": [{"family": "Curie", "given": "Marie"}, {"note": "x"}]}]),
     ["entry c1: DOI 'doi-less' is not a DOI; dropped", "entry c1: issued 'sometime' is not a "
      "date; dropped", "entry c1: URL 'mailto:a@b.c' is not an http(s) address; dropped",
      "entry c1: author "]),
    ("v.ris", "TY  - JOUR\nID  - r1\nTI  - RIS Values Paper\nPY  - circa 1999\n"
     "DO  - 11.2/x\nUR  - file:///etc/passwd\nER  -\n",
     ["entry r1: PY 'circa 1999' is not a date (YYYY or YYYY/MM/DD); dropped",
      "entry r1: DO '11.2/x' is not a DOI; dropped",
      "entry r1: UR 'file:///etc/passwd' is not an http(s) address; dropped"]),
    ("v.jsonl", json.dumps({"title": "Facts Values Paper", "confidence": "high",
                            "doi": "nope", "year": 3024, "code_url": "javascript:x"}) + "\n",
     ["doi 'nope' is not a DOI; dropped", "year '3024' is not a year between 1900 and 2100",
      "code link 'javascript:x' is not an http(s) address; dropped"]),
])
def test_dropped_values_of_other_formats(project, tmp_path, capsys, name, text, expected):
    if name.endswith(".jsonl"):  # facts only enrich: give them their record first
        write(project / "content" / "papers" / "facts-values-paper.yml",
              "id: facts-values-paper\nkey: facts2024values\ntitle: Facts Values Paper\n"
              "topics: [evaluation]\nadded: 2026-12-01\nsources:\n- file: hand.yml\n")
    source = write(tmp_path / name, text)
    out = ingest_twice(project, capsys, source)
    for part in expected:
        assert f"{source.as_posix()}:" in out and part in out, part
    assert f"{len(expected)} value{'s' if len(expected) > 1 else ''} dropped" in out


def test_strict_refuses_and_writes_nothing(project, tmp_path, capsys):
    source = write(tmp_path / "values.bib", BAD_BIB)
    before = snapshot(project / "content")
    code, text = ingest(project, capsys, source, strict=True)
    assert code == 1
    assert "error: entry broken: doi 'not-a-doi' is not a DOI; dropped" in text
    assert "7 values could not be kept (--strict); nothing was written" in text
    assert snapshot(project / "content") == before
    fine = write(tmp_path / "fine.bib", BAD_BIB.split("@article{broken")[0])
    code, text = ingest(project, capsys, fine, strict=True)
    assert code == 0 and "created 1" in text


# -- sync and survey new report what they drop too --------------------------------------


def test_sync_names_each_dropped_value_and_strict_refuses(tmp_path):
    import copy
    import os
    import subprocess
    import sys

    from project import copy_project
    from sync_servers import HF_DAY, IN_SCOPE, hf_entries, hub, serve

    project = copy_project(tmp_path / "project")
    papers = project / "content" / "papers"
    wanted = "2404.00456"
    assert wanted in IN_SCOPE
    for path in papers.glob("*.yml"):
        if f"arxiv_id: '{wanted}'" in path.read_text(encoding="utf-8") or \
                f"arxiv_id: {wanted}\n" in path.read_text(encoding="utf-8"):
            path.unlink()
    rows = copy.deepcopy(hf_entries())
    row = next(r for r in rows if r["paper"]["id"] == wanted)
    row["paper"]["githubRepo"] = "javascript:alert(document.domain)"
    survey = str(Path(sys.executable).with_name("survey"))

    def sync(*extra: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, HF_ENDPOINT=url, SURVEY_ARXIV_API="http://127.0.0.1:9/api/query",
                   HF_HOME=str(tmp_path / "hf-home"), HF_HUB_DISABLE_TELEMETRY="1")
        return subprocess.run([survey, "sync", "--source", "hf", "--date", HF_DAY, "-q", *extra],
                              cwd=project, env=env, capture_output=True, text=True, timeout=300)

    with serve(hub({HF_DAY: rows})) as (url, _asked):
        before = snapshot(project / "content")
        strict = sync("--strict")
        assert strict.returncode == 1, strict.stdout + strict.stderr
        assert "Traceback" not in strict.stderr
        line = (f"daily-papers/{HF_DAY}:1:1: error: entry {wanted}: code link "
                "'javascript:alert(document.domain)' is not an http(s) address; dropped")
        assert line in strict.stdout + strict.stderr
        assert "1 value could not be kept (--strict); nothing was written" in strict.stderr \
            or "values could not be kept (--strict); nothing was written" in strict.stderr
        assert snapshot(project / "content") == before
        done = sync()
        assert done.returncode == 0, done.stdout + done.stderr
        assert line.replace(": error: ", ": warning: ") in done.stdout
        assert "1 value dropped" in done.stdout
    record = next(yaml.safe_load(p.read_text(encoding="utf-8")) for p in papers.glob("*.yml")
                  if wanted in p.read_text(encoding="utf-8")
                  and yaml.safe_load(p.read_text(encoding="utf-8")).get("arxiv_id") == wanted)
    assert "code" not in record.get("links", {})
    assert "javascript" not in "".join(p.read_text(encoding="utf-8")
                                       for p in papers.glob("*.yml"))


def test_new_names_a_blank_author_and_strict_refuses(project, capsys):
    before = snapshot(project / "content")
    code = main(["--root", str(project), "new", "--title", "Blank Authors Are Not Names",
                 "--author", "Ada Lovelace", "--author", "  ", "--topic", "evaluation",
                 "--strict"])
    out = capsys.readouterr()
    assert code == 1
    assert "survey new: error: --author '' is not a name; dropped" in out.err
    assert "1 value could not be kept (--strict); nothing was written" in out.err
    assert snapshot(project / "content") == before
    code = main(["--root", str(project), "new", "--title", "Blank Authors Are Not Names",
                 "--author", "Ada Lovelace", "--author", "  ", "--topic", "evaluation"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "survey new: warning: --author '' is not a name; dropped" in out.err
    record = records(project)["blank-authors-are-not-names"]
    assert record["authors"] == ["Ada Lovelace"]


def test_new_tells_version_numbered_titles_apart(project, capsys):
    write(project / "content" / "papers" / "qwen2-technical-report.yml",
          "id: qwen2-technical-report\nkey: qwen2report\ntitle: Qwen2 Technical Report\n"
          "arxiv_id: '2407.10671'\ntopics: [evaluation]\nadded: 2026-12-01\n"
          "sources:\n- file: hand.yml\n")
    code = main(["--root", str(project), "new", "--title", "Qwen3 Technical Report",
                 "--topic", "evaluation", "--dry-run"])
    assert code == 0, capsys.readouterr().err
    code = main(["--root", str(project), "new", "--title", "Qwen2 Technical Reports",
                 "--topic", "evaluation", "--dry-run"])
    assert code == 1
    assert "qwen2-technical-report.yml" in capsys.readouterr().err


def test_check_names_the_values_a_source_would_drop(project, capsys):
    sources = project / "content" / "sources"
    write(sources / "values.bib", BAD_BIB)
    manifest = sources / "manifest.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "  values.bib:\n    kind: bibtex\n"
                        "    captured: 2026-12-01\n    added: 2026-12-01\n", encoding="utf-8")
    main(["--root", str(project), "check"])
    out = capsys.readouterr().out
    assert ("content/sources/values.bib:7:1: warning: entry broken: doi 'not-a-doi' is not a "
            "DOI; dropped") in out
    assert "content/sources/values.bib:7:1: warning: entry broken: eprint 'hello'" in out
    assert "Traceback" not in out
