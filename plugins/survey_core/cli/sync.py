"""``survey sync``: propose new papers in scope from Hugging Face Daily Papers and arXiv
listings (the logic is :mod:`survey_core.importers.sync`, :mod:`survey_core.importers.sync_fetch`).

Fetches candidates for a window (``--date``, ``--since``/``--until``, or by default the
last ``days`` of ``content/sync.yml``) and proposes the papers in scope as records.
Without a network it prints one line on stderr, exits 1 and writes nothing;
``--dry-run`` prints what it would add and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys

from survey_core.cli.common import Progress, print_diagnostics

PROG = "sync"


def fail(prog: str, message: str) -> int:
    print(f"{prog}: {message}", file=sys.stderr)
    return 1


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def add_parser(sub) -> None:
    p = sub.add_parser("sync", help="propose new papers in scope from Hugging Face Daily "
                       "Papers and arXiv listings")
    p.add_argument("--source", choices=("hf", "arxiv", "all"), default="all",
                   help="where to look (default: all, i.e. the sources in content/sync.yml)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--date", type=_date, help="one day (YYYY-MM-DD)")
    when.add_argument("--since", type=_date, help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--until", type=_date, help="last day of the window (default: today)")
    p.add_argument("--dry-run", action="store_true", help="print what would be added; write "
                   "nothing")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress counts")
    p.add_argument("--strict", action="store_true", help="refuse the run (write nothing) when "
                   "a source gives a value that cannot be kept (a link that is not http(s) ...)")
    p.set_defaults(func=run)


def window(args: argparse.Namespace, days: int, today: _dt.date
           ) -> tuple[_dt.date, _dt.date] | str:
    if args.until and not args.since:
        return "--until needs --since"
    if args.date:
        since = until = args.date
    elif args.since:
        since, until = args.since, args.until or today
    else:
        since, until = today - _dt.timedelta(days=days), today
    if since > until:
        return f"the window starts ({since}) after it ends ({until})"
    if until > today:
        return f"the window ends in the future ({until})"
    return since, until


def run(args: argparse.Namespace) -> int:
    from survey_core.importers.sync import load_ledger, run_sync
    from survey_core.importers.sync_config import SyncConfig, load_sync_config
    from survey_core.importers.sync_fetch import (
        SyncError,
        UnitCache,
        fetch_arxiv,
        fetch_hf,
        hf_links,
    )
    from survey_core.model.taxonomy import load_taxonomy

    root = args.root
    today = _dt.date.today()
    taxonomy, problems = load_taxonomy(root / "content" / "taxonomy.yml")
    config, config_problems = load_sync_config(root, taxonomy)
    _ledger, ledger_problems = load_ledger(root)
    errors = [d for d in problems + config_problems + ledger_problems if d.is_error]
    if errors:
        print_diagnostics(errors, "text")
        return fail(PROG, "fix the files above first; nothing was written")
    config = config or SyncConfig()
    span = window(args, config.days, today)
    if isinstance(span, str):
        return fail(PROG, span)
    since, until = span
    sources = config.sources if args.source == "all" else [args.source]
    progress = Progress(args.quiet)
    cache = UnitCache(root, enabled=not args.dry_run)
    candidates = []
    try:
        if "hf" in sources:
            candidates += fetch_hf(since, until, today, cache, progress)
        if "arxiv" in sources:
            candidates += fetch_arxiv(since, until, today, config.categories, config.terms,
                                      cache, progress)
    except SyncError as exc:
        return fail(PROG, f"{exc}; nothing was written")
    try:
        result = run_sync(root, candidates, taxonomy, config, today=today.isoformat(),
                          dry_run=args.dry_run, progress=progress,
                          complete=hf_links() if "hf" in sources else None,
                          strict=args.strict)
    except SyncError as exc:
        return fail(PROG, f"{exc}; nothing was written")
    ingested = result.ingest
    if ingested is None or not ingested.ok:
        print_diagnostics(ingested.diagnostics if ingested else [], "text")
        return fail(PROG, (f"{ingested.dropped} values could not be kept (--strict); "
                           if ingested and args.strict and ingested.dropped else "")
                    + "nothing was written")
    print_diagnostics(ingested.diagnostics, "text")  # values dropped, near-identical titles
    verb = "would propose" if args.dry_run else "proposed"
    listed = "would list" if args.dry_run else "listed"
    print(f"sync {since}..{until} ({', '.join(sources)}): {result.fetched} entries; {verb} "
          f"{len(result.proposals)} new papers in scope; {listed} "
          f"{len(result.borderline)} borderline; {result.sightings} already in the "
          f"catalog ({len(ingested.updated)} records "
          f"{'would gain' if args.dry_run else 'gained'} sightings); {result.out_of_scope} out "
          f"of scope; {result.rejected} proposed, listed or rejected before"
          + (f"; {ingested.dropped} value{'s' if ingested.dropped != 1 else ''} dropped"
             if ingested.dropped else ""))
    for prop in result.proposals:
        c = prop.candidate
        print(f"  + {c.arxiv_id} {c.title[:70]} [{', '.join(prop.topics)}]")
    for prop in result.borderline:
        c = prop.candidate
        print(f"  ? {c.arxiv_id} {c.title[:70]} [score {prop.score}: {', '.join(prop.topics)}]"
              f" (take it: survey accept {c.arxiv_id})")
    return 0
