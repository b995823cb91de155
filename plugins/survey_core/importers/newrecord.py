"""``survey new``: scaffold the record of a paper that is not in the catalog yet.

The record gets its id (from the title) and citation key (from authors, year
and title) the way ``survey ingest`` assigns them, topics suggested by the
taxonomy rules unless ``--topic`` is given, and is refused when the catalog
already has the paper (the same arXiv id, or a title equal or nearly equal
after :func:`~survey_core.model.text.normalise_title`, unless another arXiv id or
other numbers in the title tell the two apart).  A value given that cannot be
kept (a blank ``--author``) is named and dropped; ``--strict`` refuses the run
instead.  With ``--arxiv ID`` the record
is filled from the arXiv API first; without a network nothing is written.
The arXiv API address can be changed with the ``SURVEY_ARXIV_API``
environment variable (tests point it at a local server).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from survey_core.model.diagnostics import Diagnostic
from survey_core.model.model import Paper, Source

#: Environment variable overriding the arXiv API URL (``survey new`` and ``survey enrich``).
API_ENV = "SURVEY_ARXIV_API"
PROG = "survey new"


def arxiv_client() -> Any:
    """An :class:`~survey_core.importers.arxiv.ArxivClient` for the API at
    ``$SURVEY_ARXIV_API`` (if set)."""
    from survey_core.importers.arxiv import API_URL, ArxivClient

    return ArxivClient(base_url=os.environ.get(API_ENV) or API_URL)


def title_limit(norm: str) -> int:
    """Largest edit distance at which two normalised titles count as the same paper:
    at most 3 edits and at most 10% of the title (exact match for short titles)."""
    return min(3, len(norm) // 10)


def find_duplicate(title: str, arxiv_id: str | None, existing: list[Paper]
                   ) -> tuple[Paper, str] | None:
    """The existing record that is this paper, with the reason; None when it is new.
    Identifiers before titles: a record with another arXiv id is another paper, and
    so is one whose title's numbers differ ("Qwen2" and "Qwen3")."""
    from survey_core.model.identity import proven_different, title_numbers
    from survey_core.model.text import edit_distance, normalise_title

    if arxiv_id:
        for paper in existing:
            if paper.arxiv_id and paper.arxiv_id == arxiv_id:
                return paper, f"has the same arXiv id {arxiv_id}"
    norm = normalise_title(title)
    if not norm:
        return None
    best: tuple[int, Paper] | None = None
    numbers = title_numbers(norm)
    for paper in existing:
        if proven_different(paper, {"arxiv_id": arxiv_id}):
            continue
        other = normalise_title(paper.title)
        if title_numbers(other) != numbers:
            continue
        limit = title_limit(min(norm, other, key=len))
        dist = edit_distance(norm, other, limit)
        if dist <= limit and (best is None or dist < best[0]):
            best = (dist, paper)
    if best is None:
        return None
    what = "the same title" if best[0] == 0 else f"a near-identical title ({best[0]} edits apart)"
    return best[1], f"has {what}"


def _fail(message: str, hint: str = "") -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    if hint:
        print(f"    hint: {hint}", file=sys.stderr)
    return 1


def _duplicate_message(paper: Paper, reason: str) -> str:
    path = paper.path or f"content/papers/{paper.id}.yml"
    return f"the catalog already has this paper: {path} ('{paper.title}') {reason}"


