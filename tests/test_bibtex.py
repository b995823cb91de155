"""BibTeX export/import: survey_core.formats.bibtex, including real pdflatex/bibtex/biber runs."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import bibtexparser
import latex
import pytest

from survey_core.formats.bibtex import (
    export_bibtex,
    latex_decode,
    latex_escape_text,
    latex_escape_title,
    name_to_bibtex,
    paper_to_entry,
    parse_bibtex,
    venue_kind,
)
from survey_core.model.keys import make_key
from survey_core.model.model import Paper

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "content" / "sources" / "arxiv-facts.jsonl"

ROUND_TRIP_FIELDS = (
    "title",
    "authors",
    "authors_complete",
    "year",
    "month",
    "arxiv_id",
    "primary_class",
    "venue",
)


def _paper(key: str, title: str, **kw) -> Paper:
    return Paper(id=key, key=key, title=title, **kw)


#: Papers whose every field survives export + import exactly.
ADVERSARIAL = [
    _paper(
        "bai2024citrus",
        "CItruS: Chunked Instruction-aware State Eviction for Long Sequence Modeling",
        authors=[
            "Yu Bai",
            "Xiyuan Zou",
            "Heyan Huang",
            "Sanxing Chen",
            "Marc-Antoine Rondeau",
            "Yang Gao",
            "Jackie Chi Kit Cheung",
        ],
        authors_complete=True,
        year=2024,
        month=6,
        arxiv_id="2406.12018",
        venue="EMNLP 2024",
    ),
    _paper(
        "adewumi2021smaprat",
        "Småprat: DialoGPT for Natural Language Generation of Swedish Dialogue"
        " by Transfer Learning",
        authors=[
            "Tosin Adewumi",
            "Rickard Brännvall",
            "Nosheen Abid",
            "Maryam Pahlavan",
            "Sana Sabah Sabry",
            "Foteini Liwicki",
            "Marcus Liwicki",
        ],
        authors_complete=True,
        year=2021,
        month=10,
        arxiv_id="2110.06273",
        venue="NLDL 2022 (Proceedings of the Northern Lights Deep Learning Workshop)",
    ),
    _paper(
        "ma2024era",
        "The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits",
        authors=["Shuming Ma", "Hongyu Wang"],
        authors_complete=False,
        year=2024,
        month=2,
        arxiv_id="2402.17764",
        primary_class="cs.CL",
    ),
    _paper(
        "ustun2024era",
        "The Era of 1.58-bit LLMs",
        authors=["Ahmet Üstün", "Marta R. Costa-jussà", "Loïc Barrault"],
        authors_complete=True,
        year=2024,
        month=12,
        primary_class="cs.CL",
        arxiv_id="2412.00001",
    ),
    _paper(
        "special2023percent",
        "100% Free & Open: $5 Models, #1 for snake_case, x^2 ~ y, a\\b,"
        " {Braces} and } unbalanced {",
        authors=[
            "Guy Van den Broeck",
            "Robert L. Logan IV",
            "Leandro von Werra",
            "NVIDIA",
            "01.AI",
        ],
        authors_complete=True,
        year=2023,
        month=1,
    ),
    _paper(
        "script2024alert",
        "<script>alert(1)</script>",
        authors=["Mallory O'Hacker"],
        authors_complete=True,
        year=2024,
        month=3,
        arxiv_id="2403.00001",
        primary_class="cs.CR",
    ),
    _paper(
        "gpt2023moe",
        "GPT-4 vs. T5: MoE, KV Caches and LLMs -- Honey, I Shrunk the T5-XXL",
        authors=["Zoë Ø. Łukasz-Sørensen", "Søren Kierkegaard", "José Antonio Hernández López"],
        authors_complete=True,
        year=2023,
        month=5,
        arxiv_id="2305.00001",
        primary_class="cs.LG",
    ),
    _paper(
        "powerscheduler2024",
        "Power Scheduler: A Batch Size and Token Number Agnostic Learning Rate Scheduler",
        year=2024,
        month=8,
        arxiv_id="2408.13359",
        primary_class="cs.LG",
    ),
    _paper(
        "dao2022flashattention",
        "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
        authors=["Tri Dao"],
        authors_complete=False,
        year=2022,
        month=5,
        arxiv_id="2205.14135",
        venue="NeurIPS 2022",
    ),
    _paper(
        "sandri20252ssp",
        "2SSP: A Two-Stage Framework for Structured Pruning of LLMs",
        authors=["Fabrizio Sandri", "Elia Cunegatti", "Giovanni Iacca"],
        authors_complete=True,
        year=2025,
        month=1,
        arxiv_id="2501.17771",
        venue="TMLR 2025",
    ),
    _paper(
        "workshop2024at",
        "Workshop @ Venue: Findings",
        authors=["Ann Lee"],
        authors_complete=True,
        year=2024,
        month=7,
        venue="ES-FoMo II Workshop @ ICML 2024",
    ),
    _paper(
        "honeyshrunk2023",
        "Honey, I Shrunk the Language: Language Model Behavior at Reduced Scale",
        year=2023,
        venue="Findings of ACL 2023",
        arxiv_id="2305.17266",
    ),
    _paper(
        "typo2024dont",
        "Don't “Quote” Me — Dashes – and ‘Singles’… α-Entmax × 2 → ≤ ∞, ½ µ-free ² ₁ § ¶ ° © ™ €",
        authors=["Ann Lee"],
        authors_complete=True,
        year=2024,
        month=11,
    ),
    _paper(
        "ligature2024traps",
        "Ligature traps: a--b, a---b, ''quoted'', `ticks`, ,,low, !`, ?`, <<x>>,"
        ' |pipe|, "dq", -–—',
        authors=["Ann Lee"],
        authors_complete=True,
        year=2024,
        month=4,
    ),
    _paper(
        "math2024attention",
        "$O(n)$ Attention with \\mathcal{L}_2 and $\\alpha$-Dropout in ~Linear Time",
        authors=["Ann Lee"],
        authors_complete=True,
        year=2024,
    ),
    _paper(
        "accents2024latin",
        "Ångström Çatalhöyük Şişli İstanbul Ğ ı Łódź Žižek Dvořák Nguyễn ỹ"
        " ŠKODA ÆØÅ æøå œ ß ñ ü ę ș ț ő ű",
        authors=[
            "Ekin Akyürek",
            "Gonçalo Paulo",
            "Xing Han Lù",
            "Ahmet Semih Gümüş",
            "Đorđe Ðorđević",
            "Þóra Eng Ŋ",
        ],
        authors_complete=True,
        year=2024,
        month=9,
    ),
]

#: Papers whose export is lossy on purpose (characters with no LaTeX form, or a
#: letter accent biber cannot pass through); they must still compile cleanly.
LOSSY = [
    _paper(
        "emoji2024llama",
        "🦙 LLaMA 中文 Models for Việt Nam: Phạm Đặng ơ ư 😀",
        authors=["Phạm Văn Đồng", "李 小龙"],
        authors_complete=True,
        year=2024,
        month=2,
        links={"project": "https://example.org/a_b?x=1&y=%20#frag"},
    ),
]

NO_YEAR = [
    _paper("esotericlanguage", "Esoteric Language Models", authors=[], arxiv_id="2506.01928"),
    _paper("lee2025x", "Undated Work", authors=["Ann Lee"], authors_complete=True, venue="ICLR"),
]


def facts_papers() -> list[Paper]:
    """The project's arXiv facts as papers, with keys from survey_core.model.keys."""
    papers: list[Paper] = []
    taken: set[str] = set()
    for line in FACTS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        p = Paper(
            id=str(len(papers)),
            key="",
            title=d["title"],
            authors=d["authors"],
            authors_complete=d["authors_complete"],
            year=d["year"],
            month=d["month"],
            arxiv_id=d["arxiv_id"],
            primary_class=d["primary_class"],
            venue=d["venue"],
        )
        p.key = make_key(p, taken)
        taken.add(p.key)
        papers.append(p)
    return papers


