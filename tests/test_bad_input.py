"""Bad content is refused with its file and line, and never changes a file.

Each case in :data:`CASES` starts from the small valid project in
``tests/bad_input/fixture/`` and lays the files of ``tests/bad_input/<case>/``
over it (paths relative to the project).  For every case:

* ``survey check`` exits 1 and prints ``<file>:<line>:<column>: error: ...``
  with the expected file, line and a piece of the message;
* neither ``survey check`` nor ``survey ingest content/sources/*`` modifies,
  creates or deletes a file under ``content/``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from survey_core.cli import main as survey_main
from survey_core.model.records import _Loader

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "bad_input"
FIXTURE = CORPUS / "fixture"
SMALL = "content/papers/a-study-of-small-models.yml"
SURVEY = "content/surveys/tokenization.md"
TAXONOMY = "content/taxonomy.yml"
ATTENTION = "content/papers/attention-is-all-you-need.yml"
MANIFEST = "content/sources/manifest.yml"
FACTS = "content/sources/arxiv-facts.jsonl"


@dataclass(frozen=True)
class Case:
    name: str
    file: str  # the file the error names
    line: int  # ... and its line
    message: str  # a piece of the error message
    why: str = ""
    delete: tuple[str, ...] = ()  # project files to remove (instead of / besides overlaying)
    #: files `survey ingest` changes on purpose in this case (see the case's `why`)
    ingest_fills: tuple[str, ...] = field(default=())
    #: a known bug (outside the validation code) that makes `survey check` fail on this case
    check_bug: str = ""
    #: a known bug that makes `survey ingest` change a file in this case
    ingest_bug: str = ""
    column: int | None = None  # ... and its column, when the case is about positions
    #: "warning" for a case `survey check` reports without failing (a likely duplicate
    #: that no identifier tells apart: a warning to look at, not a wall)
    severity: str = "error"


CASES = [
    # -- YAML and file-level problems -----------------------------------------------
    Case("yaml-syntax-error", SMALL, 4, "YAML syntax error: mapping values are not allowed"),
    Case("tab-indentation", SMALL, 6, "found character '\\t' that cannot start any token"),
    Case("duplicate-field", SMALL, 9, "field 'title' is given twice (first on line 4)"),
    Case("non-utf8-record", SMALL, 4, "file is not UTF-8"),
    Case("empty-record-file", SMALL, 1, "the record is empty"),
    Case("comment-only-record-file", SMALL, 1, "the record is empty"),
    Case("record-is-a-list", SMALL, 1, "a record must be a mapping of fields, not a list"),
    Case("record-is-a-scalar", SMALL, 1, "a record must be a mapping of fields, not a str"),
    Case("huge-abstract", SMALL, 11, "record file is 5,000,", "a 5 MB abstract is refused "
         "before YAML parsing (which would take seconds)"),
    Case("stray-file-in-papers", "content/papers/notes.txt", 1, "'notes.txt' is not a record"),
    Case("stray-tmp-file-in-papers", "content/papers/a-study-of-small-models.yml.tmp", 1,
         "is not a record file"),
    # -- fields -----------------------------------------------------------------------
    Case("unknown-field", SMALL, 9, "unknown field 'citations'"),
    Case("misspelt-field", SMALL, 4, "unknown field 'titel'"),
    Case("missing-title", SMALL, 1, "missing required field 'title'"),
    Case("missing-key", SMALL, 1, "missing required field 'key'"),
    Case("missing-topics", SMALL, 1, "missing required field 'topics'"),
    Case("empty-topics", SMALL, 9, "record has no topics",
         "ingest fills an empty topics list from the taxonomy rules (fill-only-empty, by "
         "design); nothing else changes", ingest_fills=(SMALL,)),
    Case("title-on-two-lines", SMALL, 4, "title spans several lines"),
    Case("title-too-long", SMALL, 4, "title is 519 characters (limit 500)"),
    Case("id-not-a-slug", "content/papers/A_Study.yml", 2, "id 'A_Study' is not a slug"),
    Case("file-name-not-id", "content/papers/small-models.yml", 2,
         "does not match the file name 'small-models.yml'"),
    Case("key-with-punctuation", SMALL, 3, "key 'doe-2024:study' must be letters and digits"),
    Case("authors-as-string", SMALL, 5, "'authors' must be a list of names, not str"),
    Case("authors-empty-name", SMALL, 5, "every author must be a non-empty name"),
    Case("year-as-string", SMALL, 8, "'year' must be a four-digit year, not str '2024'"),
    Case("upvotes-negative", SMALL, 9, "upvotes must not be negative (-3)"),
    Case("upvotes-text", SMALL, 9, "'upvotes' must be a whole number, not str 'lots'"),
    Case("date-month-13", SMALL, 9, "date '2024-13-01' is not a valid date"),
    Case("date-february-30", SMALL, 9, "date '2024-02-30' is not a valid date"),
    Case("date-precision-unknown", SMALL, 10, "date_precision 'week' is not day, month or year"),
    Case("date-precision-mismatch", SMALL, 10, "date_precision 'day' does not match date"),
    Case("added-not-a-date", SMALL, 15, "added 'yesterday' is not a date"),
    Case("arxiv-id-float", SMALL, 9, "arxiv_id 2401.1 was read as a number"),
    Case("link-javascript", SMALL, 9, "links.code 'javascript:alert(1)' is not an http(s) URL"),
    Case("link-ftp", SMALL, 9, "links.code 'ftp://example.org/code' is not an http(s) URL"),
    Case("link-relative", SMALL, 9, "links.project '../index.html' is not an http(s) URL"),
    Case("link-unknown-kind", SMALL, 9, "unknown link kind 'video'"),
    Case("links-as-list", SMALL, 9, "'links' must be a mapping of link kinds to URLs"),
    Case("unknown-topic", SMALL, 9, "unknown topic 'quantisation'"),
    # -- across records ---------------------------------------------------------------
    Case("duplicate-record-id", "content/papers/copy-of-attention.yml", 2,
         "duplicate id 'attention-is-all-you-need'"),
    Case("duplicate-key", ATTENTION, 3, "duplicate citation key 'vaswani2017attention' "
         "(also used by content/papers/a-study-of-small-models.yml)"),
    Case("near-duplicate-title", "content/papers/attention-is-all-you-needs.yml", 4,
         "a near-identical title as content/papers/attention-is-all-you-need.yml",
         severity="warning"),
    Case("exact-duplicate-title", "content/papers/zz-attention.yml", 4,
         "the same title as content/papers/attention-is-all-you-need.yml"),
    # -- taxonomy -----------------------------------------------------------------------
    Case("taxonomy-yaml-syntax-error", TAXONOMY, 11, "YAML syntax error"),
    Case("taxonomy-cycle", TAXONOMY, 3,
         "topic cycle: language-models -> tokenization -> language-models"),
    Case("taxonomy-unknown-parent", TAXONOMY, 18,
         "topic 'quantization' has unknown parent 'compression'"),
    Case("taxonomy-duplicate-topic-id", TAXONOMY, 18,
         "duplicate topic id 'tokenization' (first defined on line 10)"),
    Case("taxonomy-invalid-regex", TAXONOMY, 18, "is not a valid regular expression"),
    Case("taxonomy-topic-id-not-a-slug", TAXONOMY, 18, "topic id 'Quantization!' is not a slug"),
    Case("taxonomy-unknown-field", TAXONOMY, 10, "unknown topic field 'parents'"),
    Case("taxonomy-unknown-fallback", TAXONOMY, 26, "fallback topic 'other' is not defined"),
    Case("taxonomy-missing", TAXONOMY, 1, "taxonomy file is missing", delete=(TAXONOMY,)),
    # -- surveys ------------------------------------------------------------------------
    Case("survey-unknown-citation", SURVEY, 9,
         "citation [@vaswani2017attentoin] names no paper in the catalog"),
    Case("survey-malformed-citation", SURVEY, 9, "malformed citation '[@vaswani-2017]'"),
    Case("survey-unknown-topic", SURVEY, 4, "unknown topic 'tokenisation' in the survey's scope"),
    Case("survey-unknown-include", SURVEY, 5,
         "include names unknown paper id 'attention-is-all-we-need'"),
    Case("survey-topics-not-a-list", SURVEY, 4, "'topics' must be a list of ids"),
    Case("survey-unknown-marker", SURVEY, 11, "unknown marker survey:chart"),
    Case("survey-papers-marker-unknown-topic", SURVEY, 13,
         "marker survey:papers names unknown topic 'tokenisation'"),
    Case("survey-no-front-matter", SURVEY, 1, "survey has no front matter"),
    Case("survey-front-matter-syntax-error", SURVEY, 3, "YAML syntax error"),
    # -- sources ------------------------------------------------------------------------
    Case("listing-unparseable", "content/sources/broken-listing.txt", 3,
         "expected a paper title, found an author-count line"),
    Case("facts-not-json", "content/sources/arxiv-facts.jsonl", 4, "not a JSON object"),
    Case("source-unknown-type", "content/sources/papers.csv", 1, "unknown source type '.csv'"),
    Case("bibtex-unparseable", "content/sources/refs.bib", 6, "cannot parse BibTeX entry"),
    # -- files that are not regular files, or would be read whole -------------------------
    Case("record-dangling-symlink", "content/papers/dangling.yml", 1,
         "record file is a symbolic link (to 'nowhere')"),
    Case("record-links-to-dev-zero", "content/papers/z.yml", 1,
         "record file is a symbolic link (to '/dev/zero')", "refused by lstat, never read"),
    Case("record-name-is-a-folder", "content/papers/x.yml", 1,
         "record file name is taken by a folder"),
    Case("survey-is-a-folder", "content/surveys/d.md", 1, "survey file name is taken by a folder"),
    Case("survey-order-not-a-number", SURVEY, 3,
         "'order' must be a whole number, not str 'first'"),
    Case("survey-title-not-text", SURVEY, 2, "'title' must be text, not int 2024"),
    Case("taxonomy-fallback-list", TAXONOMY, 26, "fallback must be one topic id, not list"),
    Case("manifest-not-utf8", MANIFEST, 5, "manifest is not UTF-8"),
    Case("manifest-is-a-list", MANIFEST, 1, "the manifest must be a mapping with a 'sources:'"),
    Case("manifest-yaml-error", MANIFEST, 3, "YAML syntax error"),
    Case("facts-authors-a-number", FACTS, 4, "'authors' must be list, not int 5"),
    # -- bounded work ------------------------------------------------------------------------
    Case("yaml-alias-bomb", SMALL, 18, "YAML document uses more than 20 aliases",
         "nine levels of ten aliases would expand to 10^9 strings"),
    Case("taxonomy-rule-not-text", TAXONOMY, 18, "pattern None must be non-empty text"),
    Case("taxonomy-rule-exponential", TAXONOMY, 18, "can take exponential time (a repeat inside "
         "a repeat)"),
    # -- data that was accepted silently -------------------------------------------------------
    Case("record-nul-character", SMALL, 11, "control character U+0000", column=20),
    Case("record-escape-in-value", SMALL, 4, "'title' holds control character U+001B"),
    Case("record-duplicate-nested-key", SMALL, 14,
         "field 'code' is given twice (first on line 13)"),
    Case("record-title-punctuation-only", SMALL, 4, "title '???' has no letters or digits"),
    Case("key-differs-only-in-case", ATTENTION, 3, "citation key 'vaswani2017attention' "
         "differs only in case from 'Vaswani2017attention'"),
    Case("record-key-with-newline", SMALL, 8, "unknown field 'year\\nx.yml:1:1: error: forged'",
         "the line break is shown escaped: the key cannot start a line of its own"),
    Case("taxonomy-no-topics", TAXONOMY, 1, "the taxonomy has no topics"),
    Case("survey-unclosed-citation", SURVEY, 9, "unclosed citation '[@vaswani2017attention and",
         column=59),
    Case("survey-marker-wrong-case", SURVEY, 11, "marker '<!-- survey:Counts -->' is not "
         "understood"),
    Case("survey-marker-bad-argument", SURVEY, 11, "marker '<!-- survey:papers ../../x -->' "
         "is not understood"),
    Case("survey-named-index", "content/surveys/index.md", 1,
         "'index.md' would replace the generated list of surveys"),
    Case("bibtex-string-concatenation", "content/sources/refs.bib", 3,
         "field 'title' of entry 'scaling2024' joins @string macros with '#'"),
    Case("bibtex-keys-differ-in-case", "content/sources/refs.bib", 6,
         "entry key 'tan2024x' differs only in case from 'Tan2024x' (line 1)"),
    # -- hostile survey prose ----------------------------------------------------------------
    Case("survey-script-tag", SURVEY, 9, "HTML tag <script> is not allowed in survey prose",
         column=60),
    Case("survey-javascript-link", SURVEY, 9, "link target 'javascript:alert(1)' is not allowed"),
    Case("survey-event-handler", SURVEY, 9, "attribute 'onerror' is not allowed on <img>"),
]

GENERATED = {
    # 5 MB of abstract: generated, not stored in the repository.
    "huge-abstract": lambda text: text.replace("HUGE_ABSTRACT", "We study small models. "
                                              * (5_000_000 // 23)),
}


def alias_bomb_yaml(text: str) -> str:
    levels = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    for n in range(1, 9):
        levels.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    return text.replace("ALIAS_BOMB", "\n".join(levels))


GENERATED["yaml-alias-bomb"] = alias_bomb_yaml

#: Cases that are not files: made in the project by a function.
SETUPS = {
    "record-dangling-symlink": lambda root: os.symlink(
        "nowhere", root / "content/papers/dangling.yml"),
    "record-links-to-dev-zero": lambda root: os.symlink("/dev/zero", root / "content/papers/z.yml"),
    "record-name-is-a-folder": lambda root: (root / "content/papers/x.yml").mkdir(),
    "survey-is-a-folder": lambda root: (root / "content/surveys/d.md").mkdir(),
}


def make_project(tmp_path: Path, converge: bool = True) -> Path:
    """A copy of the fixture project.  ``converge``: first run `survey ingest` over its
    sources, so that the records are what the current ingest writes (the stored
    fixture may lag behind a change to ingest); the cases are laid over that."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(FIXTURE / "content", root / "content")
    if converge:
        assert survey_main(["--root", str(root), "ingest", "-q", *sources(root)]) == 0
    return root


