"""Reference-manager exports read as record dicts: CSL-JSON and RIS.  No MkDocs import.

Both readers return ``(records, errors)`` like :func:`survey_core.formats.bibtex.parse_bibtex`:
each record a dict with ``line`` (where its item starts), ``entry`` (the
item's id, if any), ``title``, ``authors``, ``authors_complete``, ``year``,
``month``, ``venue``, ``arxiv_id``, ``doi``, ``links`` and ``abstract``;
``dropped`` lists the values that could not be kept as ``(field, value, why)``
(reported by ingest with the file and line); errors are ``(line, message)``.

* CSL-JSON is what Zotero, Mendeley and pandoc export (and this site's
  ``data/papers.json``): a JSON list of items.  Rich-text markup that CSL
  allows in titles (``<i>``, ``<sup>``, ``<span class="nocase">`` ...) is
  removed.  A preprint is recognised the way Zotero writes it (``publisher``
  arXiv and ``number`` ``arXiv:<id>``, an arXiv DOI or URL).  CSL cannot say
  that an author list is partial; lists are taken as complete.
* RIS (``TY`` ... ``ER``, one ``TAG  - value`` per line) is every reference
  manager's lowest common format.  ``TI``/``T1`` title, ``AU``/``A1`` authors
  ("Last, First" or "Last, First, Suffix", through
  :func:`survey_core.model.keys.split_name`), ``PY``/``Y1``/``DA`` date,
  ``T2``/``JO``/``JF``/``BT`` venue, ``DO`` DOI, ``UR``/``L1`` links, ``AB``/``N2``
  abstract.  A line that is not a tag continues the previous value.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from survey_core.model.identifiers import arxiv_id_of, link_kind, normalise_doi, sort_links
from survey_core.model.keys import NameParts, split_name
from survey_core.model.safeio import nesting_problem

Records = tuple[list[dict[str, Any]], list[tuple[int, str]]]

_TAGS = re.compile(r"</?(?:i|b|em|strong|sup|sub|sc|span)(?:\s[^>]*)?>", re.IGNORECASE)


def _text(value: Any) -> str:
    """Plain text from a CSL/RIS value: markup removed, entities decoded, spaces collapsed."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return " ".join(html.unescape(_TAGS.sub("", str(value))).split())


def _is_preprint_venue(venue: str) -> bool:
    return bool(re.match(r"(arxiv|corr|biorxiv|medrxiv|ssrn)\b", venue, re.IGNORECASE))


def _finish(record: dict[str, Any], urls: list[str], doi_values: list[str],
            arxiv_hints: list[str], names: tuple[str, str] = ("URL", "DOI")) -> dict[str, Any]:
    """Identifiers and links of a record; what cannot be kept goes to ``dropped``
    under the format's own field names (``names``: the URL's and the DOI's)."""
    dropped = record.setdefault("dropped", [])
    dropped.extend((names[0], u, "is not an http(s) address") for u in urls
                   if link_kind(u) is None)
    links, arxiv_id, doi = sort_links(urls)
    for value in doi_values:
        if value and not normalise_doi(value) and not arxiv_id_of(value):
            dropped.append((names[1], value, "is not a DOI"))
        arxiv_id = arxiv_id or arxiv_id_of(value)
        doi = doi or normalise_doi(value)
    for hint in arxiv_hints:
        arxiv_id = arxiv_id or arxiv_id_of(hint)
    if arxiv_id:
        links.setdefault("arxiv", f"https://arxiv.org/abs/{arxiv_id}")
    venue = record.get("venue") or ""
    if venue and _is_preprint_venue(venue):
        venue = ""
    record.update(venue=venue or None, arxiv_id=arxiv_id, doi=doi, links=links)
    return record


# ---------------------------------------------------------------------------
# CSL-JSON
# ---------------------------------------------------------------------------


def _csl_name(name: Any) -> str:
    if not isinstance(name, dict):
        return ""
    if name.get("literal"):
        return _text(name["literal"])
    given = " ".join(_text(name.get(k)) for k in ("given", "dropping-particle") if name.get(k))
    family = " ".join(_text(name.get(k)) for k in ("non-dropping-particle", "family")
                      if name.get(k))
    return NameParts(given, family, _text(name.get("suffix"))).display


def _csl_date(value: Any) -> tuple[int | None, int | None]:
    if not isinstance(value, dict):
        return None, None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            year = int(parts[0][0])
            month = int(parts[0][1]) if len(parts[0]) > 1 else None
        except (TypeError, ValueError):
            return None, None
        return year, month if month and 1 <= month <= 12 else None
    raw = _text(value.get("raw") or value.get("literal"))
    m = re.search(r"\b(\d{4})(?:-(\d{1,2}))?", raw)
    if m:
        month = int(m.group(2)) if m.group(2) else None
        return int(m.group(1)), month if month and 1 <= month <= 12 else None
    return None, None


