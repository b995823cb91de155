"""The ``survey`` command: one module per subcommand, each with ``add_parser(sub)``
(its arguments) and ``run(args)`` (exit status)."""

from __future__ import annotations

import argparse
from pathlib import Path

from survey_core.cli import (
    accept,
    check,
    enrich,
    ingest,
    init,
    new,
    paper,
    proposals,
    reject,
    sync,
)
from survey_core.cli.common import find_root

COMMANDS = (init, ingest, check, new, enrich, sync, accept, reject, proposals, paper)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="survey", description="Curate a survey of research papers: start a project, "
        "ingest sources into records, check them, add papers, and fill metadata from arXiv.")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder with content/ "
                        "and mkdocs.yml)")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "no_root", False):
        args.root = (args.root or find_root(Path.cwd())).resolve()
    return args.func(args)

