"""Data behind the discovery pages: the papers index, the completeness report
and the search documents of paper pages.  No MkDocs import.

The papers index reads the files of :mod:`survey_core.site.papers_index`.  A download
("what you see") joins the per-paper export items in the browser exactly like
the Python exporters, so the files are the same byte for byte:

* ``.bib``: ``"% N entries, exported by survey\\n\\n"`` (``entry`` when N is
  1) followed by the entries sorted by key, joined with ``"\\n"``;
* CSL-JSON: the items sorted by key, ``JSON.stringify(items, null, 1) + "\\n"``
  (the same text as ``json.dumps(items, ensure_ascii=False, indent=1)``).
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from survey_core.model.catalog import FACTS_FILE, Catalog, LowConfidenceFact, newest_first
from survey_core.model.model import Paper
from survey_core.site.papers_index import FIRST, venue_series_counts


@dataclass
class Facet:
    value: str
    label: str
    count: int
    depth: int = 0


def venue_facets(papers: list[Paper]) -> list[Facet]:
    """The venue facet: series with at least VENUE_FACET_MIN papers (most papers
    first), then "other" and "none" (no venue known), from the same counts as
    the index's venue column (:func:`survey_core.site.papers_index.venue_series_counts`)."""
    order, listed, counts = venue_series_counts(papers)
    facets = [Facet(s, s, counts[s]) for s in order[:listed]]
    other = sum(counts[s] for s in order[listed:])
    if other:
        facets.append(Facet("other", "Other venues", other))
    none = len(papers) - sum(counts.values())
    if none:
        facets.append(Facet("none", "No venue (preprints)", none))
    return facets


def index_context(catalog: Catalog, first: int = FIRST) -> dict[str, Any]:
    """Template context of the papers index page: the newest ``first`` papers
    (listed in the page, also without JavaScript) and the facets with their
    counts over the whole catalog."""
    tax = catalog.taxonomy
    papers = catalog.newest or newest_first(catalog.papers)
    years: dict[str, int] = {}
    for p in papers:
        key = str(p.year) if p.year else "none"
        years[key] = years.get(key, 0) + 1
    year_facets = [Facet(y, y, years[y]) for y in sorted((y for y in years if y != "none"),
                                                         reverse=True)]
    if "none" in years:
        year_facets.append(Facet("none", "Unknown", years["none"]))
    return {
        "papers": papers[:first],
        "total": len(papers),
        "topic_facets": [Facet(t.id, t.name, len(catalog.topic_papers.get(t.id, [])), d)
                         for t, d in tax.walk()],
        "year_facets": year_facets,
        "venue_facets": venue_facets(papers),
        "survey_facets": [Facet(s.id, s.title, len(s.paper_ids)) for s in
                          sorted(catalog.surveys.values(), key=lambda s: (s.order, s.id))],
        "with_code": sum(1 for p in papers if p.has_code),
        "with_arxiv": sum(1 for p in papers if p.has_arxiv),
    }


# ---------------------------------------------------------------------------
# Completeness report
# ---------------------------------------------------------------------------


@dataclass
class Gap:
    paper: Paper
    note: str = ""


@dataclass
class HelpWanted:
    no_authors: list[Gap] = field(default_factory=list)
    no_year: list[Gap] = field(default_factory=list)
    no_arxiv: list[Gap] = field(default_factory=list)
    no_code: list[Gap] = field(default_factory=list)
    few_papers: list[tuple[Any, int]] = field(default_factory=list)
    low_confidence: list[LowConfidenceFact] = field(default_factory=list)
    facts_file: str = FACTS_FILE


#: The lists of :class:`HelpWanted` a paper can be in.
GAP_LISTS = ("no_authors", "no_year", "no_arxiv", "no_code")


