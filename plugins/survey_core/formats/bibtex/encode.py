"""Encoding text as pure-ASCII BibTeX/LaTeX (see :mod:`survey_core.formats.bibtex` for the rules).

This module is plain Python (no MkDocs import).  It holds the character tables;
the decoder (:mod:`survey_core.formats.bibtex.decode`) teaches them to pylatexenc so that
whatever is encoded here decodes back to the same text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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
    if "{" not in text and "}" not in text:
        return set()
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
    if core.isalpha() and (len(core) == 1 or core[1:].islower()):
        return core == "I"  # the common word: no capital but the first, no digit
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
    if text.isascii() and text.isprintable() and not _NOT_PLAIN.search(text):
        # Every character is itself and no two words can meet in a ligature (the
        # common case): only the braces of :func:`_escaped_title` to add.
        return " ".join([_plain_word(word) for word in text.split(" ")])
    return _escaped_title(text)


def _plain_word(word: str) -> str:
    core = _CORE.search(word)
    if core is None or not _needs_protection(core.group()):
        return word
    return f"{word[:core.start()]}{{{core.group()}}}{word[core.end():]}"


def _escaped_title(text: str) -> str:
    """:func:`latex_escape_title` of a title with whitespace normalised, character
    by character."""
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


