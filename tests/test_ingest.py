"""Listing parser and `survey ingest` on the real seed listings."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from survey_core.cli import main
from survey_core.importers.ingest import ingest, load_records
from survey_core.importers.listing import ListingError, find_links, parse_listing, resolve_date
from survey_core.model.records import read_record, write_record
from survey_core.model.taxonomy import load_taxonomy
from survey_core.model.text import normalise_title

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "content" / "sources"
LISTINGS = sorted(SOURCES.glob("0*.txt"))
CAPTURED = {"003": dt.date(2025, 11, 6), "004": dt.date(2025, 12, 17)}


def parse(path: Path):
    return parse_listing(path.read_text(encoding="utf-8"), CAPTURED.get(path.name[:3]))


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's content without the records."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "content", tmp_path / "content",
                    ignore=shutil.ignore_patterns("papers"))
    (tmp_path / "content" / "papers").mkdir()
    return tmp_path


def run_ingest(project: Path, *paths: Path):
    taxonomy, _ = load_taxonomy(project / "content" / "taxonomy.yml")
    return ingest(list(paths) or sorted((project / "content" / "sources").iterdir()),
                  project, taxonomy)


# -- the listing parser -----------------------------------------------------------------

def test_entry_counts_match_the_seed_readme():
    counts = {p.name[:3]: len(parse(p)) for p in LISTINGS}
    assert counts == {"000": 93, "001": 67, "002": 56, "003": 78, "004": 41}


def test_glued_chrome_is_split_from_the_first_title():
    first = parse(SOURCES / "000_e31b221155441484.txt")[0]
    assert first.title.startswith("CItruS: Chunked Instruction-aware State Eviction")
    assert first.line == 3


def test_metadata_block_author_count_date_upvotes_organisation():
    entries = {e.title: e for e in parse(SOURCES / "004_c5c0ebefb7c7a45e.txt")}
    mask = entries["MaskLLM: Learnable Semi-Structured Sparsity for Large Language Models"]
    assert (mask.author_count, mask.date, mask.upvotes) == (8, "2024-09-25", 3)
    assert mask.links["code"] == "https://github.com/NVlabs/MaskLLM"
    orgs = [e for e in parse(SOURCES / "003_5c4cb2dac99588d6.txt") if e.organisation]
    assert [e.organisation for e in orgs] == ["NVIDIA"]


def test_date_without_year_uses_capture_year_or_the_year_before():
    captured = dt.date(2025, 11, 6)
    assert resolve_date("May", "26", None, captured) == ("2025-05-26", True)
    assert resolve_date("Dec", "1", None, captured) == ("2024-12-01", True)
    assert resolve_date("Aug", "23", "2024", captured) == ("2024-08-23", False)
    assert resolve_date("Aug", "23", None, None) == (None, False)


def test_links_found_in_abstracts_are_classified():
    text = ("Code is available at https://github.com/a/b. Project page: https://x.github.io/p/. "
            "See (https://gitlab.com/c/d).")
    assert find_links(text) == {"code": "https://github.com/a/b",
                                "project": "https://x.github.io/p/"}


def test_unparseable_listing_reports_every_problem_with_its_line():
    text = "Subscribe\nA title\nAn abstract that is long enough to be an abstract " + "x" * 80 + \
        "\n·\nnot a date\n  • 3 authors\n"
    with pytest.raises(ListingError) as err:
        parse_listing(text)
    lines = [n for n, _msg in err.value.problems]
    assert 4 in lines and 6 in lines


# -- ingest -----------------------------------------------------------------------------

def test_ingest_makes_315_records_and_maps_each_entry_to_one(project: Path):
    result = run_ingest(project)
    assert result.ok, [d.format() for d in result.diagnostics]
    # every entry read is counted, by format: 335 listing entries, 334 arXiv facts lines
    # (27 more are low-confidence and left out)
    assert result.entries_by_format == {"listing": 335, "arXiv facts": 334}
    assert result.entries == 669
    papers, problems = load_records(project / "content" / "papers", project)
    assert not [d for d in problems if d.is_error]
    assert len(papers) == 315
    by_title = {normalise_title(p.title): p for p in papers}
    seen = {}
    for listing in LISTINGS:
        for entry in parse(listing):
            paper = by_title[normalise_title(entry.title)]
            sightings = [s.as_dict() for s in paper.sources]
            assert {"file": listing.name, "line": entry.line} in sightings
            seen[(listing.name, entry.line)] = paper.id
    assert len(seen) == 335
    sightings = sum(1 for p in papers for s in p.sources if s.file.endswith(".txt"))
    assert sightings == 335
    assert all(p.topics for p in papers)
    assert len({p.key for p in papers}) == 315


def test_second_run_changes_no_byte(project: Path):
    run_ingest(project)
    before = snapshot(project / "content")
    result = run_ingest(project)
    assert result.created == [] and result.updated == []
    assert snapshot(project / "content") == before


def test_repository_records_are_reproduced_exactly(tmp_path: Path):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    before = snapshot(tmp_path / "content")
    assert main(["--root", str(tmp_path), "ingest", "-q",
                 *map(str, sorted((tmp_path / "content" / "sources").iterdir()))]) == 0
    assert snapshot(tmp_path / "content") == before


def test_curator_edits_survive_reingest_and_upvotes_refresh(project: Path):
    run_ingest(project)
    path = next((project / "content" / "papers").glob("maskllm*.yml"))
    paper, _ = read_record(path, "x")
    paper.title = "MaskLLM: Learnable Semi-Structured Sparsity for LLMs (curated)"
    paper.abstract = "A curator's abstract."
    paper.topics = ["pruning"]
    paper.upvotes = 1
    write_record(path, paper)
    result = run_ingest(project)
    assert result.created == []  # the retitled record is still recognised by its sightings
    again, _ = read_record(path, "x")
    assert again.title.endswith("(curated)")
    assert again.abstract == "A curator's abstract."
    assert again.topics == ["pruning"]
    assert again.upvotes == 3  # the listing's count is higher: upvotes refresh


def test_enrichment_fills_and_records_provenance(project: Path):
    run_ingest(project)
    path = next((project / "content" / "papers").glob("citrus-*.yml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["arxiv_id"] == "2406.12018" and data["year"] == 2024 and data["month"] == 6
    assert data["authors"][0] == "Yu Bai" and data["authors_complete"] is True
    assert data["key"] == "bai2024citrus"
    assert data["provenance"]["authors"].startswith("arxiv-facts.jsonl:")
    assert data["provenance"]["title"] == "listing 000_e31b221155441484.txt"


def test_low_confidence_facts_are_not_merged(project: Path):
    sources = project / "content" / "sources"
    run_ingest(project, *[p for p in sorted(sources.iterdir()) if "addendum" not in p.name])
    papers, _ = load_records(project / "content" / "papers", project)
    paper = next(p for p in papers if p.title.startswith("Augmenting LLMs with Knowledge"))
    assert paper.arxiv_id is None  # the facts give one, but with confidence low
    # the addendum's high-confidence facts for the same record are merged, by record id
    run_ingest(project, sources / "arxiv-facts-addendum.jsonl")
    paper, _ = read_record(project / "content" / "papers" / f"{paper.id}.yml", paper.id)
    assert paper.arxiv_id == "2309.16459" and paper.authors_complete
    assert paper.provenance["arxiv"].startswith("arxiv-facts-addendum.jsonl:high")


def test_broken_listing_writes_nothing(project: Path):
    bad = project / "content" / "sources" / "broken.txt"
    bad.write_text("A title\n\n  • 3 authors\n", encoding="utf-8")
    before = snapshot(project / "content")
    result = run_ingest(project)
    assert not result.ok
    assert any(d.file.endswith("broken.txt") and d.line == 1 for d in result.diagnostics)
    assert snapshot(project / "content") == before


def test_cli_reports_file_and_line_for_a_broken_listing(project: Path, capsys):
    bad = project / "content" / "sources" / "broken.txt"
    bad.write_text("A title\n\n  • 3 authors\n", encoding="utf-8")
    code = main(["--root", str(project), "ingest", str(bad)])
    out = capsys.readouterr()
    assert code == 1
    assert "broken.txt:1:" in out.out
    assert list((project / "content" / "papers").iterdir()) == []


def test_bibtex_source_merges_with_existing_records(project: Path):
    run_ingest(project)
    bib = project / "refs.bib"
    bib.write_text("""@misc{somekey,
  title = {{CItruS}: Chunked Instruction-aware State Eviction for Long Sequence Modeling},
  author = {Bai, Yu and Zou, Xiyuan},
  year = 2024,
}