# ---------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%", r"\%"),
        ("&", r"\&"),
        ("$", r"\$"),
        ("#", r"\#"),
        ("_", r"\_"),
        ("^", r"\^{}"),
        ("\\", r"\textbackslash{}"),
        ("{x}", r"\{x\}"),
        ("}{", r"\textbraceright{}\textbraceleft{}"),
        ("~", r"\textasciitilde{}"),
        ("å", r"{\r{a}}"),
        ("ö", r"{\"o}"),
        ("é", r"{\'e}"),
        ("ç", r"{\c{c}}"),
        ("ß", r"{\ss}"),
        ("ø", r"{\o}"),
        ("ł", r"{\l}"),
        ("ı", r"{\i}"),
        ("ï", r"{\"i}"),
        ("×", r"{$\times$}"),
        ("→", r"{$\rightarrow$}"),
        ("≤", r"{$\leq$}"),
        ("a–b—c", "a--b---c"),
        ("“q”", "``q''"),
        ("…", r"\ldots{}"),
        ("a--b", "a-{}-b"),
        ("Småprat", r"Sm{\r{a}}prat"),
        ("Costa-jussà", r"Costa-juss{\`a}"),
        ("x 🦙 中文 y", "x y"),
    ],
)
def test_escape_text(text, expected):
    assert latex_escape_text(text) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Era of 1.58-bit LLMs", "The Era of {1.58-bit} {LLMs}"),
        ("GPT-4 and T5", "{GPT-4} and {T5}"),
        ("CItruS: Chunked Instruction-aware", "{CItruS}: Chunked Instruction-aware"),
        ("MoE with KV caches", "{MoE} with {KV} caches"),
        ("(Dynamic) Prompting", "(Dynamic) Prompting"),
        ("Mixture-of-Experts", "Mixture-of-Experts"),
        ("Honey, I Shrunk", "Honey, {I} Shrunk"),
        ("Småprat: DialoGPT", r"Sm{\r{a}}prat: {DialoGPT}"),
        ("ÅNGSTRÖM", r"{{\r{A}}NGSTR{\"O}M}"),
        ("50% of LLMs_v2", r"50\% of {LLMs\_v2}"),
        (
            "<script>alert(1)</script>",
            r"\textless{}{script\textgreater{}alert(1)\textless{}/script}\textgreater{}",
        ),
    ],
)
def test_escape_title(title, expected):
    assert latex_escape_title(title) == expected


