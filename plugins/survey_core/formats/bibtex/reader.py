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
from survey_core.model.identifiers import arxiv_id_of, normalise_doi, sort_links

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


def _record(entry: bibmodel.Entry) -> dict[str, Any]:
    f = {fld.key.lower(): str(fld.value) for fld in entry.fields}

    def text(name: str) -> str:
        return latex_decode(f.get(name, ""))

    authors, complete = parse_authors(f.get("author", ""))
    year = _year(f["year"]) if f.get("year") else None
    month = _month(f["month"]) if f.get("month") else None
    if f.get("date") and year is None:
        m = re.match(r"\s*(\d{4})(?:-(\d{2}))?", f["date"])
        if m:
            year = int(m.group(1))
            month = int(m.group(2)) if m.group(2) and month is None else month

    arxiv_id = None
    prefix = (f.get("archiveprefix") or f.get("eprinttype") or "").strip("{} ").lower()
    eprint = latex_decode(f.get("eprint", "")).strip()
    if eprint and prefix in ("arxiv", ""):
        arxiv_id = arxiv_id_of(eprint)
    urls = [url_decode(f[name]) for name in ("url", "pdf") if f.get(name)]
    doi = normalise_doi(url_decode(f.get("doi", "")))
    arxiv_id = arxiv_id or arxiv_id_of(url_decode(f.get("doi", "")))
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
    :func:`survey_core.model.identifiers.link_kind`) and ``abstract``.  Errors are
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
            record = _record(block)
            if not record["title"]:
                errors.append((line, f"entry {block.key!r} has no title"))
                continue
            records.append(record)
    errors.sort()
    return records, errors
