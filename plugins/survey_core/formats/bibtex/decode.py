"""Decoding BibTeX/LaTeX field values to Unicode text, and URL fields to URLs.

LaTeX is decoded with pylatexenc's LaTeX-to-text converter, which knows the
accents, symbols and formatting commands every exporter writes, rather than a
hand-written parser; the encoder's own commands (:mod:`survey_core.formats.bibtex.encode`)
are added to its tables, so that encoding then decoding gives back the text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc import latex2text, latexwalker, macrospec

from survey_core.formats.bibtex.encode import (
    _ASCII_ESCAPES,
    _LETTERS,
    _MATH,
    _MATH_PLAIN,
    _SUBSCRIPTS,
    _SUPERSCRIPTS,
    _TEXT_SYMBOLS,
)

#: Commands written by the encoder or by common exporters that pylatexenc does
#: not know (or decodes differently): name -> text.
_WORDS = {
    **{m.group(1): k for k, v in _TEXT_SYMBOLS.items() if (m := re.search(r"\\([A-Za-z]+)", v))},
    **{m.group(1): k for k, v in _ASCII_ESCAPES.items() if (m := re.search(r"\\([A-Za-z]+)", v))},
    **{v: k for k, v in _LETTERS.items()},
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textdollar": "$",
    "textquotedbl": '"',
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "XeTeX": "XeTeX",
}
_ONE_ARGUMENT = {"textcommabelow": "\u0326", "textsuperscript": None, "textsubscript": None}
#: The encoder's math: command name -> character (``{$\\times$}`` -> "×").
_MATH_COMMANDS = {v: k for k, v in _MATH.items() if v.isalpha()}
_MATH_COMMANDS.update({"le": "≤", "ge": "≥", "ne": "≠", "to": "→", "gets": "←", "ldots": "…",
                       "cdots": "⋯"})
#: An accent command with an empty argument is the accent character itself.
_EMPTY_ACCENT = re.compile(r"\\([\^~'`\"=.])\{\}")
_EMPTY_ACCENT_WORDS = {"^": "textasciicircum", "~": "textasciitilde", "`": "textasciigrave"}


def _script(node, l2t, table: dict[str, str]) -> str:
    inverse = {v: k for k, v in table.items()}
    text = l2t.nodelist_to_text([node.nodeargd.argnlist[0]]) if node.nodeargd else ""
    return "".join(inverse.get(ch, ch) for ch in text)


class _Converter(latex2text.LatexNodes2Text):
    """Math is decoded when it is a single symbol the encoder writes (``{$\\leq$}``),
    and otherwise kept as written (``$\\mathcal{O}(n)$``)."""

    def math_node_to_text(self, node):
        if not isinstance(node, latexwalker.LatexMathNode) or node.displaytype != "inline":
            return node.latex_verbatim()
        content = "".join(n.latex_verbatim() for n in node.nodelist).strip()
        if content in _MATH_PLAIN:
            return _MATH_PLAIN[content]
        m = re.fullmatch(r"\\([A-Za-z]+)", content)
        if m and m.group(1) in _MATH_COMMANDS:
            return _MATH_COMMANDS[m.group(1)]
        if content in ("<", ">", "=", "+", "*", "/"):
            return content
        return node.latex_verbatim()


@lru_cache(maxsize=1)
def _converter() -> tuple[_Converter, macrospec.LatexContextDb]:
    walker_db = latexwalker.get_default_latex_context_db().filter_context()
    walker_db.add_context_category(
        "survey-bibtex",
        macros=[macrospec.MacroSpec(name, "{") for name in _ONE_ARGUMENT],
        specials=[macrospec.SpecialsSpec(",,")],
        prepend=True,
    )
    text_db = latex2text.get_default_latex_context_db().filter_context()
    macros = [latex2text.MacroTextSpec(name, text.replace("%", "%%"))
              for name, text in _WORDS.items()]
    macros.append(latex2text.MacroTextSpec(
        "textsuperscript", lambda n, l2tobj: _script(n, l2tobj, _SUPERSCRIPTS)))
    macros.append(latex2text.MacroTextSpec(
        "textsubscript", lambda n, l2tobj: _script(n, l2tobj, _SUBSCRIPTS)))
    macros.append(latex2text.MacroTextSpec(
        "textcommabelow",
        lambda n, l2tobj: (l2tobj.nodelist_to_text([n.nodeargd.argnlist[0]]) + "\u0326")
        if n.nodeargd else ""))
    text_db.add_context_category(
        "survey-bibtex",
        macros=macros,
        specials=[latex2text.SpecialsTextSpec(",,", "\u201e"),
                  latex2text.SpecialsTextSpec("~", " ")],
        prepend=True,
    )
    return _Converter(latex_context=text_db, math_mode="verbatim", keep_comments=True,
                      strict_latex_spaces=False), walker_db


#: What only the LaTeX converter can decode.
_NEEDS_LATEX = re.compile(r"[\\$~%]|--|``|''|,,")


def latex_decode(text: str) -> str:
    """Decode BibTeX/LaTeX text to Unicode (NFC): accents, escapes, symbols,
    dashes and quotes; braces are removed and whitespace collapsed.  Formatting
    commands (``\\emph``, ``\\textbf`` ...) and unknown commands are dropped and
    their arguments kept; math that is not a single symbol is kept as written."""
    import unicodedata

    s = str(text or "")
    if not s:
        return ""
    if not _NEEDS_LATEX.search(s):
        # plain text with at most protective braces (``{LLMs}``): most fields
        return " ".join(s.replace("{", "").replace("}", "").split())
    s = _EMPTY_ACCENT.sub(
        lambda m: (f"\\{_EMPTY_ACCENT_WORDS[m.group(1)]}{{}}" if m.group(1) in _EMPTY_ACCENT_WORDS
                   else m.group(1)), s)
    converter, walker_db = _converter()
    walker = latexwalker.LatexWalker(s, latex_context=walker_db, tolerant_parsing=True)
    nodes, _pos, _len = walker.get_latex_nodes()
    out = converter.nodelist_to_text(nodes)
    return " ".join(unicodedata.normalize("NFC", out).split())


#: What exporters escape in URL fields (DBLP writes ``content\\_CVPR\\_2019``).
_URL_ESCAPE = re.compile(r"\\([_%#&~$])|\\(?:textasciitilde|textunderscore)\{\}")


def url_decode(value: str) -> str:
    """A BibTeX ``url``/``doi`` value as the plain URL: LaTeX escapes undone
    (``\\_`` -> ``_``, ``\\%`` -> ``%``), a ``\\url{...}`` wrapper and braces removed."""
    s = str(value or "").strip()
    m = re.fullmatch(r"\\url\s*\{(.*)\}", s, flags=re.DOTALL)
    if m:
        s = m.group(1)

    def unescape(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1)
        return "~" if "tilde" in match.group(0) else "_"

    s = _URL_ESCAPE.sub(unescape, s)
    return "".join(s.replace("{", "").replace("}", "").split())
