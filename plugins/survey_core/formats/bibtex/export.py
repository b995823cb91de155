"""BibTeX export: one entry per paper (see :mod:`survey_core.formats.bibtex` for the shape)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import bibtexparser
from bibtexparser import model as bibmodel

from survey_core.formats.bibtex.encode import (
    _normalise_space,
    latex_escape_text,
    latex_escape_title,
)
from survey_core.formats.bibtex.names import name_to_bibtex

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_CONFERENCE_HINTS = re.compile(
    r"workshop|conference|proceedings|symposium|findings|track|competition|@|\bproc\b",
    re.IGNORECASE,
)
_JOURNAL_HINTS = re.compile(
    r"\b(TMLR|JMLR|TACL|TPAMI|PAMI|TOSEM|TOIS|TKDE|TNNLS|TASLP|JAIR|PNAS|PLOS|Nature|Science"
    r"|Journal|Transactions|Letters|Magazine|Surveys|Review|IEEE Access|Applied Sciences"
    r"|Astronomy)\b|^A&A\b"
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


_SAFE_DOI = re.compile(r"10\.\d{4,9}/[A-Za-z0-9:/.\-;()]+")


def safe_doi(doi: str | None) -> str | None:
    """``doi`` if every character is safe unescaped in plain LaTeX (plainnat prints
    it through ``\\doi``, biblatex reads it verbatim, as with URLs), else None."""
    if doi and _SAFE_DOI.fullmatch(doi):
        return doi
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
        full = _get(paper, "venue_full")
        # a venue of the venue table is written under its full name, its kind from the table
        venue_tex = "{" + latex_escape_text(full[0] if full else venue) + "}"
        kind = full[1] if full else venue_kind(venue)
        if authors and year:
            if kind == "journal":
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
    doi = safe_doi(_get(paper, "doi"))
    if doi:
        fields.append(("doi", "{" + doi + "}"))
    candidates = [arxiv_abs_url(arxiv_id)] if arxiv_id else []
    candidates += [links.get(k) for k in ("arxiv", "paper", "project", "pdf")]
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

