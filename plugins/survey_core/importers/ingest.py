"""``survey ingest``: turn source files into paper records.

Sources are read completely before anything is written; one problem in any of
them and nothing is written.  Records are merged by arXiv id or DOI first, then
by normalised title, but never with a record whose arXiv id or DOI differs (see
:mod:`survey_core.model.identity`).  Ingest only *fills* fields that are empty
on a record, a field group at a time from one source (:data:`FIELD_GROUPS`), so
whatever a curator set is never overwritten; the exceptions are ``sources``
(the union of every source the paper was seen in) and ``upvotes`` (the highest
count seen).  Every filled field group is noted in the record's ``provenance``.
Every value a source gives passes :func:`survey_core.model.identity.clean_fields`;
what cannot be kept is reported with its file, line and entry, and counted.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from survey_core.importers.listing import ListingError, parse_listing
from survey_core.model.diagnostics import ERROR, WARNING, Diagnostic
from survey_core.model.identity import Dropped, clean_fields, dropped_message, proven_different
from survey_core.model.keys import make_key
from survey_core.model.model import LINK_KINDS, Paper, Source
from survey_core.model.records import (
    KEY_RE,
    dump_record,
    paper_from_mapping,
    parse_yaml,
    read_record,
    valid_date,
)
from survey_core.model.safeio import read_text
from survey_core.model.store import (
    LOCK_FILE,
    LockTimeout,
    content_lock,
    rejected_records,
    write_records,
)
from survey_core.model.taxonomy import Taxonomy
from survey_core.model.text import normalise_title, slugify
from survey_core.model.venues import load_venues

MANIFEST = "manifest.yml"
MAX_MANIFEST_BYTES = 1024 * 1024
#: Largest source file read (bytes): a BibTeX export of 50,000 papers is about 60 MB.
MAX_SOURCE_BYTES = 512 * 1024 * 1024
FACTS_MIN_CONFIDENCE = ("high", "medium")

Progress = Callable[[int, int, str], None]


@dataclass
class Incoming:
    """What one source says about one paper."""

    source: Source
    label: str  # provenance label, e.g. "listing 003_...txt"
    fields: dict[str, Any]
    priority: int  # lower is applied first (wins for fill-only-empty)
    creates: bool = True  # False: only enriches records other sources created
    #: from a file this tool exported (``bib/all.bib``): matched by citation key, and
    #: not recorded as a new sighting of papers that already have a record
    own_export: bool = False
    #: the record these facts are for (an addendum names it); matched first
    record_id: str | None = None
    #: values the reader could not keep: (field, value as given, why)
    dropped: list[Dropped] = field(default_factory=list)
    #: a hand-written record: checked as a record (a wrong value refuses the run), not
    #: tolerated as a foreign export's values are
    as_record: bool = False


@dataclass
class IngestResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    #: source entries read (every format), and by format ("BibTeX", "awesome list" ...)
    entries: int = 0
    entries_by_format: dict[str, int] = field(default_factory=dict)
    #: entries read but not papers (a proceedings volume, a link to docs or a blog)
    skipped: int = 0
    #: values a source gave that could not be kept (each reported with its file and line)
    dropped: int = 0
    skipped_low_confidence: int = 0
    unmatched_facts: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def load_manifest(sources_dir: Path) -> dict[str, dict[str, Any]]:
    """The manifest's entries by source file name (problems: :func:`manifest_problems`)."""
    return read_manifest(sources_dir)[0]


def read_manifest(sources_dir: Path) -> tuple[dict[str, dict[str, Any]], list[Diagnostic]]:
    """``content/sources/manifest.yml``: its entries, and what is wrong with it."""
    path = sources_dir / MANIFEST
    rel = f"content/sources/{MANIFEST}"
    if not os.path.lexists(path):
        return {}, []
    text, problem = read_text(path, rel, MAX_MANIFEST_BYTES, "manifest")
    if problem:
        return {}, [problem]
    data, lines, diags = parse_yaml(text, rel)
    if diags:
        return {}, diags
    if data is None:
        return {}, []
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(entries, (dict, type(None))):
        return {}, [Diagnostic(rel, lines.get("sources", 1), "the manifest must be a mapping "
                               "with a 'sources:' mapping of file names",
                               "see content/sources/README.md")]
    out: dict[str, dict[str, Any]] = {}
    for name, meta in (entries or {}).items():
        if not isinstance(meta, dict):
            diags.append(Diagnostic(rel, lines.get("sources", 1), f"manifest entry "
                                    f"{str(name)!r:.60} must be a mapping (kind:, captured:, "
                                    "added:)", "see content/sources/README.md"))
            continue
        out[str(name)] = meta
    return out, diags