def run_new(args: argparse.Namespace) -> int:
    from survey_core.importers.arxiv import ArxivError, ArxivOffline, normalise_id
    from survey_core.importers.enrich import apply_arxiv_entry, default_source_label
    from survey_core.importers.ingest import load_records, new_record
    from survey_core.model.identity import dropped_message
    from survey_core.model.keys import make_key
    from survey_core.model.records import _is_url, dump_record, paper_from_mapping, parse_yaml
    from survey_core.model.store import content_lock, write_records
    from survey_core.model.taxonomy import load_taxonomy
    from survey_core.model.text import edit_distance

    root = Path(getattr(args, "root", None) or Path.cwd())
    title = (getattr(args, "title", None) or "").strip()
    raw_arxiv = getattr(args, "arxiv_id", None)
    given_authors = list(getattr(args, "authors", None) or [])
    authors = [" ".join(a.split()) for a in given_authors if a.strip()]
    dropped = [dropped_message(None, "--author", a, "is not a name")
               for a in given_authors if not a.strip()]
    topics = list(dict.fromkeys(getattr(args, "topics", None) or []))
    code = getattr(args, "code", None)
    abstract = (getattr(args, "abstract", None) or "").strip()
    year = getattr(args, "year", None)
    dry_run = bool(getattr(args, "dry_run", False))
    strict = bool(getattr(args, "strict", False))

    if not title and not raw_arxiv:
        return _fail("give the paper's --title (or --arxiv ID to fill it from arXiv)",
                     "survey new --title 'Attention Is All You Need' --topic language-models")
    arxiv_id = None
    if raw_arxiv:
        try:
            arxiv_id = normalise_id(raw_arxiv)
        except ValueError as exc:
            return _fail(str(exc), "give an id such as 2401.01234 or its arxiv.org/abs URL")
    if code is not None and not _is_url(code):
        return _fail(f"--code {code!r} is not an http(s) URL",
                     "give the repository URL, e.g. https://github.com/owner/repo")
    for message in dropped:
        print(f"{PROG}: {'error' if strict else 'warning'}: {message}", file=sys.stderr)
    if dropped and strict:
        return _fail(f"{len(dropped)} value{'s' if len(dropped) > 1 else ''} could not be "
                     "kept (--strict); nothing was written")

    taxonomy, tax_problems = load_taxonomy(root / "content" / "taxonomy.yml")
    tax_errors = [d for d in tax_problems if d.is_error]
    if tax_errors:
        for d in tax_errors:
            print(d.format(), file=sys.stderr)
        return _fail("fix content/taxonomy.yml first; nothing was written")
    unknown = [t for t in topics if t not in taxonomy]
    if unknown:
        known = sorted(taxonomy.topics)
        close = [min(known, key=lambda k, t=t: edit_distance(k, t)) for t in unknown] if known \
            else []
        return _fail("unknown topic " + ", ".join(f"'{t}'" for t in unknown),
                     (f"did you mean {', '.join(repr(c) for c in close)}? " if close else "")
                     + "topics are the ids in content/taxonomy.yml")

    papers_dir = root / "content" / "papers"
    existing, _problems = load_records(papers_dir, root)
    loaded = {p.id for p in existing}
    # Files that do not load still reserve their id.
    reserved = [Paper(id=p.stem, key="", title="") for p in sorted(papers_dir.glob("*.yml"))
                if p.stem not in loaded] if papers_dir.exists() else []

    dup = find_duplicate(title, arxiv_id, existing)
    if dup:
        return _fail(_duplicate_message(*dup), "edit that record instead of adding a new one")

    entry = None
    if arxiv_id:
        client = arxiv_client()
        try:
            entries = client.by_ids([arxiv_id])
        except ArxivOffline as exc:
            return _fail(f"{exc}; nothing was written")
        except ArxivError as exc:
            return _fail(f"{exc}; nothing was written")
        entry = next((e for e in entries if e.arxiv_id == arxiv_id), None)
        if entry is None:
            return _fail(f"arXiv has no paper {arxiv_id}; nothing was written",
                         "check the id on https://arxiv.org")
        if not title:
            title = entry.title
            dup = find_duplicate(title, None, existing)
            if dup:
                return _fail(_duplicate_message(*dup),
                             "edit that record instead of adding a new one")

    fields: dict[str, Any] = {"title": title}
    if abstract:
        fields["abstract"] = abstract
    if authors:
        fields["authors"] = authors
    if year is not None:
        fields["year"] = year
    if code:
        fields["links"] = {"code": code}
    if topics:
        fields["topics"] = topics
    paper = new_record(fields, root, None, existing + reserved)
    paper.sources = [Source(PROG)]
    if entry is not None:
        apply_arxiv_entry(paper, entry, default_source_label())
        paper.sources.append(Source("arxiv-api", entry=entry.arxiv_id))
        paper.key = make_key(paper, {p.key for p in existing})
    suggested = False
    if not paper.topics:
        paper.topics = taxonomy.suggest(paper.title, paper.abstract)
        if paper.topics:
            paper.provenance["topics"] = "taxonomy rules"
            suggested = True

    relpath = f"content/papers/{paper.id}.yml"
    text = dump_record(paper)
    data, lines, problems = parse_yaml(text, relpath)
    if not problems:
        _paper, problems = paper_from_mapping(data, relpath, lines, file_id=paper.id)
    errors = [d for d in problems if d.is_error and "no topics" not in d.message]
    if errors:
        for d in errors:
            print(_as_option_error(d), file=sys.stderr)
        return _fail("the record would not pass `survey check`; nothing was written")

    if dry_run:
        sys.stdout.write(text)
        print(f"{PROG}: dry run; would write {relpath}", file=sys.stderr)
        _print_topics(paper, suggested, taxonomy, sys.stderr)
        return 0
    with content_lock(root):
        write_records(root, [paper])
    print(f"created {relpath}")
    print(f"  id: {paper.id}   citation key: {paper.key}")
    _print_topics(paper, suggested, taxonomy, sys.stdout)
    print("next steps:")
    print(f"  1. edit {relpath}: check the title and topics; add what is missing "
          "(authors in order, then authors_complete: true; year and month; links)")
    print("  2. survey check")
    print(f"  3. mkdocs serve, and look at http://127.0.0.1:8000/papers/{paper.id}/")
    return 0


def _print_topics(paper: Paper, suggested: bool, taxonomy: Any, out: Any) -> None:
    if not paper.topics:
        print("  topics: none matched the taxonomy rules; add topics: [topic-id, ...] by hand "
              "(ids in content/taxonomy.yml)", file=out)
        return
    names = ", ".join(f"{t} ({taxonomy[t].name})" if t in taxonomy else t for t in paper.topics)
    if suggested:
        print(f"  suggested topics (from the taxonomy rules; edit if wrong): {names}", file=out)
    else:
        print(f"  topics: {names}", file=out)


def _as_option_error(d: Diagnostic) -> str:
    return f"{PROG}: {d.message}" + (f"\n    hint: {d.hint}" if d.hint else "")
