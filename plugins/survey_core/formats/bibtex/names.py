"""Author names: "First Last" to BibTeX's "Last, First" and back.

Export writes names with :func:`survey_core.model.keys.split_name`; import splits an
author list and each name with bibtexparser's own name helpers (the rules BibTeX
itself follows: braces, "von" parts, "Jr" parts) and decodes each part with
:func:`survey_core.formats.bibtex.decode.latex_decode`.
"""

from __future__ import annotations

import functools
import re

from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from survey_core.formats.bibtex.decode import latex_decode
from survey_core.formats.bibtex.encode import latex_escape_text
from survey_core.model.keys import NameParts, split_name


def _name_part(text: str) -> str:
    escaped = latex_escape_text(text)
    # A word "and" would split the author list; a comma would split the name.
    escaped = re.sub(r"(?<![^\s])(and)(?![^\s])", r"{\1}", escaped, flags=re.IGNORECASE)
    return escaped.replace(",", "{,}")


def name_to_bibtex(name: str) -> str:
    """ "First Middle Last" -> "Last, First Middle" (or "Last, Jr., First"), escaped.

    Returns "" for a name with no LaTeX form at all (e.g. written in CJK).  A
    name is converted once per process: authors recur across a catalog."""
    if isinstance(name, str):
        return _name_to_bibtex_cached(name)
    return _name_to_bibtex(name)


def _name_to_bibtex(name: str) -> str:
    parts: NameParts = split_name(name)
    family, given, suffix = (_name_part(p) for p in (parts.family, parts.given, parts.suffix))
    if not family:
        family, given = given, ""
    if not family:
        return ""
    if not given and not suffix:
        return family
    if suffix:
        return f"{family}, {suffix}, {given}"
    return f"{family}, {given}"


_name_to_bibtex_cached = functools.lru_cache(maxsize=1 << 16)(_name_to_bibtex)


def _display(raw: str) -> str:
    """One BibTeX name ("Last, First", "Last, Jr., First" or "First von Last")
    in "First Last Suffix" order, decoded."""
    try:
        parts = parse_single_name_into_parts(raw, strict=False)
    except InvalidNameError:
        return latex_decode(raw)
    given = latex_decode(" ".join(parts.first))
    family = latex_decode(" ".join(parts.von + parts.last))
    return NameParts(given, family, latex_decode(" ".join(parts.jr))).display


def parse_authors(raw: str) -> tuple[list[str], bool]:
    """A BibTeX author list -> ("First Last" names, complete?)."""
    text = " ".join(str(raw or "").split())
    names = [n.strip() for n in split_multiple_persons_names(text)] if text else []
    names = [n for n in names if n]
    complete = True
    if names and names[-1].lower() == "others":
        names.pop()
        complete = False
    shown = [n for n in map(_display, names) if n]
    return shown, complete and bool(shown)