def apply_case(root: Path, case: Case) -> None:
    folder = CORPUS / case.name
    assert folder.is_dir() or case.delete or case.name in SETUPS, (
        f"no folder tests/bad_input/{case.name}/")
    if case.name in SETUPS:
        SETUPS[case.name](root)
    if folder.is_dir():
        for src in sorted(folder.rglob("*")):
            if src.is_file():
                dest = root / src.relative_to(folder)
                dest.parent.mkdir(parents=True, exist_ok=True)
                if case.name in GENERATED:
                    dest.write_text(GENERATED[case.name](src.read_text(encoding="utf-8")),
                                    encoding="utf-8")
                else:
                    shutil.copyfile(src, dest)
    for rel in case.delete:
        (root / rel).unlink()


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "content").rglob("*")) if p.is_file()}


def survey(root: Path, capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = survey_main(["--root", str(root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def sources(root: Path) -> list[str]:
    return sorted(str(p) for p in (root / "content" / "sources").iterdir())


def diagnostic_lines(output: str) -> list[str]:
    return [line for line in output.splitlines()
            if re.match(r"^\S[^:]*:\d+:\d+: (error|warning): ", line)]


# -- the fixture itself ------------------------------------------------------------------


def test_fixture_project_is_valid_and_ingest_is_a_no_op(tmp_path, capsys):
    """The stored fixture is what ingest writes (regenerate it with `survey ingest
    content/sources/*` in a copy when ingest changes), and ingest is idempotent."""
    root = make_project(tmp_path, converge=False)
    before = snapshot(root)
    code, out, err = survey(root, capsys, "check")
    assert code == 0, out + err
    assert diagnostic_lines(out) == []
    code, out, err = survey(root, capsys, "ingest", "-q", *sources(root))
    assert code == 0, out + err
    assert "created 0, updated 0, unchanged 3 records" in out
    assert snapshot(root) == before


def test_corpus_has_a_folder_per_case_and_enough_cases():
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "fixture"}
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 30
    assert folders == {c.name for c in CASES if (CORPUS / c.name).is_dir()
                       or not (c.delete or c.name in SETUPS)}


# -- every case ------------------------------------------------------------------------------


def _marked(kind: str) -> list:
    out = []
    for case in CASES:
        bug = getattr(case, f"{kind}_bug")
        marks = [pytest.mark.xfail(reason=f"known bug: {bug}", strict=False)] if bug else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


@pytest.mark.parametrize("case", _marked("check"))
def test_check_names_file_and_line_and_changes_nothing(tmp_path, capsys, case):
    root = make_project(tmp_path)
    apply_case(root, case)
    before = snapshot(root)
    code, out, err = survey(root, capsys, "check")
    assert code == (1 if case.severity == "error" else 0), out + err
    errors = [line for line in diagnostic_lines(out) if f": {case.severity}: " in line]
    where = f"{case.file}:{case.line}:" + (f"{case.column}:" if case.column else "")
    assert any(line.startswith(where) and case.message in line for line in errors), (
        f"expected {where} ... {case.message!r} in:\n{out}")
    assert snapshot(root) == before, "survey check changed a file"


@pytest.mark.parametrize("case", _marked("ingest"))
def test_ingest_changes_nothing(tmp_path, capsys, case):
    root = make_project(tmp_path)
    apply_case(root, case)
    before = snapshot(root)
    survey(root, capsys, "ingest", "-q", *sources(root))
    after = snapshot(root)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == set(case.ingest_fills), f"survey ingest changed {sorted(changed)}"
    for rel in case.ingest_fills:  # only empty fields were filled: nothing was lost
        old = yaml.load((CORPUS / case.name / rel).read_text(encoding="utf-8"), Loader=_Loader)
        new = yaml.load((root / rel).read_text(encoding="utf-8"), Loader=_Loader)
        assert {k: v for k, v in new.items() if old.get(k) not in (None, [], "")} == {
            k: v for k, v in old.items() if v not in (None, [], "")}


# -- output formats and warnings ------------------------------------------------------------


def test_check_format_github_prints_annotations(tmp_path, capsys):
    root = make_project(tmp_path)
    apply_case(root, next(c for c in CASES if c.name == "link-javascript"))
    code, out, _err = survey(root, capsys, "check", "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines, out
    assert all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+::", x)
               for x in lines)
    assert f"::error file={SMALL},line=9,col=1::links.code 'javascript:alert(1)' is not an " \
        "http(s) URL" in out


def test_check_github_format_keeps_each_annotation_on_one_line(tmp_path, capsys):
    root = make_project(tmp_path)
    apply_case(root, next(c for c in CASES if c.name == "tab-indentation"))
    code, out, _err = survey(root, capsys, "check", "--format", "github")
    assert code == 1
    assert len(out.strip().splitlines()) == len(re.findall(r"^::", out, re.MULTILINE))


def test_incomplete_metadata_is_a_warning(tmp_path, capsys):
    root = make_project(tmp_path)
    (root / SMALL).write_text(
        "# yaml-language-server: $schema=../paper.schema.json\n"
        "id: a-study-of-small-models\nkey: study\ntitle: A Study of Small Models\n"
        "topics:\n- language-models\nabstract: ''\nsources:\n- file: listing.txt\n"
        "added: '2024-10-01'\n", encoding="utf-8")
    code, out, err = survey(root, capsys, "check")
    assert code == 0, out + err
    assert f"{SMALL}:4:1: warning: no authors known" in out
    assert f"{SMALL}:4:1: warning: no year known" in out
    assert "check: 0 error(s)" in err
    code, out, _err = survey(root, capsys, "check", "--format", "github")
    assert code == 0
    assert f"::warning file={SMALL},line=4,col=1::no authors known" in out


def test_console_script_reports_file_and_line(tmp_path):
    """The installed `survey` command, as CI runs it (not only the function)."""
    root = make_project(tmp_path)
    apply_case(root, next(c for c in CASES if c.name == "date-february-30"))
    exe = shutil.which("survey")
    cmd = [exe] if exe else [sys.executable, "-m", "survey_core.cli"]
    out = subprocess.run([*cmd, "check"], cwd=root, capture_output=True, text=True,
                         timeout=120, env=dict(os.environ))
    assert out.returncode == 1
    assert f"{SMALL}:9:1: error: date '2024-02-30' is not a valid date" in out.stdout
    assert "hint:" in out.stdout
