"""The venue table (``content/venues.yml``): imported venue names shown as ``NeurIPS 2024``.

This module is plain Python (no MkDocs import).  Each venue has a ``short``
name (shown on the site), a ``kind`` (``conference`` or ``journal``), its full
``name`` and ``aliases``.  :meth:`VenueTable.normalise` turns a venue as a
source writes it into ``"<short> <year>"`` when, once cleaned (case,
punctuation, "Proceedings of the", ordinals such as "40th" or "Twelfth", years,
"(Volume 1: Long Papers)"), it equals a venue's short name, full name or an
alias, or starts with a full name or alias of three words or more (DBLP adds
the place and dates).  A workshop or anything unknown is kept as written.  The
year is the one in the text, else (for a full name or alias) the paper's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from survey_core.model.diagnostics import Diagnostic
from survey_core.model.records import parse_yaml

VENUES_FILE = "venues.yml"
KINDS = ("conference", "journal")
_FIELDS = {"short", "kind", "name", "aliases"}

_ORDINAL_WORDS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth", "fortieth",
    "fiftieth", "sixtieth", "seventieth",
]
_CLEAN_DROP = re.compile(
    r"\((?:volume|vol\.?)[^)]*\)|\bproceedings\s+of\s+(?:the\s+)?|\bproc\.\s*(?:of\s+)?(?:the\s+)?"
    r"|\b\d+(?:st|nd|rd|th)\b|\b(?:19|20)\d{2}\b|'\d{2}\b"
    r"|\b(?:" + "|".join(_ORDINAL_WORDS) + r")(?:-(?:" + "|".join(_ORDINAL_WORDS) + r"))?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_SHORT_YEAR = re.compile(r"'(\d{2})\b")


def clean(text: str) -> str:
    """A venue name reduced for matching (see the module docstring)."""
    s = _CLEAN_DROP.sub(" ", text)
    s = re.sub(r"[^\w&]+", " ", s.lower())
    s = re.sub(r"^(?:the\s+)+", "", s.strip())
    return " ".join(s.split())


@dataclass
class Venue:
    short: str
    kind: str
    name: str
    aliases: list[str] = field(default_factory=list)
    line: int = 1


@dataclass
class VenueTable:
    venues: list[Venue] = field(default_factory=list)
    _exact: dict[str, Venue] = field(default_factory=dict)
    _prefix: list[tuple[str, Venue]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for venue in self.venues:
            for text in [venue.short, venue.name, *venue.aliases]:
                key = clean(text)
                if key:
                    self._exact.setdefault(key, venue)
                    if len(key.split()) >= 3:
                        self._prefix.append((key, venue))
        self._prefix.sort(key=lambda pair: -len(pair[0]))

    def lookup(self, text: str) -> Venue | None:
        """The venue ``text`` names, or None."""
        key = clean(text or "")
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        if "workshop" in key.split() or "track" in key.split():
            return None
        for prefix, venue in self._prefix:
            if key.startswith(prefix + " "):
                return venue
        return None

    def normalise(self, text: str, year: int | None = None) -> str:
        """``"<short> <year>"`` for a known venue, else ``text`` with its spaces collapsed."""
        text = " ".join(str(text or "").split())
        venue = self.lookup(text)
        if venue is None:
            return text
        head, sep, tail = text.rpartition(", ")
        if sep and head and clean(re.sub(r"\s+(?:19|20)\d{2}$", "", tail)) == clean(venue.short):
            return self.normalise(tail, year)  # as cited: "<full name>, <short>[ <year>]"
        found = _YEAR.search(text)
        short_year = _SHORT_YEAR.search(text)
        if clean(text) == clean(venue.short):
            year = None  # already a short name: the year is only the one written
        if found:
            year = int(found.group(1))
        elif short_year:
            year = 2000 + int(short_year.group(1))
        return f"{venue.short} {year}" if year else venue.short

    def full_name(self, venue_text: str) -> tuple[str, str] | None:
        """(name to cite, kind) for a venue shown as ``"<short> <year>"`` or ``"<short>"``:
        the full name, then the shown venue, as DBLP writes it ("International Conference
        on Learning Representations, ICLR 2025"), which :meth:`normalise` reads back as the
        shown venue, with its own year even where it is not the paper's."""
        shown = " ".join(str(venue_text or "").split())
        m = re.fullmatch(r"(.+?)(?: ((?:19|20)\d{2}))?", shown)
        if not m:
            return None
        venue = self._exact.get(clean(m.group(1)))
        if venue is None or clean(m.group(1)) != clean(venue.short):
            return None
        if clean(venue.name) == clean(venue.short):
            return shown, venue.kind  # "IEEE Access 2024": the full name is the short one
        return f"{venue.name}, {shown}", venue.kind


def parse_venues(text: str, relpath: str) -> tuple[VenueTable, list[Diagnostic]]:
    """Validate and load the venue table; problems are reported with their line."""
    data, _lines, diags = parse_yaml(text, relpath)
    if diags:
        return VenueTable(), diags
    if not isinstance(data, dict) or not isinstance(data.get("venues"), list):
        return VenueTable(), [Diagnostic(relpath, 1, "the venue table needs a 'venues:' list",
                                         "see the comment at the top of content/venues.yml")]
    lines = _item_lines(text)
    venues: list[Venue] = []
    seen: dict[str, str] = {}
    for index, row in enumerate(data["venues"]):
        line = lines[index] if index < len(lines) else 1

        def err(message: str, hint: str = "", line: int = line) -> None:
            diags.append(Diagnostic(relpath, line, message, hint))

        if not isinstance(row, dict):
            err("a venue must be a mapping with short, kind, name and aliases")
            continue
        unknown = sorted(set(map(str, row)) - _FIELDS)
        if unknown:
            err(f"unknown field '{unknown[0]}' in a venue", "fields: short, kind, name, aliases")
        short, kind, name = row.get("short"), row.get("kind"), row.get("name")
        aliases = row.get("aliases") or []
        if not isinstance(short, str) or not short.strip():
            err("a venue needs a 'short' name (text)", "e.g. short: NeurIPS")
            continue
        if kind not in KINDS:
            err(f"venue '{short}': kind must be conference or journal, not {kind!r}")
            continue
        if not isinstance(name, str) or not name.strip():
            err(f"venue '{short}' needs its full 'name'")
            continue
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            err(f"venue '{short}': aliases must be a list of names")
            continue
        for text_ in [short, name, *aliases]:
            key = clean(text_)
            if not key:
                err(f"venue '{short}': {text_!r} is empty once cleaned",
                    "a name needs letters besides years and ordinals")
            elif key in seen and seen[key] != short:
                err(f"venue '{short}': {text_!r} already names '{seen[key]}'",
                    "each short name, full name and alias may name one venue only")
            else:
                seen[key] = short
        venues.append(Venue(short.strip(), kind, " ".join(name.split()),
                            [" ".join(a.split()) for a in aliases], line))
    return VenueTable(venues), diags


def _item_lines(text: str) -> list[int]:
    """Line of each ``- `` item directly under ``venues:``."""
    out: list[int] = []
    inside = False
    for n, line in enumerate(text.splitlines(), start=1):
        if re.match(r"venues\s*:", line):
            inside = True
            continue
        if inside and re.match(r"\s*-\s", line) and len(line) - len(line.lstrip()) <= 2:
            out.append(n)
        elif inside and line and not line[0].isspace() and not line.startswith("#"):
            inside = False
    return out


def load_venues(root: Path) -> tuple[VenueTable, list[Diagnostic]]:
    """The project's venue table (empty, without problems, when there is none)."""
    path = root / "content" / VENUES_FILE
    if not path.exists():
        return VenueTable(), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return VenueTable(), [Diagnostic(f"content/{VENUES_FILE}", 1,
                                         f"cannot read the venue table: {exc}")]
    return parse_venues(text, f"content/{VENUES_FILE}")
