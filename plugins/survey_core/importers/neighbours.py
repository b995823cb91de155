"""Nearest curated papers: evidence for the sync's borderline list (see
:func:`survey_core.importers.sync.classify`).

The catalog papers filed under a topic in scope are TF-IDF vectors of their title and
abstract, weighted as for the related papers of the site
(:mod:`survey_core.site.related`: the same terms, a title term counting three times,
sublinear TF-IDF, L2-normalised).  A candidate's text (title, and abstract when it has
one) becomes a vector with the same terms and IDF, and its neighbours are the curated
papers of highest cosine similarity at or above ``min_similarity``.

The catalog is indexed once per run (:class:`CuratedIndex`), and the candidates of a run are
scored together: one sparse product of (candidates x terms) by (terms x papers), so a day
of a few hundred candidates against 10,000 papers takes well under a second after the
index is built (``bench/scope.py --scale`` measures it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import scipy.sparse as sp

from survey_core.model.model import Paper
from survey_core.site.related import term_counts

#: Candidates scored in one sparse product (its dense result is rows x papers floats).
BLOCK_ROWS = 256


@dataclass(frozen=True)
class Neighbour:
    """A curated paper near a candidate: its record id, title, in-scope topics and the
    cosine similarity of the two texts."""

    record: str
    title: str
    topics: tuple[str, ...]
    similarity: float

    def evidence(self) -> str:
        """As the ledger keeps it among a borderline paper's rules."""
        return f"nearest {self.record} ({self.similarity:.2f})"  # see sync.NEAREST


class CuratedIndex:
    """The catalog papers filed under a topic in ``scope`` (``exclude``: topics that do
    not count, e.g. the taxonomy's fallback), as normalised TF-IDF rows."""

    def __init__(self, papers: Iterable[Paper], scope: set[str],
                 exclude: Iterable[str] = ()) -> None:
        counted = scope - set(exclude)
        self.papers = [p for p in papers if any(t in counted for t in p.topics)]
        self.topics = [tuple(t for t in p.topics if t in counted) for p in self.papers]
        self.ids = [p.id for p in self.papers]
        docs = [term_counts(p.title, p.abstract or "") for p in self.papers]
        n = len(docs)
        self.vocab = {t: i for i, t in enumerate(dict.fromkeys(chain.from_iterable(docs)))}
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n)
        cols = np.fromiter(map(self.vocab.__getitem__, chain.from_iterable(docs)),
                           dtype=np.int64, count=int(lengths.sum()))
        tf = np.fromiter(chain.from_iterable(d.values() for d in docs), dtype=np.float64,
                         count=len(cols))
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        df = np.bincount(cols, minlength=len(self.vocab))
        self.idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        self.unseen = math.log(1.0 + n) + 1.0
        w = np.maximum((1.0 + np.log(np.maximum(tf, 1e-12))) * self.idf[cols], 0.0)
        norms = np.sqrt(np.bincount(rows, weights=w * w, minlength=n))
        w = w / np.where(norms > 0, norms, 1.0)[rows]
        # terms x papers, so that a block of candidates times it gives their similarities
        self.matrix = sp.csr_matrix((w, (cols, rows)), shape=(len(self.vocab), n))

    def __len__(self) -> int:
        return len(self.papers)

    def _vectors(self, texts: Sequence[tuple[str, str]]) -> sp.csr_matrix:
        data, cols, indptr = [], [], [0]
        for title, abstract in texts:
            norm, row = 0.0, {}
            for term, tf in term_counts(title, abstract).items():
                col = self.vocab.get(term)
                idf = float(self.idf[col]) if col is not None else self.unseen
                w = max((1.0 + math.log(max(tf, 1e-12))) * idf, 0.0)
                norm += w * w  # a term no curated paper has still lowers the similarity
                if col is not None:
                    row[col] = w
            norm = math.sqrt(norm) or 1.0
            cols.extend(row)
            data.extend(w / norm for w in row.values())
            indptr.append(len(cols))
        return sp.csr_matrix((np.array(data, np.float64), np.array(cols, np.int64),
                              np.array(indptr, np.int64)), shape=(len(texts), len(self.vocab)))

    def nearest(self, texts: Sequence[tuple[str, str]], min_similarity: float, count: int,
                skip: Sequence[str | None] = ()) -> list[list[Neighbour]]:
        """For each (title, abstract): up to ``count`` curated papers of similarity at
        least ``min_similarity`` (and above 0: sharing a term), most similar first (then
        by record id); ``skip[i]``: a record id left out of text ``i``'s neighbours (the
        paper itself, when measuring on the catalog)."""
        out: list[list[Neighbour]] = []
        if not self.papers:
            return [[] for _ in texts]
        position = {rid: j for j, rid in enumerate(self.ids)}
        for start in range(0, len(texts), BLOCK_ROWS):
            block = texts[start:start + BLOCK_ROWS]
            sims = (self._vectors(block) @ self.matrix).toarray()
            for r in range(len(block)):
                row = sims[r]
                own = skip[start + r] if start + r < len(skip) else None
                if own in position:
                    row[position[own]] = -1.0
                take = min(count, len(row))
                best = np.argpartition(-row, take - 1)[:take]
                found = [(float(row[j]), j) for j in best
                         if row[j] > 0 and row[j] >= min_similarity - 1e-12]
                found.sort(key=lambda x: (-x[0], self.ids[x[1]]))
                out.append([Neighbour(self.ids[j], self.papers[j].title, self.topics[j],
                                      round(s, 4)) for s, j in found])
        return out


def neighbour_topics(near: Sequence[Neighbour], limit: int = 2) -> list[str]:
    """The topics a borderline paper is suggested under: those of its neighbours, by the
    sum of the similarities of the neighbours filed there (then by id)."""
    weight: dict[str, float] = {}
    for nb in near:
        for t in nb.topics:
            weight[t] = weight.get(t, 0.0) + nb.similarity
    return sorted(weight, key=lambda t: (-weight[t], t))[:limit]
