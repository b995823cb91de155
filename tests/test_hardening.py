"""Files that are fine to find in content/, and output that content cannot forge."""

from __future__ import annotations

import os
import re

from test_bad_input import make_project, snapshot, sources, survey

SURVEY = "content/surveys/tokenization.md"
ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,\n]+,line=\d+,col=\d+::")


def test_editor_lock_file_is_not_a_record(tmp_path, capsys):
    """Emacs leaves ``.#name.yml``, a link to nowhere, beside a file being edited."""
    root = make_project(tmp_path)
    os.symlink("user@host.1234:1700000000", root / "content/papers/.#attention.yml")
    before = snapshot(root)
    code, out, err = survey(root, capsys, "check")
    assert code == 0, out + err
    code, out, err = survey(root, capsys, "ingest", "-q", *sources(root))
    assert code == 0, out + err
    assert "created 0, updated 0, unchanged 3 records" in out
    assert snapshot(root) == before


def test_survey_with_a_byte_order_mark_is_read(tmp_path, capsys):
    root = make_project(tmp_path)
    path = root / SURVEY
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, out, err = survey(root, capsys, "check")
    assert code == 0, out + err


def test_file_name_with_a_line_break_cannot_forge_an_annotation(tmp_path, capsys):
    root = make_project(tmp_path)
    name = "x.yml\n::error file=README.md,line=1,col=1::forged.yml"
    (root / "content/papers" / name).write_text("id: x\n", encoding="utf-8")
    code, out, _err = survey(root, capsys, "check", "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines and all(ANNOTATION.match(line) for line in lines), out
    assert not any(line.startswith("::error file=README.md") for line in lines), out
    assert "file=content/papers/x.yml%0A%3A%3Aerror file=README.md%2Cline=1" in out
    code, out, _err = survey(root, capsys, "check")
    assert not any(line.startswith("::error") for line in out.splitlines()), out


def test_quoted_key_with_a_line_break_cannot_forge_a_diagnostic(tmp_path, capsys):
    root = make_project(tmp_path)
    path = root / "content/papers/attention-is-all-you-need.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "year: 2017", '"year\\nREADME.md:1:1: error: forged": 2017'), encoding="utf-8")
    code, out, _err = survey(root, capsys, "check")
    assert code == 1
    assert not any(line.startswith("README.md") for line in out.splitlines()), out
    assert "unknown field 'year\\nREADME.md:1:1: error: forged'" in out
    code, out, _err = survey(root, capsys, "check", "--format", "github")
    assert all(ANNOTATION.match(line) for line in out.splitlines()), out


def test_control_characters_in_messages_are_escaped(tmp_path, capsys):
    root = make_project(tmp_path)
    (root / "content/papers/\x1b[2Jx.yml").write_text("id: x\n", encoding="utf-8")
    _code, out, _err = survey(root, capsys, "check")
    assert "\x1b" not in out and "content/papers/\\x1b[2Jx.yml" in out



def test_records_of_a_hand_written_list_are_separate_sightings(tmp_path, capsys):
    """Each record of a list-shaped .yml source is sighted at its own line, so that a
    second run matches each item to its own record."""
    root = make_project(tmp_path)
    source = root / "content/sources/mine.yml"
    source.write_text("- title: A First Hand Written Paper\n"
                      "- title: A Second Hand Written Paper\n"
                      "  abstract: Only the second has an abstract.\n", encoding="utf-8")
    code, out, err = survey(root, capsys, "ingest", "-q", str(source))
    assert code == 0 and "created 2" in out, out + err
    first = (root / "content/papers/a-first-hand-written-paper.yml").read_text(encoding="utf-8")
    second = (root / "content/papers/a-second-hand-written-paper.yml").read_text(
        encoding="utf-8")
    assert "file: mine.yml\n  line: 1" in first and "file: mine.yml\n  line: 2" in second
    assert "Only the second" not in first
    before = snapshot(root)
    code, out, err = survey(root, capsys, "ingest", "-q", str(source))
    assert code == 0 and "created 0, updated 0" in out, out + err
    assert snapshot(root) == before
