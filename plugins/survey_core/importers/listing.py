"""Parser for text copies of Hugging Face "Daily Papers" listing pages.

A copy is what a browser gives when a listing page is selected and pasted:
page chrome first, then for every paper a title line and an abstract
paragraph, and on some pages a block of metadata::

    Title of the paper

    Abstract paragraph ...

      • 8 authors
    nvidia NVIDIA            <- organisation line (optional)
    ·
    Sep 25, 2024 3           <- date (year optional) and upvotes (optional)

Blank lines between parts are optional (some copies have none).  The parser
is strict: anything it cannot place is reported with its line, and a listing
with any such problem yields no entries at all.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

CHROME = {
    "new",
    "get trending papers in your email inbox once a day!",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DATE_LINE = re.compile(
    r"^(?P<mon>" + "|".join(MONTHS) + r") (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<up>\d+))?$"
)
AUTHORS_LINE = re.compile(r"^\s*•\s*(?P<n>\d+)\s+authors?\s*$")
DOT_LINE = "·"
URL_RE = re.compile(r"https?://[^\s<>\"'`]+")
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")

#: A title is one line; anything longer is an abstract that lost its title.
MAX_TITLE = 300
#: An abstract shorter than this is more likely a stray title.
MIN_ABSTRACT = 80


class ListingError(Exception):
    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__("; ".join(f"line {n}: {m}" for n, m in problems))


@dataclass
class ListingEntry:
    title: str
    abstract: str
    line: int  # line of the title (1-based)
    author_count: int | None = None
    organisation: str | None = None
    date: str | None = None  # ISO, YYYY-MM-DD
    date_precision: str | None = None
    date_year_inferred: bool = False
    upvotes: int | None = None
    links: dict[str, str] = field(default_factory=dict)




def find_links(abstract: str) -> dict[str, str]:
    """Code and project URLs mentioned in an abstract (first of each kind)."""
    links: dict[str, str] = {}
    for match in URL_RE.finditer(abstract):
        url = match.group(0).rstrip(".,;:)]}")
        if url.count("(") < url.count(")"):
            url = url.rstrip(")")
        host = url.split("/")[2].lower() if url.count("/") >= 2 else ""
        host = host.removeprefix("www.")
        kind = "code" if host in CODE_HOSTS else "project"
        links.setdefault(kind, url)
    return links


def organisation_name(line: str) -> str:
    """The display name of an organisation line (``nvidia NVIDIA`` -> ``NVIDIA``)."""
    parts = line.strip().split(maxsplit=1)
    if len(parts) == 2 and parts[0] == parts[0].lower() and " " not in parts[0]:
        return parts[1]
    return line.strip()


def resolve_date(mon: str, day: str, year: str | None, captured: _dt.date | None
                 ) -> tuple[str | None, bool]:
    """ISO date of a listing date line; a missing year is the capture year, or
    the year before when the date would fall after the capture date."""
    month = MONTHS.index(mon) + 1
    if year:
        return _dt.date(int(year), month, int(day)).isoformat(), False
    if captured is None:
        return None, False
    guess = _dt.date(captured.year, month, int(day))
    if guess > captured:
        guess = _dt.date(captured.year - 1, month, int(day))
    return guess.isoformat(), True


def parse_listing(text: str, captured: _dt.date | None = None) -> list[ListingEntry]:
    """Parse a listing copy; raises :class:`ListingError` listing every problem."""
    lines = [(n, raw.rstrip()) for n, raw in enumerate(text.splitlines(), start=1)]
    items = [(n, s) for n, s in lines if s.strip()]
    problems: list[tuple[int, str]] = []
    pos = 0
    # Page chrome: known lines, a page date, and chrome glued to the first title.
    while pos < len(items):
        n, s = items[pos]
        low = s.strip().lower()
        if low in CHROME or (DATE_LINE.match(s.strip()) and not _looks_like_text(s)):
            pos += 1
            continue
        if low.startswith("subscribe") and len(s.strip()) > len("subscribe"):
            items[pos] = (n, s.strip()[len("subscribe"):])
        break
    entries: list[ListingEntry] = []
    while pos < len(items):
        n, title = items[pos]
        kind = _kind(title)
        if kind != "text":
            problems.append((n, f"expected a paper title, found {_describe(kind, title)}"))
            pos += 1
            continue
        if pos + 1 >= len(items) or _kind(items[pos + 1][1]) != "text":
            problems.append((n, "a title must be followed by its abstract paragraph"))
            pos += 1
            continue
        an, abstract = items[pos + 1]
        title, abstract = title.strip(), abstract.strip()
        if len(title) > MAX_TITLE:
            problems.append((n, f"line is {len(title)} characters: too long for a title "
                                f"(is a title missing before this abstract?)"))
        if len(abstract) < MIN_ABSTRACT:
            problems.append((an, f"abstract is only {len(abstract)} characters "
                                 f"(are two titles on consecutive lines?)"))
        entry = ListingEntry(title=title, abstract=abstract, line=n, links=find_links(abstract))
        pos += 2
        # Optional metadata block.
        if pos < len(items) and _kind(items[pos][1]) == "authors":
            entry.author_count = int(AUTHORS_LINE.match(items[pos][1]).group("n"))
            pos += 1
        if (pos + 1 < len(items) and _kind(items[pos][1]) == "text"
                and items[pos + 1][1].strip() == DOT_LINE):
            entry.organisation = organisation_name(items[pos][1])
            pos += 1
        if pos < len(items) and _kind(items[pos][1]) == "dot":
            pos += 1
            if pos < len(items) and _kind(items[pos][1]) == "date":
                dn, ds = items[pos]
                m = DATE_LINE.match(ds.strip())
                try:
                    entry.date, entry.date_year_inferred = resolve_date(
                        m.group("mon"), m.group("day"), m.group("year"), captured)
                except ValueError:
                    problems.append((dn, f"'{ds.strip()}' is not a valid date"))
                entry.date_precision = "day" if entry.date else None
                entry.upvotes = int(m.group("up")) if m.group("up") else None
                pos += 1
            else:
                problems.append((items[pos - 1][0], "expected a date line after '·'"))
        elif pos < len(items) and _kind(items[pos][1]) == "date":
            # A date line without the dot separator.
            problems.append((items[pos][0], "a date line must follow a '·' line"))
            pos += 1
        entries.append(entry)
    if problems:
        raise ListingError(problems)
    return entries


def _looks_like_text(s: str) -> bool:
    return len(s.split()) > 4


def _kind(s: str) -> str:
    stripped = s.strip()
    if AUTHORS_LINE.match(s):
        return "authors"
    if stripped == DOT_LINE:
        return "dot"
    if DATE_LINE.match(stripped):
        return "date"
    return "text"


def _describe(kind: str, s: str) -> str:
    return {"authors": "an author-count line", "dot": "a '·' separator",
            "date": "a date line"}.get(kind, repr(s[:40]))
