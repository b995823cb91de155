"""Pathological input costs seconds, not minutes: each case runs the real command
on a copy of the bad-input fixture and fails when it takes more than its budget.

The inputs are those that used to hang or blow up: a backtracking match rule, a
YAML alias bomb, a 2,000-entry ``.bib`` (ingest was quadratic; bench/scale.py
measures 1k to 50k), a taxonomy of 2,000
topics, a survey with 20,000 citations, a 1 MB unclosed citation, a link to
``/dev/zero`` and a 40 MB record."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_bad_input import alias_bomb_yaml, make_project, survey
from test_ingest_atomic import bib_entries

RECORD = "content/papers/attention-is-all-you-need.yml"
SURVEY = "content/surveys/tokenization.md"
BUDGET = 5.0  # seconds, each


def timed(capsys, root: Path, *args: str) -> tuple[float, int, str]:
    start = time.perf_counter()
    code, out, err = survey(root, capsys, *args)
    return time.perf_counter() - start, code, out + err


def set_rule(root: Path, rule: str) -> None:
    tax = root / "content" / "taxonomy.yml"
    tax.write_text(tax.read_text(encoding="utf-8").replace("'\\bquanti[sz]'", repr(rule)),
                   encoding="utf-8")


def backtracking_rule(root: Path) -> list[str]:
    set_rule(root, "(a+)+$")
    (root / "content" / "sources" / "hand.yml").write_text(
        "title: " + "a" * 40 + "!\nabstract: " + "a" * 5000 + "!\n", encoding="utf-8")
    return ["ingest", "-q", str(root / "content" / "sources" / "hand.yml")]


def backtracking_rule_new(root: Path) -> list[str]:
    set_rule(root, "(a+)+$")
    return ["new", "--dry-run", "--title", "a" * 40 + "!", "--abstract", "a" * 5000 + "!"]


def alias_bomb(root: Path) -> list[str]:
    path = root / RECORD
    path.write_text(alias_bomb_yaml(path.read_text(encoding="utf-8") + "ALIAS_BOMB\n"),
                    encoding="utf-8")
    return ["check"]


def large_bib(root: Path) -> list[str]:
    bib = root / "content" / "sources" / "big.bib"
    bib.write_text(bib_entries(2_000, seed=5, prefix="e"), encoding="utf-8")
    return ["ingest", "-q", str(bib)]


def many_topics(root: Path) -> list[str]:
    tax = root / "content" / "taxonomy.yml"
    extra = "".join(f"  - id: topic-{i}\n    name: Topic {i}\n    parent: language-models\n"
                    f"    description: Topic number {i}.\n"
                    f"    match:\n      title: ['\\btopic{i}\\b']\n" for i in range(2000))
    tax.write_text(tax.read_text(encoding="utf-8").replace("fallback:", extra + "fallback:"),
                   encoding="utf-8")
    return ["check"]


def many_citations(root: Path) -> list[str]:
    path = root / SURVEY
    cites = "\n".join("Both [@vaswani2017attention] and [@sennrich2015neural; "
                      "@vaswani2017attention]." for _ in range(10_000))
    path.write_text(path.read_text(encoding="utf-8") + cites + "\n", encoding="utf-8")
    return ["check"]


def unclosed_citation(root: Path) -> list[str]:
    path = root / SURVEY
    path.write_text(path.read_text(encoding="utf-8") + "[@" + "x " * 400_000 + "\n",
                    encoding="utf-8")
    return ["check"]


def dev_zero(root: Path) -> list[str]:
    os.symlink("/dev/zero", root / "content" / "papers" / "z.yml")
    return ["check"]


def huge_record(root: Path) -> list[str]:
    with open(root / "content" / "papers" / "huge.yml", "w") as fh:
        fh.write("id: huge\nabstract: " + "x" * (40 << 20) + "\n")
    return ["check"]


CASES = {f.__name__: f for f in (backtracking_rule, backtracking_rule_new, alias_bomb,
                                 large_bib, many_topics, many_citations, unclosed_citation,
                                 dev_zero, huge_record)}
#: what a run of each case must end with: 0 (accepted) or 1 (refused with a message)
EXPECTED = {"backtracking_rule": 0, "backtracking_rule_new": 0, "large_bib": 0,
            "many_topics": 0, "many_citations": 0}


@pytest.mark.parametrize("name", list(CASES))
def test_pathological_input_is_handled_within_budget(tmp_path, capsys, name):
    root = make_project(tmp_path)
    args = CASES[name](root)
    seconds, code, output = timed(capsys, root, *args)
    assert "Traceback" not in output
    assert code == EXPECTED.get(name, 1), output[-3000:]
    assert seconds < BUDGET, f"{name}: {seconds:.1f} s (budget {BUDGET} s)"
