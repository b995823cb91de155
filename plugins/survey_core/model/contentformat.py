"""The content format's version: ``content/project.yml``.

A project records the version of the content format it is written in::

    # The content format of this survey; `survey check` says what to change when a newer
    # mkdocs-survey moves it on.
    format: 1

A project without the file is read as format 1 (a note says to add it).  Content
written for a newer format is an error (the installed generator is too old); content
of an older format is an error per step of :data:`MIGRATIONS` still to take, each
naming what to change.
"""

from __future__ import annotations

from pathlib import Path

from survey_core.model.diagnostics import ERROR, INFO, Diagnostic
from survey_core.model.records import parse_yaml
from survey_core.model.safeio import read_text

#: The content format this version of the generator reads and ``survey init`` writes.
FORMAT = 1
PROJECT_FILE = "content/project.yml"
#: What to change to move content from format N to N + 1 (one hint per step).
MIGRATIONS: dict[int, list[str]] = {}
PROJECT_TEXT = ("# The content format of this survey; `survey check` says what to change when a\n"
                "# newer mkdocs-survey moves it on.\n"
                f"format: {FORMAT}\n")


def check_format(root: Path, current: int = FORMAT,
                 migrations: dict[int, list[str]] | None = None) -> list[Diagnostic]:
    """Problems with ``content/project.yml`` against the format ``current``."""
    migrations = MIGRATIONS if migrations is None else migrations
    path = Path(root) / PROJECT_FILE
    if not path.exists():
        return [Diagnostic(PROJECT_FILE, 1, "no content format recorded; the content is "
                           f"read as format {FORMAT}",
                           f"create {PROJECT_FILE} with the line `format: {FORMAT}`",
                           severity=INFO)]
    text, problem = read_text(path, PROJECT_FILE, 64 * 1024, "project file")
    if problem is not None:
        return [problem]
    data, lines, problems = parse_yaml(text or "", PROJECT_FILE)
    if problems:
        return problems
    line = lines.get("format", 1) if isinstance(lines, dict) else 1
    version = data.get("format") if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return [Diagnostic(PROJECT_FILE, line, f"format must be a whole number from 1 "
                           f"(found {version!r})", f"write `format: {FORMAT}`")]
    if version > current:
        return [Diagnostic(PROJECT_FILE, line, f"the content is written in format {version}, "
                           f"newer than this mkdocs-survey reads ({current})",
                           "upgrade the generator: python -m pip install -U mkdocs-survey")]
    out = []
    for step in range(version, current):
        for hint in migrations.get(step, [f"see the release notes of format {step + 1}"]):
            out.append(Diagnostic(PROJECT_FILE, line, f"the content is in format {step}; this "
                                  f"mkdocs-survey reads format {current}", hint, severity=ERROR))
    if out:
        out.append(Diagnostic(PROJECT_FILE, line, f"after the changes above, set format: "
                              f"{current}", severity=ERROR))
    return out
