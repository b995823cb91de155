"""The data of the papers index (``papers/``), cut in pieces so that a reader
downloads what the view asks for, not the catalog.  No MkDocs import.

Papers are numbered by their position newest first (:func:`survey_core.model.catalog.
newest_first`): the *ordinal*.  The page itself lists the newest ``first``
papers (it works without JavaScript); ``assets/survey/papers-index.js`` reads
the files below under ``data/index/``:

``meta.json`` (on load, small)::

    {"version": 3, "total": N, "first": rows in the page, "page": rows per view page,
     "shard": papers per rows shard, "exportShard": papers per exports shard,
     "textShard": papers per text shard,
     "buckets": author buckets,
     "topics": [[id, name, parent ordinal or -1]...],   tree order
     "surveys": [[id, title]...],
     "venues": [venue series...], "venuesListed": K}   most papers first; the
        first K have a box of their own, the others count as "other"

``facets.json`` (on the first filter): one column per facet, one value per
ordinal: ``topic`` (lists of topic ordinals the paper is filed under; the
script adds their ancestors), ``year`` (0: unknown), ``survey`` (lists of survey
ordinals), ``venue`` (venue series ordinal, -1: none), ``flags`` (1: code, 2: arXiv id).

``upvotes.json`` (sorting by upvotes): the upvotes column (0 when unknown).
``title-order.json`` (sorting by title): ordinals in title order.

``rows/<k>.json``: the rows of ordinals ``k*shard ..``, each
``[id, title, year or 0, [topic ordinals], upvotes or -1, has code 0/1]``, to show
papers beyond those in the page.

``text/<k>.json`` (on the first use of the text filter): per ordinal, the
folded title, authors, venue, key and arXiv id.

``authors/<b>.json``: author name -> ``[[ordinals], [[co-author, shared papers]...],
[rows]]`` for the names whose :func:`bucket` is ``b`` (the ``author=`` filter), where
``rows`` are the rows (as in ``rows/``) of those of the author's first ``page``
ordinals that the page does not list (``>= first``): the author's first view page
comes in this one file, however many papers the author has and however they are
spread over the rows shards.  The number of buckets grows with the authors and
with their papers (:func:`bucket_count`), so a bucket stays about the same size
at any catalog size.

``exports/<k>.json`` (on a download): per ordinal of export shard ``k``,
``{"key", "bibtex", "csl"}`` (see :mod:`survey_core.site.discovery` for how the browser
joins them into files).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from itertools import chain
from operator import itemgetter
from typing import Any

from survey_core.model import memo
from survey_core.model.catalog import Catalog, newest_first
from survey_core.model.memo import Carry
from survey_core.model.model import Paper

VERSION = 4
PREFIX = "data/index"
#: papers listed in the page itself (also without JavaScript)
FIRST = 500
#: papers shown per view page when the view needs rows beyond the page's own
PAGE = 50
#: papers per rows/ shard: small, as a filtered view (one author's papers) may
#: need one row from each of many shards
SHARD = 10
#: papers per exports/ shard (fetched on a download, which asks for many papers)
EXPORT_SHARD = 50
#: papers per text/ shard
TEXT_SHARD = 2000
#: authors per bucket, about
AUTHORS_PER_BUCKET = 100
#: rows per bucket, about: a bucket carries up to ``page`` rows of each of its
#: authors, so it is sized by those too (a few kB gzipped)
ROWS_PER_BUCKET = 100
#: co-authors listed per author
CO_AUTHORS = 12


def fold(text: str) -> str:
    """Lower case without accents: ``fold`` in papers-index.js."""
    text = unicodedata.normalize("NFKD", text or "")
    return re.sub("[\u0300-\u036f]", "", text).lower()


def bucket(name: str, buckets: int) -> int:
    """The author bucket of ``name``: FNV-1a (32 bits) of its UTF-8 bytes, modulo
    ``buckets`` (``bucket`` in papers-index.js)."""
    h = 0x811C9DC5
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h % buckets


def _dump(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def venue_series(venue: str | None) -> str:
    """The venue without its year ("NeurIPS 2024" -> "NeurIPS", "Findings of ACL 2023"
    -> "Findings of ACL"): the value of the index's venue facet; "" for none."""
    return " ".join(w for w in (venue or "").split() if not re.fullmatch(r"'?(?:19|20)\d\d", w))


#: A venue series gets its own box in the venue facet from this many papers on; the
#: rest share "Other venues".
VENUE_FACET_MIN = 2


