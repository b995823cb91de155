"""Filling paper records from the arXiv API (the logic behind ``survey enrich``).

Plain Python (no MkDocs import).  The command reads the records, calls
:func:`enrich_papers` and writes back the papers it changed; ``survey new --arxiv``
uses :func:`apply_arxiv_entry` directly.

Rules:

* A value a record already has is never overwritten (a curator may have set it);
  only empty fields are filled.
* A paper without ``arxiv_id`` is looked up by title, and a result is accepted
  only when its :func:`~survey_core.importers.arxiv.normalise_title` equals the paper's.
* Every filled field group gets ``provenance[group] = "arxiv-api <date>"``.
* Progress is saved after each paper in a JSON state file, so a rerun after an
  interruption (or after the network went away) skips the papers already done.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey_core.importers.arxiv import (
    BATCH_SIZE,
    ArxivEntry,
    ArxivError,
    ArxivOffline,
    abs_url,
    normalise_id,
    normalise_title,
    pdf_url,
)
from survey_core.model.model import Paper, today

#: Where ``survey enrich`` keeps its progress, relative to the project root.
DEFAULT_STATE_PATH = Path(".survey-cache") / "enrich-state.json"
STATE_VERSION = 1

# Outcome statuses.
UPDATED = "updated"  # found, and at least one field was filled
UNCHANGED = "unchanged"  # found, but arXiv had nothing to add
NOT_FOUND = "not-found"  # the arxiv_id is unknown to arXiv
NO_MATCH = "no-match"  # no search result has exactly the paper's title
CONFLICT = "conflict"  # the title matched an arXiv id another record already has
ERROR = "error"  # the API rejected the query; not recorded as done, retried next run

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Change:
    """One field filled on one paper: ``field`` is a Paper attribute name, or
    ``links.<kind>`` / ``provenance.<group>``."""

    field: str
    old: Any
    new: Any

    def describe(self, width: int = 70) -> str:
        return f"{self.field}: {_show(self.old, width)} -> {_show(self.new, width)}"


@dataclass
class PaperOutcome:
    """What happened to one paper that needed a lookup."""

    paper: Paper  # the paper as enriched (a copy in a dry run)
    lookup: str  # "id" or "title"
    status: str  # UPDATED, UNCHANGED, NOT_FOUND, NO_MATCH, CONFLICT or ERROR
    changes: list[Change] = field(default_factory=list)
    note: str = ""

    @property
    def id(self) -> str:
        return self.paper.id


@dataclass
class EnrichResult:
    """The outcome of :func:`enrich_papers`."""

    dry_run: bool
    #: One outcome per paper looked up, in processing order.
    outcomes: list[PaperOutcome] = field(default_factory=list)
    #: Ids of papers needing a lookup that the state file marks as done.
    skipped: list[str] = field(default_factory=list)
    #: Papers that needed no lookup (every field already filled).
    up_to_date: int = 0
    #: Papers still to look up in this run (outcomes fill up to this number).
    total: int = 0
    #: False when the run stopped early (ArxivOffline).
    complete: bool = False

    @property
    def changed(self) -> list[PaperOutcome]:
        return [o for o in self.outcomes if o.changes]

    @property
    def changed_papers(self) -> list[Paper]:
        """The papers to write back (in a dry run: modified copies, not to be written)."""
        return [o.paper for o in self.changed]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def report_lines(self, width: int = 70) -> list[str]:
        """Human-readable lines: each changed paper with its changes, then papers
        that could not be matched, then a summary line."""
        lines: list[str] = []
        for o in self.outcomes:
            if o.changes:
                how = "by title" if o.lookup == "title" else "by id"
                lines.append(f"{o.id} (arXiv {o.paper.arxiv_id}, found {how}):")
                lines.extend(f"  {c.describe(width)}" for c in o.changes)
        for o in self.outcomes:
            if o.status in (NOT_FOUND, NO_MATCH, CONFLICT, ERROR):
                lines.append(f"{o.id}: {o.status}" + (f" ({o.note})" if o.note else ""))
        verb = "would update" if self.dry_run else "updated"
        summary = (
            f"{verb} {len(self.changed)} of {len(self.outcomes)} papers looked up; "
            f"{self.count(NO_MATCH) + self.count(NOT_FOUND)} not found on arXiv, "
            f"{self.count(CONFLICT)} conflicts, {self.count(ERROR)} errors; "
            f"{len(self.skipped)} skipped (done in an earlier run), "
            f"{self.up_to_date} already complete"
        )
        if not self.complete:
            summary += f"; stopped after {len(self.outcomes)} of {self.total}"
        lines.append(summary)
        return lines


def _show(value: Any, width: int) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def default_source_label() -> str:
    """The provenance written for values filled from the API: ``arxiv-api <today>``."""
    return f"arxiv-api {today()}"


# -- the merge -------------------------------------------------------------------


def apply_arxiv_entry(paper: Paper, entry: ArxivEntry, source_label: str) -> list[Change]:
    """Fill the empty fields of ``paper`` from ``entry`` (in place); return the changes.

    Filled when empty: ``arxiv_id`` and ``primary_class`` (group "arxiv"),
    ``authors`` with ``authors_complete = True`` (group "authors"; the API lists
    every author), ``year`` and ``month`` (group "year"; the month only when the
    paper's year is the arXiv year), ``abstract`` (group "abstract"),
    ``links['arxiv']`` and ``links['pdf']`` (group "links", canonical unversioned
    URLs).  ``provenance[group] = source_label`` is set for each group filled.
    Non-empty values are never changed.

    Raises :class:`ValueError` when the paper already has a different arXiv id.
    """
    if paper.arxiv_id and _same_id(paper.arxiv_id) != entry.arxiv_id:
        raise ValueError(
            f"paper {paper.id} has arxiv_id {paper.arxiv_id}, not {entry.arxiv_id}"
        )
    changes: list[Change] = []
    groups: list[str] = []

    def fill(name: str, value: Any, group: str) -> None:
        old = getattr(paper, name)
        if old not in (None, "", []) or value in (None, "", []):
            return
        setattr(paper, name, value)
        changes.append(Change(name, old, value))
        if group not in groups:
            groups.append(group)

    fill("arxiv_id", entry.arxiv_id, "arxiv")
    if not paper.authors and entry.authors:
        fill("authors", list(entry.authors), "authors")
        if not paper.authors_complete:
            paper.authors_complete = True
            changes.append(Change("authors_complete", False, True))
    fill("year", entry.year, "year")
    if paper.year == entry.year:
        fill("month", entry.month, "year")
    fill("primary_class", entry.primary_class, "arxiv")
    fill("abstract", entry.abstract, "abstract")
    for kind, url in (("arxiv", abs_url(entry.arxiv_id)), ("pdf", pdf_url(entry.arxiv_id))):
        if not paper.links.get(kind):
            paper.links[kind] = url
            changes.append(Change(f"links.{kind}", None, url))
            if "links" not in groups:
                groups.append("links")
    for group in groups:
        old = paper.provenance.get(group)
        if old != source_label:
            paper.provenance[group] = source_label
            changes.append(Change(f"provenance.{group}", old, source_label))
    return changes


def _same_id(value: str) -> str:
    try:
        return normalise_id(value)
    except ValueError:
        return value.strip()


def needs_lookup(paper: Paper) -> str | None:
    """``"title"`` for a paper without arXiv id, ``"id"`` for one with an id but a
    missing field (authors, year, month, primary_class or abstract), else None."""
    if not paper.arxiv_id:
        return "title" if normalise_title(paper.title) else None
    if (
        not paper.authors
        or paper.year is None
        or paper.month is None
        or not paper.primary_class
        or not paper.abstract.strip()
    ):
        return "id"
    return None


# -- the state file --------------------------------------------------------------


def load_state(path: Path | None) -> set[str]:
    """Ids of papers done by earlier runs (empty when there is no usable state file)."""
    if path is None or not path.exists():
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    done = data.get("done") if isinstance(data, dict) else None
    return {d for d in done if isinstance(d, str)} if isinstance(done, list) else set()


def save_state(path: Path, done: set[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        json.dumps({"version": STATE_VERSION, "done": sorted(done)}, indent=1) + "\n",
        encoding="utf-8",
    )
    tmp.replace(path)


def clear_state(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


# -- the run ---------------------------------------------------------------------


def enrich_papers(
    papers: Sequence[Paper],
    client: Any,
    *,
    dry_run: bool,
    state_path: Path | None,
    progress: Progress | None = None,
    restart: bool = False,
    source_label: str | None = None,
) -> EnrichResult:
    """Look papers up on arXiv and fill their empty fields.

    ``client`` is an :class:`~survey_core.importers.arxiv.ArxivClient` (or anything with its
    ``by_ids`` and ``search_title`` methods).  Papers with an ``arxiv_id`` and a
    missing field are fetched by id (batches of 50) first, then papers without
    ``arxiv_id`` are searched by title, one request each.

    Not a dry run: the papers are changed in place; write back
    ``result.changed_papers``.  Dry run: the papers are deep-copied first (the
    objects passed in stay as they are), the state file is read but neither
    written nor cleared, and ``result`` lists what would change.

    After each paper is looked up (found or not, except on ``ERROR``) its id is
    added to the state file at ``state_path`` (None: no state); papers listed
    there are skipped by later runs.  ``restart=True`` ignores (and, unless a
    dry run, deletes) the state file first.

    ``progress(done, total, paper_id)`` is called after each paper looked up.

    On :class:`~survey_core.importers.arxiv.ArxivOffline` the run stops at once: the papers
    already filled keep their values, the state keeps their ids, and the
    exception is re-raised with ``exc.result`` set to the partial
    :class:`EnrichResult` (``complete`` False), so the caller can write the
    changed records, print ``str(exc)`` and exit non-zero.
    """
    label = source_label or default_source_label()
    work = [copy.deepcopy(p) for p in papers] if dry_run else list(papers)
    if restart:
        done: set[str] = set()
        if not dry_run:
            clear_state(state_path)
    else:
        done = load_state(state_path)
    result = EnrichResult(dry_run=dry_run)

    by_id: list[Paper] = []
    by_title: list[Paper] = []
    for paper in work:
        kind = needs_lookup(paper)
        if kind is None:
            result.up_to_date += 1
        elif paper.id in done:
            result.skipped.append(paper.id)
        else:
            (by_id if kind == "id" else by_title).append(paper)
    result.total = len(by_id) + len(by_title)
    owners = {_same_id(p.arxiv_id): p.id for p in work if p.arxiv_id}

    def finish(outcome: PaperOutcome) -> None:
        result.outcomes.append(outcome)
        if outcome.status != ERROR and not dry_run and state_path is not None:
            done.add(outcome.id)
            save_state(state_path, done)
        if progress is not None:
            progress(len(result.outcomes), result.total, outcome.id)

    try:
        _run_by_id(by_id, client, label, finish)
        for paper in by_title:
            finish(_lookup_title(paper, client, label, owners))
    except ArxivOffline as exc:
        exc.result = result  # type: ignore[attr-defined]
        raise
    result.complete = True
    return result


def _run_by_id(
    papers: list[Paper], client: Any, label: str, finish: Callable[[PaperOutcome], None]
) -> None:
    valid: list[Paper] = []
    for paper in papers:
        try:
            normalise_id(paper.arxiv_id or "")
        except ValueError as exc:
            finish(PaperOutcome(paper, "id", ERROR, note=str(exc)))
        else:
            valid.append(paper)
    for start in range(0, len(valid), BATCH_SIZE):
        batch = valid[start : start + BATCH_SIZE]
        try:
            entries = client.by_ids([normalise_id(p.arxiv_id or "") for p in batch])
        except ArxivOffline:
            raise
        except ArxivError as exc:
            if len(batch) == 1:
                finish(PaperOutcome(batch[0], "id", ERROR, note=str(exc)))
                continue
            # One bad id fails the whole request: ask for each paper alone.
            for paper in batch:
                _run_by_id([paper], client, label, finish)
            continue
        found = {e.arxiv_id: e for e in entries}
        for paper in batch:
            entry = found.get(normalise_id(paper.arxiv_id or ""))
            if entry is None:
                finish(PaperOutcome(paper, "id", NOT_FOUND,
                                    note=f"arXiv has no paper {paper.arxiv_id}"))
                continue
            changes = apply_arxiv_entry(paper, entry, label)
            finish(PaperOutcome(paper, "id", UPDATED if changes else UNCHANGED, changes))


def _lookup_title(paper: Paper, client: Any, label: str, owners: dict[str, str]) -> PaperOutcome:
    try:
        results = client.search_title(paper.title, max_results=5)
    except ArxivOffline:
        raise
    except ArxivError as exc:
        return PaperOutcome(paper, "title", ERROR, note=str(exc))
    wanted = normalise_title(paper.title)
    match = next((e for e in results if normalise_title(e.title) == wanted), None)
    if match is None:
        note = f"closest arXiv title: {results[0].title!r}" if results else "no results"
        return PaperOutcome(paper, "title", NO_MATCH, note=note)
    owner = owners.get(match.arxiv_id)
    if owner is not None and owner != paper.id:
        return PaperOutcome(
            paper, "title", CONFLICT,
            note=f"its title matches arXiv {match.arxiv_id}, which record {owner} already has "
            "(a duplicate?)",
        )
    changes = apply_arxiv_entry(paper, match, label)
    owners[match.arxiv_id] = paper.id
    return PaperOutcome(paper, "title", UPDATED if changes else UNCHANGED, changes)


# -- writing through the store ------------------------------------------------------

#: The field group of each changed field (see :func:`apply_arxiv_entry`).
_GROUP = {"arxiv_id": "arxiv", "primary_class": "arxiv", "authors": "authors",
          "authors_complete": "authors", "year": "year", "month": "year",
          "abstract": "abstract"}


def replay(paper: Paper, changes: list[Change]) -> bool:
    """Apply the ``changes`` a lookup made to (a fresher copy of) the record ``paper``,
    filling only what is still empty; a group's provenance is set only when one of
    its fields was filled here.  True when the record changed."""
    filled: set[str] = set()
    for ch in changes:
        if ch.field.startswith("provenance."):
            continue
        if ch.field.startswith("links."):
            kind = ch.field.split(".", 1)[1]
            if not paper.links.get(kind):
                paper.links[kind] = ch.new
                filled.add("links")
        elif ch.field == "authors_complete":
            if "authors" in filled:
                paper.authors_complete = True
        elif getattr(paper, ch.field) in (None, "", []):
            setattr(paper, ch.field, ch.new)
            filled.add(_GROUP[ch.field])
    for ch in changes:
        group = ch.field.partition(".")[2] if ch.field.startswith("provenance.") else ""
        if group in filled:
            paper.provenance[group] = ch.new
    return bool(filled)


def write_enriched(root: Path, result: EnrichResult, taxonomy: Any = None,
                   on_written: Callable[[], None] | None = None
                   ) -> tuple[list[str], list[Any]]:
    """Write what an enrich run found the way ingest writes: under the content lock,
    onto the records as they are now (another command may have changed them during
    the lookups), checked as ``survey check`` would, then all in one swap
    (:mod:`survey_core.model.store`).  ``on_written`` runs once the records are written,
    still under the lock (the command saves its progress there).  Returns (ids
    written, errors); on errors nothing is written."""
    from survey_core.importers.ingest import load_records
    from survey_core.model.diagnostics import Diagnostic
    from survey_core.model.records import dump_record
    from survey_core.model.store import (
        LOCK_FILE,
        LockTimeout,
        content_lock,
        rejected_records,
        write_records,
    )

    try:
        with content_lock(root):
            papers, problems = load_records(root / "content" / "papers", root)
            errors = [d for d in problems if d.is_error]
            if errors:
                return [], errors
            by_id = {p.id: p for p in papers}
            changed: list[Paper] = []
            for outcome in result.changed:
                paper = by_id.get(outcome.id)
                if paper is not None and replay(paper, outcome.changes):
                    changed.append(paper)
            ids = {id(p) for p in changed}
            unchanged = [p for p in papers if id(p) not in ids]
            texts = {p.id: dump_record(p) for p in changed}
            errors = [d for _p, d in rejected_records(root, changed, unchanged, taxonomy, texts)]
            if errors:
                return [], errors
            written = write_records(root, changed, texts)
            if on_written is not None:
                on_written()
            return written, []
    except LockTimeout as exc:
        return [], [Diagnostic(LOCK_FILE, 1, str(exc), "wait for it to finish; a lock left by "
                               "a dead process is released by the system")]
