"""Awesome-list Markdown (a GitHub ``README.md`` of papers) read as record dicts.  No MkDocs import.

A paper is a list item (``-``, ``*``, ``+`` or ``1.``), possibly continued on
indented lines, under section headings.  From each item:

* the **title**: the text of its first link when that is not a label such as
  "paper", "PDF", "code" or "arXiv" (``[Title](https://...)``), else its bold
  or quoted text, else the text before the first link or bracket;
* the **links**, named by :func:`survey_core.model.identifiers.link_kind`: arXiv abs/pdf
  links give the arXiv id, GitHub the code, other links the landing page;
* a free-text **venue** with a year (``ICML 2024``, ``NeurIPS'23``,
  ``[ACL 2023]``, ``*EMNLP 2023 Findings*``): a known venue gives the venue and
  the year, ``Arxiv 2024`` only the year;
* the **section** it was listed under (the headings above it, joined by
  ``" > "``), kept on the record's source and offered to the taxonomy rules.

An HTML anchor (``<a href="...">Title</a>``) is read as a link.  A Markdown
table under a header row is read row by row like a list: the cell of the
column headed Title, Paper or Name (else the first) holds the title, and a
Venue/Conference column read together with a Year column gives venue and year.

Items that link only within the page (a table of contents), badges and images
are not papers and are skipped.  An item whose links lead only to repositories,
documentation, blogs, videos or social posts (see
:func:`survey_core.model.identifiers.not_a_paper`) is skipped with a warning.
A link that is not http(s) (``javascript:``, ``ftp:``) is dropped and said.
An item without a title or without any link cannot be read and is reported
with its line; when such items outnumber the papers read, the listing is
refused as a whole.
"""

from __future__ import annotations

import html
import re
from typing import Any