def venue_series_counts(papers: list[Paper]) -> tuple[list[str], int, Counter[str]]:
    """Every venue series, most papers first (then by name), how many of them
    have a box of their own (at least VENUE_FACET_MIN papers, the first ones),
    and the papers of each series."""
    counts = Counter(venue_series(p.venue) for p in papers if p.venue)
    counts.pop("", None)
    order = sorted(counts, key=lambda s: (-counts[s], s.lower()))
    return order, sum(1 for s in order if counts[s] >= VENUE_FACET_MIN), counts


class _Numbering:
    """How the index numbers topics, surveys and venue series."""

    def __init__(self, catalog: Catalog) -> None:
        tax = catalog.taxonomy
        self.papers = catalog.newest or newest_first(catalog.papers)
        self.topics = [t for t, _d in tax.walk()]
        self.topic_no = {t.id: i for i, t in enumerate(self.topics)}
        self.surveys = sorted(catalog.surveys.values(), key=lambda s: (s.order, s.id))
        self.survey_no = {s.id: i for i, s in enumerate(self.surveys)}
        self._venues: tuple[list[str], int] | None = None
        self._venue_no: dict[str, int] | None = None

    def _count_venues(self) -> tuple[list[str], int]:
        if self._venues is None:
            venues, listed, _counts = venue_series_counts(self.papers)
            self._venues = venues, listed
        return self._venues

    @property
    def venues(self) -> list[str]:
        return self._count_venues()[0]

    @property
    def listed(self) -> int:
        return self._count_venues()[1]

    @property
    def venue_no(self) -> dict[str, int]:
        if self._venue_no is None:
            self._venue_no = {v: i for i, v in enumerate(self.venues)}
        return self._venue_no

    def filed(self, p: Paper) -> list[int]:
        return [self.topic_no[t] for t in p.topics if t in self.topic_no]


def _meta(n: _Numbering, first: int, page: int, buckets: int) -> bytes:
    return _dump({
        "version": VERSION, "total": len(n.papers), "first": min(first, len(n.papers)),
        "page": page, "shard": SHARD, "exportShard": EXPORT_SHARD, "textShard": TEXT_SHARD,
        "buckets": buckets,
        "topics": [[t.id, t.name, n.topic_no.get(t.parent, -1) if t.parent else -1]
                   for t in n.topics],
        "surveys": [[s.id, s.title] for s in n.surveys],
        "venues": n.venues, "venuesListed": n.listed,
    })


def _facets(catalog: Catalog, n: _Numbering, filed: list[list[int]]) -> bytes:
    papers = n.papers
    return _dump({
        "topic": filed,
        "year": [p.year or 0 for p in papers],
        "survey": [[n.survey_no[s] for s in catalog.paper_surveys.get(p.id, [])
                    if s in n.survey_no] for p in papers],
        "venue": [n.venue_no.get(venue_series(p.venue), -1) for p in papers],
        "flags": [(1 if p.has_code else 0) | (2 if p.has_arxiv else 0) for p in papers],
    })


def _title_order(papers: list[Paper], folded: list[str] | None = None) -> bytes:
    folded = folded if folded is not None else [fold(p.title) for p in papers]
    return _dump(sorted(range(len(papers)), key=lambda i: (folded[i], papers[i].id)))


def _row(p: Paper, filed: list[int]) -> list[Any]:
    return [p.id, p.title, p.year or 0, filed, p.upvotes if p.upvotes is not None else -1,
            1 if p.has_code else 0]


def _rows(papers: list[Paper], filed: Callable[[int], list[int]], k: int) -> bytes:
    return _dump([_row(p, filed(i)) for i, p in enumerate(papers[k:k + SHARD], start=k)])


def _text(papers: list[Paper], k: int) -> bytes:
    return _dump([fold(" ".join([p.title, ", ".join(p.authors), p.venue or "", p.key,
                                 p.arxiv_id or ""]))
                  for p in papers[k:k + TEXT_SHARD]])