def test_plain_titles_escape_as_character_by_character():
    """The quick way for printable ASCII titles gives what the character-by-character
    escape gives, on every title of the seed records and on words made to need
    braces (capitals inside, digits, the word I, dashes and slashes)."""
    from survey_core.formats.bibtex.encode import _escaped_title

    titles = [p.read_text(encoding="utf-8").split("title:", 1)[1].split("\n", 1)[0].strip(" '\"")
              for p in sorted((Path(__file__).resolve().parents[1] / "content" / "papers")
                              .glob("*.yml"))]
    rng = random.Random(7)
    words = ["I", "a", "GPT-4", "LLaMA", "x86", "Mixture-of-Experts", "(Dynamic)", "BERT:",
             "on/off", "Pre-Trained", "e.g.", "3D", "i", "A", "\"Quoted\"", "k-NN", "Can't",
             "self-attention", "1.58-bit", "Q&A?", "Is", "LoRA/QLoRA", "'90s", "x"]
    titles += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) for _ in range(500)]
    plain = [t for t in titles if t.isascii() and t.isprintable()]
    assert len(plain) > 600
    for title in plain:
        norm = " ".join(title.split())
        assert latex_escape_title(title) == _escaped_title(norm), title


def test_which_words_keep_their_capitals():
    from survey_core.formats.bibtex.encode import _needs_protection

    def rule(core: str) -> bool:  # the rule of the module docstring, spelled out
        if core == "I":
            return True
        if any(c.isdigit() for c in core) and any(c.isalpha() for c in core):
            return True
        return any(c.isupper() for part in re.split(r"[-/\u2010\u2011\u2013\u2014]", core)
                   for c in part[1:])

    cores = ["I", "i", "A", "a", "Is", "GPT", "GPT-4", "x86", "Mixture-of-Experts", "Pre-Trained",
             "LoRA/QLoRA", "Élan", "ÉLAN", "naïve", "k-NN", "MoE", "3D", "Ångström", "ab"]
    for core in cores:
        assert _needs_protection(core) == rule(core), core