def paper_gaps(p: Paper) -> dict[str, str]:
    """The lists of :class:`HelpWanted` the paper is in, with its note in each."""
    out = {}
    if not p.authors:
        out["no_authors"] = (f"{p.author_count} authors listed, no names" if p.author_count
                             else "no authors")
    elif not p.authors_complete:
        total = f" of {p.author_count}" if p.author_count else ""
        out["no_authors"] = f"partial list: {len(p.authors)}{total} names"
    if not p.year:
        out["no_year"] = f"listed on {p.date}" if p.date else ""
    if not p.arxiv_id:
        out["no_arxiv"] = ""
    if not p.has_code:
        out["no_code"] = ""
    return out


def _gap_order(p: Paper) -> tuple[str, str]:
    return (p.title.casefold(), p.id)


def help_wanted(catalog: Catalog, few: int = 3) -> HelpWanted:
    """What curators could complete: papers missing authors (none, or a partial
    list), a year, an arXiv id or a code link; topics with fewer than ``few``
    papers (sub-topics included); and the low-confidence facts left unmerged."""
    out = HelpWanted(low_confidence=list(catalog.low_confidence))
    for p in sorted(catalog.papers, key=_gap_order):
        for name, note in paper_gaps(p).items():
            getattr(out, name).append(Gap(p, note))
    for topic, _depth in catalog.taxonomy.walk():
        n = len(catalog.topic_papers.get(topic.id, []))
        if n < few:
            out.few_papers.append((topic, n))
    return out


def patch_help_wanted(hw: HelpWanted, old: Paper, new: Paper
                      ) -> dict[str, tuple[int | None, int | None]]:
    """Put ``new`` where ``old`` was in the lists of ``hw`` (made by
    :func:`help_wanted`, in its order): list name -> (position ``old`` left,
    position ``new`` took), for the lists that changed."""
    import bisect

    out = {}
    gaps = paper_gaps(new)
    for name in GAP_LISTS:
        items = getattr(hw, name)
        keys = _GapKeys(items)
        gone = None
        at = bisect.bisect_left(keys, _gap_order(old))
        if at < len(items) and items[at].paper.id == old.id:
            del items[at]
            gone = at
        took = None
        if name in gaps:
            took = bisect.bisect_left(keys, _gap_order(new))
            items.insert(took, Gap(new, gaps[name]))
        if gone is not None or took is not None:
            out[name] = (gone, took)
    return out


class _GapKeys:
    """The sort keys of a gap list, for :mod:`bisect` (computed as asked)."""

    def __init__(self, items: list[Gap]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> tuple[str, str]:
        return _gap_order(self.items[i].paper)


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]{3,}")
_COMMON = frozenset("""this that with from have been were their which these those into than then
they them also such more most other over only each both between through about under while where
when what within without across using used uses show shows shown based results result approach
approaches method methods model models paper work propose proposed present presents study
studies language large performance training trained data task tasks however further including
improve improves improved achieve achieves existing extensive experiments demonstrate""".split())  # noqa: SIM905


@functools.lru_cache(maxsize=65536)
def _abstract_words(title: str, abstract: str) -> tuple[str, ...]:
    words = {w.lower() for w in _WORD.findall(abstract)}
    return tuple(sorted(words - {w.lower() for w in _WORD.findall(title)} - _COMMON))


def distinctive_words(papers: list[Paper], limit: int) -> dict[str, list[str]]:
    """Per paper, up to ``limit`` words of its abstract that are rarest in the
    collection (not in its title): what a reader would search it by."""
    df: dict[str, int] = {}
    words_of: dict[str, tuple[str, ...]] = {}
    for p in papers:
        words = _abstract_words(p.title, p.abstract or "")
        words_of[p.id] = words
        for w in words:
            df[w] = df.get(w, 0) + 1
    return {pid: sorted(ws, key=lambda w: (df[w], w))[:limit] for pid, ws in words_of.items()}


def search_docs(papers: list[Paper], abstract_chars: int = 0,
                keywords: int = 0, authors: int = 0) -> list[dict[str, str]]:
    """One lean document per paper page for Material's search index: the title,
    and as text the authors and the abstract (cut after ``abstract_chars``
    characters at a word boundary when > 0; no abstract when < 0), the first
    ``authors`` authors (all when 0) and the ``keywords`` most distinctive words
    of the abstract (:func:`distinctive_words`).  Text is HTML-escaped, as the
    search plugin's own documents are."""
    return [json.loads(text) for text in
            SearchDocs(abstract_chars, keywords, authors).update(papers)]


