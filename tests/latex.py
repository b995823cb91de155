"""Run real LaTeX toolchains on an exported ``.bib`` and collect every problem.

Used by tests/test_bibtex.py.  A missing tool is an error, never a skip: CI
installs pdflatex, bibtex, biber and pandoc.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

#: Preambles a typical user writes; "ot1" is LaTeX's bare default.
PREAMBLES = {
    "t1": "\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n",
    "ot1": "",
}

LATEX = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error"]

#: Lines of a TeX .log that signal a problem.  Overfull/underfull box reports
#: are typesetting noise and do not match.
_LOG_PROBLEM = re.compile(
    r"Warning|Missing character|^!|:\d+: |Undefined control sequence|not set up for use"
    r"|Unicode character|Emergency stop|Error",
)
#: Lines of tool output worth showing when a tool fails.
_ERROR_LINE = re.compile(r"^!|:\d+: |ERROR|error message|I couldn't|Error")
#: Lines of a bibtex .blg that signal a problem.
_BLG_BIBTEX_PROBLEM = re.compile(
    r"Warning--|error message|I couldn't|I was expecting|---line \d+ of file|for entry|I'm skipping"
    r"|Illegal|Repeated entry|Too many commas"
)
#: Lines of a biber .blg that signal a problem.
_BLG_BIBER_PROBLEM = re.compile(r"\bWARN\b|\bERROR\b")


@dataclass
class Run:
    """The outcome of one document build."""

    workdir: Path
    problems: list[str] = field(default_factory=list)
    bbl: str = ""

    def describe(self) -> str:
        return "\n".join(self.problems)


def require(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is not installed (CI installs it; locally: apt-get install it)"
    return path


def _run(cmd: list[str], cwd: Path, run: Run, timeout: int = 300) -> None:
    require(cmd[0])
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        lines = (proc.stdout + proc.stderr).splitlines()
        hits = [i for i, line in enumerate(lines) if _ERROR_LINE.search(line)]
        shown = [lines[j] for i in hits[:3] for j in range(i, min(i + 4, len(lines)))] or lines[
            -15:
        ]
        run.problems.append(f"{' '.join(cmd)} exited {proc.returncode}:\n" + "\n".join(shown))


def _scan(path: Path, pattern: re.Pattern[str], run: Run) -> None:
    if not path.exists():
        run.problems.append(f"{path.name} was not written")
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        if pattern.search(line):
            run.problems.append(f"{path.name}: {line.strip()}")


def _document(preamble: str, bib_setup: str, bib_print: str) -> str:
    return (
        "\\documentclass{article}\n"
        f"{preamble}{bib_setup}"
        "\\begin{document}\n"
        "Citations follow.\n"
        "\\nocite{*}\n"
        f"{bib_print}"
        "\\end{document}\n"
    )


def build_bibtex(bib: str, workdir: Path, style: str, encoding: str = "t1") -> Run:
    """pdflatex + bibtex + pdflatex x2 with ``\\bibliographystyle{style}``
    (``plainnat`` loads natbib)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "refs.bib").write_text(bib, encoding="utf-8")
    setup = "\\usepackage{natbib}\n" if style == "plainnat" else ""
    doc = _document(
        PREAMBLES[encoding], setup, f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n"
    )
    (workdir / "doc.tex").write_text(doc, encoding="utf-8")
    run = Run(workdir)
    _run([*LATEX, "doc.tex"], workdir, run)
    _run(["bibtex", "doc"], workdir, run)
    _run([*LATEX, "doc.tex"], workdir, run)
    _run([*LATEX, "doc.tex"], workdir, run)
    _scan(workdir / "doc.blg", _BLG_BIBTEX_PROBLEM, run)
    _scan(workdir / "doc.log", _LOG_PROBLEM, run)
    if (workdir / "doc.bbl").exists():
        run.bbl = (workdir / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    return run


def build_biblatex(bib: str, workdir: Path, encoding: str = "t1") -> Run:
    """pdflatex + biber + pdflatex x2 with ``\\usepackage[backend=biber]{biblatex}``."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "refs.bib").write_text(bib, encoding="utf-8")
    setup = "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
    doc = _document(PREAMBLES[encoding], setup, "\\printbibliography\n")
    (workdir / "doc.tex").write_text(doc, encoding="utf-8")
    run = Run(workdir)
    _run([*LATEX, "doc.tex"], workdir, run)
    _run(["biber", "doc"], workdir, run)
    _run([*LATEX, "doc.tex"], workdir, run)
    _run([*LATEX, "doc.tex"], workdir, run)
    _scan(workdir / "doc.blg", _BLG_BIBER_PROBLEM, run)
    _scan(workdir / "doc.log", _LOG_PROBLEM, run)
    if (workdir / "doc.bbl").exists():
        run.bbl = (workdir / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    return run


def pdf_text(workdir: Path) -> str:
    """The text of doc.pdf (via pdftotext when available, else empty)."""
    if not shutil.which("pdftotext") or not (workdir / "doc.pdf").exists():
        return ""
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "doc.pdf", "-"], cwd=workdir, capture_output=True, text=True
    )
    return proc.stdout


#: What LaTeX writes when another run would change the document.
RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed|Table widths have changed")


def build_project(folder: Path, job: str, biblatex: bool) -> Run:
    """A LaTeX project's ``<job>.tex`` as its author would compile it: pdflatex
    (without shell escape), bibtex or biber, pdflatex twice, or up to four times
    while LaTeX asks to rerun; every error, warning
    (undefined citations and references included) and bibliography-tool warning."""
    run = Run(folder)
    latex = [LATEX[0], "-no-shell-escape", *LATEX[1:], f"{job}.tex"]
    _run(latex, folder, run)
    _run(["biber", job] if biblatex else ["bibtex", job], folder, run)
    _run(latex, folder, run)
    for _ in range(3):  # again while LaTeX asks (a float or a long table moved a page)
        _run(latex, folder, run)
        if not RERUN.search((folder / f"{job}.log").read_text(encoding="utf-8",
                                                              errors="replace")):
            break
    _scan(folder / f"{job}.blg", _BLG_BIBER_PROBLEM if biblatex else _BLG_BIBTEX_PROBLEM, run)
    _scan(folder / f"{job}.log", _LOG_PROBLEM, run)
    if (folder / f"{job}.bbl").exists():
        run.bbl = (folder / f"{job}.bbl").read_text(encoding="utf-8", errors="replace")
    return run


def pdf_file_text(pdf: Path) -> str:
    """The text of a PDF (pdftotext, which tests/run.sh installs)."""
    require("pdftotext")
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
