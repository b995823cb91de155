"""The ``survey`` command: ingest, check, new, enrich."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .diagnostics import Diagnostic


def find_root(start: Path) -> Path:
    """The project folder: the nearest folder above ``start`` holding ``content/``."""
    for folder in [start, *start.parents]:
        if (folder / "content").is_dir() and (folder / "mkdocs.yml").exists():
            return folder
    return start


class Progress:
    """Counts on stderr: rewritten in place on a terminal, a line per step otherwise."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last: dict[str, int] = {}

    def __call__(self, done: int, total: int, what: str) -> None:
        if self.quiet:
            return
        if self.tty:
            end = "\n" if done == total else ""
            sys.stderr.write(f"\r  {what}: {done}/{total}{end}")
        elif done == total or done - self.last.get(what, 0) >= max(total // 4, 1):
            sys.stderr.write(f"  {what}: {done}/{total}\n")
            self.last[what] = done
        sys.stderr.flush()


def print_diagnostics(diags: list[Diagnostic], fmt: str, warnings: bool = True) -> None:
    for d in diags:
        if not warnings and not d.is_error:
            continue
        print(d.format_github() if fmt == "github" else d.format())


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest
    from .taxonomy import load_taxonomy

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
                    dry_run=args.dry_run, progress=Progress(args.quiet))
    if not result.ok:
        print_diagnostics(result.diagnostics, args.format)
        print("ingest: nothing was written", file=sys.stderr)
        return 1
    verb = "would create" if args.dry_run else "created"
    print(f"ingest: {result.entries} listing entries; {verb} {len(result.created)}, "
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


def cmd_check(args: argparse.Namespace) -> int:
    from .check import run_check

    diags = run_check(args.root)
    errors = [d for d in diags if d.is_error]
    shown = diags if not args.errors_only else errors
    print_diagnostics(shown, args.format)
    warnings = len(diags) - len(errors)
    summary = f"check: {len(errors)} error(s), {warnings} warning(s)"
    print(summary, file=sys.stderr)
    return 1 if errors else 0


def cmd_new(args: argparse.Namespace) -> int:
    from .newrecord import run_new

    return run_new(args)


def cmd_enrich(args: argparse.Namespace) -> int:
    from .enrich_cli import run_enrich

    return run_enrich(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="survey", description="Curate a survey of research papers: ingest sources into "
        "records, check them, add papers, and fill metadata from arXiv.")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder with content/ "
                        "and mkdocs.yml)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="turn listing copies, BibTeX files, arXiv facts or "
                       "hand-written records into content/papers/*.yml")
    p.add_argument("paths", nargs="+", help="source files or folders")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--format", choices=("text", "github"), default="text")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress counts")
    p.add_argument("-v", "--verbose", action="store_true", help="list created and updated ids")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("check", help="validate records, taxonomy, surveys and sources")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="github: print GitHub Actions annotations")
    p.add_argument("--errors-only", action="store_true", help="do not print warnings")
    p.set_defaults(func=cmd_check)

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
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("enrich", help="fill missing ids, authors and dates from the arXiv API")
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    p.add_argument("--restart", action="store_true", help="forget where the last run stopped")
    p.add_argument("--limit", type=int, default=None, help="look up at most N papers")
    p.add_argument("ids", nargs="*", help="only these record ids")
    p.set_defaults(func=cmd_enrich)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.root = (args.root or find_root(Path.cwd())).resolve()
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
