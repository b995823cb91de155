"""CSL-JSON export: survey_core.formats.csl, including a real pandoc --citeproc run."""

from __future__ import annotations

import json
import subprocess

import latex
from test_bibtex import ADVERSARIAL, LOSSY, NO_YEAR

from survey_core.formats.csl import csl_json_text, csl_name, export_csl, paper_to_csl
from survey_core.model.model import Paper


def _paper(key: str, title: str, **kw) -> Paper:
    return Paper(id=key, key=key, title=title, **kw)


CITRUS = next(p for p in ADVERSARIAL if p.key == "bai2024citrus")


def test_preprint_item():
    p = _paper(
        "ma2024era",
        "The Era of 1-bit LLMs",
        authors=["Shuming Ma", "Hongyu Wang"],
        authors_complete=True,
        year=2024,
        month=2,
        arxiv_id="2402.17764",
        primary_class="cs.CL",
        abstract="  Recent   research ",
    )
    assert paper_to_csl(p) == {
        "id": "ma2024era",
        "type": "article",
        "title": "The Era of 1-bit LLMs",
        "author": [{"family": "Ma", "given": "Shuming"}, {"family": "Wang", "given": "Hongyu"}],
        "publisher": "arXiv",
        "number": "arXiv:2402.17764",
        "issued": {"date-parts": [[2024, 2]]},
        "URL": "https://arxiv.org/abs/2402.17764",
        "abstract": "Recent research",
    }


def test_venue_items():
    item = paper_to_csl(CITRUS)
    assert item["type"] == "paper-conference"
    assert item["container-title"] == "EMNLP 2024"
    assert "publisher" not in item and "number" not in item
    assert item["URL"] == "https://arxiv.org/abs/2406.12018"
    tmlr = paper_to_csl(_paper("x", "T", authors=["Ann Lee"], year=2025, venue="TMLR 2025"))
    assert tmlr["type"] == "article-journal" and tmlr["container-title"] == "TMLR 2025"


def test_unknown_authors_and_year():
    item = paper_to_csl(_paper("esotericlanguage", "Esoteric Language Models"))
    assert item == {
        "id": "esotericlanguage",
        "type": "article",
        "title": "Esoteric Language Models",
    }
    year_only = paper_to_csl(
        _paper("k", "T", year=2020, links={"project": "https://example.org/a_b#x"})
    )
    assert year_only["issued"] == {"date-parts": [[2020]]}
    assert year_only["URL"] == "https://example.org/a_b#x"  # JSON needs no URL restrictions


def test_names():
    assert csl_name("Ahmet Üstün") == {"family": "Üstün", "given": "Ahmet"}
    assert csl_name("Marta R. Costa-jussà") == {"family": "Costa-jussà", "given": "Marta R."}
    assert csl_name("Guy Van den Broeck") == {"family": "Van den Broeck", "given": "Guy"}
    assert csl_name("Robert L. Logan IV") == {
        "family": "Logan",
        "given": "Robert L.",
        "suffix": "IV",
    }
    assert csl_name("NVIDIA") == {"literal": "NVIDIA"}


def test_unicode_text_is_kept():
    item = paper_to_csl(next(p for p in ADVERSARIAL if p.key == "adewumi2021smaprat"))
    assert item["title"].startswith("Småprat: DialoGPT")
    assert {"family": "Brännvall", "given": "Rickard"} in item["author"]


def test_export_sorted_and_deterministic():
    papers = ADVERSARIAL + LOSSY + NO_YEAR
    items = export_csl(reversed(papers))
    assert [i["id"] for i in items] == sorted(p.key for p in papers)
    text = csl_json_text(papers)
    assert text == csl_json_text(list(reversed(papers)))
    assert text.endswith("]\n")
    assert json.loads(text) == items
    assert "Småprat" in text  # not \u-escaped


def test_pandoc_citeproc_renders(tmp_path):
    papers = ADVERSARIAL + LOSSY + NO_YEAR
    (tmp_path / "papers.json").write_text(csl_json_text(papers), encoding="utf-8")
    (tmp_path / "doc.md").write_text("---\nnocite: '@*'\n---\n\n# References\n", encoding="utf-8")
    pandoc = latex.require("pandoc")
    proc = subprocess.run(
        [
            pandoc,
            "-f",
            "markdown",
            "-t",
            "plain",
            "--citeproc",
            "--bibliography=papers.json",
            "doc.md",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "[WARNING]" not in proc.stderr and "rror" not in proc.stderr, proc.stderr
    out = " ".join(proc.stdout.split()).lower()  # the default style title-cases
    for fragment in [
        "CItruS: Chunked Instruction-Aware State Eviction",
        "Småprat",
        "Üstün",
        "Power Scheduler",
        "Esoteric Language Models",
        "<script>alert(1)</script>",
        "https://arxiv.org/abs/2406.12018",
    ]:
        assert fragment.lower() in out, fragment
    # every item is rendered: one paragraph per entry after the heading
    entries = [block for block in proc.stdout.split("\n\n") if block.strip()][1:]
    assert len(entries) == len(papers)


def test_item_text_is_json_dumps_indented():
    """The item writer gives json.dumps' own text (indent=1, UTF-8), nested values,
    escapes and empty containers included, and falls back to it for what it does
    not write itself (NaN, non-string keys, tuples)."""
    from survey_core.formats.csl import csl_item_text

    def dumped(item) -> str:
        return " " + json.dumps(item, ensure_ascii=False, indent=1).replace("\n", "\n ")

    items = [paper_to_csl(p) for p in (*ADVERSARIAL, *LOSSY, *NO_YEAR)]
    items += [{"a": [], "b": {}, "c": [1, 2.5, True, False, None, 'x\u00e9"\n\u2028\x00'],
               "d": {"e": [[1], {"f": -0.0, "g": 10**20}]}},
              {"n": float("nan")}, {1: "x"}, {"t": (1, 2)}, {}, {"s": "</script>\\"}]
    for item in items:
        assert csl_item_text(item) == dumped(item)
