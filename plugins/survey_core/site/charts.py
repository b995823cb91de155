"""Static inline SVG bar charts (papers per year).  No MkDocs import, no JavaScript.

Charts are plain SVG meant to be inlined in a page.  They carry no colour of
their own: text and axes use ``currentColor`` and bars the CSS class ``bar``
(``site_templates/assets/survey.css`` fills it with the theme's primary colour),
so they follow Material's light and dark (``slate``) schemes.  Each chart has
``role="img"`` with a ``<title>`` and a ``<desc>`` that spells out every count,
and each bar a ``<title>`` (its tooltip).  Output is deterministic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["bar_chart", "year_counts", "years_chart", "years_overview", "year_range"]


def _plural(n: int, word: str = "paper") -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _id(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "chart"


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def year_counts(papers: Iterable[Any]) -> tuple[Counter[int], int]:
    """(papers per year, papers without a year)."""
    counts: Counter[int] = Counter()
    unknown = 0
    for p in papers:
        if p.year:
            counts[int(p.year)] += 1
        else:
            unknown += 1
    return counts, unknown


def year_range(counts: Iterable[Counter[int]]) -> list[int]:
    """Every year from the first to the last one with papers (gaps included)."""
    years = [y for c in counts for y, n in c.items() if n]
    return list(range(min(years), max(years) + 1)) if years else []


def bar_chart(bars: Sequence[tuple[str, int]], *, title: str, chart_id: str,
              note: str = "", width: int = 640, height: int = 220, small: bool = False,
              unit: str = "paper") -> str:
    """One SVG bar chart of ``(label, count)`` bars.

    ``small`` draws a compact chart for small multiples: labels only under the
    first and last bar, counts only on the highest bar."""
    cid = _id(chart_id)
    top = 18 if not small else 14
    bottom = 22 if not small else 16
    left, right = 8, 8
    plot_h = height - top - bottom
    slot = (width - left - right) / max(1, len(bars))
    bar_w = slot * 0.7
    peak = max((n for _l, n in bars), default=0)
    summary = ", ".join(f"{label}: {n}" for label, n in bars)
    desc = f"{title}. " + (summary + "." if bars else "No data.") + (f" {note}" if note else "")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="survey-chart'
        f'{" survey-chart-small" if small else ""}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
        f'y2="{top + plot_h}" stroke="currentColor" stroke-width="1"/>',
    ]
    for i, (label, n) in enumerate(bars):
        h = plot_h * n / peak if peak else 0
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        cx = _num(x + bar_w / 2)
        out.append(f'<rect class="bar" fill="currentColor" x="{_num(x)}" y="{_num(y)}" '
                   f'width="{_num(bar_w)}" height="{_num(h)}">'
                   f'<title>{escape(f"{label}: {_plural(n, unit)}")}</title></rect>')
        if n and (not small or n == peak):
            out.append(f'<text x="{cx}" y="{_num(y - 4)}" text-anchor="middle" '
                       f'fill="currentColor">{n}</text>')
        if not small or i in (0, len(bars) - 1):
            out.append(f'<text x="{cx}" y="{height - (6 if not small else 3)}" '
                       f'text-anchor="middle" fill="currentColor">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def years_chart(papers: Iterable[Any], *, title: str, chart_id: str,
                years: Sequence[int] | None = None, small: bool = False,
                width: int = 640, height: int = 220) -> str:
    """Papers per year (years without a paper shown as empty bars)."""
    counts, unknown = year_counts(papers)
    years = list(years) if years is not None else year_range([counts])
    note = f"{_plural(unknown)} without a known year not shown." if unknown else ""
    return bar_chart([(str(y), counts.get(y, 0)) for y in years], title=title,
                     chart_id=chart_id, note=note, width=width, height=height, small=small)


def years_overview(papers: Sequence[Any], groups: Sequence[tuple[str, str, Sequence[Any]]],
                   *, chart_id: str = "years", link: Any = None) -> str:
    """The home page figure: papers per year overall, then one small chart per
    group (``(id, name, papers)``, e.g. the top-level topics) on a shared year
    axis.  ``link(id)`` gives an optional URL for each group's caption."""
    counts, _ = year_counts(papers)
    years = year_range([counts])
    parts = ['<div class="survey-charts"><figure class="survey-chart-main">',
             years_chart(papers, title="Papers per year", chart_id=chart_id, years=years),
             f"<figcaption>Papers per year of first publication ({_plural(len(papers))}"
             f"{', ' + str(sum(counts.values())) + ' with a known year' if years else ''})."
             "</figcaption></figure>"]
    if groups and years:
        parts.append('<div class="survey-multiples">')
        for gid, name, members in groups:
            caption = escape(name)
            url = link(gid) if link else None
            if url:
                caption = f"<a href={quoteattr(url)}>{caption}</a>"
            parts.append('<figure class="survey-multiple">'
                         + years_chart(members, title=f"{name}: papers per year",
                                       chart_id=f"{chart_id}-{gid}", years=years, small=True,
                                       width=200, height=90)
                         + f"<figcaption>{caption} ({len(members)})</figcaption></figure>")
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)