def bibtex_balanced(text: str) -> bool:
    """Brace balance as BibTeX counts it (a backslash does not escape a brace)."""
    depth = 0
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


FUZZ_ALPHABET = list("aZ9 -'`,.!?:;()[]<>|\"@*/+=%&$#_^~\\{}") + list(
    "åöéçßøłıïÅÖ–—“”‘’…×→≤αΩ²₁ßÆœ€§ Ş ș"
)


def test_escape_fuzz_round_trip():
    rng = random.Random(1234)
    for _ in range(3000):
        text = " ".join(
            "".join(rng.choice(FUZZ_ALPHABET) for _ in range(rng.randint(1, 12))) for _ in range(4)
        )
        normal = " ".join(text.split())
        for encode in (latex_escape_title, latex_escape_text):
            out = encode(text)
            assert out.isascii(), (text, out)
            assert bibtex_balanced(out), (text, out)
            assert latex_decode(out) == normal, (text, out)


def test_decode_common_forms():
    assert latex_decode(r"M{\"u}ller M\"uller M\"{u}ller") == "Müller Müller Müller"
    assert (
        latex_decode(r"{\'E}cole \c{c}a \c c {\ss} {\aa} \AA{} \o{} Fran\c{c}ois")
        == "École ça ç ß å Å ø François"
    )
    assert (
        latex_decode(r"\emph{Deep} \textbf{Learning} in~Practice -- 10\% \& more")
        == "Deep Learning in Practice – 10% & more"
    )
    assert latex_decode(r"{\"\i} {\'\i}") == "ï í"
    assert latex_decode(r"$\mathcal{O}(n)$ and $\times$") == r"$\mathcal{O}(n)$ and ×"
    # unknown commands are dropped, their arguments kept: no LaTeX is left in stored text
    assert latex_decode(r"\unknown{x} y \other z") == "x y z"
    # what DBLP, ACL and Scholar write
    dblp = r"Sch{\"{o}}lkopf and Cand{\`{e}}s, \'{E}. -- {BERT}: \textit{Pre}-training"
    assert latex_decode(dblp) == (
        "Schölkopf and Candès, É. – BERT: Pre-training"
    )
    assert latex_decode(r"{\v{S}}ar{\'{\i}}c \k{a} \u{g} \H{o} \={a} \.{z} Ph\d{a}m") == (
        "Šaríc ą ğ ő ā ż Phạm"
    )
    assert latex_decode(r"\LaTeX{} and \TeX") == "LaTeX and TeX"


# ---------------------------------------------------------------------------
# Entries
# ---------------------------------------------------------------------------


def test_names():
    assert name_to_bibtex("Ahmet Üstün") == r"{\"U}st{\"u}n, Ahmet"
    assert name_to_bibtex("Marta R. Costa-jussà") == r"Costa-juss{\`a}, Marta R."
    assert name_to_bibtex("Guy Van den Broeck") == "Van den Broeck, Guy"
    assert name_to_bibtex("Leandro von Werra") == "von Werra, Leandro"
    assert name_to_bibtex("Robert L. Logan IV") == "Logan, IV, Robert L."
    assert name_to_bibtex("NVIDIA") == "NVIDIA"
    assert name_to_bibtex("Sam And Smith") == "Smith, Sam {And}"


