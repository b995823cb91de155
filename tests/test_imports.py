"""Bringing an existing collection: awesome lists, CSL-JSON, RIS, and BibTeX as DBLP,
the ACL Anthology, Google Scholar, arXiv and Semantic Scholar write it.

Every fixture in tests/fixtures/imports/ is ingested, one after the other, into a copy
of the project; after each one the records are checked (created or merged as
expected, no duplicate, nothing of LaTeX or URL escapes left, nothing a curator set
overwritten), the strict build passes and ``bib/all.bib`` compiles without a warning
with plain, plainnat and biber.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import latex
import pytest
import yaml
from project import copy_project, run_build

from survey_core.check import run_check
from survey_core.cli import main
from survey_core.importers.ingest import ingest, load_records
from survey_core.model.catalog import load_catalog
from survey_core.model.taxonomy import load_taxonomy
from survey_core.model.text import normalise_title
from survey_core.model.venues import parse_venues

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
ORDER = ["dblp.bib", "acl.bib", "scholar.bib", "arxiv.bib", "zotero.json", "zotero.ris",
         "README.md"]
#: (records created, records merged into) per fixture, in ORDER
EXPECTED = {
    "dblp.bib": (3, 2),  # CVPR paper, CamemBERT, Emergent abilities; NormFormer, kNN-LM
    "acl.bib": (2, 2),  # Hierarchical multi-task, MADLAD; CamemBERT (DOI), Democratizing (DOI)
    "scholar.bib": (3, 1),  # Attention, Llama 2, Schölkopf; TinyStories
    "arxiv.bib": (3, 1),  # Mistral, Textbooks, FlashAttention-2; Lexinvariant
    "zotero.json": (3, 4),  # DPO, Lost in the middle, a report; Llama 2, TinyStories,
    #                          Transcending scaling laws (DOI), kNN-LM
    "zotero.ris": (2, 2),  # Few-shot learners, Deep learning; Mistral, Lexinvariant
    "README.md": (21, 7),  # 28 papers read, 7 already in the catalog
}


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(project: Path, *paths: Path):
    taxonomy, _ = load_taxonomy(project / "content" / "taxonomy.yml")
    return ingest(list(paths), project, taxonomy, today="2026-12-01")


def records(project: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((project / "content" / "papers").glob("*.yml"))}


LATEX_LEFT = re.compile(r"\\[A-Za-z]+|\\[^A-Za-z\s]|[{}]|\$")


def find(records_: dict[str, dict], title: str) -> dict:
    """The one record whose title starts with ``title``."""
    hits = [r for r in records_.values() if r["title"] == title] or [
        r for r in records_.values() if r["title"].startswith(title)]
    assert len(hits) == 1, (title, [r["id"] for r in hits])
    return hits[0]


def stored_text(record: dict) -> list[str]:
    texts = [record["title"], record.get("venue") or "", record.get("doi") or "",
             record.get("abstract") or "", *record.get("authors", []),
             *(record.get("links") or {}).values()]
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict:
    """The project after each fixture, with what each import did."""
    project = copy_project(tmp_path_factory.mktemp("imports") / "site")
    start = records(project)
    steps = {}
    for i, name in enumerate(ORDER):
        before = records(project)
        result = run(project, FIXTURES / name)
        after = records(project)
        steps[name] = {"result": result, "before": before, "after": after,
                       "check": [d for d in run_check(project) if d.is_error]}
        if name != ORDER[-1]:  # the project as this import left it (the last one: `built`)
            steps[name]["project"] = copy_project(
                tmp_path_factory.mktemp(f"after-{i}"), content=project / "content")
    return {"project": project, "start": start, "steps": steps}


@pytest.mark.parametrize("name", ORDER)
def test_each_import_creates_and_merges_as_expected(imported, name):
    step = imported["steps"][name]
    result = step["result"]
    assert result.ok, [d.format() for d in result.diagnostics]
    created, merged = EXPECTED[name]
    assert len(result.created) == created, result.created
    assert len(result.updated) == merged, result.updated
    assert step["check"] == []  # survey check passes after the import
    after = step["after"]
    for field in ("title", "arxiv_id", "doi"):
        values = [normalise_title(r[field]) if field == "title" else r.get(field)
                  for r in after.values()]
        values = [v for v in values if v]
        assert len(values) == len(set(values)), f"duplicate {field} after {name}"
    for pid in result.created + result.updated:
        old = set(stored_text(step["before"][pid])) if pid in step["before"] else set()
        for text in set(stored_text(after[pid])) - old:  # what this import wrote
            assert not LATEX_LEFT.search(text), (pid, text)
            assert "\\_" not in text and "%2F" not in text, (pid, text)


def test_curator_values_are_never_overwritten(imported):
    start = imported["start"]
    final = imported["steps"][ORDER[-1]]["after"]
    for pid, before in start.items():
        after = final[pid]
        for field, value in before.items():
            if field in ("sources", "provenance"):
                continue
            if field == "links":
                assert all(after["links"][k] == v for k, v in value.items()), pid
            elif field == "authors_complete" and not value:
                continue
            elif value not in (None, "", [], {}):
                assert after[field] == value, (pid, field)


def test_dblp_url_escapes_doi_and_venue(imported):
    after = imported["steps"]["dblp.bib"]["after"]
    cvpr = find(after, 'Deep High-Resolution')
    assert cvpr["links"] == {"paper": "http://openaccess.thecvf.com/content_CVPR_2019/html/Sun_"
                             "Deep_High-Resolution_Representation_Learning_for_Human_Pose_"
                             "Estimation_CVPR_2019_paper.html"}
    assert cvpr["doi"] == "10.1109/cvpr.2019.00584" and cvpr["venue"] == "CVPR 2019"
    camembert = find(after, 'CamemBERT')
    assert camembert["authors"][-1] == "Benoît Sagot"
    assert camembert["authors"][2] == "Pedro Javier Ortiz Suárez"
    assert camembert["venue"] == "ACL 2020"
    assert find(after, 'Emergent Abilities')["venue"] == "TMLR 2022"
    knn = find(after, 'Why do Nearest Neighbor')
    # the landing page is the paper link, never "project"; the curated venue stays
    assert knn["links"]["paper"] == "https://proceedings.mlr.press/v202/xu23a.html"
    assert "project" not in knn["links"] and knn["venue"] == "ICML 2023"
    normformer = find(after, 'NormFormer')
    assert normformer["arxiv_id"] == "2110.09456"


def test_acl_entries_merge_by_doi(imported):
    step = imported["steps"]["acl.bib"]
    after = step["after"]
    camembert = find(after, 'CamemBERT')
    assert {s["file"] for s in camembert["sources"]} == {
        "../../tests/fixtures/imports/dblp.bib", "../../tests/fixtures/imports/acl.bib"
    } or len(camembert["sources"]) == 2
    assert camembert["links"]["paper"] == "https://aclanthology.org/2020.acl-main.645"
    assert camembert["month"] == 7  # ACL's month = jul
    assert "Pretrained language models are now ubiquitous" in camembert["abstract"]
    assert "—in all languages except English—" in camembert["abstract"]
    democratizing = find(after, 'Democratizing LLMs for Low-Resource Languages by')
    assert democratizing["links"]["paper"] == "https://aclanthology.org/2024.acl-long.192/"
    assert democratizing["title"].startswith("Democratizing LLMs for Low-Resource Languages by")
    assert not any(r["title"] == "Democratizing LLMs for Low-Resource Languages"
                   for r in after.values())  # matched by its DOI, not created again
    assert find(after, 'A Hierarchical Multi-task')["venue"] == (
        "Findings of EMNLP 2020")
    madlad = find(after, 'MADLAD-400')
    assert madlad["venue"] == "TACL 2023" and madlad["doi"] == "10.1162/tacl_a_00999"


def test_scholar_arxiv_and_semantic_scholar_forms(imported):
    after = imported["steps"]["arxiv.bib"]["after"]
    attention = find(after, 'Attention is all you need')
    assert attention["venue"] == "NeurIPS 2017" and "Łukasz Kaiser" in attention["authors"]
    llama = find(after, 'Llama 2')
    assert llama["arxiv_id"] == "2307.09288" and llama["authors_complete"] is False
    assert find(after, 'Textbooks Are All You Need')["arxiv_id"] == "2306.11644"  # volume abs/...
    flash = find(after, 'FlashAttention-2')
    assert flash["arxiv_id"] == "2307.08691" and "doi" not in flash  # arXiv's own DOI
    assert find(after, 'Mistral 7B')["primary_class"] == "cs.CL"
    assert "Lélio Renard Lavaud" in find(after, 'Mistral 7B')["authors"]


def test_zotero_csl_json_and_ris(imported):
    after = imported["steps"]["zotero.ris"]["after"]
    dpo = find(after, 'Direct Preference')
    assert dpo["venue"] == "NeurIPS 2023" and dpo["year"] == 2023
    assert dpo["links"]["paper"].startswith("https://proceedings.neurips.cc/")
    lost = find(after, 'Lost in the Middle')
    assert lost["doi"] == "10.1162/tacl_a_00638" and lost["venue"] == "TACL 2024"
    assert (lost["year"], lost["month"]) == (2024, 2)
    report = find(after, 'A Report by')
    assert report["authors"] == ["The Some Lab Team", "Anna van der Berg", "Jan van der Berg"]
    assert (report["year"], report["month"]) == (2024, 3)
    few = find(after, 'Language Models are Few-Shot')
    assert few["venue"] == "NeurIPS 2020"
    assert few["links"]["pdf"].endswith("-Paper.pdf") and few["links"]["paper"].endswith(
        "-Abstract.html")
    deep = find(after, 'Deep learning')
    assert deep["doi"] == "10.1038/nature14539" and deep["venue"] == "Nature"
    assert deep["month"] == 5
    mistral = find(after, 'Mistral 7B')
    # the arXiv BibTeX created it without an abstract; RIS fills it (a wrapped RIS line)
    assert mistral["abstract"] == ("We introduce Mistral 7B, a 7-billion-parameter language "
                                   "model engineered for superior performance and efficiency.")
    assert "ris" in mistral["provenance"]["abstract"]
    transcending = find(after, 'Transcending')
    assert transcending["doi"] == "10.18653/v1/2023.emnlp-main.91"


def test_awesome_list(imported):
    step = imported["steps"]["README.md"]
    after = step["after"]
    warnings = {(d.line, d.message.split(":")[0]) for d in step["result"].diagnostics}
    assert {line for line, _ in warnings} == {37, 38, 50, 51, 61, 62, 63}
    gptq = find(after, 'GPTQ')
    assert gptq["venue"] == "ICLR 2023" and gptq["arxiv_id"] == "2210.17323"
    assert gptq["links"]["code"] == "https://github.com/IST-DASLab/gptq"
    assert gptq["sources"][0]["section"] == "Quantization > Post-training quantization"
    qlora = find(after, 'QLoRA')
    assert qlora["venue"] == "NeurIPS 2023" and qlora["arxiv_id"] == "2305.14314"
    assert find(after, 'Shortened LLaMA')["venue"] == (
        "ICLR 2024 Workshop")
    smooth = find(after, 'SmoothQuant')
    assert smooth["links"] == {"paper": "https://proceedings.mlr.press/v202/xiao23c.html"}
    assert find(after, 'BitNet')["year"] == 2023
    # the listed heading is evidence for the taxonomy: 8-bit in the title alone scores 3 of 4
    int8 = find(after, 'LLM.int8()')
    assert "quantization" in int8["topics"]
    era = find(after, 'The Era of 1-bit')
    assert any(s.get("section") == "Quantization" for s in era["sources"])
    assert not any(r["title"] in ("llama.cpp", "vLLM", "AutoGPTQ") for r in after.values())


def test_reimporting_everything_changes_nothing(imported, tmp_path):
    project = copy_project(tmp_path / "again", imported["project"] / "content")
    before = snapshot(project / "content")
    result = run(project, *(FIXTURES / name for name in ORDER))
    assert result.ok and result.created == [] and result.updated == []
    assert snapshot(project / "content") == before


@pytest.mark.parametrize(("name", "text"), [
    ("broken.bib", "@article{a, title = {Fine}}\n@article{b, title = {unbalanced {,\n}\n"),
    ("broken.json", '[{"id": "a", "title": "Fine"}, {"id": "b", "title": "x"'),
    ("broken.ris", "TY  - JOUR\nTI  - Fine\nER  - \nTY  - JOUR\nTI  - No end\n"),
    ("README.md", "# List\n\n## A\n\n- one\n- two\n- [Paper](https://arxiv.org/abs/2401.00001)\n"),
])
def test_a_broken_source_writes_nothing(imported, tmp_path, name, text):
    project = copy_project(tmp_path / "broken", imported["project"] / "content")
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    before = snapshot(project / "content")
    result = run(project, source, FIXTURES / "zotero.ris")
    assert not result.ok
    assert all(d.line >= 1 and d.file == source.as_posix() for d in result.diagnostics)
    assert snapshot(project / "content") == before


def test_cli_reads_a_readme_named_on_the_command_line(tmp_path, capsys):
    project = copy_project(tmp_path / "cli")
    (project / "content" / "sources" / "README.md").write_text("# How to add sources\n\n"
                                                                 "- just text\n", "utf-8")
    listing = tmp_path / "awesome" / "README.md"
    listing.parent.mkdir()
    shutil.copy(FIXTURES / "README.md", listing)
    assert main(["--root", str(project), "ingest", "-q", "--dry-run", str(listing)]) == 0
    out = capsys.readouterr().out
    assert "would create 21" in out
    assert f"{listing.as_posix()}:37:1: warning: list item without a link" in out
    # content/sources/README.md is documentation, even inside a folder given on the command line
    assert main(["--root", str(project), "ingest", "-q", "--dry-run",
                 str(project / "content" / "sources")]) == 0


def test_venue_table_is_checked(tmp_path):
    table, problems = parse_venues(
        "venues:\n"
        "  - short: ICML\n    kind: conference\n    name: International Conference on ML\n"
        "  - short: XYZ\n    kind: workshop\n    name: X\n"
        "  - short: ICML2\n    kind: conference\n    name: Other\n    aliases: [icml]\n"
        "  - short: Q\n    kind: journal\n    name: Q J\n    colour: red\n",
        "content/venues.yml")
    assert [(d.line, d.message) for d in problems] == [
        (5, "venue 'XYZ': kind must be conference or journal, not 'workshop'"),
        (8, "venue 'ICML2': 'icml' already names 'ICML'"),
        (12, "unknown field 'colour' in a venue"),
    ]
    assert table.normalise("Proceedings of the 40th International Conference on ML", 2023) == (
        "ICML 2023")


def test_project_venue_table_agrees_with_the_bibtex_entry_types():
    from survey_core.formats.bibtex import venue_kind

    table, problems = parse_venues((Path(__file__).resolve().parents[1] / "content"
                                    / "venues.yml").read_text(encoding="utf-8"),
                                   "content/venues.yml")
    assert problems == []
    for venue in table.venues:
        assert venue_kind(f"{venue.short} 2024") == venue.kind, venue.short


def test_cited_venue_names_import_back_as_the_shown_venue():
    table, _problems = parse_venues((Path(__file__).resolve().parents[1] / "content"
                                     / "venues.yml").read_text(encoding="utf-8"),
                                    "content/venues.yml")
    for venue in table.venues:
        shown = f"{venue.short} 2025"
        cited, kind = table.full_name(shown)
        assert kind == venue.kind
        assert table.normalise(cited, 2024) == shown, cited  # the venue's year, not the paper's
        cited, _kind = table.full_name(venue.short)
        assert table.normalise(cited, 2024) == venue.short  # no year: none added


@pytest.fixture(scope="module")
def built(imported):
    project = imported["project"]
    proc = run_build(project)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return project, project / "site"


@pytest.mark.slow
def test_strict_build_shows_dois_and_named_links(built):
    project, site = built
    page = (site / "papers" / "camembert-a-tasty-french-language-model" / "index.html"
            ).read_text(encoding="utf-8")
    assert ('<a href="https://doi.org/10.18653/v1/2020.acl-main.645" rel="noopener">'
            '10.18653/v1/2020.acl-main.645</a>') in page
    assert '<meta name="citation_doi" content="10.18653/v1/2020.acl-main.645">' in page
    assert 'href="https://aclanthology.org/2020.acl-main.645" rel="noopener">Paper</a>' in page
    bib = (site / "bib" / "all.bib").read_text(encoding="utf-8")
    assert "  doi = {10.18653/v1/2020.acl-main.645},\n" in bib
    items = json.loads((site / "data" / "papers.json").read_text(encoding="utf-8"))
    camembert = next(i for i in items if i["title"].startswith("CamemBERT"))
    assert camembert["DOI"] == "10.18653/v1/2020.acl-main.645"
    # shown as "ACL 2020"; cited under the venue table's full name
    assert "ACL 2020" in page
    assert camembert["container-title"] == (
        "Annual Meeting of the Association for Computational Linguistics, ACL 2020")
    entry = bib[bib.index("{" + camembert["id"] + ","):]
    entry = entry[:entry.index("\n}\n")]
    assert ("  booktitle = {Annual Meeting of the Association for Computational Linguistics, "
            "ACL 2020},\n") in entry
    assert ('<meta name="citation_conference_title" content="Annual Meeting of the Association '
            'for Computational Linguistics, ACL 2020">') in page


@pytest.mark.slow
def test_site_exports_round_trip_unchanged(built, tmp_path):
    project, site = built
    copy = copy_project(tmp_path / "round", project / "content")
    before = snapshot(copy / "content")
    for export in (site / "data" / "papers.json", site / "bib" / "all.bib"):
        result = run(copy, export)
        assert result.ok and result.created == [] and result.updated == [], export.name
    assert snapshot(copy / "content") == before


@pytest.mark.slow
@pytest.mark.latex
@pytest.mark.parametrize("name", ORDER)
def test_strict_build_and_all_bib_compile_after_each_import(imported, built, name, tmp_path):
    if name == ORDER[-1]:
        project, site = built
    else:
        project = imported["steps"][name]["project"]
        proc = run_build(project)
        assert proc.returncode == 0, proc.stderr[-3000:]
        site = project / "site"
    bib = (site / "bib" / "all.bib").read_text(encoding="utf-8")
    papers = load_catalog(project, persist_cache=False).papers
    assert len(papers) == len(imported["steps"][name]["after"])
    undated = {p.key for p in papers if not p.year}
    for style in ("plain", "plainnat"):
        run_ = latex.build_bibtex(bib, tmp_path / style, style)
        problems = [p for p in run_.problems if not (
            style == "plainnat" and re.fullmatch(r"doc\.blg: Warning--empty year in (\S+)", p)
            and p.rsplit(" ", 1)[1] in undated)]
        assert problems == [], run_.describe()
        assert run_.bbl.count("\\bibitem") == len(papers)
    run_ = latex.build_biblatex(bib, tmp_path / "biber")
    assert run_.problems == [], run_.describe()
    assert run_.bbl.count("\\entry{") == len(papers)


def test_records_after_import_load_cleanly(imported):
    papers, problems = load_records(imported["project"] / "content" / "papers",
                                    imported["project"])
    assert [d for d in problems if d.is_error] == []
    assert len(papers) == len(imported["start"]) + sum(c for c, _m in EXPECTED.values())


def test_readme_figures_are_the_catalog_figures():
    """The README's table of the collection is what the home page computes at build time."""
    root = Path(__file__).resolve().parents[1]
    figures = load_catalog(root, persist_cache=False).figures()
    text = (root / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| ([a-z][^|]*?) \| (\d+) \|$", text, flags=re.MULTILINE))
    names = {"records": "papers", "with an arXiv id": "with_arxiv",
             "with a complete author list": "with_complete_authors", "with a year": "with_year",
             "with a code link": "with_code", "with a DOI": "with_doi",
             "citable (arXiv id, complete authors and year)": "citable"}
    assert {names[k]: int(v) for k, v in table.items() if k in names} == {
        v: figures[v] for v in names.values()}
    assert figures["with_year"] == figures["papers"]  # no "empty year" left for plainnat


def test_two_records_with_one_doi_stop_ingest(tmp_path):
    project = copy_project(tmp_path / "dup")
    papers = project / "content" / "papers"
    first, second = sorted(papers.glob("*.yml"))[:2]
    for path in (first, second):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nlinks:", "\ndoi: 10.1234/same\nlinks:", 1)
                        if "\nlinks:" in text else text.replace("\ntopics:",
                                                                "\ndoi: 10.1234/same\ntopics:", 1),
                        encoding="utf-8")
    before = snapshot(project / "content")
    result = run(project, FIXTURES / "zotero.ris")
    assert not result.ok
    assert any("are the same paper (DOI matches)" in d.message for d in result.diagnostics)
    assert snapshot(project / "content") == before


def test_csl_rich_text_and_lines():
    from survey_core.importers.refimport import parse_csl_json

    text = (FIXTURES / "zotero.json").read_text(encoding="utf-8")
    records_, errors = parse_csl_json(text, "zotero.json")
    assert errors == []
    tiny = next(r for r in records_ if r["arxiv_id"] == "2305.07759")
    assert tiny["title"] == ("TinyStories: How Small Can Language Models Be and Still Speak "
                             "Coherent English?")
    lines = text.splitlines()
    assert all(lines[r["line"] - 1].strip() == "{" for r in records_)
    _r, errors = parse_csl_json('[\n {"id": "a", "title": "A"},\n {"id": "b"}\n]\n', "x.json")
    assert errors == [(3, "item 'b' has no title")]
