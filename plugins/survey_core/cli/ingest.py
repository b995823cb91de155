"""``survey ingest``: turn source files into records (the logic is
:mod:`survey_core.importers.ingest`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from survey_core.cli.common import Progress, print_diagnostics


def add_parser(sub) -> None:
    p = sub.add_parser("ingest", help="turn listing copies, BibTeX, CSL-JSON, RIS, awesome "
                       "lists, arXiv facts or hand-written records into content/papers/*.yml")
    p.add_argument("paths", nargs="+", help="source files or folders")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--strict", action="store_true", help="refuse the run (write nothing) when "
                   "a source gives a value that cannot be kept (a DOI that is not a DOI, a "
                   "year that is not a year, a link that is not http(s) ...)")
    p.add_argument("--format", choices=("text", "github"), default="text")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress counts")
    p.add_argument("-v", "--verbose", action="store_true", help="list created and updated ids")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from survey_core.importers.ingest import ingest
    from survey_core.model.taxonomy import load_taxonomy

    root = args.root
    paths: list[Path] = []
    for raw in args.paths:
        path = Path(raw)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.is_file()))
        elif path.exists():
            paths.append(path)
        else:
            print(f"{raw}: no such file", file=sys.stderr)
            return 1
    taxonomy, tax_problems = load_taxonomy(root / "content" / "taxonomy.yml")
    if any(d.is_error for d in tax_problems):
        print_diagnostics(tax_problems, args.format, warnings=False)
        print("ingest: fix content/taxonomy.yml first; nothing was written", file=sys.stderr)
        return 1
    result = ingest(paths, root, taxonomy if taxonomy.topics else None,
                    dry_run=args.dry_run, progress=Progress(args.quiet), strict=args.strict)
    if not result.ok:
        print_diagnostics(result.diagnostics, args.format)
        print("ingest: " + (f"{result.dropped} values could not be kept (--strict); "
                            if args.strict and result.dropped else "") + "nothing was written",
              file=sys.stderr)
        return 1
    # items a source could not read (an awesome list's stray lines): reported, not fatal
    print_diagnostics(result.diagnostics, args.format)
    verb = "would create" if args.dry_run else "created"
    print(f"ingest: {summary_read(result)}; {verb} {len(result.created)}, "
          f"{'would update' if args.dry_run else 'updated'} {len(result.updated)}, "
          f"unchanged {result.unchanged} records"
          + (f"; {result.skipped_low_confidence} low-confidence facts left for curators"
             if result.skipped_low_confidence else ""))
    if result.unmatched_facts:
        print(f"ingest: {len(result.unmatched_facts)} facts matched no record (add the paper "
              "first): " + "; ".join(t[:50] for t in result.unmatched_facts[:5]))
    if args.verbose:
        for pid in result.created:
            print(f"  + {pid}")
        for pid in result.updated:
            print(f"  ~ {pid}")
    return 0


def summary_read(result) -> str:
    """What the sources gave: "12 source entries read (BibTeX 5, awesome list 7),
    1 skipped as not a paper, 2 values dropped"."""
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(result.entries_by_format.items()) if n)
    text = f"{result.entries} source entries read" + (f" ({kinds})" if kinds else "")
    if result.skipped:
        what = "a paper" if result.skipped == 1 else "papers"
        text += f", {result.skipped} skipped as not {what}"
    if result.dropped:
        text += f", {result.dropped} value{'s' if result.dropped != 1 else ''} dropped"
    return text