def _as_date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and valid_date(value) == "day":
        return _dt.date.fromisoformat(value)
    return None


def _source_name(path: Path, root: Path) -> str:
    try:
        rel = path.resolve().relative_to((root / "content" / "sources").resolve())
        return rel.as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.name


def is_sources_doc(path: Path, root: Path) -> bool:
    """``content/sources/README.md`` (documentation) and the manifest: not sources.
    Any other file named on the command line is read, a ``README.md`` awesome list too."""
    sources = (root / "content" / "sources").resolve()
    return path.resolve().parent == sources and path.name in (MANIFEST, "README.md")


class SourceRead(NamedTuple):
    """What one source file gave: its entries as incoming facts, the problems found
    (errors refuse the run, warnings are said), low-confidence facts left out, and
    entries read that are not papers (each one also a warning)."""

    items: list[Incoming]
    diagnostics: list[Diagnostic]
    low: int = 0
    skipped: int = 0


def read_source(path: Path, root: Path, manifest: dict[str, dict[str, Any]]) -> SourceRead:
    """Parse one source file into incoming facts (see :class:`SourceRead`)."""
    name = _source_name(path, root)
    shown = path.as_posix()
    meta = manifest.get(name, {})
    text, problem = read_text(path, shown, MAX_SOURCE_BYTES, "source")
    if problem:
        return SourceRead([], [problem])
    suffix = path.suffix.lower()
    if suffix == ".txt":
        try:
            entries = parse_listing(text, _as_date(meta.get("captured")))
        except ListingError as exc:
            return SourceRead([], [Diagnostic(shown, n, msg, "fix the listing copy at this "
                                              "line (see content/sources/README.md for the "
                                              "format)") for n, msg in exc.problems])
        items = []
        for e in entries:
            fields: dict[str, Any] = {"title": e.title, "abstract": e.abstract}
            for key in ("author_count", "organisation", "date", "date_precision", "upvotes"):
                if getattr(e, key) is not None:
                    fields[key] = getattr(e, key)
            if e.links:
                fields["links"] = dict(e.links)
            items.append(Incoming(Source(name, e.line), f"listing {name}", fields, 2))
        return SourceRead(items, [])
    if suffix == ".jsonl":
        return _read_facts(text, name, shown)
    if suffix in _REFERENCE_FORMATS:
        return _read_references(suffix, text, name, shown, root)
    if suffix in (".md", ".markdown"):
        return _read_awesome(text, name, shown, root)
    if suffix in (".yml", ".yaml"):
        data, lines, diags = parse_yaml(text, shown)
        if diags:
            return SourceRead([], diags)
        rows = data if isinstance(data, list) else [data]
        # each record of a list is its own sighting (file, line of the item)
        starts = _item_lines(text) if isinstance(data, list) else [lines.get("title")]
        items = []
        for row, line in zip(rows, starts, strict=False):
            if not isinstance(row, dict) or not isinstance(row.get("title"), str):
                return SourceRead([], [Diagnostic(shown, line or 1, "a hand-written source must "
                                                  "be a record mapping (or a list of them) with "
                                                  "at least a title",
                                                  "see README.md, Record schema")])
            items.append(Incoming(Source(name, line), f"record {name}",
                                  {k: v for k, v in row.items() if k not in ("id", "key")}, 0,
                                  as_record=True))
        return SourceRead(items, [])
    return SourceRead([], [Diagnostic(shown, 1, f"unknown source type '{suffix}'",
                                      "sources are listing copies (.txt), BibTeX (.bib), "
                                      "CSL-JSON (.json), RIS (.ris), awesome lists (.md), arXiv "
                                      "facts (.jsonl) or records (.yml)")])