def index_files(catalog: Catalog, exported: Callable[[Paper], bytes] | None = None,
                first: int = FIRST, page: int = PAGE, kept: Carry | None = None
                ) -> dict[str, bytes]:
    """Every file of ``data/index/``: site path -> content.  ``exported(paper)``
    gives a paper's exports item as JSON bytes (``{"key", "bibtex", "csl"}``);
    without it no ``exports/`` files are written.  ``kept`` (``mkdocs serve``)
    hands the author files and the title order to the next build, which reuses
    them while the authors (or titles) of every paper, in order, are unchanged."""
    # what is kept for the next build is kept compressed (43 MB of JSON at 50,000
    # papers as it is)
    pack = kept is not None
    if kept is not None:
        kept.start()
    else:
        kept = Carry()
    n = _Numbering(catalog)
    papers = n.papers
    names = _author_buckets(papers, page)
    out: dict[str, bytes] = {}
    out[f"{PREFIX}/meta.json"] = _meta(n, first, page, len(names))
    filed = [n.filed(p) for p in papers]
    out[f"{PREFIX}/facets.json"] = _facets(catalog, n, filed)
    out[f"{PREFIX}/upvotes.json"] = _dump([p.upvotes or 0 for p in papers])
    out[f"{PREFIX}/title-order.json"] = kept.get(
        memo.key("title-order", *(x for p in papers for x in (p.id, p.title))),
        lambda: _title_order(papers), pack)
    # A shard is kept while its papers (their records, in order) and the topic
    # numbering are unchanged: an edit makes only its own shards again.
    digests = [p.digest or repr(p) for p in papers]
    numbering = memo.key(*n.topic_no)
    for k in range(0, len(papers), SHARD):
        out[f"{PREFIX}/rows/{k // SHARD}.json"] = kept.get(
            memo.key("rows", numbering, *digests[k:k + SHARD]),
            lambda k=k: _rows(papers, filed.__getitem__, k), pack)
    if exported is not None:
        for k in range(0, len(papers), EXPORT_SHARD):
            out[f"{PREFIX}/exports/{k // EXPORT_SHARD}.json"] = (
                b"[" + b",".join(exported(p) for p in papers[k:k + EXPORT_SHARD]) + b"]\n")
    for k in range(0, len(papers), TEXT_SHARD):
        out[f"{PREFIX}/text/{k // TEXT_SHARD}.json"] = kept.get(
            memo.key("text", *digests[k:k + TEXT_SHARD]), lambda k=k: _text(papers, k), pack)
    # A bucket is kept while its authors, their papers (records and ordinals) and
    # the topic numbering are unchanged.
    for b, group in enumerate(names):
        out[f"{PREFIX}/authors/{b}.json"] = kept.get(
            memo.key("authors", numbering, first, page,
                     *(x for name, ords in group.items()
                       for x in (name, ",".join(map(str, ords)),
                                 "\x1f".join([digests[i] for i in ords])))),
            lambda group=group: _author_file(papers, group, filed.__getitem__, first, page),
            pack)
    return out


class IndexPatch:
    """The files of ``data/index/`` that edits in place (see
    :func:`survey_core.model.catalog.patch_papers`) change, as :func:`index_files`
    makes them, at the cost of the edit: kept for the rebuilds of ``mkdocs serve``."""

    def __init__(self) -> None:
        #: folded titles, newest first (for ``title-order.json``), made at the first patch
        self.folded: list[str] | None = None
        #: ordinals in title order, and paper id -> ordinal
        self.order: list[int] = []
        self.position: dict[str, int] = {}
        #: the author buckets (names -> ordinals), made with the rest and again when
        #: an edit changes authors
        self.groups: list[dict[str, list[int]]] | None = None

    def prime(self, catalog: Catalog, page: int = PAGE) -> None:
        """Fold the titles and order them, and group the authors in their buckets,
        now (as a build ends), not at the first edit."""
        papers = catalog.newest or newest_first(catalog.papers)
        if self.folded is None or len(self.folded) != len(papers):
            folded = self.folded = [fold(p.title) for p in papers]
            self.order = sorted(range(len(papers)), key=lambda i: (folded[i], papers[i].id))
            self.position = {p.id: i for i, p in enumerate(papers)}
            self.groups = _author_buckets(papers, page)

    def _retitle(self, papers: list[Paper], i: int, folded: str) -> None:
        """Move ordinal ``i`` to its place in the title order for its new title."""
        import bisect

        keys = _TitleKeys(self.order, self.folded, papers)
        at = bisect.bisect_left(keys, (self.folded[i], papers[i].id))
        while self.order[at] != i:
            at += 1
        del self.order[at]
        self.folded[i] = folded
        self.order.insert(bisect.bisect_left(keys, (folded, papers[i].id)), i)

    def files(self, catalog: Catalog, changed: list[tuple[Paper, Paper]],
              exported: Callable[[Paper], bytes] | None, first: int = FIRST, page: int = PAGE
              ) -> dict[str, bytes]:
        """``changed``: (before, after) of each edited paper."""
        n = _Numbering(catalog)
        papers = n.papers
        self.prime(catalog, page)
        where = self.position
        out: dict[str, bytes] = {}
        titles = authors = facets = False
        #: authors whose bucket may carry the row of an edited paper, or its co-authors
        shown: set[str] = set()
        for old, new in changed:
            i = where[new.id]
            titles |= old.title != new.title
            authors |= old.authors != new.authors
            if old.authors != new.authors or _row(old, n.filed(old)) != _row(new, n.filed(new)):
                # their buckets hold the paper's row and their co-authors
                shown.update(old.authors)
                shown.update(new.authors)
            facets |= (venue_series(old.venue) != venue_series(new.venue)
                       or old.has_code != new.has_code or old.has_arxiv != new.has_arxiv)
            if fold(new.title) != self.folded[i]:
                self._retitle(papers, i, fold(new.title))
            k = i - i % SHARD
            out[f"{PREFIX}/rows/{k // SHARD}.json"] = _rows(papers, lambda j: n.filed(papers[j]), k)
            k = i - i % TEXT_SHARD
            out[f"{PREFIX}/text/{k // TEXT_SHARD}.json"] = _text(papers, k)
            if exported is not None:
                k = i - i % EXPORT_SHARD
                out[f"{PREFIX}/exports/{k // EXPORT_SHARD}.json"] = (
                    b"[" + b",".join(exported(p) for p in papers[k:k + EXPORT_SHARD]) + b"]\n")
        if titles:
            out[f"{PREFIX}/title-order.json"] = _dump(self.order)
        before = groups = self.groups  # made by prime()
        if authors:
            groups = self.groups = _author_buckets(papers, page)
        if authors or shown:
            filed = lambda j: n.filed(papers[j])  # noqa: E731
            redo = {bucket(a, len(groups)) for a in shown}
            if authors:
                # a bucket whose names and papers are as they were changes only if it
                # holds an author of an edited paper (co-authors, rows); when the number
                # of buckets changes, every name may move
                redo |= ({b for b, group in enumerate(groups) if group != before[b]}
                         if len(before) == len(groups) else set(range(len(groups))))
            redo = sorted(redo)
            for b in redo:
                out[f"{PREFIX}/authors/{b}.json"] = _author_file(
                    papers, groups[b], filed, first, page)
        if facets or authors:  # the number of author buckets may change with the authors
            out[f"{PREFIX}/meta.json"] = _meta(n, first, page, len(groups))
        if facets:
            out[f"{PREFIX}/facets.json"] = _facets(catalog, n, [n.filed(p) for p in papers])
        return out