def test_preprint_entry_shape():
    text = paper_to_entry(ADVERSARIAL[2])
    assert text == (
        "@misc{ma2024era,\n"
        "  author = {Ma, Shuming and Wang, Hongyu and others},\n"
        "  title = {The Era of {1-bit} {LLMs}: All Large Language Models are in 1.58 Bits},\n"
        "  year = 2024,\n"
        "  month = feb,\n"
        "  eprint = {2402.17764},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.CL},\n"
        "  url = {https://arxiv.org/abs/2402.17764},\n"
        "}\n"
    )
    assert text.isascii()


def test_venue_entry_shapes():
    citrus = paper_to_entry(ADVERSARIAL[0])
    assert citrus.startswith("@inproceedings{bai2024citrus,\n")
    assert "  booktitle = {EMNLP 2024},\n" in citrus
    assert "  eprint = {2406.12018},\n" in citrus
    assert "primaryClass" not in citrus  # unknown
    tmlr = paper_to_entry(ADVERSARIAL[9])
    assert tmlr.startswith("@article{sandri20252ssp,\n")
    assert "  journal = {TMLR 2025},\n" in tmlr
    workshop = paper_to_entry(ADVERSARIAL[10])
    assert workshop.startswith("@inproceedings{")
    assert "  booktitle = {ES-FoMo II Workshop @ ICML 2024},\n" in workshop


def test_unknown_authors_entry():
    text = paper_to_entry(ADVERSARIAL[7])
    assert text.startswith("@misc{powerscheduler2024,\n  key = {{Power Scheduler}},\n")
    assert "author" not in text
    # a venue without authors stays @misc (plain warns about an empty author otherwise)
    honey = paper_to_entry(ADVERSARIAL[11])
    assert honey.startswith("@misc{honeyshrunk2023,\n")
    assert "  howpublished = {Findings of ACL 2023},\n" in honey


def test_no_year_entry():
    text = paper_to_entry(NO_YEAR[1])
    assert "year" not in text and "month" not in text
    assert text.startswith("@misc{lee2025x,\n")
    assert "  howpublished = {ICLR},\n" in text


def test_unsafe_urls_are_left_out():
    text = paper_to_entry(LOSSY[0])
    assert "url" not in text
    safe = _paper("k", "T", year=2020, links={"project": "https://example.org/paper.html"})
    assert "  url = {https://example.org/paper.html},\n" in paper_to_entry(safe)


@pytest.mark.parametrize(
    ("venue", "kind"),
    [
        ("EMNLP 2024", "conference"),
        ("Findings of ACL 2024", "conference"),
        (
            "NeurIPS 2023 Workshop: Attributing Model Behavior at Scale (ATTRIB) (poster)",
            "conference",
        ),
        ("ICLR 2025", "conference"),
        ("TMLR 2025", "journal"),
        ("JMLR", "journal"),
        ("TACL", "journal"),
        ("Nature", "journal"),
        ("ACM Computing Surveys", "journal"),
        ("IEEE Access 2024", "journal"),
        (
            "Proceedings of the 62nd Annual Meeting of the Association"
            " for Computational Linguistics",
            "conference",
        ),
    ],
)
def test_venue_kind(venue, kind):
    assert venue_kind(venue) == kind


def test_export_sorted_stable_and_parseable():
    text = export_bibtex(list(reversed(ADVERSARIAL)))
    assert text == export_bibtex(ADVERSARIAL)
    assert text.startswith(f"% {len(ADVERSARIAL)} entries, exported by survey\n")
    assert text.isascii()
    keys = re.findall(r"^@\w+\{([^,]+),", text, flags=re.M)
    assert keys == sorted(p.key for p in ADVERSARIAL)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == keys


def test_export_rejects_duplicate_keys():
    with pytest.raises(ValueError):
        export_bibtex([ADVERSARIAL[0], ADVERSARIAL[0]])


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def _fields(record_or_paper) -> dict:
    get = (
        record_or_paper.get
        if isinstance(record_or_paper, dict)
        else lambda k: getattr(record_or_paper, k)
    )
    return {k: get(k) for k in ROUND_TRIP_FIELDS}