#: Reference formats: suffix -> (label, problem, hint).
_REFERENCE_FORMATS = {
    ".bib": ("bibtex", "cannot parse BibTeX entry",
             "fix the entry's braces and commas, or remove it"),
    ".json": ("csl-json", "cannot read CSL-JSON",
              "export the library again as CSL-JSON, or fix the item"),
    ".ris": ("ris", "cannot read RIS", "each reference is 'TY  - ...' lines ending with 'ER  - '"),
}


def _parse_references(suffix: str, text: str, shown: str
                      ) -> tuple[list[dict[str, Any]], list[tuple[int, str]], bool]:
    """(records, errors, is this tool's own export) for a reference file."""
    if suffix == ".bib":
        from survey_core.formats.bibtex import parse_bibtex

        records, errors = parse_bibtex(text, shown)
        return records, errors, text.lstrip().split("\n", 1)[0].endswith("exported by survey")
    if suffix == ".ris":
        from survey_core.importers.refimport import parse_ris

        return (*parse_ris(text, shown), False)
    from survey_core.formats.csl import csl_items_text
    from survey_core.importers.refimport import parse_csl_json

    records, errors = parse_csl_json(text, shown)
    # this site's own data/papers.json: written byte for byte as the export writes it
    own = not errors and csl_items_text(json.loads(text)) == text
    for rec in records if own else []:
        rec.pop("authors_complete", None)  # CSL cannot say that a list is partial
    return records, errors, own


def _read_references(suffix: str, text: str, name: str, shown: str, root: Path
                     ) -> SourceRead:
    label, problem, hint = _REFERENCE_FORMATS[suffix]
    records, errors, own = _parse_references(suffix, text, shown)
    diags = [Diagnostic(shown, line, f"{problem}: {msg}", hint) for line, msg in errors]
    items, skipped = _record_items(records, name, f"{label} {name}", root, shown, own)
    return SourceRead(items, diags + skipped, skipped=len(skipped))


#: Keys of a reader's record dict that are not record fields.
_READER_KEYS = ("key", "entry", "line", "section", "dropped", "skip")


def _record_items(records: list[dict[str, Any]], name: str, label: str, root: Path,
                  shown: str, own: bool = False) -> tuple[list[Incoming], list[Diagnostic]]:
    """Incoming items from a reader's record dicts (empty values left out; venues as
    the venue table shows them), and a warning for each entry that is not a paper
    (``skip``: why)."""
    venues, _problems = load_venues(root)
    items = []
    skipped = []
    for rec in records:
        entry = rec.get("key") or rec.get("entry")
        if rec.get("skip"):
            where = f"entry {entry}: " if entry else ""
            skipped.append(Diagnostic(shown, rec.get("line") or 1, f"{where}skipped "
                                      f"{str(rec.get('title') or '')[:60]!r}: {rec['skip']}",
                                      "not a paper, so no record; remove it from the source "
                                      "if this is right", WARNING))
            continue
        fields = {k: v for k, v in rec.items() if k not in _READER_KEYS
                  and v not in (None, "", [], {})}
        if fields.get("venue"):
            fields["venue"] = venues.normalise(fields["venue"], fields.get("year"))
        source = Source(name, rec.get("line"), entry, rec.get("section"))
        items.append(Incoming(source, label, fields, 1, own_export=own,
                              dropped=list(rec.get("dropped") or [])))
    return items, skipped


#: An awesome list is refused when fewer than this share of its items could be read.
AWESOME_MIN_READABLE = 0.5


