"""``survey paper ID``: a survey's LaTeX edition (:mod:`survey_core.paper`)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from survey_core.cli.common import print_diagnostics


def add_parser(sub) -> None:
    p = sub.add_parser("paper", help="write a survey's LaTeX edition (main.tex, refs.bib); "
                       "--pdf compiles it")
    p.add_argument("survey", metavar="ID", help="the survey's id (its file name in "
                   "content/surveys/ without .md)")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                   help="the project folder (default: paper/ID)")
    p.add_argument("--pdf", action="store_true", help="also compile it with pdflatex and "
                   "bibtex into DIR/ID.pdf (needs a TeX installation)")
    p.set_defaults(func=run)


def fail(message: str) -> int:
    print(f"survey paper: {message}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from survey_core.model.catalog import load_catalog
    from survey_core.paper.compile import compile_project, missing_tools
    from survey_core.paper.convert import ConversionError
    from survey_core.paper.latex import build_project
    from survey_core.paper.output import OutputError, write_project

    catalog = load_catalog(args.root)
    if args.survey not in catalog.surveys:
        known = ", ".join(sorted(catalog.surveys)) or "none"
        return fail(f"no survey '{args.survey}' in content/surveys/ (surveys: {known})")
    errors = [d for d in catalog.errors if d.file == catalog.surveys[args.survey].path]
    if errors:
        print_diagnostics(errors, "text")
        return fail(f"fix the errors in {catalog.surveys[args.survey].path} first")
    folder = args.output or Path("paper") / args.survey
    try:
        project = build_project(catalog, args.survey)
    except ConversionError as exc:
        return fail(str(exc))
    print_diagnostics(project.diagnostics, "text")
    extra: dict[str, bytes] = {}
    if args.pdf:
        missing = missing_tools()
        if missing:
            try:
                write_project(project, folder)
            except (OutputError, OSError) as exc:
                return fail(str(exc))
            return fail(f"--pdf needs {' and '.join(missing)}, not installed here "
                        f"(TeX Live: apt-get install texlive-latex-recommended "
                        f"texlive-latex-extra texlive-pictures); the LaTeX project is in {folder}/")
        with tempfile.TemporaryDirectory(prefix="survey-paper-") as tmp:
            for name, text in project.files.items():
                (Path(tmp) / name).write_text(text, encoding="utf-8")
            compiled = compile_project(Path(tmp))
            if compiled.pdf is None or compiled.problems:
                keep = Path(tmp) / "main.log"
                log = keep.read_text(encoding="utf-8", errors="replace") if keep.exists() else ""
                try:
                    write_project(project, folder, {"main.log": log.encode()} if log else None)
                except (OutputError, OSError) as exc:
                    return fail(str(exc))
                return fail("compiling failed:\n" + "\n".join(compiled.problems)
                            + f"\nthe LaTeX project and main.log are in {folder}/")
            extra[f"{args.survey}.pdf"] = compiled.pdf.read_bytes()
            seconds = compiled.seconds
    try:
        write_project(project, folder, extra)
    except (OutputError, OSError) as exc:
        return fail(str(exc))
    print(f"paper: {folder}/main.tex and refs.bib ({len(project.cited)} cited papers)")
    if args.pdf:
        print(f"paper: {folder}/{args.survey}.pdf (compiled in {seconds:.1f} s)")
    return 0