def _search_doc(p: Paper, abstract_chars: int, authors: int, distinct: list[str]
                ) -> dict[str, str]:
    abstract = " ".join((p.abstract or "").split())
    if abstract_chars < 0:
        abstract = ""
    elif abstract_chars and len(abstract) > abstract_chars:
        abstract = abstract[:abstract_chars].rsplit(" ", 1)[0] + " …"
    names = p.authors[:authors] if authors > 0 else p.authors
    who = ", ".join(names) + (" et al." if len(names) < len(p.authors) else "")
    parts = [who, abstract, " ".join(distinct)]
    return {
        "location": f"papers/{p.id}/",
        "title": html.escape(p.title, quote=False),
        "text": html.escape(" — ".join(x for x in parts if x), quote=False),
    }


class SearchDocs:
    """The search documents of paper pages (see :func:`search_docs`), as JSON
    texts in id order, kept between rebuilds: an edit makes again only the
    documents of the edited papers and of the papers whose distinctive words it
    can change (those sharing a word whose collection frequency changed)."""

    def __init__(self, abstract_chars: int = 0, keywords: int = 0, authors: int = 0,
                 incremental: bool = True) -> None:
        self.abstract_chars, self.keywords, self.authors = abstract_chars, keywords, authors
        #: keep what the next update needs (else each update starts from nothing)
        self.incremental = incremental
        self.words: dict[str, tuple[tuple[str, str], tuple[str, ...]]] = {}
        self.df: dict[str, int] = {}
        self.holders: dict[str, set[str]] = {}
        self.docs: dict[str, tuple[object, str]] = {}
        self.made = 0  # documents made by the last update

    def _count(self, pid: str, words, step: int, touched: set[str]) -> None:
        for w in words:
            touched.add(w)
            self.df[w] = self.df.get(w, 0) + step
            holders = self.holders.setdefault(w, set())
            if step > 0:
                holders.add(pid)
            else:
                holders.discard(pid)

    def update(self, papers: list[Paper]) -> list[str]:
        if not self.incremental:
            distinct = distinctive_words(papers, self.keywords) if self.keywords > 0 else {}
            self.made = len(papers)
            return [json.dumps(_search_doc(p, self.abstract_chars, self.authors,
                                           distinct.get(p.id, [])), separators=(",", ":"))
                    for p in sorted(papers, key=lambda p: p.id)]
        current = {p.id: p for p in papers}
        touched: set[str] = set()
        for pid in [pid for pid in self.words if pid not in current]:
            self._count(pid, self.words.pop(pid)[1], -1, touched)
            self.docs.pop(pid, None)
        for p in papers:
            text = (p.title, p.abstract or "")
            old = self.words.get(p.id)
            if old is not None and old[0] == text:
                continue
            new = _abstract_words(*text)
            before = set(old[1]) if old else set()
            self._count(p.id, [w for w in before if w not in new], -1, touched)
            self._count(p.id, [w for w in new if w not in before], +1, touched)
            self.words[p.id] = (text, new)
        affected: set[str] = set()
        if self.keywords > 0:
            for w in touched:
                affected |= self.holders.get(w, set())
        df = self.df
        self.made = 0
        out = []
        for pid in sorted(current):
            p = current[pid]
            stamp = p.digest or p
            have = self.docs.get(pid)
            if have is None or have[0] != stamp or pid in affected:
                distinct = (sorted(self.words[pid][1], key=lambda w: (df[w], w))[:self.keywords]
                            if self.keywords > 0 else [])
                doc = _search_doc(p, self.abstract_chars, self.authors, distinct)
                have = self.docs[pid] = (stamp, json.dumps(doc, separators=(",", ":")))
                self.made += 1
            out.append(have[1])
        return out