def _read_awesome(text: str, name: str, shown: str, root: Path) -> SourceRead:
    from survey_core.importers.awesome import parse_awesome

    venues, _problems = load_venues(root)
    records, unreadable, skipped = parse_awesome(text, shown, venues)
    hint = ("write the item as '- [Title](link) venue year', or remove it; see "
            "CONTRIBUTING.md, awesome lists")
    if len(records) < AWESOME_MIN_READABLE * (len(records) + len(unreadable)) or not records:
        whole = Diagnostic(shown, 1, f"not an awesome list that can be read: {len(records)} "
                           f"papers read, {len(unreadable)} list items unreadable",
                           "a listing is read only when most of its items are papers "
                           "('- [Title](link) ...')")
        return SourceRead([], [whole] + [Diagnostic(shown, n, msg, hint)
                                         for n, msg in unreadable])
    diags = [Diagnostic(shown, n, msg, hint, WARNING) for n, msg in unreadable]
    diags += [Diagnostic(shown, n, msg, "not a paper, so no record", WARNING)
              for n, msg in skipped]
    items, _none = _record_items(records, name, f"awesome list {name}", root, shown)
    return SourceRead(items, sorted(diags, key=lambda d: d.line), skipped=len(skipped))


def _item_lines(text: str) -> list[int]:
    """Line of each item of a YAML list (the text parsed already without problems)."""
    import yaml

    from survey_core.model.records import _Loader

    node = yaml.compose(text, Loader=_Loader)
    return [item.start_mark.line + 1 for item in getattr(node, "value", [])]


def _read_facts(text: str, name: str, shown: str) -> SourceRead:
    from survey_core.model.safeio import load_json

    items: list[Incoming] = []
    diags: list[Diagnostic] = []
    low = 0
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row, problem = load_json(line)
        if problem:
            diags.append(Diagnostic(shown, n, f"not a JSON object: {problem}",
                                    "each line is one JSON object"))
            continue
        if not isinstance(row, dict) or not isinstance(row.get("title"), str):
            diags.append(Diagnostic(shown, n, "a facts line needs a 'title'"))
            continue
        problem = _facts_problem(row)
        if problem:
            diags.append(Diagnostic(shown, n, problem, "see content/sources/README.md for the "
                                    "fields of a facts line"))
            continue
        if row.get("confidence") not in FACTS_MIN_CONFIDENCE:
            low += 1
            continue
        record_id = row.get("record_id")
        items.append(Incoming(Source(name, n), facts_label(name, row), facts_fields(row), 1,
                              creates=False,
                              record_id=record_id if isinstance(record_id, str) else None))
    return SourceRead(items, diags, low)


#: Type of each field of an arXiv-facts line (null is always allowed).
FACTS_TYPES: dict[str, tuple[type, ...]] = {
    "arxiv_id": (str,), "authors": (list,), "authors_complete": (bool,), "year": (int,),
    "month": (int,), "primary_class": (str,), "venue": (str,), "code_url": (str,),
    "source_url": (str,), "confidence": (str,), "note": (str,), "doi": (str,),
    "record_id": (str,), "sources": (list,),
}


def _facts_problem(row: dict[str, Any]) -> str:
    for key, types in FACTS_TYPES.items():
        value = row.get(key)
        if value is None:
            continue
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            return f"'{key}' must be {types[0].__name__}, not {type(value).__name__} {value!r:.40}"
    if any(not isinstance(a, str) for a in row.get("authors") or []):
        return "'authors' must be a list of names (text)"
    return ""


def facts_label(name: str, row: dict[str, Any]) -> str:
    label = f"{name}:{row.get('confidence', '?')}"
    sources = row.get("sources")
    first = sources[0] if isinstance(sources, list) and sources else row.get("source_url")
    if isinstance(first, str) and first:
        label += f" ({first})"
    return label


def facts_fields(row: dict[str, Any]) -> dict[str, Any]:
    """Record fields from one arXiv-facts line (nulls dropped, never guessed)."""
    fields: dict[str, Any] = {"title": row["title"]}
    if row.get("arxiv_id"):
        fields["arxiv_id"] = str(row["arxiv_id"])
        fields["links"] = {"arxiv": f"https://arxiv.org/abs/{row['arxiv_id']}",
                           "pdf": f"https://arxiv.org/pdf/{row['arxiv_id']}"}
    if row.get("authors"):
        fields["authors"] = list(row["authors"])
        fields["authors_complete"] = bool(row.get("authors_complete"))
    for key in ("year", "month", "primary_class", "venue"):
        if row.get(key):
            fields[key] = row[key]
    if row.get("doi"):
        fields["doi"] = row["doi"]  # checked (and reported when dropped) by clean_fields
    if row.get("code_url"):
        fields.setdefault("links", {})["code"] = row["code_url"]
    return fields


