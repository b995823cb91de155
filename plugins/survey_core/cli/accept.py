"""``survey accept``: take a paper the sync listed as borderline (see
:mod:`survey_core.importers.sync`)."""

from __future__ import annotations

import argparse

from survey_core.cli.common import print_diagnostics
from survey_core.cli.sync import fail


def add_parser(sub) -> None:
    p = sub.add_parser("accept", help="take a borderline paper of the sync: make its record "
                       "and mark it taken")
    p.add_argument("id", metavar="ID", help="arXiv id of a borderline paper in "
                   "content/sync-ledger.yml")
    p.add_argument("--topic", action="append", default=[], metavar="T",
                   help="file it under this topic (repeat it; default: the topics the sync "
                   "suggested)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from survey_core.importers.sync import accept
    from survey_core.model.taxonomy import load_taxonomy

    taxonomy, problems = load_taxonomy(args.root / "content" / "taxonomy.yml")
    if any(d.is_error for d in problems):
        print_diagnostics([d for d in problems if d.is_error], "text")
        return fail("accept", "fix the taxonomy first; nothing was written")
    try:
        arxiv_id, result = accept(args.root, args.id, taxonomy, args.topic or None)
    except ValueError as exc:
        return fail("accept", f"{exc}; nothing was written")
    if not result.ok:
        print_diagnostics(result.diagnostics, "text")
        return fail("accept", "nothing was written")
    made = result.created or result.updated
    print(f"accept: {arxiv_id} taken"
          + (f"; content/papers/{made[0]}.yml" if made else "; its record was already there"))
    return 0
