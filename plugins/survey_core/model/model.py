"""The record model: one paper, as stored in ``content/papers/<id>.yml``.

This module is plain Python (no MkDocs import).  A record on disk is a YAML
mapping whose fields are listed in :data:`FIELD_ORDER`; :class:`Paper` is the
loaded, typed form every other module reads.
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The order fields are written in, so that records diff cleanly.
FIELD_ORDER = (
    "id",
    "key",
    "title",
    "short_name",
    "authors",
    "authors_complete",
    "author_count",
    "year",
    "month",
    "date",
    "date_precision",
    "upvotes",
    "organisation",
    "venue",
    "arxiv_id",
    "primary_class",
    "doi",
    "links",
    "topics",
    "abstract",
    "sources",
    "provenance",
    "added",
)

#: Fields a record must have.
REQUIRED_FIELDS = ("id", "key", "title", "topics", "sources", "added")

#: The kinds of link a record may carry.
#: ``paper`` is the landing page (publisher, ACL Anthology, OpenReview, PMLR ...).
LINK_KINDS = ("arxiv", "code", "project", "pdf", "paper")

DATE_PRECISIONS = ("day", "month", "year")

#: Field groups that carry provenance (where the value came from).
PROVENANCE_GROUPS = (
    "title",
    "abstract",
    "authors",
    "date",
    "year",
    "arxiv",
    "doi",
    "venue",
    "links",
    "organisation",
    "upvotes",
    "topics",
)


class Lines(Mapping[str, int]):
    """Field name -> the line it starts on in a record file, held compactly: the
    names as one tuple shared by every record that lists its fields in the same
    order (most do), the line numbers as a tuple of small ints.  A catalog of
    50,000 records holds 50,000 of these, a tenth of the memory of dicts."""

    __slots__ = ("_names", "_numbers")
    #: every names tuple made so far, so records with the same fields share one
    _shapes: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __init__(self, lines: Mapping[str, int] | None = None) -> None:
        items = dict(lines or {})
        names = tuple(map(sys.intern, items))
        self._names = Lines._shapes.setdefault(names, names)
        self._numbers = tuple(items.values())

    def __getitem__(self, name: str) -> int:
        try:
            return self._numbers[self._names.index(name)]
        except ValueError:
            raise KeyError(name) from None

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self._numbers[self._names.index(name)]
        except ValueError:
            return default

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self):
        return (Lines, (dict(self),))


@dataclass(slots=True)
class Source:
    """Where a record was seen: a source file and the line its entry starts on."""

    file: str
    line: int | None = None
    entry: str | None = None  # e.g. a BibTeX key inside a .bib source
    #: the headings it was listed under in an awesome list ("Quantization > Post-training")
    section: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file}
        if self.line is not None:
            out["line"] = self.line
        if self.entry is not None:
            out["entry"] = self.entry
        if self.section is not None:
            out["section"] = self.section
        return out


@dataclass
class Paper:
    """A loaded paper record."""

    id: str
    key: str
    title: str
    abstract: str = ""
    #: the name figures show for the paper (a method name such as "ZeroQuant-FP");
    #: derived from the title or the authors when not set (survey_core.site.tree)
    short_name: str | None = None
    authors: list[str] = field(default_factory=list)
    authors_complete: bool = False
    author_count: int | None = None
    year: int | None = None
    month: int | None = None
    date: str | None = None  # "listed on" date: YYYY-MM-DD, YYYY-MM or YYYY
    date_precision: str | None = None
    upvotes: int | None = None
    organisation: str | None = None
    venue: str | None = None
    arxiv_id: str | None = None
    primary_class: str | None = None
    doi: str | None = None  # lowercase, without https://doi.org/
    links: dict[str, str] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    added: str | None = None
    #: Path of the record file relative to the project (set by the loader).
    path: str | None = None
    #: Line of each top-level field in the record file (set by the loader).
    lines: Mapping[str, int] = field(default_factory=Lines)
    #: Hash of the record file's bytes (set by the catalog; keys derived caches).
    digest: str | None = None
    #: (full name, kind) of ``venue`` in the venue table (``content/venues.yml``), for
    #: the BibTeX booktitle/journal and CSL container title (set by the catalog).
    venue_full: tuple[str, str] | None = None

    # -- derived values -------------------------------------------------
    @property
    def has_code(self) -> bool:
        return bool(self.links.get("code"))

    @property
    def has_arxiv(self) -> bool:
        return bool(self.arxiv_id)

    @property
    def sort_date(self) -> str:
        """A sortable date string: the arXiv month if known, else the listing date."""
        if self.year:
            return f"{self.year:04d}-{(self.month or 0):02d}"
        return self.date or ""

    def line_of(self, name: str) -> int:
        return self.lines.get(name, 1)

    def to_record(self) -> dict[str, Any]:
        """The mapping written to disk, in :data:`FIELD_ORDER`, empty fields omitted
        except the ones a contributor is expected to fill."""
        raw: dict[str, Any] = {
            "id": self.id,
            "key": self.key,
            "title": self.title,
            "short_name": self.short_name,
            "authors": list(self.authors),
            "authors_complete": self.authors_complete,
            "author_count": self.author_count,
            "year": self.year,
            "month": self.month,
            "date": self.date,
            "date_precision": self.date_precision,
            "upvotes": self.upvotes,
            "organisation": self.organisation,
            "venue": self.venue,
            "arxiv_id": self.arxiv_id,
            "primary_class": self.primary_class,
            "doi": self.doi,
            "links": {k: self.links[k] for k in LINK_KINDS if self.links.get(k)},
            "topics": list(self.topics),
            "abstract": self.abstract,
            "sources": [s.as_dict() for s in self.sources],
            "provenance": {k: self.provenance[k] for k in sorted(self.provenance)},
            "added": self.added,
        }
        keep_empty = {"authors", "topics", "abstract"}
        return {
            k: raw[k]
            for k in FIELD_ORDER
            if k in keep_empty or raw[k] not in (None, {}, [], "")
        }


def today() -> str:
    return _dt.date.today().isoformat()
