"""``survey init DIR``: start a new survey project (see :mod:`survey_core.project.init`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from survey_core.cli.common import Progress, print_diagnostics


def add_parser(sub) -> None:
    p = sub.add_parser("init", help="start a new survey project in a folder: mkdocs.yml, "
                       "content/, workflows; it builds at once")
    p.add_argument("dir", type=Path, help="the new project's folder (new or empty)")
    p.add_argument("--name", help="the site's name (default: from the folder's name)")
    p.add_argument("--description", help="one sentence on what the survey covers")
    p.add_argument("--url", help="the address the site is published at "
                   "(default: https://example.org/<folder>/; the deploy workflow sets the "
                   "GitHub Pages address)")
    p.add_argument("--repo", help="the project's repository, e.g. https://github.com/you/survey")
    p.add_argument("--from", dest="sources", nargs="+", type=Path, default=[],
                   metavar="FILE", help="bring an existing collection in at once: BibTeX, "
                   "CSL-JSON, RIS, awesome-list Markdown, Daily Papers copies")
    p.add_argument("--force", action="store_true",
                   help="write into a folder that is not empty (files of the same name are "
                   "replaced)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress counts")
    p.set_defaults(func=run, no_root=True)


def run(args: argparse.Namespace) -> int:
    from survey_core.project.init import InitError, init_project

    try:
        result = init_project(args.dir, name=args.name, url=args.url, repo=args.repo,
                              description=args.description, sources=args.sources,
                              force=args.force, progress=Progress(args.quiet))
    except InitError as exc:
        print_diagnostics(exc.diagnostics, "text")
        print(f"init: {exc}; nothing was written", file=sys.stderr)
        return 1
    print_diagnostics(result.diagnostics, "text")
    print(f"init: a new survey in {args.dir} ({len(result.files)} files"
          + (f", {result.papers} papers from {len(args.sources)} source(s)" if args.sources
             else "") + ")")
    print("next:\n"
          f"  cd {args.dir}\n"
          "  survey ingest my-references.bib   # bring in papers (BibTeX, CSL-JSON, RIS, "
          "awesome lists)\n"
          "  survey check                      # validate the content\n"
          "  mkdocs serve                      # the site at http://127.0.0.1:8000/")
    return 0
