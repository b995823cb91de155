"""Data behind the discovery pages: the papers index, the completeness report
and the search documents of paper pages.  No MkDocs import.

``data/index.json`` (read by ``assets/survey/papers-index.js`` on load)::

    {"version": 1,
     "topics": [{"id", "name", "parent"}...],          tree order
     "surveys": [{"id", "title"}...],
     "papers": [{"id", "key", "title", "authors", "venue", "arxiv_id",
                 "year", "date", "upvotes", "topics", "surveys",
                 "has_code", "has_arxiv"}...]}

``topics`` of a paper lists the topics it is filed under *and their
ancestors*, so a paper matches a topic facet when it is filed under the topic
or any sub-topic.  ``date`` is :attr:`Paper.sort_date`; papers are listed
newest first (:func:`survey.catalog.newest_first`).

``data/index-exports.json`` (fetched on the first download click, so the page
does not load every abstract up front): paper id -> ``{"bibtex", "csl"}``, the
entry exactly as :func:`survey.bibtex.paper_to_entry` writes it and the
:func:`survey.csl.paper_to_csl` item, so the browser can rebuild
:func:`survey.bibtex.bib_file_text` and :func:`survey.csl.csl_json_text` for
any selection byte for byte:

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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalog import FACTS_FILE, Catalog, LowConfidenceFact, newest_first
from .memo import key
from .model import Paper

INDEX_VERSION = 2  # 2: papers carry "venue_series"


def index_data(catalog: Catalog) -> dict[str, Any]:
    """The content of ``data/index.json``."""
    return json.loads(index_text(catalog))


def index_text(catalog: Catalog, keep: Callable[[Paper, str, Callable[[], bytes]], bytes]
               | None = None, as_bytes: bool = False) -> str | bytes:
    """The text of ``data/index.json``.  ``keep(paper, name, make)`` may return a
    paper's entry kept from an earlier build instead of calling ``make()``; an
    entry depends on the record, its surveys and the taxonomy (named by
    ``name``), as UTF-8 bytes with ``as_bytes``."""
    tax = catalog.taxonomy
    surveys = sorted(catalog.surveys.values(), key=lambda s: (s.order, s.id))
    head = index_json({
        "version": INDEX_VERSION,
        "topics": [{"id": t.id, "name": t.name, "parent": t.parent} for t, _d in tax.walk()],
        "surveys": [{"id": s.id, "title": s.title} for s in surveys],
    }).rstrip("\n")
    taxonomy = key([(t.id, t.parent) for t in tax.topics.values()])
    entries = []
    for p in catalog.newest or newest_first(catalog.papers):
        in_surveys = list(catalog.paper_surveys.get(p.id, []))

        def make(p: Paper = p, in_surveys: list[str] = in_surveys) -> bytes:
            return index_json(_index_entry(tax, p, in_surveys)).rstrip("\n").encode("utf-8")
        name = f"index{INDEX_VERSION}:{taxonomy}:{','.join(in_surveys)}"
        entries.append(keep(p, name, make) if keep is not None else make())
    out = head[:-1].encode("utf-8") + b',"papers":[' + b",".join(entries) + b"]}\n"
    return out if as_bytes else out.decode("utf-8")


def venue_series(venue: str | None) -> str:
    """The venue without its year ("NeurIPS 2024" -> "NeurIPS", "Findings of ACL 2023"
    -> "Findings of ACL"): the value of the index's venue facet; "" for none."""
    return " ".join(w for w in (venue or "").split() if not re.fullmatch(r"'?(?:19|20)\d\d", w))


#: A venue series gets its own box in the venue facet from this many papers on; the
#: rest share "Other venues".
VENUE_FACET_MIN = 2


