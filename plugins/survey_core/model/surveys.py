"""Topic surveys (``content/surveys/<id>.md``): front matter, citations, scope.

A survey is Markdown prose written by curators.  Its front matter names its
scope::

    ---
    title: Tokenization for language models
    summary: One sentence shown on the home page.
    topics: [tokenization]        # taxonomy topics (their sub-topics included)
    include: [some-paper-id]      # papers added by hand
    exclude: [other-paper-id]     # papers removed by hand
    revised: 2026-11-22           # when the prose was last revised: papers in scope
    ---                           # added later and not cited are its reading list

Citations are written ``[@key]`` or ``[@a; @b]``; ``\\[@`` is a literal
bracket.  Generated sections are placed with markers on a line of their own::

    <!-- survey:counts -->          figures for the survey
    <!-- survey:timeline -->        papers per year (chart and table)
    <!-- survey:papers TOPIC -->    table of the survey's papers in TOPIC
    <!-- survey:shared -->          other surveys sharing papers with this one
    <!-- survey:references -->      numbered list of every cited paper
    <!-- survey:tree -->            the taxonomy tree figure of the scope (placed
                                    before the text when the marker is absent)
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from survey_core.model.diagnostics import Diagnostic
from survey_core.model.records import ID_RE, parse_yaml, valid_date
from survey_core.model.safeio import read_text
from survey_core.model.sanitise import prose_problems
from survey_core.model.text import LineIndex

CITATION_RE = re.compile(r"(?<!\\)\[(@[A-Za-z0-9]+(?:\s*;\s*@[A-Za-z0-9]+)*)\]")
#: ``[@`` up to the closing bracket on the same line (or the end of the line).
CITATION_LIKE_RE = re.compile(r"(?<!\\)\[@[^\]\n]*(?:\]|$)", re.MULTILINE)
#: Anything that looks meant as a marker: ``<!-- survey:`` in any case or spacing.
MARKER_LIKE_RE = re.compile(r"<!--\s*survey\s*:", re.IGNORECASE)
#: Largest survey file read (bytes); a long survey is about 50 kB.
MAX_SURVEY_BYTES = 1024 * 1024
#: Survey ids that would replace a generated page.
RESERVED_IDS = {"index"}
MARKER_RE = re.compile(r"^<!--\s*survey:(?P<name>[a-z]+)(?:\s+(?P<arg>[a-z0-9-]+))?\s*-->\s*$",
                       re.MULTILINE)
MARKERS = {"counts", "timeline", "papers", "shared", "references", "tree"}
FRONT_FIELDS = {"title", "summary", "topics", "include", "exclude", "curators", "order",
                "revised"}


@dataclass
class Citation:
    keys: list[str]
    line: int
    column: int
    start: int  # offset in the body
    end: int


@dataclass
class Survey:
    id: str
    title: str
    body: str
    path: str
    summary: str = ""
    topics: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    curators: list[str] = field(default_factory=list)
    order: int = 100
    revised: str | None = None  # YYYY-MM-DD the prose was last revised
    body_line: int = 1  # line of the body's first line in the file
    lines: dict[str, int] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    #: Filled by the catalog: ids of the papers in scope, and cited keys in order.
    paper_ids: list[str] = field(default_factory=list)
    cited_keys: list[str] = field(default_factory=list)
    #: Filled by the catalog: papers in scope added after ``revised`` and not cited yet.
    unread_ids: list[str] = field(default_factory=list)


def find_citations(body: str, body_line: int = 1, index: LineIndex | None = None
                   ) -> list[Citation]:
    """Every ``[@key; @key]`` group, with its line and column in the file."""
    index = index or LineIndex(body, body_line)
    out = []
    for m in CITATION_RE.finditer(body):
        keys = [k.strip()[1:] for k in m.group(1).split(";")]
        line, column = index.where(m.start())
        out.append(Citation(keys, line, column, m.start(), m.end()))
    return out


def malformed_citations(body: str, body_line: int = 1, index: LineIndex | None = None
                        ) -> list[tuple[int, int, str]]:
    """``[@...]`` groups that are not valid citations (bad key characters, or no
    closing bracket on the line), quoted at most 60 characters long."""
    index = index or LineIndex(body, body_line)
    good = {m.start() for m in CITATION_RE.finditer(body)}
    out = []
    for m in CITATION_LIKE_RE.finditer(body):
        if m.start() not in good:
            line, column = index.where(m.start())
            text = m.group(0)
            out.append((line, column, text if len(text) <= 60 else text[:57] + "..."))
    return out


def split_front_matter(text: str) -> tuple[str, str, int]:
    """(front matter text, body, line of the body's first line)."""
    if text.startswith("---\n") or text.startswith("---\r\n"):
        end = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
        if end:
            front = text[4: 4 + end.start()]
            body = text[4 + end.end() + 1:]
            return front, body, front.count("\n") + 3
    return "", text, 1


def load_survey(path: Path, relpath: str) -> tuple[Survey | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    sid = path.stem
    if not ID_RE.match(sid):
        diags.append(Diagnostic(relpath, 1, f"survey file name '{path.name}' is not a slug",
                                "name surveys like content/surveys/my-topic.md"))
        return None, diags
    if sid in RESERVED_IDS:
        return None, [Diagnostic(relpath, 1, f"'{path.name}' would replace the generated list "
                                 "of surveys", "give the survey another file name")]
    text, problem = read_text(path, relpath, MAX_SURVEY_BYTES, "survey file")
    if problem:
        return None, [problem]
    front, body, body_line = split_front_matter(text)
    if not front:
        return None, [Diagnostic(relpath, 1, "survey has no front matter",
                                 "start the file with ---, title:, topics: [...], ---")]
    data, lines, problems = parse_yaml(front, relpath)
    if problems:
        return None, [Diagnostic(d.file, d.line + 1, d.message, d.hint, d.severity, d.column)
                      for d in problems]
    lines = {k: v + 1 for k, v in lines.items()}
    if not isinstance(data, dict):
        return None, [Diagnostic(relpath, 2, "front matter must be a mapping",
                                 "write title:, topics:, include:, exclude: fields")]
    for key in data:
        if key not in FRONT_FIELDS:
            diags.append(Diagnostic(relpath, lines.get(str(key), 2), f"unknown front-matter "
                                    f"field {str(key)!r}", "fields: " + ", ".join(
                                        sorted(FRONT_FIELDS))))
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        diags.append(Diagnostic(relpath, lines.get("title", 2), f"'title' must be text, not "
                                f"{type(title).__name__} {title!r:.40}",
                                "quote it: title: '2024'"))
        title = sid
    elif not isinstance(title, str) or not title.strip():
        diags.append(Diagnostic(relpath, lines.get("title", 2), "survey has no title",
                                "add title: ..."))
        title = sid
    summary = data.get("summary")
    if summary is not None and not isinstance(summary, str):
        diags.append(Diagnostic(relpath, lines.get("summary", 2), "'summary' must be text",
                                "write summary: One sentence."))
        summary = ""
    order = data.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        diags.append(Diagnostic(relpath, lines.get("order", 2), f"'order' must be a whole "
                                f"number, not {type(order).__name__} {order!r:.40}",
                                "write order: 10 (surveys are listed by order, then id)"))
        order = 100
    lists = {}
    for key in ("topics", "include", "exclude", "curators"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            diags.append(Diagnostic(relpath, lines.get(key, 2), f"'{key}' must be a list of ids",
                                    f"write {key}: [first-id, second-id]"))
            value = []
        lists[key] = value
    revised = data.get("revised")
    if isinstance(revised, _dt.date):
        revised = revised.isoformat()
    if revised is not None and not (isinstance(revised, str) and valid_date(revised) == "day"):
        diags.append(Diagnostic(relpath, lines.get("revised", 2), "'revised' must be a date "
                                "(YYYY-MM-DD)", "the day the prose was last revised, e.g. "
                                "revised: 2026-11-22"))
        revised = None
    survey = Survey(id=sid, title=title.strip(), body=body, path=relpath, revised=revised,
                    summary=summary or "", order=order,
                    body_line=body_line, lines=lines, **lists)
    index = LineIndex(body, body_line)
    survey.citations = find_citations(body, body_line, index)
    for line, column, text_ in malformed_citations(body, body_line, index):
        what = "malformed" if text_.endswith("]") else "unclosed"
        diags.append(Diagnostic(relpath, line, f"{what} citation {text_!r}",
                                "write [@key] or [@key1; @key2] with keys of letters and digits; "
                                "write \\[@ for a literal bracket", column=column))
    exact = {m.start() for m in MARKER_RE.finditer(body)}
    for m in MARKER_RE.finditer(body):
        line, _column = index.where(m.start())
        if m.group("name") not in MARKERS:
            diags.append(Diagnostic(relpath, line, f"unknown marker survey:{m.group('name')}",
                                    "markers: " + ", ".join(sorted(MARKERS))))
    for m in MARKER_LIKE_RE.finditer(body):
        start = body.rfind("\n", 0, m.start()) + 1
        if start in exact:
            continue
        line, column = index.where(m.start())
        end = body.find("\n", m.start())
        shown = body[m.start(): end if end >= 0 else len(body)][:60]
        diags.append(Diagnostic(relpath, line, f"marker {shown!r} is not understood",
                                "write a marker alone on its line, in lowercase: "
                                "<!-- survey:papers TOPIC-ID --> (markers: "
                                + ", ".join(sorted(MARKERS)) + ")", column=column))
    diags.extend(prose_problems(body, relpath, index))
    return survey, diags
