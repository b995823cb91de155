"""Citation keys, and the name handling shared by the citation exporters.

This module is plain Python (no MkDocs import).

Key scheme
==========

A key is lowercase ASCII letters and digits only (``[a-z0-9]+``).  Text is
ASCII-folded first: accents are stripped through Unicode decomposition
("Üstün" -> "ustun", "Costa-jussà" -> "costajussa") and the letters that do not
decompose are spelled out ("ß" -> "ss", "ø" -> "o", "ł" -> "l", "æ" -> "ae",
dotless "ı" -> "i"); everything else that is not a letter or digit is dropped.

*Significant title words* are the title's words, folded and stripped of
non-alphanumerics ("CItruS:" -> "citrus", "(Dynamic)" -> "dynamic",
"Long-context" -> "longcontext"), skipping :data:`STOPWORDS` (articles,
prepositions, conjunctions, question words, auxiliary verbs, pronouns), words
made only of digits, and words left empty.

* **Known first author**: ``surname + year + first significant title word``,
  e.g. ``bai2024citrus``.  The surname is the family part of the first author's
  name as :func:`split_name` finds it: the last word, together with any name
  particles in front of it (:data:`NAME_PARTICLES` in lowercase, a shorter
  list also when capitalised), which are kept and joined ("Guy Van den Broeck"
  -> ``vandenbroeck``, "Leandro von Werra" -> ``vonwerra``); a generational suffix
  ("Jr.", "Sr.", "II", "III", "IV") is never the surname ("Robert L. Logan IV"
  -> ``logan``).  No year: the year is left out (``baicitrus``).
* **Unknown authors** (or a first author whose surname folds to nothing, e.g. a
  name in a non-Latin script): the first two significant title words + year,
  e.g. ``powerscheduler2024``; without a year just the words
  (``esotericlanguage``).
* A title with no significant word falls back to its first non-empty folded
  word, and failing that to ``untitled``.

Collisions (the candidate is already in ``taken``), in this order:

1. (author keys only) the second significant title word is appended:
   ``bai2024citrus`` -> ``bai2024citruschunked``;
2. a letter suffix on the base key: ``bai2024citrusa``, ``bai2024citrusb`` ...
   ``bai2024citrusz``, ``bai2024citrusaa``, ``bai2024citrusab`` ... (the first
   free one).

:func:`key_matches_scheme` checks a stored key against the record it belongs to,
ignoring whatever collision suffix was added: the key must be the base key
followed only by lowercase letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "STOPWORDS",
    "NAME_PARTICLES",
    "NAME_PARTICLES_CAPITALISED",
    "NAME_SUFFIXES",
    "NameParts",
    "ascii_fold",
    "base_key",
    "key_matches_scheme",
    "make_key",
    "significant_words",
    "split_name",
]

#: Title words never used in a key.
_STOPWORDS_TEXT = """
    a an the
    on of for to towards toward in into at by with without from via as per
    and or but nor so than then
    is are was were be been being am
    do does did done can could should would will shall may might must
    how what when why where which who whom whose whether
    i we you it he she they me us our ours your yours its his her their my
    this that these those
    not no
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

#: Words that belong to the family name when they stand right before it, in
#: lowercase ("van", "de", "dos", "le" ...).
_PARTICLES_TEXT = """
    van von der den de del della degli dei di da das dos du la le lo ter ten
    zu zur vom dem
"""
NAME_PARTICLES = frozenset(_PARTICLES_TEXT.split())

#: The particles also recognised when capitalised ("Van den Broeck", "De Freitas",
#: "Di Penta").  Short capitalised words that are common given names or
#: syllables in other languages ("Le", "La", "Da", "Du" ...) are left out.
NAME_PARTICLES_CAPITALISED = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "dos"}
)

#: Generational suffixes, compared without a trailing dot and case-insensitively.
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})

#: Letters that do not decompose into an ASCII base letter plus accents.
_FOLD_SPECIAL = {
    "ß": "ss",
    "ẞ": "SS",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ı": "i",
    "ȷ": "j",
    "ŋ": "ng",
    "Ŋ": "NG",
    "ħ": "h",
    "Ħ": "H",
}


def ascii_fold(text: str) -> str:
    """Fold ``text`` to ASCII: strip accents, spell out special letters, and drop
    any other non-ASCII character (case is kept)."""
    out: list[str] = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        if ch in _FOLD_SPECIAL:
            out.append(_FOLD_SPECIAL[ch])
            continue
        for part in unicodedata.normalize("NFKD", ch):
            if ord(part) < 128:
                out.append(part)
            elif part in _FOLD_SPECIAL:
                out.append(_FOLD_SPECIAL[part])
    return "".join(out)


def _alnum(text: str) -> str:
    """Lowercase ASCII letters and digits of ``text`` (folded first)."""
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


# -- names --------------------------------------------------------------------


@dataclass(frozen=True)
class NameParts:
    """A personal name split for citation formats.

    ``family`` includes name particles ("van der Berg"); ``given`` may be empty
    (a one-word name such as an organisation, "NVIDIA").
    """

    given: str
    family: str
    suffix: str = ""

    @property
    def display(self) -> str:
        """The name in "First Last Suffix" order (how records store names)."""
        return " ".join(p for p in (self.given, self.family, self.suffix) if p)