#: Which provenance group a field belongs to.
GROUP_OF = {
    "title": "title", "abstract": "abstract", "authors": "authors", "authors_complete": "authors",
    "author_count": "authors", "year": "year", "month": "year", "date": "date",
    "date_precision": "date", "upvotes": "upvotes", "organisation": "organisation",
    "venue": "venue", "arxiv_id": "arxiv", "primary_class": "arxiv", "topics": "topics",
    "doi": "doi",
}
#: Fields that belong together, the group's main field first: a group is filled
#: from one source only, when the paper's main field is empty (then every field
#: of the group the source gives is taken) or says what the source says (then
#: the source fills the group's other empty fields).  A source that disagrees on
#: the main field fills nothing of the group: an ICLR 2024 paper never gets the
#: month of a 2023 preprint.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "authors": ("authors", "authors_complete", "author_count"),
    "year": ("year", "month"),
    "date": ("date", "date_precision"),
    "arxiv": ("arxiv_id", "primary_class"),
}


def _empty(value: Any) -> bool:
    return value in (None, "", [], False)


def merge_into(paper: Paper, item: Incoming, record_sighting: bool = True) -> bool:
    """Fill the paper's empty fields from one source, field group by field group
    (see :data:`FIELD_GROUPS`); True when anything changed."""
    changed = False
    filled_groups: set[str] = set()
    fields = item.fields
    for key, value in fields.items():
        if key == "links":
            for kind in LINK_KINDS:
                url = value.get(kind) if isinstance(value, dict) else None
                # the same address is never kept under two names
                if url and not paper.links.get(kind) and url not in paper.links.values():
                    paper.links[kind] = url
                    filled_groups.add("links")
            continue
        if key == "upvotes":
            if isinstance(value, int) and (paper.upvotes is None or value > paper.upvotes):
                paper.upvotes = value
                filled_groups.add("upvotes")
            continue
        if key not in GROUP_OF or GROUP_OF[key] in FIELD_GROUPS:
            continue
        current = getattr(paper, key)
        if _empty(current) and not _empty(value) and value != current:
            setattr(paper, key, list(value) if isinstance(value, list) else value)
            filled_groups.add(GROUP_OF[key])
    for group, names in FIELD_GROUPS.items():
        main = names[0]
        mine, theirs = getattr(paper, main), fields.get(main)
        if not _empty(mine) and (_empty(theirs) or mine != theirs):
            continue  # the paper's group stands; this source says otherwise or nothing
        for name in names:
            value = fields.get(name)
            if _empty(getattr(paper, name)) and not _empty(value):
                setattr(paper, name, list(value) if isinstance(value, list) else value)
                filled_groups.add(group)
    for group in filled_groups:
        if paper.provenance.get(group) != item.label:
            paper.provenance[group] = item.label
        changed = True
    if record_sighting and item.source.as_dict() not in [s.as_dict() for s in paper.sources]:
        paper.sources.append(item.source)
        paper.sources.sort(key=lambda s: (s.file, s.line or 0, s.entry or ""))
        changed = True
    return changed


def finish_record(paper: Paper, taxonomy: Taxonomy | None) -> None:
    """Derived fills: the year from a listing date, topics from the rules."""
    if paper.year is None and paper.date and paper.date_precision in ("day", "month", "year"):
        paper.year = int(paper.date[:4])
        if paper.date_precision in ("day", "month"):
            paper.month = int(paper.date[5:7])
        paper.provenance["year"] = "listing date"
    if not paper.topics and taxonomy is not None:
        # the headings an awesome list filed the paper under count as extra evidence
        sections = " ".join(s.section for s in paper.sources if s.section)
        evidence = f"{paper.abstract}\n{sections}" if sections else paper.abstract
        suggested = taxonomy.suggest(paper.title, evidence)
        if suggested:
            paper.topics = suggested
            paper.provenance["topics"] = "taxonomy rules"