from survey_core.model.identifiers import link_kind, not_a_paper, sort_links
from survey_core.model.venues import VenueTable

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_BARE_URL = re.compile(r"(?<![(<\"'])\bhttps?://[^\s)\]>\"']+")
_HTML_LINK = re.compile(r"<a\s[^>]*href=[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.IGNORECASE)
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|?\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_LABELS = re.compile(
    r"^\W*(?:paper|pdf|arxiv|code|github|project(?: page)?|website|homepage|page|link|blog|demo"
    r"|model|models|dataset|data|video|slides|poster|openreview|abs|html|doi|hf|huggingface"
    r"|official|repo|repository|weights|checkpoint|checkpoints|leaderboard|\d+)\W*$",
    re.IGNORECASE,
)
_PREPRINT_YEAR = re.compile(r"\b(?:arxiv|preprint|corr)[\s,'’-]*((?:19|20)\d{2}|\d{2})\b",
                            re.IGNORECASE)


#: Longest list item read (characters); a paper's item is a line or two.
MAX_ITEM = 3000


def _venue_pattern(table: VenueTable) -> re.Pattern[str] | None:
    shorts = sorted({v.short for v in table.venues} | {"NIPS"}, key=len, reverse=True)
    if not shorts:
        return None
    names = "|".join(re.escape(s) for s in shorts)
    return re.compile(
        rf"(?<![\w-])(Findings\s+of\s+(?:the\s+)?)?({names})(?:[\s-]*(Findings))?"
        rf"[\s,'’-]*((?:19|20)\d{{2}}|\d{{2}})(?!\d)(\s+Findings\b)?(\s+Workshops?\b)?",
        re.IGNORECASE,
    )


def _plain(text: str) -> str:
    text = html.unescape(_TAGS.sub("", text))
    text = re.sub(r"[*_`]{1,3}", "", text)
    return " ".join(text.split())


def _title(body: str) -> str:
    """The item's title (see the module docstring)."""
    for m in _LINK.finditer(body):
        text = _plain(m.group(1))
        leading = _plain(body[: m.start()]).strip(" -:•")
        if text and not _LABELS.match(text) and not _LINK.search(m.group(1)) and not leading:
            return text.strip(" .:")
        break
    m = re.search(r"\*\*(.+?)\*\*|__(.+?)__|\"([^\"]{8,})\"|“([^”]{8,})”", body)
    if m:
        text = _plain(next(g for g in m.groups() if g))
        if text and not _LABELS.match(text):
            return text.strip(" .:")
    head = re.split(r"\[|\]\(|https?://|<a\s|\(\s*https?://", body, maxsplit=1)[0]
    head = _plain(head)
    head = re.sub(r"\s*[-–—:|,(]+\s*$", "", head).strip(" .")
    return head


def _venue(text: str, pattern: re.Pattern[str] | None, table: VenueTable
           ) -> tuple[str | None, int | None]:
    """(venue shown as ``<short> <year>``, year) from the item's free text."""

    def year_of(raw: str) -> int:
        return int(raw) if len(raw) == 4 else 2000 + int(raw)

    if pattern is not None:
        for m in pattern.finditer(text):
            short = m.group(2)
            venue = table.lookup(short) if short.upper() != "NIPS" else table.lookup("NeurIPS")
            if venue is None:
                continue
            year = year_of(m.group(4))
            name = venue.short
            if (m.group(1) or m.group(3) or m.group(5)) and not name.startswith("Findings"):
                findings = table.lookup(f"Findings of {name}")
                name = findings.short if findings else f"Findings of {name}"
            if m.group(6):  # "ICLR 2024 Workshop": not the main conference
                return f"{name} {year} Workshop", year
            return f"{name} {year}", year
    m = _PREPRINT_YEAR.search(text)
    if m:
        return None, year_of(m.group(1))
    return None, None


def parse_awesome(text: str, filename: str, venues: VenueTable | None = None
                  ) -> tuple[list[dict[str, Any]], list[tuple[int, str]], list[tuple[int, str]]]:
    """Read an awesome list: (records, unreadable items, skipped items), the
    latter two as ``(line, message)``.  See the module docstring."""
    del filename
    table = venues or VenueTable()
    pattern = _venue_pattern(table)
    headings: list[tuple[int, str]] = []
    items: list[tuple[int, str, str]] = []  # line, text, section
    in_fence = False
    in_comment = False
    current: list[Any] | None = None
    columns: list[str] | None = None  # the header of the table being read
    previous = ""
    lines = text.lstrip("\ufeff").splitlines()
    for n, raw in enumerate(lines, start=1):
        last, previous = previous, raw
        if columns is not None and not _TABLE_ROW.match(raw):
            columns = None
        if _TABLE_RULE.match(raw) and "|" in raw and _TABLE_ROW.match(last):
            columns = [_plain(c).lower() for c in _cells(last)]
            current = None
            continue
        if columns is not None:
            section = " > ".join(h[1] for h in headings if h[0] > 1 or len(headings) == 1)
            items.append((n, _table_item(_cells(raw), columns), section))
            continue
        if _FENCE.match(raw):
            in_fence = not in_fence
            current = None
            continue
        if in_fence:
            continue
        if in_comment:
            in_comment = "-->" not in raw
            continue
        if "<!--" in raw:
            in_comment = "-->" not in raw.split("<!--", 1)[1]
            current = None
            continue
        heading = _HEADING.match(raw)
        if heading:
            level = len(heading.group(1))
            headings = [h for h in headings if h[0] < level] + [(level, _plain(heading.group(2)))]
            current = None
            continue
        item = _ITEM.match(raw)
        if item:
            section = " > ".join(h[1] for h in headings if h[0] > 1 or len(headings) == 1)
            current = [n, item.group(2), section]
            items.append(current)  # type: ignore[arg-type]
            continue
        if current is not None and raw.strip() and raw[:1].isspace():
            if len(current[1]) <= MAX_ITEM:  # a longer item is refused below
                current[1] += " " + raw.strip()
        elif not raw.strip():
            current = None
        else:
            current = None
    records: list[dict[str, Any]] = []
    unreadable: list[tuple[int, str]] = []
    skipped: list[tuple[int, str]] = []
    for line, body, section in items:
        if len(body) > MAX_ITEM:
            unreadable.append((line, f"list item of {len(body):,} characters is too long "
                                     f"for a paper (at most {MAX_ITEM:,})"))
            continue
        body = _IMAGE.sub(" ", body)
        # an HTML anchor is a link like any other: its text may be the title
        body = _HTML_LINK.sub(lambda m: f"[{m.group(2)}]({html.unescape(m.group(1))})", body)
        urls = [m.group(2) for m in _LINK.finditer(body)]
        urls += [u.rstrip(".,;") for u in _BARE_URL.findall(_LINK.sub(" ", body))]
        web = [u for u in urls if link_kind(u)]
        other = [u for u in urls if _SCHEME.match(u) and not link_kind(u)]
        if urls and not web and not other:
            continue  # a table of contents or a link within the repository
        if not urls and not _plain(body):
            continue
        kinds = sorted({"repository" if link_kind(u) == "code" else not_a_paper(u) or "paper"
                        for u in web})
        title = _title(body)
        if web and "paper" not in kinds and not any(link_kind(u) in ("arxiv", "doi")
                                                    for u in web):
            skipped.append((line, f"skipped {(title or _plain(body))[:60]!r}: links only to "
                                  f"{' and '.join(kinds)} pages, not to a paper"))
            continue
        if not web:
            unreadable.append((line, f"list item without a link: {_plain(body)[:60]!r}"
                               if not other else f"list item without an http(s) link: "
                               f"{_plain(body)[:60]!r} ({other[0][:40]!r} dropped)"))
            continue
        if len(title) < 3 or not re.search(r"[^\W\d_]{2}", title):
            unreadable.append((line, f"cannot find the title of this list item: "
                                     f"{_plain(body)[:60]!r}"))
            continue
        links, arxiv_id, doi = sort_links(web)
        for u in web:
            if not_a_paper(u) and links.get(link_kind(u) or "") == u:
                del links[link_kind(u)]  # a blog or docs page is not the paper's page
        venue, year = _venue(_LINK.sub(" ", body).replace(title, " "), pattern, table)
        records.append({
            "line": line,
            "title": title,
            "year": year,
            "venue": venue,
            "arxiv_id": arxiv_id,
            "doi": doi,
            "links": links,
            "section": section or None,
            "dropped": [("link", u, "is not an http(s) address") for u in other],
        })
    return records, unreadable, skipped


def _cells(row: str) -> list[str]:
    """The cells of a Markdown table row (``|`` inside backticks or escaped kept)."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    cells, cell, code = [], "", False
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch == "\\" and inner[i + 1:i + 2] == "|":
            cell += "|"
            i += 2
            continue
        if ch == "`":
            code = not code
        if ch == "|" and not code:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
        i += 1
    cells.append(cell.strip())
    return cells


_TITLE_COLUMN = re.compile(r"\b(title|paper|papers|name|publication)\b")
_VENUE_COLUMN = re.compile(r"\b(venue|conference|conf|journal|published in|where)\b")
_YEAR_COLUMN = re.compile(r"\b(year|date)\b")


def _table_item(cells: list[str], columns: list[str]) -> str:
    """A table row as the text of a list item: the title's cell first (the column
    headed Title, Paper or Name, else the first), then the other cells, a year
    column last so that "NeurIPS | 2023" reads as "NeurIPS 2023"."""
    index = next((i for i, c in enumerate(columns) if _TITLE_COLUMN.search(c)), 0)
    venues = [i for i, c in enumerate(columns) if _VENUE_COLUMN.search(c) and i != index]
    years = [i for i, c in enumerate(columns) if _YEAR_COLUMN.search(c) and i != index
             and i not in venues]
    rest = [i for i in range(len(cells)) if i not in (index, *venues, *years)]
    first = cells[index] if index < len(cells) else ""
    if first and not _LINK.search(first) and "**" not in first:
        first = f"**{first}**"  # a title without its link: the cell is the title
    when = " ".join(cells[i] for i in venues + years if i < len(cells) and cells[i])
    return " · ".join(c for c in [first, when, *(cells[i] for i in rest)] if c)
