"""BibTeX export and import.

This module is plain Python (no MkDocs import).

Export
======

:func:`export_bibtex` writes one entry per paper, sorted by key, after a
one-line ``%`` header.  The entries are built as :class:`bibtexparser.model.Entry`
objects whose field values are already complete BibTeX values (``{...}``
braced text, bare digits for ``year``, a bare month macro such as ``aug``), and
written with :func:`bibtexparser.write_string` with an empty unparse stack, so
bibtexparser adds no enclosing and no escaping of its own (its
``LatexEncodingMiddleware`` would escape our protective braces; it is not used).

The text is pure ASCII and compiles without a single warning with plain
pdflatex + bibtex (``plain``, natbib ``plainnat``) and with biblatex + biber,
with ``\\usepackage[T1]{fontenc}`` + ``[utf8]{inputenc}`` or LaTeX's bare OT1
default -- except that OT1 fonts have no ogonek, eth, thorn, eng, d with stroke
or guillemets (``\\k``, ``\\dh``, ``\\th``, ``\\ng``, ``\\dj`` ... are
T1-only).  tests/test_bibtex.py runs all of these.

* Text is escaped by :func:`latex_escape_text`: ``% & $ # _`` become ``\\%``
  ..., ``^`` ``\\^{}``, backslash ``\\textbackslash{}``, braces ``\\{``/``\\}``
  when they pair up in the text (BibTeX counts braces even after a backslash,
  so an unpaired one is written ``\\textbraceleft{}``/``\\textbraceright{}``),
  ``~ < > |`` and the backtick as ``\\textasciitilde{}``, ``\\textless{}``,
  ``\\textgreater{}``, ``\\textbar{}``, ``\\textasciigrave{}``.  ASCII pairs
  that TeX fonts turn into ligatures (``--``, ``''``, ``,,`` ...) are split with
  ``{}``.  Accented letters become braced accent commands (``{\\"o}``,
  ``{\\r{a}}``, ``{\\c{c}}``, ``{\\'i}``), special letters ``{\\ss}``,
  ``{\\o}``, ``{\\l}``, ``{\\i}`` ..., typographic punctuation the usual TeX
  input (en/em dashes ``--``/``---``, curly double quotes ``````/``''``, single
  ones ``\\textquoteleft{}``/``\\textquoteright{}``, ``\\ldots{}``), math symbols
  and Greek letters braced math (``{$\\times$}``, ``{$\\rightarrow$}``,
  ``{$\\leq$}``, ``{$\\alpha$}``).  A character with none of these forms is
  replaced by its compatibility decomposition when that is ASCII (ligature
  "ﬁ" -> "fi") and otherwise dropped (CJK, emoji): the output never contains a
  non-ASCII character.
* Biber turns accent commands back into Unicode, and pdflatex's utf8 input
  knows only some accented letters (not most of Latin Extended Additional, nor
  any letter with two accents); for those the accent argument gets an empty
  group (``{\\~{\\^{e{}}}}`` for "ễ"), which biber leaves alone, and a
  letter accent (``\\d``, ``\\u``, ``\\c`` ...) on them is dropped ("ạ" ->
  "a") because biber mangles every form of it.  Commands whose names have
  capitals are written as BibTeX special characters (``{\\S}``), since styles
  lowercase the rest of a title.
* :func:`latex_escape_title` also protects capitals from lowercasing styles by
  bracing a word when one of its hyphen/slash-separated parts has a capital
  after its first character (``{LLMs}``, ``{CItruS}``, ``{MoE}``, ``{KV}``), when
  it mixes digits and letters (``{GPT-4}``, ``{T5}``, ``{1.58-bit}``), or when it
  is the pronoun "I".  The decision is made on the original text and the
  escaped word is wrapped afterwards, so escaping never touches these braces.
* Names are written "Last, First" (or "Last, Jr., First"), with name particles
  in the last part (see :func:`survey.keys.split_name`); a partial author list
  ends with ``and others``.

Entry shape, in this field order::

    @misc{bai2024citrus,            @inproceedings / @article when a venue is known
      author = {Bai, Yu and ...},   or key = {{<title>}} when authors are unknown
      title = {{CItruS}: ...},
      booktitle / journal / howpublished = {<venue>},
      year = 2024,
      month = jun,
      eprint = {2406.12018},
      archivePrefix = {arXiv},
      primaryClass = {cs.CL},       only when known
      url = {https://arxiv.org/abs/2406.12018},
    }

A known venue gives ``@inproceedings`` + ``booktitle`` (conferences, workshops,
"Findings of ...") or ``@article`` + ``journal`` (see :func:`venue_kind`) --
but only when the authors and the year are known, because ``plain`` and
``plainnat`` warn about an empty author or year in those types; otherwise the
entry stays ``@misc`` with the venue in ``howpublished``. With no author, a
``key`` field (the title up to its first colon, braced so that natbib's
``\\bibitem[...]`` label survives brackets and parentheses) lets
``plain``/``plainnat`` sort the entry without "to sort, need author or key".
``url`` is the arXiv abstract page, else the project (or PDF) link; a URL is
written only when it contains nothing but letters, digits and ``: / . - ? = + ,
; @ ! * ( ) '``, because plainnat prints it through ``\\texttt`` when the url
package is absent, where ``_ % # & ~`` break or change it, while biblatex reads
the field verbatim (so no escaping could suit both).

The one warning no single file can avoid: an entry without a year makes
``plainnat`` say "empty year in <key>" (every entry type formats the year), and
any non-numeric placeholder such as ``n.d.`` would make biber warn instead.  The
year is then left out; ``plain`` and biber stay silent.

Import
======

:func:`parse_bibtex` reads a ``.bib`` file with bibtexparser and decodes the
LaTeX in every text field with :func:`latex_decode`, the inverse of the encoder
above (plus the common forms other tools write: ``\\"{o}``, ``\\"o``,
``\\emph{...}``, ``~`` as a space, ...).  Exporting a record and importing the
result gives back exactly the same title, authors, authors_complete, year,
month, arxiv_id, primary_class and venue, for any text whose characters have a
LaTeX form (see above: CJK, emoji and the dropped letter accents do not) and
whose whitespace is single spaces; an author whose name has no LaTeX form at all
is left out and the list ends with ``and others``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

import bibtexparser
from bibtexparser import model as bibmodel

from .keys import NameParts, split_name

__all__ = [
    "MONTH_MACROS",
    "export_bibtex",
    "latex_decode",
    "latex_escape_text",
    "latex_escape_title",
    "name_to_bibtex",
    "paper_to_entry",
    "parse_bibtex",
    "safe_url",
    "venue_kind",
]

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# ---------------------------------------------------------------------------
# Encoding tables
# ---------------------------------------------------------------------------

#: ASCII characters that LaTeX (or BibTeX) gives a meaning.
_ASCII_ESCAPES = {
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "`": r"\textasciigrave{}",
}

#: Combining accents: mark -> (command, is a one-character "symbol" command).
_ACCENTS = {
    "\u0300": ("`", True),
    "\u0301": ("'", True),
    "\u0302": ("^", True),
    "\u0303": ("~", True),
    "\u0304": ("=", True),
    "\u0306": ("u", False),
    "\u0307": (".", True),
    "\u0308": ('"', True),
    "\u030a": ("r", False),
    "\u030b": ("H", False),
    "\u030c": ("v", False),
    "\u0323": ("d", False),
    "\u0326": ("textcommabelow", False),
    "\u0327": ("c", False),
    "\u0328": ("k", False),
    "\u0331": ("b", False),
}
_ACCENT_MARKS = {cmd: mark for mark, (cmd, _sym) in _ACCENTS.items()}

#: Accented letters (one accent on an ASCII letter) that pdflatex's utf8 input
#: does not declare (LaTeX's utf8enc.dfu, 2022): biber must not turn them into
#: Unicode.  Letters with two accents are never declared either.
_UNDECLARED = frozenset(
    "ǸǹȞȟȦȧȨȩȮȯḄḅḆḇḊḋḌḎḏḐḑḢḣḤḦḧḨḩḲḳḴḵḶḺḻḾḿṀṁṂṄṆṈṉṔṕṖṗṘṙṚṞṟṠṡṢṪṫṬṮṯṼṽṾṿ"
    "ẀẁẂẃẄẅẆẇẈẉẊẋẌẍẒẓẔẕẖẗẘẙẠạẸẹẼẽỊịỌọỤụỴỵỸỹ"
)

#: Letters LaTeX writes as a command of their own.
_LETTERS = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "ı": "i",
    "ȷ": "j",
    "å": "aa",
    "Å": "AA",
    "đ": "dj",
    "Đ": "DJ",
    "ð": "dh",
    "Ð": "DH",
    "þ": "th",
    "Þ": "TH",
    "ŋ": "ng",
    "Ŋ": "NG",
}
#: å/Å decompose, and are written with \r (``{\r{a}}``); the commands above are
#: still understood when decoding.
_LETTERS_ENCODE = {k: v for k, v in _LETTERS.items() if k not in "åÅ"}

#: Text symbols: character -> LaTeX (already terminated).
_TEXT_SYMBOLS = {
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": r"\textquoteleft{}",
    "\u2019": r"\textquoteright{}",
    "\u201c": "``",
    "\u201d": "''",
    "\u201e": ",,",
    "\u2026": r"\ldots{}",
    "\u2022": r"\textbullet{}",
    "\u00b0": r"\textdegree{}",
    "\u00a9": r"\textcopyright{}",
    "\u00ae": r"\textregistered{}",
    "\u2122": r"\texttrademark{}",
    "\u00a7": r"{\S}",
    "\u00b6": r"{\P}",
    "\u00a3": r"\pounds{}",
    "\u20ac": r"\texteuro{}",
    "\u00a5": r"\textyen{}",
    "\u00a2": r"\textcent{}",
    "\u2020": r"\dag{}",
    "\u2021": r"\ddag{}",
    "\u00a1": r"\textexclamdown{}",
    "\u00bf": r"\textquestiondown{}",
    "\u00ab": r"\guillemotleft{}",
    "\u00bb": r"\guillemotright{}",
    "\u2039": r"\guilsinglleft{}",
    "\u203a": r"\guilsinglright{}",
    "\u00b5": r"\textmu{}",
    "\u00bd": r"\textonehalf{}",
    "\u00bc": r"\textonequarter{}",
    "\u00be": r"\textthreequarters{}",
    "\u2010": "-",
    "\u2011": "-",
    "\u00ad": "",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
}

#: Superscript and subscript digits.
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789", strict=True))

#: Math-mode symbols: character -> command name (written ``{$\name$}``).
_MATH = {
    "×": "times",
    "÷": "div",
    "±": "pm",
    "∓": "mp",
    "−": "-",
    "→": "rightarrow",
    "←": "leftarrow",
    "↔": "leftrightarrow",
    "⇒": "Rightarrow",
    "⇐": "Leftarrow",
    "⇔": "Leftrightarrow",
    "↑": "uparrow",
    "↓": "downarrow",
    "↦": "mapsto",
    "≤": "leq",
    "≥": "geq",
    "≠": "neq",
    "≈": "approx",
    "≡": "equiv",
    "∼": "sim",
    "≃": "simeq",
    "≅": "cong",
    "∝": "propto",
    "≪": "ll",
    "≫": "gg",
    "∞": "infty",
    "∈": "in",
    "∉": "notin",
    "∋": "ni",
    "⊂": "subset",
    "⊃": "supset",
    "⊆": "subseteq",
    "⊇": "supseteq",
    "∪": "cup",
    "∩": "cap",
    "∧": "wedge",
    "∨": "vee",
    "¬": "neg",
    "∀": "forall",
    "∃": "exists",
    "∂": "partial",
    "∇": "nabla",
    "∑": "sum",
    "∏": "prod",
    "∫": "int",
    "√": "surd",
    "·": "cdot",
    "⋅": "cdot",
    "∘": "circ",
    "⊕": "oplus",
    "⊗": "otimes",
    "⊙": "odot",
    "⋆": "star",
    "∗": "ast",
    "′": "prime",
    "∅": "emptyset",
    "ℓ": "ell",
    "ℏ": "hbar",
    "⊤": "top",
    "⊥": "bot",
    "‖": "|",
    "∣": "mid",
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "varepsilon",
    "ϵ": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ϑ": "vartheta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ϖ": "varpi",
    "ρ": "rho",
    "ϱ": "varrho",
    "σ": "sigma",
    "ς": "varsigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "varphi",
    "ϕ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Γ": "Gamma",
    "Δ": "Delta",
    "Θ": "Theta",
    "Λ": "Lambda",
    "Ξ": "Xi",
    "Π": "Pi",
    "Σ": "Sigma",
    "Υ": "Upsilon",
    "Φ": "Phi",
    "Ψ": "Psi",
    "Ω": "Omega",
}
#: Math content that is a plain character rather than a command.
_MATH_PLAIN = {"-": "−", "|": "‖"}

# ---------------------------------------------------------------------------
# Decoding tables (the inverse of the above, plus common extras)
# ---------------------------------------------------------------------------

_DECODE_LETTERS = {v: k for k, v in _LETTERS.items()}
_DECODE_WORDS = {
    # inverse of _TEXT_SYMBOLS / _ASCII_ESCAPES
    **{m.group(1): k for k, v in _TEXT_SYMBOLS.items() if (m := re.search(r"\\([A-Za-z]+)", v))},
    **{m.group(1): k for k, v in _ASCII_ESCAPES.items() if (m := re.search(r"\\([A-Za-z]+)", v))},
    "textbraceleft": "{",
    "textbraceright": "}",
    # extras other tools write
    "dots": "\u2026",
    "textellipsis": "\u2026",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "quotedblbase": "\u201e",
    "textquotedbl": '"',
    "textasciicircum": "^",
    "textunderscore": "_",
    "textdollar": "$",
    "textsterling": "\u00a3",
    "copyright": "\u00a9",
    "textdagger": "\u2020",
    "textdaggerdbl": "\u2021",
    "textperiodcentered": "\u00b7",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
}
#: Commands that only format their argument: dropped, the argument kept.
_DECODE_TRANSPARENT = {
    "emph",
    "textit",
    "textbf",
    "textsl",
    "textsc",
    "texttt",
    "textrm",
    "textsf",
    "textup",
    "textmd",
    "textnormal",
    "mbox",
    "hbox",
    "text",
    "NoCaseChange",
    "protect",
    "relax",
    "url",
    "mathrm",
    "mathit",
    "mathbf",
    "mathsf",
    "mathtt",
}
_DECODE_MATH = {v: k for k, v in _MATH.items() if v.isalpha()}
_DECODE_MATH.update(
    {
        "cdot": "·",
        "mu": "μ",
        "epsilon": "ϵ",
        "varepsilon": "ε",
        "phi": "ϕ",
        "varphi": "φ",
        "le": "≤",
        "ge": "≥",
        "ne": "≠",
        "to": "→",
        "gets": "←",
        "ldots": "…",
        "cdots": "⋯",
        "sim": "∼",
        "circ": "∘",
        "ast": "∗",
    }
)

# ---------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------


def _accent(cmd: str, symbol: bool, inner: str) -> str:
    if symbol and (len(inner) == 1 or re.fullmatch(r"\\[a-zA-Z]+", inner)):
        return f"\\{cmd}{inner}"
    return f"\\{cmd}{{{inner}}}"


def _encode_decomposed(ch: str) -> str | None:
    """``{\\"o}`` style form of an accented letter, or None."""
    nfd = unicodedata.normalize("NFD", ch)
    base, marks = nfd[0], nfd[1:]
    if not marks or not all(m in _ACCENTS for m in marks):
        return None
    if base.isascii() and base.isalpha():
        inner = base
    elif base in _LETTERS_ENCODE:
        inner = "\\" + _LETTERS_ENCODE[base]
    else:
        return None
    if len(marks) > 1 or ch in _UNDECLARED:
        # Biber decodes accent commands to Unicode characters, and pdflatex's
        # utf8 input does not know this one.  Biber leaves a symbol accent
        # (\^ \~ ...) alone when its argument is more than a letter, so an
        # empty group follows the letter and LaTeX builds the accent itself:
        # {\~{\^{e{}}}}.  A letter accent (\d \u \c ...) has no such form (biber
        # mangles "\d{e{}}" and "\d{{e}}"), so it is dropped.
        marks = "".join(m for m in marks if _ACCENTS[m][1])
        if not marks:
            return inner
        inner += "{}"
    for mark in marks:
        cmd, symbol = _ACCENTS[mark]
        inner = _accent(cmd, symbol, inner)
    return "{" + inner + "}"


def _encode_char(ch: str) -> str:
    """LaTeX for one character (pure ASCII, possibly empty)."""
    if ch in _ASCII_ESCAPES:
        return _ASCII_ESCAPES[ch]
    if ch in "{}":  # only reached through a compatibility decomposition
        return r"\textbraceleft{}" if ch == "{" else r"\textbraceright{}"
    if ch.isascii():
        return ch if ch.isprintable() else ("" if ch not in "\t\n\r" else " ")
    if ch in _TEXT_SYMBOLS:
        return _TEXT_SYMBOLS[ch]
    if ch in _MATH:
        name = _MATH[ch]
        return "{$" + (("\\" + name) if name.isalpha() else name) + "$}"
    if ch in _LETTERS_ENCODE:
        return "{\\" + _LETTERS_ENCODE[ch] + "}"
    if ch in _SUPERSCRIPTS:
        return "\\textsuperscript{" + _SUPERSCRIPTS[ch] + "}"
    if ch in _SUBSCRIPTS:
        return "\\textsubscript{" + _SUBSCRIPTS[ch] + "}"
    if ch.isspace():
        return " "
    accented = _encode_decomposed(ch)
    if accented is not None:
        return accented
    compat = unicodedata.normalize("NFKD", ch)
    if compat != ch:
        return "".join(_encode_char(c) for c in compat)
    return ""  # no LaTeX form (CJK, emoji, ...): dropped


#: Adjacent characters that TeX fonts join into a ligature.
_LIGATURE_PAIRS = {
    ("-", "-"),
    ("'", "'"),
    ("`", "`"),
    (",", ","),
    ("!", "`"),
    ("?", "`"),
    ("<", "<"),
    (">", ">"),
}


#: Commands that biber turns back into the character (then liable to ligature).
_DECODED_FIRST = {r"\textasciigrave{}": "`", r"\textless{}": "<", r"\textgreater{}": ">"}


def _join(pieces: Iterable[str]) -> str:
    """Concatenate, separating pieces whose meeting characters would ligature."""
    out: list[str] = []
    prev = ""
    for piece in pieces:
        if not piece:
            continue
        first = _DECODED_FIRST.get(piece, piece[0])
        if prev and (prev[-1], first) in _LIGATURE_PAIRS:
            out.append("{}")
        out.append(piece)
        prev = piece
    return "".join(out)


def _unpaired_braces(text: str) -> set[int]:
    stack: list[int] = []
    bad: set[int] = set()
    for i, ch in enumerate(text):
        if ch == "{":
            stack.append(i)
        elif ch == "}":
            if stack:
                stack.pop()
            else:
                bad.add(i)
    bad.update(stack)
    return bad


#: What makes a printable-ASCII text differ from its LaTeX: specials, braces and
#: the characters pairs that ligature (the other pairs involve specials).
_NOT_PLAIN = re.compile(r"[%&$#_^\\~<>|`{}]|--|''|,,")


def _char_pieces(text: str, start: int, unpaired: set[int]) -> list[str]:
    if text.isascii() and text.isprintable() and not _NOT_PLAIN.search(text):
        # Every character is itself (the common case): one piece, so _join only
        # looks at its ends.
        return [text] if text else []
    pieces = []
    for offset, ch in enumerate(text):
        if ch in "{}":
            if start + offset in unpaired:
                pieces.append(r"\textbraceleft{}" if ch == "{" else r"\textbraceright{}")
            else:
                pieces.append("\\" + ch)
        else:
            pieces.append(_encode_char(ch))
    return pieces


def _normalise_space(text: str) -> str:
    """Drop the characters that have no LaTeX form, then collapse whitespace."""
    text = str(text or "")
    if not text.isascii():
        text = "".join(ch for ch in text if ch.isascii() or ch.isspace() or _encode_char(ch))
    return " ".join(text.split())


def latex_escape_text(text: str) -> str:
    """Escape ``text`` for a BibTeX field: pure-ASCII LaTeX, no capital protection
    (for author names, venues, notes).  Whitespace runs become single spaces."""
    text = _normalise_space(text)
    return _join(_char_pieces(text, 0, _unpaired_braces(text)))


#: A chunk's core: from its first to its last letter or digit.
_CORE = re.compile(r"[^\W_](?:.*[^\W_])?", re.DOTALL)


def _needs_protection(core: str) -> bool:
    if core == "I":
        return True
    if any(c.isdigit() for c in core) and any(c.isalpha() for c in core):
        return True
    for part in re.split(r"[-/\u2010\u2011\u2013\u2014]", core):
        if any(c.isupper() for c in part[1:]):
            return True
    return False


def latex_escape_title(text: str) -> str:
    """Escape a title like :func:`latex_escape_text` and brace the words whose
    capitals must survive a lowercasing bibliography style (see the module
    docstring)."""
    text = _normalise_space(text)
    unpaired = _unpaired_braces(text)
    pieces: list[str] = []
    for chunk in re.finditer(r"\S+", text):
        word, start = chunk.group(), chunk.start()
        if pieces:
            pieces.append(" ")
        core = _CORE.search(word)
        if core is None or not _needs_protection(core.group()):
            pieces.extend(_char_pieces(word, start, unpaired))
            continue
        lead, body, trail = word[: core.start()], core.group(), word[core.end() :]
        pieces.extend(_char_pieces(lead, start, unpaired))
        inner = _join(_char_pieces(body, start + core.start(), unpaired))
        if inner.startswith("\\"):
            inner = "{}" + inner  # "{\..." would be a BibTeX special character
        pieces.append("{" + inner + "}")
        pieces.extend(_char_pieces(trail, start + core.end(), unpaired))
    return _join(pieces)


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------


def _matching_brace(s: str, i: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``i`` (len(s) if unclosed)."""
    depth = 0
    j = i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return len(s)


def _read_command(s: str, i: int) -> tuple[str, int]:
    """Read the control sequence at ``s[i] == '\\\\'``: (name, index after it).
    Spaces after a control word are skipped, as TeX does."""
    j = i + 1
    if j >= len(s):
        return "", j
    if s[j].isascii() and s[j].isalpha():
        k = j
        while k < len(s) and s[k].isascii() and s[k].isalpha():
            k += 1
        name = s[j:k]
        while k < len(s) and s[k] in " \t\n\r":
            k += 1
        return name, k
    return s[j], j + 1


def _read_argument(s: str, i: int) -> tuple[str, int]:
    """Read one macro argument at ``i``: a braced group, a control sequence or a
    character.  Returns (raw argument, index after it)."""
    while i < len(s) and s[i] in " \t\n\r":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] == "{":
        end = _matching_brace(s, i)
        return s[i + 1 : end], end + 1
    if s[i] == "\\":
        _name, end = _read_command(s, i)
        return s[i:end].rstrip(), end
    return s[i], i + 1


def _apply_accent(cmd: str, arg: str) -> str:
    decoded = latex_decode(arg)
    if not decoded:
        return {"^": "^", "~": "~", "'": "'", "`": "`", '"': '"', "=": "=", ".": "."}.get(cmd, "")
    base, rest = decoded[0], decoded[1:]
    base = {"ı": "i", "ȷ": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _ACCENT_MARKS[cmd]) + rest


def _decode_math(content: str) -> str | None:
    stripped = content.strip()
    if stripped in _MATH_PLAIN:
        return _MATH_PLAIN[stripped]
    m = re.fullmatch(r"\\([A-Za-z]+)", stripped)
    if m and m.group(1) in _DECODE_MATH:
        return _DECODE_MATH[m.group(1)]
    if m is None and stripped in ("<", ">", "=", "+", "*", "/"):
        return stripped
    return None


def latex_decode(text: str) -> str:
    """Decode BibTeX/LaTeX text to Unicode: accents, escapes, symbols, dashes and
    quotes; braces are removed and whitespace collapsed.  Unknown commands and
    math that has no single-character meaning are kept as written."""
    s = str(text or "")
    out: list[str] = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            name, j = _read_command(s, i)
            if name in _ACCENT_MARKS:
                arg, j = _read_argument(s, j)
                out.append(_apply_accent(name, arg))
            elif name in ("textsuperscript", "textsubscript"):
                arg, j = _read_argument(s, j)
                decoded = latex_decode(arg)
                table = _SUPERSCRIPTS if name == "textsuperscript" else _SUBSCRIPTS
                inverse = {v: k for k, v in table.items()}
                out.append("".join(inverse.get(ch, ch) for ch in decoded))
            elif name in _DECODE_LETTERS:
                out.append(_DECODE_LETTERS[name])
            elif name in _DECODE_WORDS:
                out.append(_DECODE_WORDS[name])
            elif name in _DECODE_MATH:
                out.append(_DECODE_MATH[name])
            elif name in _DECODE_TRANSPARENT:
                pass
            elif name == "":
                out.append("\\")
            elif name in {"%", "&", "$", "#", "_", "{", "}"}:
                out.append(name)
            elif name in {" ", "\\", "\n", ",", ";", ":", "quad", "qquad", "newline"}:
                out.append(" ")
            elif name in {"-", "/", "@", "!"}:
                pass
            elif name.isalpha() and j < n and s[j] == "{":
                # unknown command with an argument: kept as written
                arg, j = _read_argument(s, j)
                out.append(f"\\{name}{{{latex_decode(arg)}}}")
            else:
                out.append("\\" + name)
                if name.isalpha() and j < n and s[j - 1] in " \t\n\r":
                    out.append(" ")
            i = j
        elif c in "{}":
            i += 1
        elif c == "$":
            end = s.find("$", i + 1)
            while end != -1 and s[end - 1] == "\\":
                end = s.find("$", end + 1)
            if end == -1:
                out.append("$")
                i += 1
                continue
            decoded = _decode_math(s[i + 1 : end])
            out.append(decoded if decoded is not None else s[i : end + 1])
            i = end + 1
        elif c == "-":
            j = i
            while j < n and s[j] == "-":
                j += 1
            run = j - i
            out.append(
                "\u2014" * (run // 3) + ("\u2013" if run % 3 == 2 else "-" if run % 3 == 1 else "")
            )
            i = j
        elif c == "`":
            if s.startswith("``", i):
                out.append("\u201c")
                i += 2
            else:
                out.append("\u2018")
                i += 1
        elif c == "'" and s.startswith("''", i):
            out.append("\u201d")
            i += 2
        elif c == "," and s.startswith(",,", i):
            out.append("\u201e")
            i += 2
        elif c == "~":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    return " ".join("".join(out).split())


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def _name_part(text: str) -> str:
    escaped = latex_escape_text(text)
    # A word "and" would split the author list; a comma would split the name.
    escaped = re.sub(r"(?<![^\s])(and)(?![^\s])", r"{\1}", escaped, flags=re.IGNORECASE)
    return escaped.replace(",", "{,}")


def name_to_bibtex(name: str) -> str:
    """ "First Middle Last" -> "Last, First Middle" (or "Last, Jr., First"), escaped.

    Returns "" for a name with no LaTeX form at all (e.g. written in CJK)."""
    parts: NameParts = split_name(name)
    family, given, suffix = (_name_part(p) for p in (parts.family, parts.given, parts.suffix))
    if not family:
        family, given = given, ""
    if not family:
        return ""
    if not given and not suffix:
        return family
    if suffix:
        return f"{family}, {suffix}, {given}"
    return f"{family}, {given}"


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` (a regex) outside braces."""
    pieces: list[str] = []
    depth = 0
    last = 0
    i = 0
    pattern = re.compile(sep, re.IGNORECASE)
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = pattern.match(text, i)
            if m:
                pieces.append(text[last:i])
                last = i = m.end()
                continue
        i += 1
    pieces.append(text[last:])
    return pieces


def _bibtex_name_to_display(raw: str) -> str:
    parts = [p.strip() for p in _split_top(raw.strip(), r",")]
    if len(parts) == 1:
        return latex_decode(parts[0])
    family = latex_decode(parts[0])
    if len(parts) == 2:
        return NameParts(latex_decode(parts[1]), family).display
    return NameParts(latex_decode(", ".join(parts[2:])), family, latex_decode(parts[1])).display


def parse_authors(raw: str) -> tuple[list[str], bool]:
    """A BibTeX author list -> ("First Last" names, complete?)."""
    names = [n.strip() for n in _split_top(" ".join(raw.split()), r"\s+and\s+")]
    names = [n for n in names if n]
    complete = True
    if names and names[-1].lower() == "others":
        names.pop()
        complete = False
    return [_bibtex_name_to_display(n) for n in names], complete and bool(names)


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------

_CONFERENCE_HINTS = re.compile(
    r"workshop|conference|proceedings|symposium|findings|track|competition|@|\bproc\b",
    re.IGNORECASE,
)
_JOURNAL_HINTS = re.compile(
    r"\b(TMLR|JMLR|TACL|TPAMI|PAMI|TOSEM|TOIS|TKDE|TNNLS|TASLP|JAIR|PNAS|PLOS|Nature|Science"
    r"|Journal|Transactions|Letters|Magazine|Surveys|Review|IEEE Access|Applied Sciences)\b"
    r"|^Computational Linguistics\b",
    re.IGNORECASE,
)


def venue_kind(venue: str) -> str:
    """``"journal"`` or ``"conference"`` for a venue string.  Workshops,
    proceedings, tracks and "Findings of ..." are conferences; known journal
    names (TMLR, JMLR, TACL, Nature, ... or words like "Journal",
    "Transactions") are journals; anything else is taken as a conference."""
    if _CONFERENCE_HINTS.search(venue):
        return "conference"
    if _JOURNAL_HINTS.search(venue):
        return "journal"
    return "conference"


_SAFE_URL = re.compile(r"https?://[A-Za-z0-9:/.\-?=+,;@!*()']+")


def safe_url(url: str | None) -> str | None:
    """``url`` if every character is safe unescaped in plain LaTeX (see the
    module docstring), else None."""
    if url and _SAFE_URL.fullmatch(url):
        return url
    return None


def _get(paper: Any, name: str, default: Any = None) -> Any:
    if isinstance(paper, dict):
        return paper.get(name, default)
    return getattr(paper, name, default)


def arxiv_abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def _short_title(title: str) -> str:
    """The title up to its first colon ("Power Scheduler: A ..." -> "Power
    Scheduler"): the ``key`` field of an entry without authors, which plainnat
    prints in the author's place and uses as the citation label."""
    head = title.split(": ", 1)[0].strip()
    return head if head else title


def _entry(paper: Any) -> bibmodel.Entry:
    title = _get(paper, "title") or ""
    authors = [a for a in (_get(paper, "authors") or []) if str(a).strip()]
    complete = bool(_get(paper, "authors_complete"))
    year = _get(paper, "year")
    month = _get(paper, "month")
    venue = _normalise_space(_get(paper, "venue") or "")
    arxiv_id = (_get(paper, "arxiv_id") or "").strip()
    primary = (_get(paper, "primary_class") or "").strip()
    links = _get(paper, "links") or {}

    fields: list[tuple[str, str]] = []
    names = [n for n in map(name_to_bibtex, authors) if n]
    if names:
        if not complete or len(names) < len(authors):
            names.append("others")  # partial, or a name had no LaTeX form
        fields.append(("author", "{" + " and ".join(names) + "}"))
    else:
        fields.append(("key", "{{" + latex_escape_text(_short_title(title)) + "}}"))
        authors = []
    fields.append(("title", "{" + latex_escape_title(title) + "}"))

    entry_type = "misc"
    if venue:
        venue_tex = "{" + latex_escape_text(venue) + "}"
        if authors and year:
            if venue_kind(venue) == "journal":
                entry_type = "article"
                fields.append(("journal", venue_tex))
            else:
                entry_type = "inproceedings"
                fields.append(("booktitle", venue_tex))
        else:
            fields.append(("howpublished", venue_tex))
    if year:
        fields.append(("year", str(int(year))))
        if month and 1 <= int(month) <= 12:
            fields.append(("month", MONTH_MACROS[int(month) - 1]))
    if arxiv_id:
        fields.append(("eprint", "{" + latex_escape_text(arxiv_id) + "}"))
        fields.append(("archivePrefix", "{arXiv}"))
    if primary:
        fields.append(("primaryClass", "{" + latex_escape_text(primary) + "}"))
    candidates = [arxiv_abs_url(arxiv_id)] if arxiv_id else []
    candidates += [links.get(k) for k in ("arxiv", "project", "pdf")]
    url = next((u for u in map(safe_url, candidates) if u), None)
    if url:
        fields.append(("url", "{" + url + "}"))
    key = _get(paper, "key")
    if not key or not re.fullmatch(r"[A-Za-z0-9_:.\-/+]+", key):
        raise ValueError(f"unusable citation key {key!r} for {title!r}")
    return bibmodel.Entry(entry_type, key, [bibmodel.Field(k, v) for k, v in fields])


def _format() -> bibtexparser.BibtexFormat:
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.trailing_comma = True
    fmt.block_separator = "\n"
    return fmt


def _write(blocks: Iterable[bibmodel.Block]) -> str:
    library = bibtexparser.Library()
    for block in blocks:
        library.add(block)
    if library.failed_blocks:
        raise ValueError("; ".join(str(b.error) for b in library.failed_blocks))  # duplicate keys
    text = bibtexparser.write_string(library, unparse_stack=[], bibtex_format=_format())
    return text.strip("\n") + "\n"


def paper_to_entry(paper: Any) -> str:
    """One BibTeX entry (text ending with a newline) for ``paper``."""
    return _write([_entry(paper)])


def export_bibtex(papers: Iterable[Any]) -> str:
    """The whole ``.bib`` file for ``papers``: a header comment and one entry per
    paper, sorted by key.  Raises ValueError on a duplicate or unusable key."""
    entries = [(_get(p, "key"), paper_to_entry(p)) for p in papers]
    keys = [k for k, _ in entries]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        raise ValueError(f"duplicate citation keys: {', '.join(dup)}")
    return bib_file_text(entries)


def bib_file_text(entries: Iterable[tuple[str, str]]) -> str:
    """A ``.bib`` file from ``(key, entry text)`` pairs: a one-line header
    (``% N entries, exported by survey``), a blank line, then the entries
    sorted by key, separated by one blank line.  The papers index builds its
    "download what you see" file in the browser by this same rule."""
    ordered = sorted(entries, key=lambda pair: pair[0])
    noun = "entry" if len(ordered) == 1 else "entries"
    return f"% {len(ordered)} {noun}, exported by survey\n\n" + "\n".join(e for _k, e in ordered)


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------

_ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf)/([^\s?#{}]+?)(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE
)
_ARXIV_JOURNAL = re.compile(r"arxiv(?:\s+preprint)?\s*:?\s*(?:arxiv\s*:\s*)?(\S+)", re.IGNORECASE)
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.IGNORECASE)
_MONTHS = {m: i + 1 for i, m in enumerate(MONTH_MACROS)}


def _month(value: str) -> int | None:
    v = value.strip().strip("{}").strip().lower()
    if v.isdigit() and 1 <= int(v) <= 12:
        return int(v)
    return _MONTHS.get(v[:3]) if len(v) >= 3 else None


def _year(value: str) -> int | None:
    m = re.search(r"\d{4}", value)
    return int(m.group()) if m else None


@contextmanager
def _quiet_bibtexparser():
    """bibtexparser logs every failed block; we report them as errors instead."""
    logger = logging.getLogger("bibtexparser")
    old = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(old)


def _record(entry: bibmodel.Entry) -> dict[str, Any]:
    f = {fld.key.lower(): str(fld.value) for fld in entry.fields}

    def text(name: str) -> str:
        return latex_decode(f.get(name, ""))

    authors, complete = parse_authors(f.get("author", ""))
    year = _year(f["year"]) if f.get("year") else None
    month = _month(f["month"]) if f.get("month") else None
    if f.get("date") and year is None:
        m = re.match(r"\s*(\d{4})(?:-(\d{2}))?", f["date"])
        if m:
            year = int(m.group(1))
            month = int(m.group(2)) if m.group(2) and month is None else month

    arxiv_id = None
    prefix = (f.get("archiveprefix") or f.get("eprinttype") or "").strip("{} ").lower()
    eprint = latex_decode(f.get("eprint", "")).strip()
    if eprint and (
        prefix == "arxiv" or (not prefix and _ARXIV_ID.fullmatch(eprint.removeprefix("arXiv:")))
    ):
        arxiv_id = re.sub(r"^arxiv:", "", eprint, flags=re.IGNORECASE)
    url = f.get("url", "").strip()
    if arxiv_id is None and url:
        m = _ARXIV_URL.search(url)
        if m:
            arxiv_id = m.group(1)
    journal = text("journal")
    if arxiv_id is None and journal:
        m = _ARXIV_JOURNAL.match(journal)
        if m and _ARXIV_ID.match(m.group(1)):
            arxiv_id = m.group(1).rstrip(".,")

    venue = text("booktitle")
    if not venue and journal and not re.match(r"(arxiv|corr)\b", journal, re.IGNORECASE):
        venue = journal
    if not venue:
        how = text("howpublished")
        if how and not re.search(r"arxiv|https?:|\\url|www\.", how, re.IGNORECASE):
            venue = how

    links: dict[str, str] = {}
    if url:
        links["arxiv" if _ARXIV_URL.search(url) else "project"] = url

    return {
        "key": entry.key,
        "line": entry.start_line + 1,
        "title": text("title"),
        "authors": authors,
        "authors_complete": complete,
        "year": year,
        "month": month,
        "arxiv_id": arxiv_id or None,
        "primary_class": (text("primaryclass") or text("eprintclass")) or None,
        "venue": venue or None,
        "links": links,
        "abstract": text("abstract"),
    }


def parse_bibtex(text: str, filename: str) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Parse a ``.bib`` file into record dicts and errors.

    Each record has ``key``, ``line`` (1-based line the entry starts on),
    ``title``, ``authors`` ("First Last"), ``authors_complete`` (False when the
    list ended with "and others" or is empty), ``year``, ``month`` (int),
    ``arxiv_id`` (from eprint + archivePrefix/eprinttype, an arxiv.org URL, or a
    ``journal = {arXiv preprint arXiv:...}``), ``primary_class``, ``venue``
    (booktitle, else a journal that is not arXiv/CoRR, else howpublished when it
    is not a URL), ``links`` (``url`` as ``arxiv`` or ``project``) and
    ``abstract``.  Errors are ``(line, message)`` for blocks that could not be
    parsed (including duplicate keys) and entries without a title; those entries
    are left out.  Messages do not repeat ``filename`` (the caller prints it
    with the line); it is accepted so that every source reader has the same
    signature.
    """
    del filename
    with _quiet_bibtexparser():
        library = bibtexparser.parse_string(text)
    records: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bibmodel.ParsingFailedBlock):
            error = block.error
            message = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
            message = " ".join(message.split())
            errors.append((line, message))
        elif isinstance(block, bibmodel.Entry):
            record = _record(block)
            if not record["title"]:
                errors.append((line, f"entry {block.key!r} has no title"))
                continue
            records.append(record)
    errors.sort()
    return records, errors
