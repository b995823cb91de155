"""CSL-JSON export (for pandoc/citeproc, Zotero and other CSL processors).

This module is plain Python (no MkDocs import).

One item per paper, ``id`` = the citation key, items sorted by key, fields in
a fixed order:

* ``type``: ``"paper-conference"`` or ``"article-journal"`` (see
  :func:`survey_core.formats.bibtex.venue_kind`) with ``container-title`` = the venue when a
  venue is known; otherwise ``"article"``, which is how Zotero exports an arXiv
  preprint (its "Preprint" item type): ``publisher`` ``"arXiv"`` (Zotero's
  repository field) and ``number`` ``"arXiv:<id>"`` (its archive ID).  No DOI
  is invented (arXiv's own DOIs follow from the id).
* ``title``; ``author`` as ``{"family", "given"}`` (plus ``"suffix"``), split
  like the BibTeX export (:func:`survey_core.model.keys.split_name`: particles stay in the
  family name), a one-word name as ``{"literal"}``.  CSL has no way to say a
  list is partial, so a partial list holds the known names only.  Unknown
  authors: no ``author`` (styles then fall back to the title).
* ``issued``: ``{"date-parts": [[year, month]]}`` or ``[[year]]``; omitted when
  the year is unknown.
* ``DOI`` when known; ``URL``: the arXiv abstract page, else the landing page,
  the project or the PDF link.
* ``abstract`` when the record has one.

Text is written as Unicode, not LaTeX.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from survey_core.formats.bibtex import arxiv_abs_url, venue_kind
from survey_core.model.keys import split_name

__all__ = ["csl_json_text", "csl_name", "export_csl", "paper_to_csl"]


def _get(paper: Any, name: str, default: Any = None) -> Any:
    if isinstance(paper, dict):
        return paper.get(name, default)
    return getattr(paper, name, default)


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def csl_name(name: str) -> dict[str, str]:
    """A CSL name object for a "First Last" name."""
    parts = split_name(name)
    if not parts.given and not parts.suffix:
        return {"literal": parts.family}
    out = {"family": parts.family, "given": parts.given}
    if parts.suffix:
        out["suffix"] = parts.suffix
    return out


def paper_to_csl(paper: Any) -> dict[str, Any]:
    """The CSL-JSON item for ``paper``."""
    venue = _text(_get(paper, "venue"))
    arxiv_id = _text(_get(paper, "arxiv_id"))
    item: dict[str, Any] = {"id": _get(paper, "key")}
    full = _get(paper, "venue_full") if venue else None  # (full name, kind) from the table
    if venue:
        kind = full[1] if full else venue_kind(venue)
        item["type"] = "article-journal" if kind == "journal" else "paper-conference"
    else:
        item["type"] = "article"
    item["title"] = _text(_get(paper, "title"))
    authors = [_text(a) for a in (_get(paper, "authors") or []) if _text(a)]
    if authors:
        item["author"] = [csl_name(a) for a in authors]
    if venue:
        item["container-title"] = full[0] if full else venue
    elif arxiv_id:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{arxiv_id}"
    year = _get(paper, "year")
    if year:
        month = _get(paper, "month")
        parts = [int(year)] + ([int(month)] if month and 1 <= int(month) <= 12 else [])
        item["issued"] = {"date-parts": [parts]}
    doi = _text(_get(paper, "doi"))
    if doi:
        item["DOI"] = doi
    links = _get(paper, "links") or {}
    url = (
        arxiv_abs_url(arxiv_id)
        if arxiv_id
        else (links.get("arxiv") or links.get("paper") or links.get("project")
              or links.get("pdf"))
    )
    if url:
        item["URL"] = url
    abstract = _text(_get(paper, "abstract"))
    if abstract:
        item["abstract"] = abstract
    return item


def export_csl(papers: Iterable[Any]) -> list[dict[str, Any]]:
    """CSL-JSON items for ``papers``, sorted by key."""
    return sorted((paper_to_csl(p) for p in papers), key=lambda item: str(item["id"]))


def csl_json_text(papers: Iterable[Any]) -> str:
    """The CSL-JSON file text: UTF-8 JSON, one-space indent, trailing newline."""
    return csl_items_text(paper_to_csl(p) for p in papers)


def csl_items_text(items: Iterable[dict[str, Any]]) -> str:
    """:func:`csl_json_text` from items already made by :func:`paper_to_csl`."""
    return csl_join((str(item["id"]), csl_item_text(item)) for item in items)


def csl_item_text(item: dict[str, Any]) -> str:
    """One item as :func:`csl_items_text` writes it inside its list (so the text
    of an unchanged record can be kept and joined again)."""
    out: list[str] = []
    if _indented(item, "\n", out):
        text = "".join(out)
    else:
        text = json.dumps(item, ensure_ascii=False, indent=1)
    return " " + text.replace("\n", "\n ")


_encode_str = json.encoder.encode_basestring  # json's own (C) string encoder


def _indented(value: Any, pad: str, out: list[str]) -> bool:
    """Append ``json.dumps(value, ensure_ascii=False, indent=1)`` at the nesting
    whose line start is ``pad`` (json's pure-Python indenting encoder is slow);
    False (``out`` then unusable) for anything but str keys and str, int, finite
    float, bool, None, list and dict values, which json.dumps writes instead."""
    kind = type(value)
    if kind is str:
        out.append(_encode_str(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return False
        out.append(float.__repr__(value))
    elif kind is dict or kind is list:
        if not value:
            out.append("{}" if kind is dict else "[]")
            return True
        inner = pad + " "
        out.append("{" if kind is dict else "[")
        sep = inner
        if kind is dict:
            for key, item in value.items():
                if type(key) is not str:
                    return False
                out.append(sep + _encode_str(key) + ": ")
                sep = "," + inner
                if not _indented(item, inner, out):
                    return False
        else:
            for item in value:
                out.append(sep)
                sep = "," + inner
                if not _indented(item, inner, out):
                    return False
        out.append(pad + ("}" if kind is dict else "]"))
    else:
        return False
    return True


def csl_join_bytes(texts: Iterable[tuple[str, bytes]]) -> bytes:
    """:func:`csl_join` of UTF-8 encoded item texts, as UTF-8 (the file as written)."""
    ordered = [text for _id, text in sorted(texts, key=lambda pair: pair[0])]
    return b"[\n" + b",\n".join(ordered) + b"\n]\n" if ordered else b"[]\n"


def csl_join(texts: Iterable[tuple[str, str]]) -> str:
    """The CSL-JSON file of ``(id, csl_item_text(item))`` pairs, sorted by id:
    the same text as ``json.dumps(sorted items, ensure_ascii=False, indent=1)``."""
    return csl_join_bytes((key, text.encode("utf-8")) for key, text in texts).decode("utf-8")
