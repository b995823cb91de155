"""content/paper.schema.json agrees with the record validation in records.py."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from survey_core.check import run_check
from survey_core.cli import main as survey_main
from survey_core.model.records import SCHEMA_COMMENT, _Loader, paper_from_mapping

REPO = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO / "content" / "paper.schema.json"
FIXTURE = Path(__file__).resolve().parent / "bad_input" / "fixture"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def schema_errors(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


def record_errors(data) -> list[str]:
    _paper, diags = paper_from_mapping(data, "content/papers/x.yml", {})
    return [d.message for d in diags if d.is_error]


def test_schema_is_valid_draft_2020_12(validator):
    assert validator.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_record_in_the_repo_validates(validator):
    paths = sorted((REPO / "content" / "papers").glob("*.yml"))
    for path in paths:
        assert path.read_text(encoding="utf-8").startswith(SCHEMA_COMMENT), path
        assert schema_errors(validator, load(path)) == [], path


def test_records_ingested_from_the_repo_sources_validate(validator, tmp_path, monkeypatch):
    """The records `survey ingest` writes from the repository's own sources (the
    content of content/papers/, whether or not it is committed yet): the schema
    rejects a record only when `survey check` reports an error in it too (fresh
    records may still lack topics, which both reject)."""
    if not (REPO / "content" / "taxonomy.yml").exists():
        pytest.skip("no content/taxonomy.yml yet")
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    monkeypatch.chdir(project)
    sources = sorted(str(p) for p in (project / "content" / "sources").iterdir())
    assert survey_main(["ingest", "-q", *sources]) == 0
    paths = sorted((project / "content" / "papers").glob("*.yml"))
    assert len(paths) >= 300
    problems = {p.name: schema_errors(validator, load(p)) for p in paths}
    checked = {Path(d.file).name for d in run_check(project) if d.is_error}
    assert {k: v for k, v in problems.items() if v and k not in checked} == {}
    assert sum(1 for v in problems.values() if not v) >= len(paths) // 2


def test_fixture_records_validate(validator):
    paths = sorted((FIXTURE / "content" / "papers").glob("*.yml"))
    assert paths
    for path in paths:
        data = load(path)
        assert schema_errors(validator, data) == [], path
        assert record_errors(data) == [], path


BASE = load(FIXTURE / "content" / "papers" / "attention-is-all-you-need.yml")

#: (name, change to the valid record) -- each is rejected by the schema and by records.py.
BROKEN = [
    ("unknown field", {"citations": 3}),
    ("misspelt field", {"titel": "x"}),
    ("missing title", {"title": None}),
    ("empty title", {"title": ""}),
    ("two-line title", {"title": "A\nB"}),
    ("empty short name", {"short_name": " "}),
    ("two-line short name", {"short_name": "A\nB"}),
    ("short name over 40 characters", {"short_name": "x" * 41}),
    ("short name as a number", {"short_name": 3}),
    ("missing key", {"key": None}),
    ("missing id", {"id": None}),
    ("missing topics", {"topics": None}),
    ("missing added", {"added": None}),
    ("missing sources", {"sources": None}),
    ("id not a slug", {"id": "Attention_Is"}),
    ("key with punctuation", {"key": "vaswani-2017"}),
    ("authors as text", {"authors": "Ashish Vaswani"}),
    ("empty author", {"authors": ["Ashish Vaswani", " "]}),
    ("year as text", {"year": "2017"}),
    ("year out of range", {"year": 17}),
    ("month 13", {"month": 13}),
    ("negative upvotes", {"upvotes": -1}),
    ("upvotes as text", {"upvotes": "many"}),
    ("boolean upvotes", {"upvotes": True}),
    ("month 13 date", {"date": "2024-13-01"}),
    ("three-digit year date", {"date": "999"}),
    ("bad date precision", {"date_precision": "week"}),
    ("arxiv id as number", {"arxiv_id": 2401.1}),
    ("arxiv id with version", {"arxiv_id": "2401.01234v2"}),
    ("arxiv URL", {"arxiv_id": "https://arxiv.org/abs/2401.01234"}),
    ("javascript link", {"links": {"code": "javascript:alert(1)"}}),
    ("ftp link", {"links": {"code": "ftp://example.org/x"}}),
    ("relative link", {"links": {"code": "../x.html"}}),
    ("link with a space", {"links": {"code": "https://example.org/a b"}}),
    ("unknown link kind", {"links": {"video": "https://example.org/v"}}),
    ("DOI as a URL", {"doi": "https://doi.org/10.18653/v1/2023.acl-long.1"}),
    ("DOI in capitals", {"doi": "10.1109/CVPR.2019.00584"}),
    ("DOI without a suffix", {"doi": "10.18653/"}),
    ("DOI as a number", {"doi": 10.1}),
    ("topics as text", {"topics": "language-models"}),
    ("abstract too long", {"abstract": "x" * 20_001}),
    ("added without day", {"added": "2024-10"}),
    ("source without file", {"sources": [{"line": 3}]}),
    ("authors_complete as text", {"authors_complete": "yes"}),
]


@pytest.mark.parametrize("name,change", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_records_fail_schema_and_check(validator, name, change):
    data = copy.deepcopy(BASE)
    for key, value in change.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    assert schema_errors(validator, data), f"schema accepts: {name}"
    _paper, diags = paper_from_mapping(data, "content/papers/x.yml", {})
    if name == "missing topics":  # records.py reports it; the catalog says "no topics"
        assert any("topics" in d.message for d in diags)
    else:
        assert record_errors(data), f"records.py accepts: {name}"


ACCEPTED = [
    ("minimal", {k: None for k in ("authors", "authors_complete", "author_count", "year",
                                   "month", "date", "date_precision", "upvotes",
                                   "organisation", "venue", "arxiv_id", "primary_class",
                                   "links", "abstract", "provenance")}),
    ("nulls", {"venue": "", "links": {}}),
    ("year-only date", {"date": "2024", "date_precision": "year"}),
    ("year date as number", {"date": 2024, "date_precision": "year"}),
    ("month date", {"date": "2024-02", "date_precision": "month"}),
    ("old-style arxiv id", {"arxiv_id": "hep-th/9901001"}),
    ("http link", {"links": {"project": "http://example.org/p?q=1#x"}}),
    ("zero upvotes", {"upvotes": 0}),
    ("bibtex source", {"sources": [{"file": "refs.bib", "line": 4, "entry": "x2024"}]}),
    ("awesome-list source", {"sources": [{"file": "README.md", "line": 9,
                                          "section": "Quantization > Post-training"}]}),
    ("DOI and landing page", {"doi": "10.1162/tacl_a_00638",
                              "links": {"paper": "https://aclanthology.org/2024.tacl-1.9"}}),
    ("DOI with brackets", {"doi": "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-o"}),
]


@pytest.mark.parametrize("name,change", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_valid_variants_pass_schema_and_check(validator, name, change):
    data = copy.deepcopy(BASE)
    for key, value in change.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    assert schema_errors(validator, data) == []
    assert record_errors(data) == []


def test_explicit_nulls_are_accepted_like_records_py(validator):
    data = copy.deepcopy(BASE)
    data.update(venue=None, upvotes=None, links=None, abstract=None)
    assert schema_errors(validator, data) == []
    assert record_errors(data) == []