def load_records(papers_dir: Path, root: Path, progress: Progress | None = None
                 ) -> tuple[list[Paper], list[Diagnostic]]:
    papers: list[Paper] = []
    diags: list[Diagnostic] = []
    paths = record_paths(papers_dir)
    for i, path in enumerate(paths, start=1):
        rel = _rel(path, root)
        paper, problems = read_record(path, rel)
        diags.extend(problems)
        if paper is not None:
            papers.append(paper)
        if progress and (i % 500 == 0 or i == len(paths)):
            progress(i, len(paths), "records read")
    return papers, diags


def record_paths(papers_dir: Path) -> list[Path]:
    """The record files of a papers folder, as ``survey check`` lists them (names
    starting with a dot, such as editor lock files, are not records)."""
    if not papers_dir.is_dir():
        return []
    return sorted(Path(e.path) for e in os.scandir(papers_dir)
                  if e.name.endswith(".yml") and not e.name.startswith("."))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def ingest(paths: list[Path], root: Path, taxonomy: Taxonomy | None, *,
           today: str | None = None, dry_run: bool = False,
           progress: Progress | None = None, extra: list[Incoming] | None = None,
           strict: bool = False) -> IngestResult:
    """Ingest source files (and ``extra`` items, e.g. from ``survey sync``) into
    ``root/content/papers``: all-or-nothing, and one run at a time (see
    :mod:`survey_core.model.store`).  Every value a source gives that cannot be
    kept is reported as a warning naming its file, line and entry (an error with
    ``strict``, so that nothing is written)."""
    if dry_run:
        return _ingest(paths, root, taxonomy, today, True, progress, extra, strict)
    try:
        with content_lock(root):
            return _ingest(paths, root, taxonomy, today, False, progress, extra, strict)
    except LockTimeout as exc:
        result = IngestResult()
        result.diagnostics.append(Diagnostic(LOCK_FILE, 1, str(exc), "wait for it to finish; "
                                             "a lock left by a dead process is released by "
                                             "the system"))
        return result


#: What each kind of source file is called in the summary.
FORMAT_NAMES = {".txt": "listing", ".bib": "BibTeX", ".json": "CSL-JSON", ".ris": "RIS",
                ".md": "awesome list", ".markdown": "awesome list", ".jsonl": "arXiv facts",
                ".yml": "record", ".yaml": "record"}


def drop_diagnostics(items: list[Incoming], shown: dict[str, str], strict: bool
                     ) -> list[Diagnostic]:
    """Check every item's values (:func:`survey_core.model.identity.clean_fields`),
    leaving out what cannot be kept; one diagnostic per value left out, naming the
    source file, line and entry."""
    out = []
    for item in items:
        if item.as_record:
            continue  # what `survey check` would reject refuses the run (see _ingest)
        item.fields, dropped = clean_fields(item.fields)
        for name, value, reason in item.dropped + dropped:
            out.append(Diagnostic(
                shown.get(item.source.file, item.source.file), item.source.line or 1,
                dropped_message(item.source.entry, name, value, reason),
                "fix the value in the source if it matters; the rest of the entry is kept"
                if not strict else "fix the value in the source, or run without --strict to "
                "keep the entry without it; nothing was written",
                ERROR if strict else WARNING))
    return out


