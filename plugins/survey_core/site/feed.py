"""Atom feeds (RFC 4287) of the most recently added papers.  No MkDocs import.

* Entries are the ``size`` papers added most recently: by the record's
  ``added`` date, then its publication date (:attr:`Paper.sort_date`), then id.
* ``updated`` of an entry is its ``added`` date at midnight UTC (RFC 3339);
  the feed's ``updated`` is the latest entry's, so the output depends only on
  the records (the same records give byte-identical feeds).
* Entry ids are permanent: the absolute page URL when ``site_url`` is known,
  otherwise a ``tag:`` URI (RFC 4151) built from the paper id.
* Every entry has a title, a link to its page, a ``summary`` (the abstract,
  plain text, XML-escaped), its topics as categories and one ``author`` per
  known author; the feed itself has an ``author`` (the site), so entries
  without known authors are still valid.
* Links are absolute with ``site_url``, else relative to the feed's own URL.
"""

from __future__ import annotations

import heapq
import posixpath
import re
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

ATOM_NS = "http://www.w3.org/2005/Atom"
#: Authority and date of tag: URIs when the site has no URL.
TAG_AUTHORITY = "survey.invalid,2024"
EPOCH = "1970-01-01T00:00:00Z"

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _clean(text: str) -> str:
    return " ".join(_INVALID_XML.sub("", text or "").split())


def rfc3339(date: str | None) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY``) -> ``YYYY-MM-DDT00:00:00Z``."""
    m = _DATE.match(str(date or "").strip())
    if not m:
        return None
    year, month, day = m.group(1), m.group(2) or "01", m.group(3) or "01"
    return f"{year}-{month}-{day}T00:00:00Z"


def recent(papers: Sequence[Any], size: int) -> list[Any]:
    """The ``size`` most recently added papers, newest first."""
    return heapq.nlargest(size, papers, key=lambda p: (p.added or "", p.sort_date, p.id))


def _link(target: str, site_url: str | None, feed_path: str) -> str:
    """URL of a site path (``papers/x/``) as seen from the feed."""
    if site_url:
        return site_url.rstrip("/") + "/" + target
    base = posixpath.dirname(feed_path)
    out = posixpath.relpath(target or ".", base or ".")
    return out + "/" if target.endswith("/") and not out.endswith("/") else out


def atom_feed(papers: Sequence[Any], *, title: str, feed_path: str = "feed.xml",
              home_path: str = "", site_url: str | None = None, author: str = "survey",
              subtitle: str = "", size: int = 50, summary_chars: int = 0,
              topic_name: Callable[[str], str | None] | None = None) -> str:
    """The text of an Atom feed of the most recently added of ``papers``.

    ``feed_path`` is the feed's own site path (``feed.xml``,
    ``surveys/x/feed.xml``) and ``home_path`` the page it belongs to.
    ``summary_chars`` > 0 shortens summaries to that many characters."""
    entries = recent(papers, size)
    stamps = [rfc3339(p.added) or rfc3339(p.date) or EPOCH for p in entries]
    updated = max(stamps, default=EPOCH)
    feed_id = (_link(feed_path, site_url, feed_path) if site_url
               else f"tag:{TAG_AUTHORITY}:{feed_path}")
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}">',
        f"  <id>{escape(feed_id)}</id>",
        f"  <title>{escape(_clean(title))}</title>",
    ]
    if subtitle:
        out.append(f"  <subtitle>{escape(_clean(subtitle))}</subtitle>")
    out += [
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(_clean(author))}</name></author>",
        f'  <link rel="self" type="application/atom+xml" '
        f"href={quoteattr(_link(feed_path, site_url, feed_path))}/>",
        f'  <link rel="alternate" type="text/html" '
        f"href={quoteattr(_link(home_path, site_url, feed_path))}/>",
        "  <generator>survey</generator>",
    ]
    for paper, stamp in zip(entries, stamps, strict=True):
        page = f"papers/{paper.id}/"
        entry_id = (_link(page, site_url, feed_path) if site_url
                    else f"tag:{TAG_AUTHORITY}:papers/{paper.id}")
        out += [
            "  <entry>",
            f"    <id>{escape(entry_id)}</id>",
            f"    <title>{escape(_clean(paper.title))}</title>",
            f"    <updated>{stamp}</updated>",
            f'    <link rel="alternate" type="text/html" '
            f"href={quoteattr(_link(page, site_url, feed_path))}/>",
        ]
        for name in paper.authors or []:
            if _clean(name):
                out.append(f"    <author><name>{escape(_clean(name))}</name></author>")
        for tid in paper.topics or []:
            label = topic_name(tid) if topic_name else None
            attrs = f"term={quoteattr(tid)}" + (f" label={quoteattr(_clean(label))}"
                                                if label else "")
            out.append(f"    <category {attrs}/>")
        summary = _clean(paper.abstract)
        if summary_chars and len(summary) > summary_chars:
            summary = summary[:summary_chars].rsplit(" ", 1)[0] + " …"
        if summary:
            out.append(f'    <summary type="text">{escape(summary)}</summary>')
        out.append("  </entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"
