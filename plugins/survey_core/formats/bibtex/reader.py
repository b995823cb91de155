"""BibTeX import: a ``.bib`` file as DBLP, the ACL Anthology, Google Scholar,
arXiv, Semantic Scholar or this tool write it, read into record dicts."""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from typing import Any

import bibtexparser
from bibtexparser import model as bibmodel

from survey_core.formats.bibtex.decode import latex_decode, url_decode
from survey_core.formats.bibtex.export import MONTH_MACROS
from survey_core.formats.bibtex.names import parse_authors
from survey_core.model.identifiers import arxiv_id_of, link_kind, normalise_doi, sort_links

_ARXIV_JOURNAL = re.compile(r"arxiv(?:\s+preprint)?\s*:?\s*(?:arxiv\s*:\s*)?(\S+)", re.IGNORECASE)
_MONTHS = {m: i + 1 for i, m in enumerate(MONTH_MACROS)}


def _month(value: str) -> int | None:
    v = value.strip().strip("{}").strip().lower()
    if v.isdigit() and 1 <= int(v) <= 12:
        return int(v)
    return _MONTHS.get(v[:3]) if len(v) >= 3 else None


def _year(value: str) -> int | None:
    m = re.search(r"\d{4}", value)
    return int(m.group()) if m else None


_CONCAT_TOKEN = r'(?:"[^"]*"|\{[^{}]*\}|[A-Za-z][\w:-]*|\d+)'
_CONCAT_RE = re.compile(rf"\s*{_CONCAT_TOKEN}(?:\s*#\s*{_CONCAT_TOKEN})+\s*")


def _concatenation(entry: bibmodel.Entry, macros: set[str]) -> str:
    """The first field left as an unresolved ``a # "b"`` expression (bibtexparser
    does not join macros), or ''.  A value counts only when one of its parts is
    quoted or a defined macro, so that a title like "C# programming" is text."""
    for fld in entry.fields:
        value = str(fld.value)
        if "#" in value and _CONCAT_RE.fullmatch(value):
            parts = [p.strip() for p in value.split("#")]
            if any(p[:1] in ('"', "{") or p.lower() in macros for p in parts):
                return fld.key
    return ""


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


#: Entry types that are volumes of papers, not papers: a ``crossref`` to one of them
#: gives its child the volume's fields, and the volume itself makes no record.
VOLUME_TYPES = ("proceedings", "mvproceedings", "book", "mvbook", "collection",
                "mvcollection", "reference", "mvreference")
#: Fields a child takes from the entry its ``crossref`` names, when it has none of
#: its own (as bibtex and biber do; a volume's ``title`` is its papers' ``booktitle``).
INHERITED = ("booktitle", "year", "month", "date", "journal", "publisher", "address",
             "editor", "series", "volume", "organization", "eventtitle", "howpublished")


def _inherit(f: dict[str, str], parent: dict[str, str], parent_type: str) -> None:
    """Fill the child's fields ``f`` from the entry its crossref names."""
    for name in INHERITED:
        if not f.get(name) and parent.get(name):
            f[name] = parent[name]
    if not f.get("booktitle") and parent.get("title") and parent_type in VOLUME_TYPES:
        f["booktitle"] = parent["title"]


def _record(entry: bibmodel.Entry, parent: tuple[str, dict[str, str]] | None = None
            ) -> dict[str, Any]:
    f = {fld.key.lower(): str(fld.value) for fld in entry.fields}
    dropped: list[tuple[str, str, str]] = []
    if parent is not None:
        _inherit(f, parent[1], parent[0])

    def text(name: str) -> str:
        return latex_decode(f.get(name, ""))

    authors, complete = parse_authors(f.get("author", ""))
    if f.get("author", "").strip() and not authors:
        dropped.append(("author", text("author") or f["author"], "has no name that can be read"))
    year = _year(f["year"]) if f.get("year") else None
    if f.get("year", "").strip() and year is None:
        dropped.append(("year", text("year"), "is not a year"))
    month = _month(f["month"]) if f.get("month") else None
    if f.get("month", "").strip() and month is None:
        dropped.append(("month", text("month"), "is not a month"))
    if f.get("date", "").strip():
        m = re.match(r"\s*(\d{4})(?:-(\d{2}))?(?:-\d{2})?(?:/\S*)?\s*$", f["date"])
        if not m:
            dropped.append(("date", text("date"), "is not a date (YYYY-MM-DD)"))
        elif year is None:
            year = int(m.group(1))
            month = int(m.group(2)) if m.group(2) and month is None else month

    arxiv_id = None
    prefix = (f.get("archiveprefix") or f.get("eprinttype") or "").strip("{} ").lower()
    eprint = latex_decode(f.get("eprint", "")).strip()
    if eprint and prefix in ("arxiv", ""):
        arxiv_id = arxiv_id_of(eprint)
        if arxiv_id is None:
            dropped.append(("eprint", eprint, "is not an arXiv id"))
    urls = [url_decode(f[name]) for name in ("url", "pdf") if f.get(name)]
    for name in ("url", "pdf"):
        if f.get(name, "").strip() and link_kind(url_decode(f[name])) is None:
            dropped.append((name, url_decode(f[name]), "is not an http(s) address"))
    doi = normalise_doi(url_decode(f.get("doi", "")))
    arxiv_id = arxiv_id or arxiv_id_of(url_decode(f.get("doi", "")))
    if f.get("doi", "").strip() and doi is None and not arxiv_id_of(url_decode(f["doi"])):
        dropped.append(("doi", url_decode(f["doi"]), "is not a DOI"))
    links, url_arxiv, url_doi = sort_links(urls)
    arxiv_id = arxiv_id or url_arxiv
    doi = doi or url_doi
    journal = text("journal")
    volume = text("volume")
    preprint_journal = bool(journal) and bool(re.match(r"(arxiv|corr)\b", journal, re.I))
    if arxiv_id is None and journal:
        # Scholar: journal = {arXiv preprint arXiv:2303.08774}
        m = _ARXIV_JOURNAL.match(journal)
        if m:
            arxiv_id = arxiv_id_of(m.group(1).rstrip(".,"))
    if arxiv_id is None and preprint_journal and volume:
        # DBLP: journal = {CoRR}, volume = {abs/2106.09685}; Semantic Scholar: ArXiv
        arxiv_id = arxiv_id_of(volume.removeprefix("abs/"))
    if arxiv_id and "arxiv" not in links:
        links["arxiv"] = f"https://arxiv.org/abs/{arxiv_id}"

    venue = text("booktitle")
    if not venue and journal and not preprint_journal:
        venue = journal
    if not venue:
        how = text("howpublished")
        if how and not re.search(r"arxiv|https?:|\\url|www\.", how, re.IGNORECASE):
            venue = how

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
        "doi": doi,
        "venue": venue or None,
        "links": links,
        "abstract": text("abstract"),
        "dropped": dropped,
    }