def _ingest(paths: list[Path], root: Path, taxonomy: Taxonomy | None, today: str | None,
            dry_run: bool, progress: Progress | None, extra: list[Incoming] | None,
            strict: bool = False) -> IngestResult:
    result = IngestResult()
    papers_dir = root / "content" / "papers"
    manifest, problems = read_manifest(root / "content" / "sources")
    result.diagnostics.extend(problems)
    incoming: list[Incoming] = []
    shown: dict[str, str] = {}  # source name -> the path as given
    for path in sorted(paths, key=lambda p: p.name):
        if (path.is_dir() and not path.is_symlink()) or is_sources_doc(path, root):
            continue
        read = read_source(path, root, manifest)
        shown[_source_name(path, root)] = path.as_posix()
        result.diagnostics.extend(read.diagnostics)
        result.skipped_low_confidence += read.low
        result.skipped += read.skipped
        result.entries += len(read.items)
        kind = FORMAT_NAMES.get(path.suffix.lower(), path.suffix)
        result.entries_by_format[kind] = result.entries_by_format.get(kind, 0) + len(read.items)
        incoming.extend(read.items)
    incoming.extend(extra or [])
    drops = drop_diagnostics(incoming, shown, strict)
    result.dropped = len(drops)
    result.diagnostics.extend(drops)
    existing, problems = load_records(papers_dir, root, progress)
    for d in problems:
        if d.is_error:
            result.diagnostics.append(Diagnostic(d.file, d.line, d.message, "ingest will not "
                                                 "run while a record is broken: " + d.hint))
    seen_titles: dict[str, Paper] = {}
    seen_arxiv: dict[str, Paper] = {}
    seen_doi: dict[str, Paper] = {}
    for paper in existing:
        for index, value, name, what in ((seen_titles, normalise_title(paper.title), "title",
                                          "title"),
                                         (seen_arxiv, paper.arxiv_id, "arxiv_id", "arXiv id"),
                                         (seen_doi, paper.doi, "doi", "DOI")):
            if not value:
                continue
            if value in index and name == "title" and proven_different(index[value], paper):
                continue  # the same title, different identifiers: different papers
            if value in index:
                result.diagnostics.append(Diagnostic(
                    paper.path or "", paper.line_of(name),
                    f"this record and {index[value].path} are the same paper ({what} matches)",
                    "merge the two records into one before ingesting; ingest cannot tell which "
                    "one new sightings belong to"))
            else:
                index[value] = paper
    if not result.ok:
        return result

    # Identity: a record is found by its identifiers first; a title finds it only
    # when no identifier says the two are different papers.
    by_title: dict[str, list[Paper]] = {}
    for p in existing:
        by_title.setdefault(normalise_title(p.title), []).append(p)

    def title_match(norm: str, fields: dict[str, Any]) -> Paper | None:
        return next((p for p in by_title.get(norm, ()) if not proven_different(p, fields)),
                    None)

    # A source line already recorded on a record identifies it even after a curator
    # retitled the record.
    by_sighting: dict[tuple[str, int | None, str | None], Paper] = {
        (src.file, src.line, src.entry): p for p in existing for src in p.sources}
    by_arxiv: dict[str, Paper] = {p.arxiv_id: p for p in existing if p.arxiv_id}
    by_doi: dict[str, Paper] = {p.doi: p for p in existing if p.doi}
    by_key: dict[str, Paper] = {p.key: p for p in existing}
    by_id: dict[str, Paper] = {p.id: p for p in existing}
    before = {p.id: p.to_record() for p in existing}
    new: list[Paper] = []
    #: the first source entry that changed each paper (named when its record is refused)
    touched: dict[int, Incoming] = {}
    # Sources that create records first (by priority), then those that only enrich.
    incoming.sort(key=lambda it: (not it.creates, it.priority))
    for n, item in enumerate(incoming, start=1):
        norm = normalise_title(item.fields.get("title", ""))
        arxiv_id = item.fields.get("arxiv_id")
        doi = item.fields.get("doi")
        sighting = (item.source.file, item.source.line, item.source.entry)
        by_own_key = by_key.get(item.source.entry or "") if item.own_export else None
        paper = ((by_id.get(item.record_id) if item.record_id else None)
                 or by_sighting.get(sighting) or by_own_key
                 or (by_arxiv.get(arxiv_id) if arxiv_id else None)
                 or (by_doi.get(doi) if doi else None)
                 or (title_match(norm, item.fields) if norm else None))
        if paper is None:
            if not item.creates:
                result.unmatched_facts.append(item.fields.get("title", ""))
                continue
            paper = Paper(id="", key="", title=item.fields["title"].strip(),
                          added=_added_date(item.source.file, manifest, today))
            paper.provenance["title"] = item.label
            if item.own_export and item.source.entry:
                paper.key = item.source.entry  # keep the published key
            new.append(paper)
            if norm:
                by_title.setdefault(norm, []).append(paper)
        if merge_into(paper, item, record_sighting=not (item.own_export and paper.sources)):
            touched.setdefault(id(paper), item)
        if paper.arxiv_id:
            by_arxiv.setdefault(paper.arxiv_id, paper)
        if paper.doi:
            by_doi.setdefault(paper.doi, paper)
        if progress and (n % 100 == 0 or n == len(incoming)):
            progress(n, len(incoming), "source entries merged")

    taken_ids = {p.id for p in existing}
    taken_keys = {p.key for p in existing}
    for paper in existing + new:
        finish_record(paper, taxonomy)
    tried_ids: dict[str, int] = {}
    tried_keys: dict[str, int] = {}
    for paper in new:
        paper.id = _unique_id(slugify(paper.title), taken_ids, tried_ids)
        taken_ids.add(paper.id)
        if not (paper.key and KEY_RE.match(paper.key) and paper.key not in taken_keys):
            paper.key = make_key(paper, taken_keys, tried_keys)
        taken_keys.add(paper.key)
    new_ids = {id(p) for p in new}
    changed: list[Paper] = []
    for paper in existing + new:
        if id(paper) in new_ids:  # identity: Paper.__eq__ compares every field
            result.created.append(paper.id)
        elif paper.to_record() != before[paper.id]:
            result.updated.append(paper.id)
        else:
            result.unchanged += 1
            continue
        changed.append(paper)
    changed_ids = {id(p) for p in changed}
    unchanged = [p for p in existing if id(p) not in changed_ids]
    texts = {p.id: dump_record(p) for p in changed}
    near: list[tuple[Paper, Diagnostic]] = []
    for paper, problem in rejected_records(root, changed, unchanged, taxonomy, texts, near):
        item = touched.get(id(paper))
        where = shown.get(item.source.file, item.source.file) if item else paper.id
        entry = f" (entry {item.source.entry})" if item and item.source.entry else ""
        result.diagnostics.append(Diagnostic(
            where, item.source.line or 1 if item else 1,
            f"this source entry{entry} would make a record that `survey check` rejects: "
            f"{problem.message}", "fix the entry in the source (or remove it); nothing was "
            "written" + (f" ({problem.hint})" if problem.hint else "")))
    for paper, warning in near:
        item = touched.get(id(paper))
        where = shown.get(item.source.file, item.source.file) if item else warning.file
        result.diagnostics.append(Diagnostic(
            where, (item.source.line or 1) if item else warning.line,
            f"the record {paper.id} has {warning.message}", warning.hint, WARNING))
    if not result.ok or dry_run:
        return result
    write_records(root, changed, texts)
    return result


