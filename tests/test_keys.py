"""Citation keys: survey_core.model.keys."""

from __future__ import annotations

import re

import pytest

from survey_core.model.keys import (
    NameParts,
    ascii_fold,
    base_key,
    key_matches_scheme,
    make_key,
    significant_words,
    split_name,
)
from survey_core.model.model import Paper


def paper(
    title: str, authors: list[str] | None = None, year: int | None = 2024, key: str = ""
) -> Paper:
    return Paper(id="x", key=key, title=title, authors=authors or [], year=year)


CITRUS = paper(
    "CItruS: Chunked Instruction-aware State Eviction for Long Sequence Modeling",
    ["Yu Bai", "Xiyuan Zou"],
)


def test_known_author_key():
    assert make_key(CITRUS, set()) == "bai2024citrus"


@pytest.mark.parametrize(
    ("title", "authors", "year", "expected"),
    [
        ("(Dynamic) Prompting might be all you need", ["A Person"], 2023, "person2023dynamic"),
        ("The Era of 1-bit LLMs", ["Shuming Ma"], 2024, "ma2024era"),
        ("How can representation dimension dominate?", ["Ann Lee"], 2025, "lee2025representation"),
        ("Towards a Theory of Everything", ["Ann Lee"], 2025, "lee2025theory"),
        ("2SSP: A Two-Stage Framework", ["Fabrizio Sandri"], 2025, "sandri20252ssp"),
        ("Long-context LLMs Struggle", ["Tianle Li"], 2024, "li2024longcontext"),
        ("When Less is More", ["Max Marion", "Ahmet Üstün"], 2023, "marion2023less"),
        ("Data Pruning at Scale", ["Ahmet Üstün"], 2023, "ustun2023data"),
        ("No Language Left Behind", ["Marta R. Costa-jussà"], 2022, "costajussa2022language"),
        ("Tractable Circuits", ["Guy Van den Broeck"], 2021, "vandenbroeck2021tractable"),
        ("StarCoder", ["Leandro von Werra"], 2023, "vonwerra2023starcoder"),
        ("Barack's Wife Hillary", ["Robert L. Logan IV"], 2019, "logan2019baracks"),
        ("Something", ["Martin Luther King, Jr."], 1963, "king1963something"),
        ("Something", ["Sam Smith Jr."], 2020, "smith2020something"),
        ("Große Straße", ["Jürgen Weiß"], 2020, "weiss2020grosse"),
        ("Łódź", ["Paweł Łukasz"], 2020, "lukasz2020lodz"),
        ("Yi: Open Foundation Models", ["01.AI"], 2024, "01ai2024yi"),
        ("A Model", ["NVIDIA"], 2024, "nvidia2024model"),
        ("Undated Work", ["Ann Lee"], None, "leeundated"),
    ],
)
def test_author_keys(title, authors, year, expected):
    assert make_key(paper(title, authors, year), set()) == expected


@pytest.mark.parametrize(
    ("title", "year", "expected"),
    [
        (
            "Power Scheduler: A Batch Size and Token Number Agnostic Learning Rate Scheduler",
            2024,
            "powerscheduler2024",
        ),
        ("Esoteric Language Models", None, "esotericlanguage"),
        ("CItruS", 2024, "citrus2024"),
        ("What Is It?", 2024, "what2024"),
        ("", 2024, "untitled2024"),
        ("🦙 中文", None, "untitled"),
    ],
)
def test_unknown_author_keys(title, year, expected):
    assert make_key(paper(title, [], year), set()) == expected


def test_non_latin_surname_falls_back_to_title():
    assert make_key(paper("Hebrew Models", ["张 三"], 2024), set()) == "hebrewmodels2024"


def test_keys_are_lowercase_letters_and_digits():
    titles = ["CItruS: x", "<script>alert(1)</script>", "50% & $ # _ ^ ~ \\ {} Småprat", "GPT-4 T5"]
    names = [["Ahmet Üstün"], ["Loïc Barrault"], [], ["Zoë O'Brien-Smith"], ["Søren Kierkegaard"]]
    for title in titles:
        for authors in names:
            key = make_key(paper(title, authors), set())
            assert re.fullmatch(r"[a-z0-9]+", key), key


def test_deterministic():
    assert make_key(CITRUS, set()) == make_key(CITRUS, set()) == base_key(CITRUS)
    # the same inputs in another object type give the same key
    as_dict = {"title": CITRUS.title, "authors": CITRUS.authors, "year": 2024}
    assert make_key(as_dict, set()) == "bai2024citrus"


def test_collisions_second_word_then_letters():
    taken: set[str] = set()
    keys = []
    for _ in range(5):
        key = make_key(CITRUS, taken)
        taken.add(key)
        keys.append(key)
    assert keys == [
        "bai2024citrus",
        "bai2024citruschunked",
        "bai2024citrusa",
        "bai2024citrusb",
        "bai2024citrusc",
    ]
    assert len(set(keys)) == len(keys)