@article{new2023paper,
  title = {A Paper Only In The Bib File},
  author = {M{\\"u}ller, Anna},
  journal = {Journal of Tests},
  year = 2023,
}
""", encoding="utf-8")
    result = run_ingest(project, bib)
    assert result.ok
    assert len(result.created) == 1
    new = project / "content" / "papers" / f"{result.created[0]}.yml"
    data = yaml.safe_load(new.read_text(encoding="utf-8"))
    assert data["authors"] == ["Anna Müller"] and data["venue"] == "Journal of Tests"
    assert data["key"] == "muller2023paper"
    citrus = next((project / "content" / "papers").glob("citrus-*.yml"))
    assert "refs.bib" in citrus.read_text(encoding="utf-8")


def test_reimporting_the_exported_collection_changes_no_record(tmp_path: Path):
    from survey_core.formats.bibtex import export_bibtex
    from survey_core.model.catalog import load_catalog

    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    catalog = load_catalog(tmp_path, persist_cache=False)
    exported = tmp_path / "all.bib"
    exported.write_text(export_bibtex(catalog.papers), encoding="utf-8")
    before = snapshot(tmp_path / "content")
    result = run_ingest(tmp_path, exported)
    assert result.ok and result.created == [] and result.updated == []
    assert snapshot(tmp_path / "content") == before


def test_exported_collection_imports_into_an_empty_catalog_with_the_same_fields(project: Path):
    from survey_core.formats.bibtex import export_bibtex
    from survey_core.model.catalog import load_catalog

    catalog = load_catalog(ROOT, persist_cache=False)
    exported = project / "all.bib"
    exported.write_text(export_bibtex(catalog.papers), encoding="utf-8")
    result = run_ingest(project, exported)
    assert result.ok and len(result.created) == len(catalog.papers)
    papers, _ = load_records(project / "content" / "papers", project)
    by_key = {p.key: p for p in papers}
    for original in catalog.papers:
        copy = by_key[original.key]
        for name in ("title", "authors", "year", "arxiv_id", "primary_class", "venue"):
            assert getattr(copy, name) == getattr(original, name), (original.key, name)
        if original.year:
            assert copy.month == original.month
        if original.authors:
            assert copy.authors_complete == original.authors_complete, original.key