def _added_date(source_file: str, manifest: dict[str, dict[str, Any]], today: str | None) -> str:
    meta = manifest.get(source_file, {})
    added = meta.get("added")
    if isinstance(added, _dt.date):
        return added.isoformat()
    if isinstance(added, str) and valid_date(added) == "day":
        return added
    return today or _dt.date.today().isoformat()


def _unique_id(base: str, taken: set[str], tried: dict[str, int] | None = None) -> str:
    """``base``, else ``base-2``, ``base-3`` ... whichever is free first; ``tried``
    (kept across calls while ``taken`` only grows) resumes where the last search
    for the same base stopped, so many papers with one base cost linear time."""
    n = tried.get(base, 2) if tried is not None else 2
    candidate = base if n == 2 else f"{base}-{n}"
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    if tried is not None:
        tried[base] = n
    return candidate


def new_record(fields: dict[str, Any], root: Path, taxonomy: Taxonomy | None,
               existing: list[Paper], today: str | None = None) -> Paper:
    """Build a new record from hand-given fields (``survey new``)."""
    paper = Paper(id="", key="", title=fields["title"].strip(),
                  added=today or _dt.date.today().isoformat())
    merge_into(paper, Incoming(Source("survey new"), "survey new", fields, 0))
    finish_record(paper, taxonomy)
    paper.id = _unique_id(slugify(paper.title), {p.id for p in existing})
    paper.key = make_key(paper, {p.key for p in existing})
    return paper


__all__ = ["ingest", "new_record", "IngestResult", "read_source", "load_records",
           "paper_from_mapping"]