def parse_bibtex(text: str, filename: str) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Parse a ``.bib`` file into record dicts and errors.

    Each record has ``key``, ``line`` (1-based line the entry starts on),
    ``title``, ``authors`` ("First Last"), ``authors_complete`` (False when the
    list ended with "and others" or is empty), ``year``, ``month`` (int),
    ``arxiv_id`` (from eprint + archivePrefix/eprinttype, an arxiv.org URL, or a
    ``journal = {arXiv preprint arXiv:...}``, DBLP's ``journal = {CoRR}`` and
    Semantic Scholar's ``journal = {ArXiv}`` with ``volume = {abs/...}``, an
    arXiv DOI), ``primary_class``, ``doi`` (lowercase, see
    :func:`survey_core.model.identifiers.normalise_doi`), ``venue`` (booktitle, else a
    journal that is not arXiv/CoRR, else howpublished when it is not a URL),
    ``links`` (``url`` and ``pdf`` with their escapes undone, named by
    :func:`survey_core.model.identifiers.link_kind`) and ``abstract``; ``dropped``
    lists the values that could not be kept as ``(field, value, why)`` and
    ``skip`` says why an entry is not a paper (a volume: ``@proceedings``, or
    an entry another one's ``crossref`` names, whose fields that entry takes
    as bibtex and biber do).  Errors are
    ``(line, message)`` for blocks that could not be parsed (including duplicate
    keys) and entries without a title; those entries are left out.  Messages do
    not repeat ``filename`` (the caller prints it with the line); it is accepted
    so that every source reader has the same signature.
    """
    del filename
    with _quiet_bibtexparser():
        library = bibtexparser.parse_string(text)
    records: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    macros = {b.key.lower() for b in library.blocks if isinstance(b, bibmodel.String)}
    folded: dict[str, tuple[str, int]] = {}  # BibTeX keys are case-insensitive
    # crossref: key (folded) -> (entry type, fields) of every entry, and the keys named
    entries = {b.key.lower(): (b.entry_type.lower(), {fld.key.lower(): str(fld.value)
                                                      for fld in b.fields})
               for b in library.blocks if isinstance(b, bibmodel.Entry)}
    named = {str(fld.value).strip().strip("{}").strip().lower()
             for b in library.blocks if isinstance(b, bibmodel.Entry)
             for fld in b.fields if fld.key.lower() == "crossref"}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bibmodel.Entry):
            first = folded.setdefault(block.key.lower(), (block.key, line))
            if first[1] != line:
                errors.append((line, f"entry key {block.key!r} differs only in case from "
                              f"{first[0]!r} (line {first[1]}); BibTeX keys are case-insensitive"))
                continue
            unresolved = _concatenation(block, macros)
            if unresolved:
                errors.append((line, f"field {unresolved!r} of entry {block.key!r} joins "
                              "@string macros with '#', which is not supported; write the "
                              "text out"))
                continue
        if isinstance(block, bibmodel.ParsingFailedBlock):
            error = block.error
            message = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
            message = " ".join(message.split())
            errors.append((line, message))
        elif isinstance(block, bibmodel.Entry):
            kind = block.entry_type.lower()
            ref = next((str(fld.value).strip().strip("{}").strip() for fld in block.fields
                        if fld.key.lower() == "crossref"), "")
            parent = entries.get(ref.lower()) if ref else None
            record = _record(block, parent)
            if ref and parent is None:
                record["dropped"].append(("crossref", ref, "names no entry of this file"))
            if kind in VOLUME_TYPES and (block.key.lower() in named
                                         or kind in ("proceedings", "mvproceedings")):
                what = "volume" if kind != "proceedings" else "proceedings volume"
                record["skip"] = (f"a {what} (@{kind})" + (", named by crossref" if
                                  block.key.lower() in named else "") + ", not a paper")
            if not record["title"]:
                errors.append((line, f"entry {block.key!r} has no title"))
                continue
            records.append(record)
    errors.sort()
    return records, errors
