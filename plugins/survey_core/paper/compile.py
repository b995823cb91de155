"""Compiling a LaTeX project with the installed TeX toolchain: pdflatex, then
bibtex (natbib, ``main.tex``) or biber (biblatex, ``main-biblatex.tex``), then
pdflatex twice, and up to twice more while LaTeX asks to rerun.

Every run is confined: ``-no-shell-escape`` (no ``\\write18``), and
``openin_any=p`` / ``openout_any=p`` (kpathsea's paranoid mode: no file outside
the project folder is opened by name, for reading or writing), with a time limit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

LATEX = ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
         "-file-line-error"]
#: Seconds one tool run may take.
TIMEOUT = 300
#: Lines of tool output that report an error.
ERROR_LINE = re.compile(r"^!|:\d+: |\bERROR\b|error message|I couldn't|I was expecting")
#: What LaTeX writes when another run would change the document (a float or a
#: long table moved to another page).
RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed|Table widths have changed")
#: Lines of a .log that mean the document is incomplete or wrong.
LOG_PROBLEM = re.compile(r"^!|:\d+: |Citation .* undefined|Reference .* undefined|"
                         r"There were undefined|Empty bibliography|Missing character|"
                         r"Label\(s\) may have changed")


@dataclass
class Compiled:
    pdf: Path | None
    seconds: float
    problems: list[str] = field(default_factory=list)


def missing_tools(biblatex: bool = False) -> list[str]:
    """The tools of the toolchain that are not installed."""
    return [t for t in ("pdflatex", "biber" if biblatex else "bibtex") if not shutil.which(t)]


def _env() -> dict[str, str]:
    env = dict(os.environ, openin_any="p", openout_any="p")
    env.pop("TEXMFOUTPUT", None)
    return env


def compile_project(folder: Path, biblatex: bool = False) -> Compiled:
    """Compile ``main.tex`` (or ``main-biblatex.tex``) in ``folder``; the PDF and
    what went wrong (errors, undefined citations or references, bibliography
    tool warnings)."""
    start = time.monotonic()
    job = "main-biblatex" if biblatex else "main"
    out = Compiled(pdf=None, seconds=0.0)
    missing = missing_tools(biblatex)
    if missing:
        out.problems.append(f"not installed: {', '.join(missing)}")
        return out
    steps = [[*LATEX, job], ["biber", job] if biblatex else ["bibtex", job],
             [*LATEX, job], [*LATEX, job], [*LATEX, job], [*LATEX, job]]
    for n, cmd in enumerate(steps):
        if n >= 4 and not RERUN.search((folder / f"{job}.log").read_text(
                encoding="utf-8", errors="replace")):
            break  # the last run changed nothing another run would see
        try:
            proc = subprocess.run(cmd, cwd=folder, env=_env(), capture_output=True, text=True,
                                  errors="replace", timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            out.problems.append(f"{cmd[0]} took more than {TIMEOUT} s")
            break
        if proc.returncode != 0:
            lines = (proc.stdout + proc.stderr).splitlines()
            shown = ([ln for ln in lines if ERROR_LINE.search(ln)][:8]
                     or [ln for ln in lines if LOG_PROBLEM.search(ln)][:8] or lines[-10:])
            out.problems.append(f"{cmd[0]} {job} failed:\n  " + "\n  ".join(shown))
            break
    if not out.problems:
        log = folder / f"{job}.log"
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if LOG_PROBLEM.search(line):
                out.problems.append(f"{job}.log: {line.strip()}")
        blg = folder / f"{job}.blg"
        if blg.exists():
            pattern = (re.compile(r"\bWARN\b|\bERROR\b") if biblatex else
                       re.compile(r"Warning--|error message|I couldn't|I was expecting"))
            for line in blg.read_text(encoding="utf-8", errors="replace").splitlines():
                if pattern.search(line):
                    out.problems.append(f"{job}.blg: {line.strip()}")
        if (folder / f"{job}.pdf").exists():
            out.pdf = folder / f"{job}.pdf"
    out.seconds = time.monotonic() - start
    return out
