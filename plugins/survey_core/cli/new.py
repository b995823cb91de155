"""``survey new``: scaffold a record (the logic is :mod:`survey_core.importers.newrecord`)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("new", help="scaffold a record for a new paper")
    p.add_argument("--title", help="the paper's title (required unless --arxiv)")
    p.add_argument("--abstract", default="")
    p.add_argument("--arxiv", dest="arxiv_id", help="arXiv id; fills the record from arXiv")
    p.add_argument("--author", dest="authors", action="append", default=[],
                   help="an author (repeat in order)")
    p.add_argument("--year", type=int)
    p.add_argument("--topic", dest="topics", action="append", default=[],
                   help="a topic id (repeat); suggested from the taxonomy when omitted")
    p.add_argument("--code", help="code repository URL")
    p.add_argument("--dry-run", action="store_true", help="print the record; write nothing")
    p.add_argument("--strict", action="store_true", help="refuse (write nothing) when a value "
                   "given cannot be kept (a blank --author)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from survey_core.importers.newrecord import run_new

    return run_new(args)