@pytest.mark.parametrize("paper", ADVERSARIAL + NO_YEAR, ids=lambda p: p.key)
def test_round_trip(paper):
    records, errors = parse_bibtex(export_bibtex([paper]), "refs.bib")
    assert errors == []
    assert len(records) == 1
    assert _fields(records[0]) == _fields(paper)
    assert records[0]["key"] == paper.key


def test_round_trip_whole_file_lines_and_links():
    text = export_bibtex(ADVERSARIAL)
    records, errors = parse_bibtex(text, "refs.bib")
    assert errors == []
    lines = text.splitlines()
    by_key = {p.key: p for p in ADVERSARIAL}
    for record in records:
        assert _fields(record) == _fields(by_key[record["key"]])
        assert (
            lines[record["line"] - 1].startswith("@") and record["key"] in lines[record["line"] - 1]
        )
        if by_key[record["key"]].arxiv_id:
            assert record["links"] == {
                "arxiv": f"https://arxiv.org/abs/{by_key[record['key']].arxiv_id}"
            }


def test_round_trip_project_facts():
    if not FACTS.exists():
        pytest.skip("no content/sources/arxiv-facts.jsonl")
    papers = facts_papers()
    records, errors = parse_bibtex(export_bibtex(papers), "facts.bib")
    assert errors == []
    by_key = {p.key: p for p in papers}
    mismatches = [r["key"] for r in records if _fields(r) != _fields(by_key[r["key"]])]
    assert mismatches == []
    assert len(records) == len(papers)


def test_parse_errors_and_lines():
    text = (
        "% header\n"
        "@misc{good1,\n"
        "  title = {Good {One}},\n"
        '  author = {M{\\"u}ller, Hans and Doe, Jane and others},\n'
        "  year = {2020}, month = {June},\n"
        "}\n"
        "\n"
        "@article{broken,\n"
        "  title = {unbalanced {,\n"
        "}\n"
        "\n"
        "@article{good2,\n"
        '  title = "Quoted title",\n'
        '  author = "Ann Lee",\n'
        "  journal = {arXiv preprint arXiv:2101.00001},\n"
        "  year = 2021,\n"
        "}\n"
        "@misc{good1, title = {Duplicate}}\n"
        "@misc{notitle, author = {X, Y}}\n"
    )
    records, errors = parse_bibtex(text, "mine.bib")
    assert [r["key"] for r in records] == ["good1", "good2"]
    good1, good2 = records
    assert good1["line"] == 2 and good2["line"] == 12
    assert good1["title"] == "Good One"
    assert good1["authors"] == ["Hans Müller", "Jane Doe"] and good1["authors_complete"] is False
    assert (good1["year"], good1["month"]) == (2020, 6)
    assert good2["authors"] == ["Ann Lee"] and good2["authors_complete"] is True
    assert good2["arxiv_id"] == "2101.00001" and good2["venue"] is None
    assert [line for line, _ in errors] == [8, 18, 19]
    assert "Duplicate" in errors[1][1] or "duplicate" in errors[1][1].lower()
    assert "no title" in errors[2][1]


def test_parse_arxiv_sources():
    text = (
        "@misc{a, title = {A}, url = {https://arxiv.org/abs/2406.12018}}\n"
        "@misc{b, title = {B}, eprint = {2406.12019}, eprinttype = {arxiv},"
        " eprintclass = {cs.CL}}\n"
        "@inproceedings{c, title = {C}, booktitle = {ICLR 2025}, url = {https://example.org/c}}\n"
        "@misc{d, title = {D}, howpublished = {\\url{https://example.org}}}\n"
    )
    records, errors = parse_bibtex(text, "x.bib")
    assert errors == []
    a, b, c, d = records
    assert a["arxiv_id"] == "2406.12018" and a["links"] == {
        "arxiv": "https://arxiv.org/abs/2406.12018"
    }
    assert b["arxiv_id"] == "2406.12019" and b["primary_class"] == "cs.CL"
    assert c["venue"] == "ICLR 2025" and c["links"] == {"paper": "https://example.org/c"}
    assert d["venue"] is None


