"""``survey enrich``: fill missing arXiv ids, authors, dates and abstracts from the arXiv API.

The logic is :mod:`survey_core.importers.enrich`; this module reads the records, picks the
papers to look up (``ids``, ``--limit``), runs the lookup, writes what it found the way
ingest writes (the content lock, onto the records as they are then, checked, one swap;
never in ``--dry-run``) and reports.  Progress counts go
to stderr; the report to stdout.  Progress is kept in
``.survey-cache/enrich-state.json`` so a run stopped by a network failure
resumes where it stopped (``--restart`` forgets it).

Without a network the command prints one line on stderr and exits 1; records
already filled before the failure are written (except in a dry run).  The API
address can be changed with the ``SURVEY_ARXIV_API`` environment variable.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from survey_core.cli.common import Progress, print_diagnostics
from survey_core.model.model import Paper

PROG = "enrich"


def add_parser(sub) -> None:
    p = sub.add_parser("enrich", help="fill missing ids, authors and dates from the arXiv API")
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    p.add_argument("--restart", action="store_true", help="forget where the last run stopped")
    p.add_argument("--limit", type=int, default=None, help="look up at most N papers")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress counts")
    p.add_argument("ids", nargs="*", help="only these record ids")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1


def _order(papers: list[Paper]) -> list[Paper]:
    """Papers needing a lookup, in the order :func:`enrich_papers` looks them up."""
    from survey_core.importers.enrich import needs_lookup

    kinds = [(p, needs_lookup(p)) for p in papers]
    return [p for p, k in kinds if k == "id"] + [p for p, k in kinds if k == "title"]


def run(args: argparse.Namespace) -> int:
    from survey_core.importers.arxiv import ArxivOffline
    from survey_core.importers.enrich import (
        DEFAULT_STATE_PATH,
        enrich_papers,
        load_state,
        needs_lookup,
        save_state,
        write_enriched,
    )
    from survey_core.importers.ingest import load_records
    from survey_core.importers.newrecord import arxiv_client
    from survey_core.model.taxonomy import load_taxonomy

    root = Path(getattr(args, "root", None) or Path.cwd())
    dry_run = bool(getattr(args, "dry_run", False))
    restart = bool(getattr(args, "restart", False))
    limit = getattr(args, "limit", None)
    wanted = list(dict.fromkeys(getattr(args, "ids", None) or []))
    quiet = bool(getattr(args, "quiet", False))
    if limit is not None and limit < 0:
        return _fail("--limit must be 0 or more")

    papers, problems = load_records(root / "content" / "papers", root)
    errors = [d for d in problems if d.is_error]
    if errors:
        print_diagnostics(errors, "text")
        return _fail("fix the records above first (survey check); nothing was looked up")
    by_id = {p.id: p for p in papers}
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        return _fail("no record with id " + ", ".join(f"'{i}'" for i in unknown)
                     + " (ids are the file names in content/papers/ without .yml)")

    state_path = root / DEFAULT_STATE_PATH
    done = set() if restart else load_state(state_path)
    if restart and not dry_run:
        state_path.unlink(missing_ok=True)

    # Papers left out of this run (not among the ids, or beyond --limit) are
    # still passed to enrich_papers, so that a title lookup cannot give a paper
    # an arXiv id another record already has.  The lookups mark papers done in a
    # private state file (with the excluded ones); only once the records are
    # written is the real progress copied to the state file, so a run killed
    # before its write leaves nothing marked done that was not saved.
    selected = [by_id[i] for i in wanted] if wanted else papers
    todo = [p for p in _order(selected) if p.id not in done]
    if limit is not None:
        todo = todo[:limit]
    chosen = {p.id for p in todo}
    excluded = {p.id for p in _order(papers) if p.id not in chosen and p.id not in done}
    up_to_date = sum(1 for p in selected if needs_lookup(p) is None)
    run_state = state_path.with_name(f"{state_path.stem}.run-{os.getpid()}.json")
    save_state(run_state, done | excluded)

    progress = Progress(quiet)
    client = arxiv_client()
    offline: ArxivOffline | None = None
    try:
        result = enrich_papers(
            papers, client, dry_run=dry_run, state_path=run_state,
            progress=lambda n, total, _pid: progress(n, total, "papers looked up on arXiv"),
            restart=False)
    except ArxivOffline as exc:
        offline = exc
        result = exc.result  # type: ignore[attr-defined]
    except BaseException:
        run_state.unlink(missing_ok=True)
        raise
    result.skipped = [i for i in result.skipped if i not in excluded]
    result.up_to_date = up_to_date

    errors = []
    if not dry_run:
        taxonomy, _problems = load_taxonomy(root / "content" / "taxonomy.yml")

        def save_progress() -> None:  # under the lock: another run may save too
            save_state(state_path, load_state(state_path) | done
                       | (load_state(run_state) - excluded))

        _written, errors = write_enriched(root, result, taxonomy if taxonomy.topics else None,
                                          save_progress)
    run_state.unlink(missing_ok=True)
    if errors:
        print_diagnostics(errors, "text")
        return _fail("nothing was written")
    if offline is not None:
        if result.outcomes:
            for line in result.report_lines():
                print(line)
        saved = "" if dry_run or not result.changed else \
            f" ({len(result.changed)} updated records were saved; rerun to continue)"
        return _fail(f"{offline}{saved}")
    for line in result.report_lines():
        print(line)
    return 0