def _csl_month_given(value: Any) -> bool:
    """True when a CSL date gives a month (in ``date-parts`` or its raw text)."""
    parts = value.get("date-parts") if isinstance(value, dict) else None
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        return len(parts[0]) > 1 and parts[0][1] not in (None, "")
    raw = _text(value.get("raw") or value.get("literal")) if isinstance(value, dict) else ""
    return bool(re.search(r"\b\d{4}-\d{1,2}", raw))


def _csl_shown(value: Any) -> str:
    """A CSL date as its text, for a message."""
    if isinstance(value, dict):
        return _text(value.get("raw") or value.get("literal")) or json.dumps(
            value.get("date-parts", value))[:80]
    return str(value)[:80]


def _json_items(text: str) -> tuple[list[tuple[int, Any]], list[tuple[int, str]]]:
    """The top-level list's items with the line each starts on."""
    decoder = json.JSONDecoder()
    counted = [0, 1]  # position up to which lines are counted, the line there

    def line_of(pos: int) -> int:
        # positions only grow: count each stretch of text once
        if pos < counted[0]:
            return text.count("\n", 0, pos) + 1
        counted[1] += text.count("\n", counted[0], pos)
        counted[0] = pos
        return counted[1]

    pos = len(text) - len(text.lstrip())
    if not text.strip():
        return [], [(1, "the file is empty")]
    deep = nesting_problem(text, "")
    if deep is not None:
        return [], [(deep.line, f"not valid CSL-JSON: {deep.message}")]
    if text[pos] == "{":
        # {"items": [...]} as some tools write it
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [(exc.lineno, f"not valid JSON: {exc.msg}")]
        except (ValueError, RecursionError) as exc:
            return [], [(1, f"not valid JSON: {' '.join(str(exc).split())[:120]}")]
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return [], [(1, "CSL-JSON is a list of items (or an object with an 'items' list)")]
        return [(1, item) for item in items], []
    if text[pos] != "[":
        return [], [(line_of(pos), "CSL-JSON is a list of items: the file must start with '['")]
    items: list[tuple[int, Any]] = []
    pos += 1
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos < len(text) and text[pos] == "]" and not items:
            break
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            return [], [(exc.lineno, f"not valid JSON: {exc.msg}")]
        except (ValueError, RecursionError) as exc:
            return [], [(line_of(pos), f"not valid JSON: {' '.join(str(exc).split())[:120]}")]
        items.append((line_of(pos), item))
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if pos < len(text) and text[pos] == "]":
            break
        return [], [(line_of(pos), "not valid JSON: expected ',' or ']' after an item")]
    if text[pos + 1:].strip():
        return [], [(line_of(pos + 1), "not valid JSON: text after the closing ']'")]
    return items, []


def parse_csl_json(text: str, filename: str) -> Records:
    """Read a CSL-JSON file (see the module docstring)."""
    del filename
    items, errors = _json_items(text)
    if errors:
        return [], errors
    records: list[dict[str, Any]] = []
    for line, item in items:
        if not isinstance(item, dict):
            errors.append((line, "a CSL-JSON item must be an object"))
            continue
        title = _text(item.get("title"))
        if not title:
            errors.append((line, f"item {_text(item.get('id'))!r} has no title"))
            continue
        raw_authors = item.get("author")
        dropped: list[tuple[str, Any, str]] = []
        if raw_authors not in (None, []) and not isinstance(raw_authors, list):
            dropped.append(("author", raw_authors, "is not a list of names"))
        authors = [n for n in map(_csl_name, raw_authors if isinstance(raw_authors, list)
                                  else []) if n]
        unnamed = [a for a in raw_authors or [] if not _csl_name(a)] \
            if isinstance(raw_authors, list) else []
        if unnamed:
            dropped.append(("author", unnamed[0] if len(unnamed) == 1 else unnamed,
                            "has no name that can be read (the list is kept without it, "
                            "marked incomplete)"))
        year, month = _csl_date(item.get("issued"))
        if item.get("issued") not in (None, "", {}) and year is None:
            dropped.append(("issued", _csl_shown(item.get("issued")), "is not a date"))
        elif year is not None and month is None and _csl_month_given(item.get("issued")):
            dropped.append(("issued", _csl_shown(item.get("issued")),
                            "has a month that is not 1 to 12 (the year is kept)"))
        urls = [u for u in (_text(item.get("URL")),) if u]
        hints = [_text(item.get("number")), _text(item.get("archive_location"))]
        if _text(item.get("publisher")).lower() != "arxiv" and not any(
                "arxiv" in h.lower() for h in hints):
            hints = []
        record = {
            "line": line,
            "entry": _text(item.get("id")) or None,
            "title": title,
            "authors": authors,
            "authors_complete": bool(authors) and not unnamed,
            "year": year,
            "month": month,
            "venue": _text(item.get("container-title")) or None,
            "abstract": _text(item.get("abstract")),
            "dropped": dropped,
        }
        records.append(_finish(record, urls, [_text(item.get("DOI"))], hints))
    return records, errors


