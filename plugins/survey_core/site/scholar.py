"""``<head>`` tags of a paper page for Google Scholar and link previews.  No MkDocs import.

Highwire Press ``citation_*`` tags (what Google Scholar reads): title, one
``citation_author`` per author ("Last, First" is not required; the names are
written as recorded), ``citation_publication_date`` as ``YYYY/MM`` or
``YYYY``, ``citation_arxiv_id``, ``citation_doi``, ``citation_pdf_url`` (the record's PDF link,
else the arXiv PDF), and the venue as ``citation_conference_title`` or
``citation_journal_title``.  Open Graph tags: ``og:title``, ``og:description``,
``og:type`` = ``article``, ``og:site_name`` and, when the site URL is known,
``og:url``.  Every attribute value is HTML-escaped.
"""

from __future__ import annotations

import html
from typing import Any

from survey_core.formats.bibtex import venue_kind
from survey_core.site.render import safe_url


def _attr(value: Any) -> str:
    return html.escape(" ".join(str(value).split()), quote=True)


def _meta(name: str, content: Any, attr: str = "name") -> str:
    return f'<meta {attr}="{_attr(name)}" content="{_attr(content)}">'


def publication_date(paper: Any) -> str | None:
    if not paper.year:
        return None
    if paper.month and 1 <= int(paper.month) <= 12:
        return f"{int(paper.year):04d}/{int(paper.month):02d}"
    return f"{int(paper.year):04d}"


def pdf_url(paper: Any) -> str | None:
    url = safe_url((paper.links or {}).get("pdf"))
    if url:
        return url
    if paper.arxiv_id:
        return f"https://arxiv.org/pdf/{paper.arxiv_id}"
    return None


def head_tags(paper: Any, *, site_url: str | None = None, site_name: str | None = None,
              description: str | None = None) -> str:
    """The extra ``<head>`` HTML of ``paper``'s page (one tag per line)."""
    tags = [_meta("citation_title", paper.title)]
    tags += [_meta("citation_author", a) for a in paper.authors or [] if str(a).strip()]
    date = publication_date(paper)
    if date:
        tags.append(_meta("citation_publication_date", date))
    if paper.venue:
        name, kind = paper.venue_full or (paper.venue, venue_kind(paper.venue))
        tags.append(_meta("citation_journal_title" if kind == "journal"
                          else "citation_conference_title", name))
    if paper.arxiv_id:
        tags.append(_meta("citation_arxiv_id", paper.arxiv_id))
    if getattr(paper, "doi", None):
        tags.append(_meta("citation_doi", paper.doi))
    pdf = pdf_url(paper)
    if pdf:
        tags.append(_meta("citation_pdf_url", pdf))
    tags.append(_meta("og:title", paper.title, "property"))
    if description:
        tags.append(_meta("og:description", description, "property"))
    tags.append(_meta("og:type", "article", "property"))
    if site_name:
        tags.append(_meta("og:site_name", site_name, "property"))
    if site_url:
        tags.append(_meta("og:url", site_url.rstrip("/") + f"/papers/{paper.id}/", "property"))
    return "\n".join(tags)