# ---------------------------------------------------------------------------
# Real toolchains
# ---------------------------------------------------------------------------


def _assert_clean(run: latex.Run) -> None:
    assert not run.problems, f"problems in {run.workdir}:\n{run.describe()}"


def _bib_count(run: latex.Run, biblatex: bool) -> int:
    return run.bbl.count("\\entry{") if biblatex else run.bbl.count("\\bibitem")


COMPILE_SET = ADVERSARIAL + LOSSY

#: Letters and symbols that exist only in T1 fonts (ogonek, eth, thorn, eng,
#: d with stroke, guillemets): "Command ... unavailable in encoding OT1".
T1_ONLY = set("ąęįǫųĄĘĮǪŲðÐþÞŋŊđĐ«»‹›")


def compile_set(encoding: str) -> list[Paper]:
    if encoding == "t1":
        return COMPILE_SET
    return [p for p in COMPILE_SET if not T1_ONLY & set(p.title + "".join(p.authors))]


@pytest.mark.latex
@pytest.mark.parametrize("encoding", ["t1", "ot1"])
@pytest.mark.parametrize("style", ["plain", "plainnat"])
def test_bibtex_compiles_without_warnings(tmp_path, style, encoding):
    papers = compile_set(encoding)
    run = latex.build_bibtex(export_bibtex(papers), tmp_path, style, encoding)
    _assert_clean(run)
    assert _bib_count(run, biblatex=False) == len(papers)
    # capital protection reaches the .bbl, lowercasing the rest (plain is a lowercasing style)
    bbl = " ".join(run.bbl.split())
    assert "{CItruS}: Chunked instruction-aware state eviction" in bbl
    assert "{GPT-4} vs. {T5}: {MoE}, {KV} caches and {LLMs} -{}- honey, {I}" in bbl
    assert "Sm{\\r{a}}prat: {DialoGPT} for natural language generation of swedish" in bbl
    assert "et~al." in bbl  # partial author lists


@pytest.mark.latex
@pytest.mark.parametrize("encoding", ["t1", "ot1"])
def test_biblatex_biber_compiles_without_warnings(tmp_path, encoding):
    papers = compile_set(encoding)
    run = latex.build_biblatex(export_bibtex(papers), tmp_path, encoding)
    _assert_clean(run)
    assert _bib_count(run, biblatex=True) == len(papers)
    assert "family={Üstün}" in run.bbl  # biber decoded the accents
    assert "\\verb 2406.12018" in run.bbl  # eprint


@pytest.mark.latex
def test_no_year_entries(tmp_path):
    """The one warning no .bib can avoid: plainnat's "empty year" (see bibtex.py)."""
    bib = export_bibtex(NO_YEAR)
    _assert_clean(latex.build_bibtex(bib, tmp_path / "plain", "plain"))
    _assert_clean(latex.build_biblatex(bib, tmp_path / "biblatex"))
    run = latex.build_bibtex(bib, tmp_path / "plainnat", "plainnat")
    assert sorted(run.problems) == sorted(
        f"doc.blg: Warning--empty year in {p.key}" for p in NO_YEAR
    )


@pytest.mark.latex
def test_project_facts_compile(tmp_path):
    if not FACTS.exists():
        pytest.skip("no content/sources/arxiv-facts.jsonl")
    papers = [p for p in facts_papers() if p.year]
    bib = export_bibtex(papers)
    for style in ("plain", "plainnat"):
        run = latex.build_bibtex(bib, tmp_path / style, style)
        _assert_clean(run)
        assert _bib_count(run, biblatex=False) == len(papers)
    run = latex.build_biblatex(bib, tmp_path / "biblatex")
    _assert_clean(run)
    assert _bib_count(run, biblatex=True) == len(papers)