def test_collisions_title_keys_use_letters():
    p = paper("Power Scheduler", [], 2024)
    taken = {"powerscheduler2024"}
    assert make_key(p, taken) == "powerscheduler2024a"


def test_collisions_beyond_z():
    p = paper("Single", ["Ann Lee"], 2024)
    taken = {"lee2024single"} | {"lee2024single" + chr(c) for c in range(ord("a"), ord("z") + 1)}
    assert make_key(p, taken) == "lee2024singleaa"
    taken.add("lee2024singleaa")
    assert make_key(p, taken) == "lee2024singleab"


def test_make_key_does_not_modify_taken():
    taken = {"bai2024citrus"}
    make_key(CITRUS, taken)
    assert taken == {"bai2024citrus"}


def test_many_unique():
    taken: set[str] = set()
    for _ in range(60):
        key = make_key(paper("Same Title Here", ["Ann Lee"], 2024), taken)
        assert key not in taken
        taken.add(key)
    assert len(taken) == 60


def test_key_matches_scheme():
    assert key_matches_scheme(paper(CITRUS.title, CITRUS.authors, 2024, key="bai2024citrus"))
    assert key_matches_scheme(paper(CITRUS.title, CITRUS.authors, 2024, key="bai2024citruschunked"))
    assert key_matches_scheme(paper(CITRUS.title, CITRUS.authors, 2024, key="bai2024citrusb"))
    # year changed, first author changed, title changed, garbage
    assert not key_matches_scheme(paper(CITRUS.title, CITRUS.authors, 2025, key="bai2024citrus"))
    assert not key_matches_scheme(paper(CITRUS.title, ["Xiyuan Zou"], 2024, key="bai2024citrus"))
    assert not key_matches_scheme(paper("Lemon: x", CITRUS.authors, 2024, key="bai2024citrus"))
    assert not key_matches_scheme(paper(CITRUS.title, CITRUS.authors, 2024, key="bai2024citrus2"))
    for suffix in ("B", "bB", "\u00e9", "_a", " a"):
        assert not key_matches_scheme(paper(CITRUS.title, CITRUS.authors, 2024,
                                            key="bai2024citrus" + suffix)), suffix
    assert not key_matches_scheme(paper(CITRUS.title, CITRUS.authors, 2024, key=""))
    # unknown authors
    assert key_matches_scheme(paper("Power Scheduler", [], 2024, key="powerscheduler2024a"))
    assert not key_matches_scheme(
        paper("Power Scheduler", ["Ann Lee"], 2024, key="powerscheduler2024")
    )


def test_every_generated_key_matches_scheme():
    taken: set[str] = set()
    for p in [
        CITRUS,
        CITRUS,
        CITRUS,
        paper("Power Scheduler", [], 2024),
        paper("Power Scheduler", [], 2024),
    ]:
        key = make_key(p, taken)
        taken.add(key)
        assert key_matches_scheme(paper(p.title, p.authors, p.year, key=key))


def test_ascii_fold():
    assert ascii_fold("Üstün Costa-jussà Loïc Småprat") == "Ustun Costa-jussa Loic Smaprat"
    assert ascii_fold("ß ø ł æ ı Đ þ") == "ss o l ae i D th"
    assert ascii_fold("中文🦙") == ""


def test_significant_words():
    assert significant_words("CItruS: Chunked (Dynamic) of the 2024 -- LLMs") == [
        "citrus",
        "chunked",
        "dynamic",
        "llms",
    ]


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Yu Bai", NameParts("Yu", "Bai")),
        ("Jackie Chi Kit Cheung", NameParts("Jackie Chi Kit", "Cheung")),
        ("Marta R. Costa-jussà", NameParts("Marta R.", "Costa-jussà")),
        ("Guy Van den Broeck", NameParts("Guy", "Van den Broeck")),
        ("Leandro von Werra", NameParts("Leandro", "von Werra")),
        ("Andreza A. dos Santos", NameParts("Andreza A.", "dos Santos")),
        ("Massimiliano Di Penta", NameParts("Massimiliano", "Di Penta")),
        ("Robert L. Logan IV", NameParts("Robert L.", "Logan", "IV")),
        ("Michael J. Bommarito II", NameParts("Michael J.", "Bommarito", "II")),
        ("Sam Smith Jr.", NameParts("Sam", "Smith", "Jr.")),
        ("Martin Luther King, Jr.", NameParts("Martin Luther", "King", "Jr.")),
        ("Smith, John", NameParts("John", "Smith")),
        ("NVIDIA", NameParts("", "NVIDIA")),
        ("van Gogh", NameParts("van", "Gogh")),
        ("Loubna Ben Allal", NameParts("Loubna Ben", "Allal")),
    ],
)
def test_split_name(name, parts):
    assert split_name(name) == parts


def test_display_round_trip():
    for name in [
        "Yu Bai",
        "Guy Van den Broeck",
        "Robert L. Logan IV",
        "NVIDIA",
        "Marta R. Costa-jussà",
    ]:
        assert split_name(name).display == name