def bucket_count(authors: int, rows: int) -> int:
    """How many author buckets a catalog of ``authors`` names has, whose first
    view pages hold ``rows`` rows in all: about AUTHORS_PER_BUCKET names or
    ROWS_PER_BUCKET rows in each, whichever makes more (at least one).  It
    depends on the authors of each paper only, not on titles or order."""
    return max(1, -(-authors // AUTHORS_PER_BUCKET), -(-rows // ROWS_PER_BUCKET))


def _author_buckets(papers: list[Paper], page: int) -> list[dict[str, list[int]]]:
    """Per author bucket: its author names -> their ordinals (newest first)."""
    by_author: dict[str, list[int]] = {}
    for i, p in enumerate(papers):
        for name in dict.fromkeys(p.authors):
            by_author.setdefault(name, []).append(i)
    buckets = bucket_count(len(by_author), sum(min(len(o), page) for o in by_author.values()))
    groups: list[dict[str, list[int]]] = [{} for _ in range(buckets)]
    for name, ords in by_author.items():
        groups[bucket(name, buckets)][name] = ords
    return groups


def _author_file(papers: list[Paper], group: dict[str, list[int]],
                 filed: Callable[[int], list[int]], first: int, page: int) -> bytes:
    """``authors/<b>.json`` of the authors of ``group``: their papers, co-authors
    (most shared papers first, CO_AUTHORS of them) and the rows of their first view
    page beyond the page's own rows."""
    out: dict[str, Any] = {}
    for name, ords in group.items():
        # each paper's authors counted once; then most shared papers first, by name
        co = Counter(chain.from_iterable(set(papers[i].authors) for i in ords))
        co.pop(name, None)
        top = sorted(sorted(co.items()), key=itemgetter(1), reverse=True)[:CO_AUTHORS]
        out[name] = [ords, [[a, k] for a, k in top],
                     [_row(papers[i], filed(i)) for i in ords[:page] if i >= first]]
    return _dump(out)


def export_item(paper: Paper, bibtex: str, csl: dict[str, Any]) -> bytes:
    """A paper's item in ``exports/<k>.json``."""
    return _dump({"key": paper.key, "bibtex": bibtex, "csl": csl}).rstrip(b"\n")


class _TitleKeys:
    """The sort keys of the title order, for :mod:`bisect`."""

    def __init__(self, order: list[int], folded: list[str], papers: list[Paper]) -> None:
        self.order, self.folded, self.papers = order, folded, papers

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, k: int) -> tuple[str, str]:
        i = self.order[k]
        return (self.folded[i], self.papers[i].id)
