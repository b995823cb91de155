"""Survey prose (Markdown) to LaTeX through pandoc, with nothing of the prose able
to reach TeX as a command.

The prose is untrusted (see the README's trust model).  pandoc's Markdown
reader passes raw TeX through (``\\input{...}`` in a paragraph, ``$...$``
math, ```` ```{=latex} ```` blocks, ``\\newcommand`` macros) and its LaTeX
writer turns an image into ``\\includegraphics{path}``, which reads a file.
So the prose is read with every such extension turned off, and a Lua filter
drops raw blocks and inlines, turns images into their alt text and math into
code: what is left is text pandoc escapes (a backslash becomes
``\\textbackslash{}``).  As a second line of defence, :func:`dangerous`
refuses converted text still holding a command that reads or writes files,
runs programs or changes how TeX reads its input; and the compilation runs
with ``-no-shell-escape`` and ``openin_any``/``openout_any`` set to paranoid
(:mod:`survey_core.paper.compile`).

Citations never go through pandoc: each ``[@a; @b]`` group and each generated
section's marker is replaced by a placeholder word before the conversion, and
the caller puts ``\\citep{a,b}`` and the section's LaTeX in its place.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from survey_core.formats.bibtex import latex_escape_text

#: pandoc's Markdown without the extensions that let text through as TeX or
#: read as something other than prose.
READER = ("markdown" + "".join(f"-{ext}" for ext in (
    "raw_tex", "raw_attribute", "tex_math_dollars", "tex_math_single_backslash",
    "tex_math_double_backslash", "latex_macros", "yaml_metadata_block", "pandoc_title_block",
    "citations", "auto_identifiers", "header_attributes", "implicit_figures")))

#: Drops raw TeX/HTML, turns images into their alt text and math into code.
LUA_FILTER = """\
function RawInline(el) return {} end
function RawBlock(el) return {} end
function Image(el) return el.caption end
function Math(el) return pandoc.Code(el.text) end
"""

#: Seconds pandoc may take on one survey (a long survey takes well under one).
TIMEOUT = 60

#: Commands converted prose may never hold (outside verbatim): they read or
#: write files, run programs, or change how TeX reads what follows.
DANGEROUS = re.compile(
    r"\\(?:input|include|includeonly|InputIfFileExists|IfFileExists|openin|openout|read|"
    r"readline|write|immediate|closein|closeout|catcode|lccode|uccode|csname|endcsname|"
    r"expandafter|def|edef|gdef|xdef|let|futurelet|newcommand|renewcommand|providecommand|"
    r"DeclareRobustCommand|newenvironment|renewenvironment|usepackage|RequirePackage|"
    r"documentclass|includegraphics|includepdf|lstinputlisting|verbatiminput|special|"
    r"directlua|latelua|pdffiletext|pdffilesize|filecontents|endinput|scantokens|"
    r"everyeof|everypar|everyjob|pdfobj|pdfstartlink|ShellEscape|jobname|begingroup|"
    r"endgroup|output|shipout|errmessage|message|batchmode|nonstopmode|scrollmode)(?![A-Za-z])")

_VERBATIM = re.compile(r"\\begin\{verbatim\}.*?\\end\{verbatim\}", re.DOTALL)
#: pandoc's own line in every table without a caption (it stops the table counter).
_PANDOC_TABLE = "\\def\\LTcaptype{none} % do not increment counter\n"
#: pandoc's own numbering of an ordered list written "(a)", "iv." ... (prose cannot
#: write a backslash that reaches TeX, so only pandoc writes these).
_PANDOC_LABEL = re.compile(r"\\def\\labelenum(?:i|ii|iii|iv)\{\(?\\(?:arabic|alph|Alph|roman|Roman)"
                           r"\{enum(?:i|ii|iii|iv)\}[.)]?\}")


class ConversionError(Exception):
    """pandoc is missing, failed, or its output was refused."""


def find_pandoc(pandoc: str | None = None) -> str | None:
    """The pandoc executable (``pandoc`` on the PATH unless named), or None."""
    return shutil.which(pandoc or "pandoc")


def dangerous(latex: str) -> str | None:
    """The first forbidden command in ``latex`` outside verbatim blocks, or None."""
    m = DANGEROUS.search(_PANDOC_LABEL.sub("", _VERBATIM.sub("", latex)))
    return m.group(0) if m else None


def ascii_latex(latex: str) -> str:
    """Non-ASCII characters as LaTeX (``é`` -> ``{\\'e}``, ``×`` -> ``{$\\times$}``;
    one without a LaTeX form is dropped), ``?`` inside verbatim blocks: pdflatex
    then needs no Unicode set-up for any character."""
    def text(part: str) -> str:
        return re.sub(r"[^\x00-\x7f]", lambda m: latex_escape_text(m.group()), part)
    out, last = [], 0
    for m in _VERBATIM.finditer(latex):
        out.append(text(latex[last:m.start()]))
        out.append(re.sub(r"[^\x00-\x7f]", "?", m.group()))
        last = m.end()
    out.append(text(latex[last:]))
    return "".join(out)


def new_token(text: str, salt: str = "") -> str:
    """A placeholder word (letters only) that ``text`` does not contain; the same
    for the same text and salt (so a conversion of the same prose is reused)."""
    folded = text.lower()
    for n in itertools.count():
        digest = hashlib.sha256(f"{salt}\0{n}\0{text}".encode()).digest()
        token = "Zsurvey" + "".join(chr(ord("a") + b % 26) for b in digest[:8])
        if token.lower() not in folded:
            return token
    raise AssertionError("unreachable")


def markdown_to_latex(markdown: str, pandoc: str | None = None) -> str:
    """LaTeX of ``markdown`` (see :func:`_markdown_to_latex`); the last few
    conversions are kept (a survey's prose converts once while it is unchanged)."""
    return _converted(markdown, find_pandoc(pandoc))


@functools.lru_cache(maxsize=8)
def _converted(markdown: str, exe: str | None) -> str:
    return _markdown_to_latex(markdown, exe)


def _markdown_to_latex(markdown: str, pandoc: str | None = None) -> str:
    """LaTeX of ``markdown`` (``##`` headings become sections).  Raises
    :class:`ConversionError` when pandoc is not installed, fails or times out,
    or when its output holds a forbidden command."""
    exe = find_pandoc(pandoc)
    if exe is None:
        raise ConversionError(
            f"{pandoc or 'pandoc'} is not installed; the LaTeX edition converts survey prose "
            "with pandoc (https://pandoc.org/installing.html, or apt-get install pandoc)")
    with tempfile.TemporaryDirectory(prefix="survey-pandoc-") as tmp:
        lua = Path(tmp) / "safe.lua"
        lua.write_text(LUA_FILTER, encoding="utf-8")
        try:
            proc = subprocess.run(
                [exe, "-f", READER, "-t", "latex", "--wrap=preserve", "--no-highlight",
                 "--shift-heading-level-by=-1", f"--lua-filter={lua}"],
                input=markdown, capture_output=True, text=True, timeout=TIMEOUT,
                cwd=tmp, errors="replace")
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"pandoc took more than {TIMEOUT} s") from exc
        except OSError as exc:
            raise ConversionError(f"pandoc could not be run: {exc}") from exc
    if proc.returncode != 0:
        raise ConversionError("pandoc failed: " + " ".join(proc.stderr.split())[:300])
    latex = ascii_latex(proc.stdout.replace(_PANDOC_TABLE, ""))
    bad = dangerous(latex)
    if bad:
        raise ConversionError(f"the converted prose holds {bad}, which is never allowed")
    return latex