def venue_facets(papers: list[Paper]) -> list[Facet]:
    """The venue facet: series with at least VENUE_FACET_MIN papers (most papers
    first), then "other" and "none" (no venue known)."""
    counts: dict[str, int] = {}
    for p in papers:
        series = venue_series(p.venue)
        counts[series] = counts.get(series, 0) + 1
    listed = sorted((s for s, n in counts.items() if s and n >= VENUE_FACET_MIN),
                    key=lambda s: (-counts[s], s.lower()))
    facets = [Facet(s, s, counts[s]) for s in listed]
    other = sum(n for s, n in counts.items() if s and s not in listed)
    if other:
        facets.append(Facet("other", "Other venues", other))
    if counts.get(""):
        facets.append(Facet("none", "No venue (preprints)", counts[""]))
    return facets


def _index_entry(tax, p: Paper, in_surveys: list[str]) -> dict[str, Any]:
    topics: list[str] = []
    for tid in p.topics:
        if tid in tax:
            for t in [tid, *tax.ancestors(tid)]:
                if t not in topics:
                    topics.append(t)
    return {
        "id": p.id,
        "key": p.key,
        "title": p.title,
        "authors": ", ".join(p.authors),
        "venue": p.venue or "",
        "venue_series": venue_series(p.venue),
        "arxiv_id": p.arxiv_id or "",
        "year": p.year,
        "date": p.sort_date,
        "upvotes": p.upvotes,
        "topics": topics,
        "surveys": in_surveys,
        "has_code": p.has_code,
        "has_arxiv": p.has_arxiv,
    }


def exports_data(catalog: Catalog, bibtex: Callable[[Paper], str],
                 csl: Callable[[Paper], dict[str, Any]]) -> dict[str, Any]:
    """The content of ``data/index-exports.json``."""
    return json.loads(exports_text(catalog, bibtex, csl))


def exports_text(catalog: Catalog, bibtex: Callable[[Paper], str],
                 csl: Callable[[Paper], dict[str, Any]],
                 keep: Callable[[Paper, str, Callable[[], bytes]], bytes] | None = None,
                 as_bytes: bool = False) -> str | bytes:
    """The text of ``data/index-exports.json`` (``keep`` as in :func:`index_text`;
    an entry depends on the record only), as UTF-8 bytes with ``as_bytes``."""
    def make(p: Paper) -> bytes:
        return (json.dumps(p.id, ensure_ascii=False) + ":"
                + index_json({"bibtex": bibtex(p), "csl": csl(p)}).rstrip("\n")).encode("utf-8")
    entries = [keep(p, "index-exports", lambda p=p: make(p)) if keep is not None else make(p)
               for p in sorted(catalog.papers, key=lambda p: p.id)]
    out = b"{" + b",".join(entries) + b"}\n"
    return out if as_bytes else out.decode("utf-8")


def index_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


@dataclass
class Facet:
    value: str
    label: str
    count: int
    depth: int = 0


def index_context(catalog: Catalog) -> dict[str, Any]:
    """Template context of the papers index page (server-rendered list and facets)."""
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
        "papers": papers,
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


def help_wanted(catalog: Catalog, few: int = 3) -> HelpWanted:
    """What curators could complete: papers missing authors (none, or a partial
    list), a year, an arXiv id or a code link; topics with fewer than ``few``
    papers (sub-topics included); and the low-confidence facts left unmerged."""
    out = HelpWanted(low_confidence=list(catalog.low_confidence))
    for p in sorted(catalog.papers, key=lambda p: (p.title.casefold(), p.id)):
        if not p.authors:
            note = (f"{p.author_count} authors listed, no names" if p.author_count
                    else "no authors")
            out.no_authors.append(Gap(p, note))
        elif not p.authors_complete:
            known = len(p.authors)
            total = f" of {p.author_count}" if p.author_count else ""
            out.no_authors.append(Gap(p, f"partial list: {known}{total} names"))
        if not p.year:
            out.no_year.append(Gap(p, f"listed on {p.date}" if p.date else ""))
        if not p.arxiv_id:
            out.no_arxiv.append(Gap(p))
        if not p.has_code:
            out.no_code.append(Gap(p))
    for topic, _depth in catalog.taxonomy.walk():
        n = len(catalog.topic_papers.get(topic.id, []))
        if n < few:
            out.few_papers.append((topic, n))
    return out


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