# ---------------------------------------------------------------------------
# RIS
# ---------------------------------------------------------------------------

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  ?-(?: (.*)|\s*)$")


def _ris_name(value: str) -> str:
    """A RIS name ("Last, First" or "Last, First, Suffix") in "First Last Suffix"
    order, through the one name parser every format uses."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return split_name(", ".join(parts)).display if parts else ""


def _ris_record(line: int, tags: dict[str, list[str]]) -> dict[str, Any] | str:
    def first(*names: str) -> str:
        for name in names:
            for value in tags.get(name, []):
                if value.strip():
                    return _text(value)
        return ""

    title = first("TI", "T1", "CT")
    if not title:
        return "reference has no title (TI or T1)"
    authors = [n for n in (_ris_name(_text(v)) for k in ("AU", "A1") for v in tags.get(k, []))
               if n]
    year = month = None
    dropped: list[tuple[str, Any, str]] = []
    date = first("PY", "Y1", "DA")
    m = re.match(r"\s*(\d{4})(?:[/-](\d{1,2}))?", date)
    if m:
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) and 1 <= int(m.group(2)) <= 12 else None
    for tag in ("PY", "Y1", "DA"):
        value = first(tag)
        if value and not re.match(r"\s*\d{4}(?:$|[/-])", value):
            dropped.append((tag, value, "is not a date (YYYY or YYYY/MM/DD)"))
        elif value and (bad := re.match(r"\s*\d{4}[/-](\d{1,2})", value)) \
                and not 1 <= int(bad.group(1)) <= 12:
            dropped.append((tag, value, "has a month that is not 1 to 12 (the year is kept)"))
    da = re.match(r"\s*\d{4}[/-](\d{1,2})", first("DA"))
    if month is None and da and 1 <= int(da.group(1)) <= 12:
        month = int(da.group(1))
    record = {
        "line": line,
        "entry": first("ID") or None,
        "title": title,
        "authors": authors,
        "authors_complete": bool(authors),
        "year": year,
        "month": month,
        "venue": first("T2", "JO", "JF", "BT", "J2") or None,
        "abstract": first("AB", "N2"),
        "dropped": dropped,
    }
    urls = [_text(v) for k in ("UR", "L1", "L2") for v in tags.get(k, []) if _text(v)]
    urls = [u for value in urls for u in value.split()]
    hints = [_text(v) for k in ("AN", "M1", "N1", "SN") for v in tags.get(k, [])
             if "arxiv" in v.lower()]
    return _finish(record, urls, [_text(v) for v in tags.get("DO", [])], hints, ("UR", "DO"))


def parse_ris(text: str, filename: str) -> Records:
    """Read a RIS file (see the module docstring)."""
    del filename
    records: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    tags: dict[str, list[list[str]]] | None = None
    start = 0
    last: list[str] | None = None
    for n, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        m = _RIS_LINE.match(line)
        if not m:
            if tags is not None and last is not None:
                last.append(line.strip())
                continue
            errors.append((n, f"not a RIS line (expected 'TY  - ...'): {line.strip()[:60]!r}"))
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag == "TY":
            if tags is not None:
                errors.append((start, "reference does not end with 'ER  -'"))
            tags, start, last = {}, n, None
            continue
        if tags is None:
            errors.append((n, f"'{tag}' outside a reference (a reference starts with 'TY  - ')"))
            continue
        if tag == "ER":
            result = _ris_record(start, {k: [" ".join(parts) for parts in values]
                                         for k, values in tags.items()})
            if isinstance(result, str):
                errors.append((start, result))
            else:
                records.append(result)
            tags, last = None, None
            continue
        last = [value]
        tags.setdefault(tag, []).append(last)
    if tags is not None:
        errors.append((start, "reference does not end with 'ER  -'"))
    if not records and not errors:
        errors.append((1, "no references found (a RIS reference starts with 'TY  - ')"))
    return records, errors
