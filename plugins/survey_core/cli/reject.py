"""``survey reject``: a proposed paper is never proposed again (see
:mod:`survey_core.importers.sync`)."""

from __future__ import annotations

import argparse

from survey_core.cli.sync import fail


def add_parser(sub) -> None:
    p = sub.add_parser("reject", help="reject a proposed paper for good (deletes its record "
                       "when only a sync saw it)")
    p.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or record id")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from survey_core.importers.sync import reject

    for wanted in args.ids:
        try:
            arxiv_id, deleted = reject(args.root, wanted)
        except ValueError as exc:
            return fail("reject", str(exc))
        print(f"reject: {arxiv_id} will not be proposed again"
              + (f"; deleted {deleted}" if deleted else ""))
    return 0
