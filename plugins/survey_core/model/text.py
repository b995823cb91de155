"""Small text helpers shared by ingest, duplicate detection and rendering."""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable

_APOSTROPHES = {"'", "\u2019", "\u2018", "\u02bc", "`", "\u00b4"}


class WordTable:
    """word -> what ``make`` gives for it (never None), made once per word: the
    words of a text are then looked up at C speed instead of checked one by one
    in Python (a catalog's words are a few tens of thousands).  Past ``limit``
    words the table starts again (a bound on its memory)."""

    def __init__(self, make: Callable[[str], object], limit: int = 500_000) -> None:
        self.make, self.limit = make, limit
        self.table: dict[str, object] = {}

    def __len__(self) -> int:
        return len(self.table)

    def __call__(self, words: list[str]) -> list:
        """What ``make`` gives for each of ``words``, in order."""
        table = self.table
        found = list(map(table.get, words))
        if None in found:  # words not seen before
            if len(table) > self.limit:
                table.clear()
            make = self.make
            for word in set(words).difference(table):
                table[word] = make(word)
            found = list(map(table.__getitem__, words))
        return found


def fold(text: str) -> str:
    """Strip accents: 'Småprat' -> 'Smaprat'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: :func:`normalise_title` of each ASCII character: letters lowercased, digits kept,
#: apostrophes dropped, anything else a space.
_ASCII_NORMAL = {i: (chr(i).lower() if chr(i).isalnum() else
                     "" if chr(i) in _APOSTROPHES else " ") for i in range(128)}


@functools.lru_cache(maxsize=65536)
def normalise_title(title: str) -> str:
    """A form of a title for comparing titles, insensitive to typography.

    Two titles are "the same" when their normalised forms are equal.  The steps:

    1. Unicode NFKD, then drop combining marks: accents are folded
       ("Schrödinger" -> "schrodinger") and compatibility characters are
       expanded (the ligature "ﬁ" -> "fi", full-width letters -> ASCII).
    2. ``str.casefold`` (stronger than ``lower``: "ß" -> "ss").
    3. Apostrophes are removed ("Don't" -> "dont"); every other punctuation or
       symbol character (Unicode categories P* and S*: hyphens, dashes, colons,
       quotes, brackets, ``$``, ``\\``, ``^``, ...) becomes a space, so
       "Large-Scale" and "Large Scale" compare equal.
    4. Whitespace runs (including line breaks) collapse to one space; the
       result is stripped.

    Letters and digits of every script are kept, so "GPT-4" -> "gpt 4" and
    "LLaMA 2" -> "llama 2".  The result may be empty for a title made only of
    punctuation.
    """
    if title.isascii():  # the same steps, for ASCII text: one translation
        return " ".join(title.translate(_ASCII_NORMAL).split())
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = unicodedata.normalize("NFKD", text.casefold())
    out: list[str] = []
    for c in text:
        if unicodedata.combining(c) or c in _APOSTROPHES:
            continue
        cat = unicodedata.category(c)
        if cat == "Cf":  # invisible format characters (zero-width joiners, soft hyphens)
            continue
        if cat[0] in "PS" or cat == "Cc" or c.isspace():
            out.append(" ")
        else:
            out.append(c)
    return " ".join("".join(out).split())


def slugify(title: str, max_words: int = 8, max_len: int = 60) -> str:
    """A readable slug from a title: ASCII, lowercase, hyphen-separated."""
    words = re.findall(r"[a-z0-9]+", fold(title).lower())
    out: list[str] = []
    for word in words:
        if len(out) >= max_words or len("-".join(out + [word])) > max_len:
            break
        out.append(word)
    return "-".join(out) or "paper"


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance (rapidfuzz's, in C++: the near-duplicate checks of
    ``survey new`` and ``survey check`` call it thousands of times); any value
    above ``limit`` comes back as ``limit + 1``, which lets it stop early."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b, score_cutoff=limit)


def first_sentence(text: str, limit: int = 200) -> str:
    """The first sentence of an abstract, shortened to ``limit`` characters."""
    text = " ".join(text.split())  # (\s+ -> " ", stripped: 4x faster)
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z])", text)
    sentence = text[: m.start()] if m else text
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence


_CLAIMS = [re.compile(r"\b(we|this (?:paper|work|study)|our (?:paper|work))\s+(?:\w+ly\s+)?"
                      + verbs + r"\w*\b", re.IGNORECASE)
           for verbs in (r"(propose|introduce|present|develop|design|release|build|construct)",
                         r"(show|find|demonstrate|investigate|study|analy[sz]e|explore|"
                         r"establish|derive|provide|evaluate|examine)")]


@functools.lru_cache(maxsize=65536)
def contribution_line(abstract: str, limit: int = 220) -> str:
    """One line saying what a paper contributes: the first sentence of its
    abstract that proposes something ("we propose ...", "this paper
    introduces ..."), else the first that makes a finding ("we show ..."),
    else the first sentence.  Kept per abstract: the site's tables and a
    survey's LaTeX edition ask for the same papers' lines on every rebuild."""
    text = " ".join(abstract.split())
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text)
    for claim in _CLAIMS:
        for sentence in sentences:
            if claim.search(sentence):
                return first_sentence(sentence, limit)
    return first_sentence(text, limit)


class LineIndex:
    """Line and column of offsets in a text (one pass to build, a bisection per
    lookup), so that placing every citation of a long survey stays linear."""

    def __init__(self, text: str, first_line: int = 1):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.first_line = first_line

    def where(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + self.first_line, offset - self.starts[index] + 1
