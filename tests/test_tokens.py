"""The tokenisers of the related papers and of the search index look words up in a
table instead of checking each in Python: the terms are those of their documented
definitions (written out here as regular expressions and loops), for any text."""

from __future__ import annotations

import random
import re

import pytest

from survey_core.model.text import WordTable
from survey_core.site import related, search_index


def related_reference(text: str) -> list[str]:
    words = (related._stem(w) for w in re.findall(r"[a-z0-9]+", related._fold(text))
             if len(w) > 1 and w not in related.STOPWORDS and not w.isdigit())
    return [w for w in words if w not in related.STOPWORDS]


def search_reference(text: str) -> list[str]:
    out = []
    for word in re.findall(r"[^\W_]+(?:-[^\W_]+)*", search_index.fold(text)):
        parts = word.split("-")
        out.extend(p for p in parts if search_index._keep(p))
        if len(parts) > 1 and search_index._keep("".join(parts)):
            out.append("".join(parts))
    return out


ALPHABET = ("abcXYZ019 -_.,'éÉßİıﬁ² ΣσςΩ中文ḱ\u0301\u200b\t\n"
            "studies models the papers GPT-4 state-of-the-art x--y -z z-")


@pytest.mark.parametrize("seed", range(4))
def test_the_terms_are_those_of_the_definition(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(5000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        assert related.tokens(text) == related_reference(text), text
        assert search_index.tokenise(text) == search_reference(text), text


def test_examples() -> None:
    assert related.tokens("Studies of Large-Scale Models, 2024: état de l'art") == \
        ["large", "scale", "model", "etat", "de", "art"]
    assert search_index.tokenise("GPT-4 in state-of-the-art models") == \
        ["gpt", "4", "gpt4", "state", "art", "stateoftheart", "models"]


def test_the_word_tables_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(related, "_TERMS", WordTable(related._term, limit=50))
    monkeypatch.setattr(search_index, "_TERMS", WordTable(search_index._word_terms, limit=50))
    for n in range(40):
        text = " ".join(f"word{n}x{i}" for i in range(10))
        assert related.tokens(text) == related_reference(text)
        assert search_index.tokenise(text) == search_reference(text)
        assert len(related._TERMS) <= 60 and len(search_index._TERMS) <= 60
