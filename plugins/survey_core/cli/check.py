"""``survey check``: validate records, taxonomy, surveys and sources."""

from __future__ import annotations

import argparse
import sys

from survey_core.cli.common import print_diagnostics
from survey_core.model.diagnostics import INFO


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="validate records, taxonomy, surveys and sources")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="github: print GitHub Actions annotations")
    p.add_argument("--errors-only", action="store_true", help="do not print warnings")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from survey_core.check import run_check

    diags = run_check(args.root)
    errors = [d for d in diags if d.is_error]
    shown = diags if not args.errors_only else errors
    print_diagnostics(shown, args.format)
    infos = sum(1 for d in diags if d.severity == INFO)
    warnings = len(diags) - len(errors) - infos
    summary = f"check: {len(errors)} error(s), {warnings} warning(s)" + (
        f", {infos} note(s)" if infos else "")
    print(summary, file=sys.stderr)
    return 1 if errors else 0
