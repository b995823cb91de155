"""Which paper a record or a source entry is, and which of its values can be kept.
No MkDocs import.

Identity goes by identifiers before titles:

* two papers with different arXiv ids (versions aside) or different DOIs are
  different papers, whatever their titles say ("Qwen2 Technical Report",
  "Qwen2.5 Technical Report", "Qwen3 Technical Report");
* titles whose numbers differ name different papers too (versions, parts,
  years: "Llama 2" and "Llama 3"), so they are never near-identical;
* otherwise titles equal or within two edits once normalised are likely the
  same paper: the catalog check warns about them (see
  :func:`survey_core.model.catalog.load_catalog`).

:func:`clean_fields` is the one gate every importer's values pass before they
reach a record: a value that cannot be kept (a DOI that is not a DOI, a year
that is not a year, a link that is not http(s), ...) is dropped and *said*,
as ``(field, value, reason)``, for the importer to report with its file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from survey_core.model.identifiers import arxiv_id_of, normalise_doi
from survey_core.model.records import ARXIV_RE, DOI_RE, _is_url, valid_date

_VERSION = re.compile(r"v\d+$")
_NUMBER = re.compile(r"\d+")

#: Years a record may have (as ``survey check`` accepts them).
YEARS = (1900, 2100)


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def arxiv_base(value: Any) -> str:
    """An arXiv id without its version ('' when there is none)."""
    return _VERSION.sub("", str(value or "").strip()) if value else ""


def proven_different(a: Any, b: Any) -> bool:
    """True when two papers (records, or mappings of fields) carry identifiers that
    tell them apart: both an arXiv id and the ids differ, or both a DOI and the
    DOIs differ."""
    xa, xb = arxiv_base(_get(a, "arxiv_id")), arxiv_base(_get(b, "arxiv_id"))
    if xa and xb and xa != xb:
        return True
    da, db = str(_get(a, "doi") or "").lower(), str(_get(b, "doi") or "").lower()
    return bool(da and db and da != db)


def title_numbers(norm: str) -> tuple[str, ...]:
    """The numbers of a normalised title, in order ("qwen2 5 technical report" ->
    ("2", "5")): titles whose numbers differ are different papers."""
    return tuple(n.lstrip("0") or "0" for n in _NUMBER.findall(norm))


# -- values an importer can keep -------------------------------------------------

Dropped = tuple[str, Any, str]  # field, value as given, why it cannot be kept


def dropped_message(entry: str | None, field: str, value: Any, reason: str) -> str:
    """``entry KEY: doi 'not-a-doi' is not a DOI; dropped``."""
    shown = value if isinstance(value, str) else repr(value)
    shown = " ".join(shown.split())
    if len(shown) > 80:
        shown = shown[:77] + "..."
    where = f"entry {entry}: " if entry else ""
    return f"{where}{field} {shown!r} {reason}; dropped"


def clean_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], list[Dropped]]:
    """The fields of one source entry with every value a record cannot hold removed,
    and what was removed.  Values of the right form pass unchanged."""
    out = dict(fields)
    dropped: list[Dropped] = []

    def drop(name: str, reason: str) -> None:
        dropped.append((name, out.pop(name), reason))

    if "doi" in out and out["doi"] not in (None, ""):
        doi = out["doi"]
        if not isinstance(doi, str) or not DOI_RE.match(doi):
            fixed = normalise_doi(doi) if isinstance(doi, str) else None
            if fixed:
                out["doi"] = fixed
            elif isinstance(doi, str) and arxiv_id_of(doi):
                out.pop("doi")  # arXiv's own DOI: the arXiv id says it
                out.setdefault("arxiv_id", arxiv_id_of(doi))
            else:
                drop("doi", "is not a DOI")
    if out.get("arxiv_id") not in (None, ""):
        value = out["arxiv_id"]
        if not isinstance(value, str) or not ARXIV_RE.match(arxiv_base(value)):
            drop("arxiv_id", "is not an arXiv id")
        else:
            out["arxiv_id"] = arxiv_base(value)
    year = out.get("year")
    if year not in (None, ""):
        if isinstance(year, bool) or not isinstance(year, int):
            drop("year", "is not a year")
        elif not YEARS[0] <= year <= YEARS[1]:
            drop("year", f"is not a year between {YEARS[0]} and {YEARS[1]}")
    month = out.get("month")
    if month not in (None, ""):
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            drop("month", "is not a month (1 to 12)")
        elif out.get("year") in (None, ""):
            drop("month", "comes without a year")  # a month alone says nothing
    date = out.get("date")
    if date not in (None, ""):
        precision = valid_date(date) if isinstance(date, str) else None
        if precision is None:
            drop("date", "is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
            out.pop("date_precision", None)
        else:
            out["date_precision"] = precision
    if "authors" in out and out["authors"] not in (None, []):
        authors = out["authors"]
        if not isinstance(authors, list):
            drop("authors", "is not a list of names")
        else:
            names = [" ".join(a.split()) for a in authors if isinstance(a, str)]
            if len(names) != len(authors) or not all(names):
                bad = [a for a in authors if not isinstance(a, str) or not a.split()]
                dropped.append(("authors", bad if len(bad) > 1 else bad[0],
                                "has entries that are not names (the list is kept without "
                                "them, marked incomplete)"))
                out["authors"] = [n for n in names if n]
                out["authors_complete"] = False
    links = out.get("links")
    if isinstance(links, dict):
        kept = {}
        for kind, url in links.items():
            if _is_url(url):
                kept[kind] = url
            elif url not in (None, ""):
                dropped.append((f"{kind} link", url, "is not an http(s) address"))
        out["links"] = kept
    return out, dropped


__all__ = ["arxiv_base", "clean_fields", "dropped_message", "proven_different",
           "title_numbers"]
