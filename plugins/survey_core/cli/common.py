"""What every ``survey`` command shares: the project folder, progress counts and
how diagnostics are printed."""

from __future__ import annotations

import sys
from pathlib import Path

from survey_core.model.diagnostics import Diagnostic


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