def _is_suffix(word: str) -> bool:
    return word.rstrip(".").lower() in NAME_SUFFIXES


def _is_particle(word: str) -> bool:
    if word in NAME_PARTICLES:
        return True
    return word[:1].isupper() and word[1:].islower() and word.lower() in NAME_PARTICLES_CAPITALISED


def split_name(name: str) -> NameParts:
    """Split a "First Middle Last" name into given, family and suffix.

    The family name is the last word plus the name particles (see
    :data:`NAME_PARTICLES`) directly before it, never taking the first word;
    a trailing "Jr."/"Sr."/"II"/"III"/"IV" (optionally after a comma) is the
    suffix.  A name already in "Last, First", "Last, Jr., First" (BibTeX) or
    "Last, First, Jr." (RIS) form is understood as such.
    """
    name = " ".join(name.split())
    if "," in name:
        parts = [p.strip() for p in name.split(",")]
        if len(parts) == 2 and parts[1] and all(_is_suffix(w) for w in parts[1].split()):
            # "Martin Luther King, Jr."
            inner = split_name(parts[0])
            return NameParts(inner.given, inner.family, parts[1])
        if len(parts) == 2:
            return NameParts(parts[1], parts[0])
        if len(parts) >= 3:
            last = ", ".join(parts[2:])
            if (all(_is_suffix(w) for w in last.split()) and last
                    and not all(_is_suffix(w) for w in parts[1].split())):
                return NameParts(parts[1], parts[0], last)  # "Last, First, Jr." (RIS)
            return NameParts(last, parts[0], parts[1])  # "Last, Jr., First" (BibTeX)
    words = name.split()
    if not words:
        return NameParts("", "")
    suffix = ""
    if len(words) >= 3 and _is_suffix(words[-1]):
        suffix = words.pop()
    if len(words) == 1:
        return NameParts("", words[0], suffix)
    start = len(words) - 1
    while start > 1 and _is_particle(words[start - 1]):
        start -= 1
    return NameParts(" ".join(words[:start]), " ".join(words[start:]), suffix)


# -- keys ---------------------------------------------------------------------


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def significant_words(title: str) -> list[str]:
    """The title's significant words, folded (see the module docstring)."""
    out = []
    for raw in (title or "").split():
        word = _alnum(raw)
        if not word or word.isdigit() or word in STOPWORDS:
            continue
        out.append(word)
    return out


def _title_words(title: str) -> list[str]:
    words = significant_words(title)
    if words:
        return words
    for raw in (title or "").split():
        word = _alnum(raw)
        if word:
            return [word]
    return ["untitled"]


def _surname(paper: Any) -> str:
    authors = _get(paper, "authors") or []
    if not authors:
        return ""
    return _alnum(split_name(str(authors[0])).family)


def _year(paper: Any) -> str:
    year = _get(paper, "year")
    return str(int(year)) if year else ""


def _candidates(paper: Any) -> tuple[str, list[str]]:
    """The base key and the extra candidates tried before letter suffixes."""
    words = _title_words(_get(paper, "title") or "")
    year = _year(paper)
    surname = _surname(paper)
    if surname:
        base = f"{surname}{year}{words[0]}"
        extra = [base + words[1]] if len(words) > 1 else []
        return base, extra
    return "".join(words[:2]) + year, []


def base_key(paper: Any) -> str:
    """The key the scheme gives ``paper`` before any collision handling."""
    return _candidates(paper)[0]


def _letters(n: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "aa", 27 -> "ab" ..."""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def make_key(paper_like: Any, taken: Iterable[str] = (),
             tried: dict[str, int] | None = None) -> str:
    """A citation key for ``paper_like`` (a Paper, or any object or mapping with
    ``title``, ``authors`` and ``year``) that is not in ``taken``.

    ``taken`` is not modified; add the result to it yourself when assigning keys
    to several papers.  Then pass the same ``tried`` dict to every call: it keeps,
    per base key, how many letter suffixes were found taken, so that keys for
    10,000 papers with one base key ("A Study of ... 1", "... 2") cost linear time
    (the keys are the same as without it, as long as ``taken`` only grows).
    """
    taken = taken if isinstance(taken, (set, frozenset, dict)) else set(taken)
    base, extra = _candidates(paper_like)
    for cand in [base, *extra]:
        if cand not in taken:
            return cand
    n = tried.get(base, 0) if tried is not None else 0
    while True:
        cand = base + _letters(n)
        if cand not in taken:
            if tried is not None:
                tried[base] = n
            return cand
        n += 1


def key_matches_scheme(paper: Any) -> bool:
    """True if ``paper.key`` is what the scheme gives the record, ignoring any
    collision suffix (the base key followed only by lowercase letters)."""
    key = _get(paper, "key") or ""
    base = base_key(paper)
    if not key.startswith(base):
        return False
    rest = key[len(base):]  # a collision suffix: lowercase ASCII letters only
    return not rest or (rest.isascii() and rest.isalpha() and rest.islower())
