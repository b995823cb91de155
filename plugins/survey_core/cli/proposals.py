"""``survey proposals``: the pull-request body of a sync, a table of its open proposals."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from survey_core.cli.common import print_diagnostics
from survey_core.cli.sync import fail


def add_parser(sub) -> None:
    p = sub.add_parser("proposals", help="write the pull-request body listing open proposals")
    p.add_argument("--against", type=Path, help="the ledger of the target branch: leave out "
                   "the papers it already lists")
    p.add_argument("-o", "--output", type=Path, help="write to this file (default: stdout)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from survey_core.importers.sync import load_ledger, proposals_body

    base = None
    if args.against is not None:
        base, problems = load_ledger(args.root, args.against)
        if any(d.is_error for d in problems):
            print_diagnostics(problems, "text")
            return fail("proposals", f"{args.against} is not a readable ledger")
    body = proposals_body(args.root, base)
    if args.output:
        args.output.write_text(body, encoding="utf-8")
    else:
        sys.stdout.write(body)
    return 0
