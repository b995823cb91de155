"""Related papers: nearest neighbours by TF-IDF cosine similarity.  No MkDocs import.

Model
=====

Each paper is a bag of terms from its title and abstract (:func:`tokens`:
accent-folded, lowercased runs of letters and digits, English and
paper-boilerplate stopwords removed, a light plural folding).  A title term
counts :data:`TITLE_WEIGHT` times.  Weights are sublinear TF-IDF,
``(1 + ln tf) * (ln((1 + n) / (1 + df)) + 1)``, each paper's vector is
L2-normalised, and the related papers of a paper are the ``k`` others with the
highest cosine similarity above ``min_score`` (ties broken by id).

Scaling
=======

Up to :data:`EXACT_MAX` papers (15,000: about where comparing every pair stops
being the faster way) every pair is compared, block by block of rows (numpy,
no Python loop over pairs): terms found in many papers form a small dense matrix multiplied with
BLAS, the long tail of rarer terms is joined through its postings lists and
summed with ``np.bincount``.  Terms found in one paper only are dropped after
normalisation (they cannot make two papers similar).  That is quadratic: 10,000
papers take a few seconds, 50,000 two minutes or more.

Larger catalogs score candidate pairs only (``scipy.sparse`` products), so the
work per paper is bounded whatever the catalog size:

* each paper's :data:`QUERY_TERMS` heaviest terms (highest normalised weight:
  its rarest and most repeated ones) are looked up among the
  :data:`POSTINGS_CAP` papers where each term weighs most -- common terms are
  not excluded, only their postings cut, and used for candidates only;
* the sum of the matched weights is a partial score; each paper keeps its
  :data:`CANDIDATES` best, and a pair found from one side is a candidate of the
  other too (a paper with a long abstract, whose own heaviest terms are few of
  its terms, is still found by papers resembling it);
* every candidate pair is then scored with the full cosine (all terms, common
  ones included) and the lists are made as above: ``k`` best, higher score
  first, then lower index, above ``min_score``.

So a listed pair is never scored other than exactly, and never below
``min_score``; what pruning can do is miss a neighbour that shares little of
either paper's heaviest terms, and then list the next best candidate instead.
Two papers that resemble each other share their heaviest terms, which is why
this is rare.  ``bench/related_scale.py`` measures it on synthetic catalogs (a
hard case: their small fixed vocabulary makes every term common): the candidate
path finds 99.98% of the exact neighbours at 10,000 papers and 98.4% at 50,000
(99.9% and 95.0% of the papers get the identical list), in 5.6 s and 34 s where
every pair takes 3.6 s and 129 s: 6.2 times the time for 5 times the papers
(every pair: 35 times).

Cache
=====

Two JSON files under ``<root>/.survey-cache/`` (ignored by git):

``related-terms.json``
    record hash -> the weighted term counts of that record, where the record
    hash is the SHA-1 of its title and abstract.  An entry is reused while the
    title and abstract are unchanged (whatever else in the record changes); it
    is dropped when no current record has that hash, and the whole file is
    ignored when :data:`CACHE_VERSION` or the title weight changes.
``related-neighbours.json``
    the neighbour lists of every paper, stored with a corpus key: the SHA-1 of
    the parameters (``k``, ``min_score``, title weight, cache version) and of
    every paper's (id, record hash), in id order.  Adding, removing or editing
    the title/abstract of any paper changes the key (IDF and therefore every
    score can change, and a new paper can enter any other paper's list), so the
    similarities are recomputed for everyone -- from the cached term counts of
    the unchanged records.  With an unchanged key nothing is recomputed.

A broken or unreadable cache file is ignored; a read-only checkout still
works, only without the disk cache.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from survey_core.model.memo import CACHE_DIR, key
from survey_core.model.text import WordTable

CACHE_VERSION = 1
TERMS_FILE = "related-terms.json"
NEIGHBOURS_FILE = "related-neighbours.json"

#: How many times a title term counts, relative to an abstract term.
TITLE_WEIGHT = 3.0
#: Rows of the similarity matrix computed at once (its temporaries grow with it:
#: about 30 MB per 64 rows at 10,000 papers).
BLOCK_ROWS = 64
#: Rows whose frequent terms' part is one matrix product (15 MB of float32 at
#: EXACT_MAX papers; bigger products are faster: 1.7 s against 2.7 s at 10,000 papers).
GEMM_ROWS = 256
#: Terms found in at least this fraction of papers go into the dense (BLAS) part.
DENSE_FRACTION = 0.02
#: At most this many dense terms.
MAX_DENSE_TERMS = 2048
#: Catalogs up to this many papers compare every pair; larger ones score the
#: candidates of each paper only (see "Scaling" in the module docstring).  Every
#: pair is the faster way up to about 20,000 papers (``bench/related_scale.py``:
#: 3.6 s against 5.6 s at 10,000, 14.4 s against 13.5 s at 20,000).
EXACT_MAX = 15000
#: Candidates of a paper come from its this many heaviest terms ...
QUERY_TERMS = 30
#: ... each term looked up among the papers where it weighs most, at most this many ...
POSTINGS_CAP = 400
#: ... and this many candidates per paper (best partial score) are scored exactly.
CANDIDATES = 80
#: Rows per step of the candidate search and of the exact scoring.
PRUNED_BLOCK_ROWS = 512

STOPWORDS = frozenset("""
a about above across after again against all almost along already also although always am
among an and another any are around as at be because been before being below between both but
by can cannot could did do does doing done down due during each either else enough etc even
ever every few for from further get gets given gives had has have having he her here hers him
his how however i if in into is it its itself just least less let like made make makes many
may me might more most much must my neither no nor not now of off often on once one only onto
or other others otherwise our ours out over own per perhaps rather same several she should
since so some still such than that the their theirs them then there therefore these they this
those though through thus to too toward towards under until up upon us use used uses using
very via was we well were what whatever when where whereas whether which while who whom whose
why will with within without would yet you your yours
paper papers propose proposed proposes present presents introduce introduces introduced show
shows shown demonstrate demonstrates result results approach approaches method methods work
works study studies new novel based achieve achieves achieved significant significantly
existing first two three recent recently across various different including provide provides
furthermore moreover particular specifically additionally however overall key
""".split())  # noqa: SIM905 -- a word list reads better as text



def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _stem(word: str) -> str:
    """A light plural folding: models -> model, studies -> study."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _term(word: str) -> str:
    """The term of a word, or "" for a word that is no term."""
    if len(word) < 2 or word in STOPWORDS or word.isdigit():
        return ""
    term = _stem(word)
    return "" if term in STOPWORDS else term


#: word -> its term ("" for none)
_TERMS = WordTable(_term)
#: UTF-8 bytes -> themselves for a-z and 0-9, a space for every other byte: a
#: folded text's words (``[a-z0-9]+``) split at C speed
_SPACE_OUT = bytes(b if (97 <= b <= 122 or 48 <= b <= 57) else 32 for b in range(256))


def tokens(text: str) -> list[str]:
    """The terms of a text, in order."""
    words = _fold(text).encode("utf-8").translate(_SPACE_OUT).decode("ascii").split()
    return list(filter(None, _TERMS(words)))


def term_counts(title: str, abstract: str, title_weight: float = TITLE_WEIGHT
                ) -> dict[str, float]:
    """Weighted raw term frequencies of one paper (title terms count ``title_weight``)."""
    counts: dict[str, float] = {}
    for term in tokens(title):
        counts[term] = counts.get(term, 0.0) + title_weight
    for term, n in Counter(tokens(abstract)).items():  # (counted in C)
        counts[term] = counts.get(term, 0.0) + n
    return dict(sorted(counts.items()))


def record_hash(title: str, abstract: str) -> str:
    return key(title, abstract)


# ---------------------------------------------------------------------------
# Similarity
# ---------------------------------------------------------------------------


@dataclass
class Prepared:
    """A corpus as weighted, L2-normalised term vectors, ready for similarity rows:
    a dense matrix for frequent terms (or the same weights as a sparse matrix,
    :attr:`frequent`) and postings lists for the rest."""

    n: int
    vocab: dict[str, int]
    idf: np.ndarray
    df: np.ndarray
    dense_index: np.ndarray  # term -> dense column, or -1
    dense_terms: np.ndarray  # dense column -> term
    dense: np.ndarray  # n x dense terms, float32; n x 0 when held by ``frequent``
    s_rows: np.ndarray  # sparse entries, by row
    s_cols: np.ndarray
    s_w: np.ndarray
    row_start: np.ndarray
    post_doc: np.ndarray  # sparse entries, by term
    post_w: np.ndarray
    post_len: np.ndarray
    post_start: np.ndarray
    #: record hash and id of each document (set by :func:`related_ids`)
    hashes: list[str] | None = None
    ids: list[str] | None = None
    #: without the dense matrix (``prepare(dense=False)``, :meth:`compact`): the same
    #: weights as an n x dense terms CSR matrix (float32, its zeros left out)
    frequent: sp.csr_matrix | None = None
    _at: dict[str, int] | None = None

    @property
    def width(self) -> int:
        """How many dense terms."""
        return len(self.dense_terms)

    def compact(self) -> Prepared:
        """Hold the dense terms' weights as :attr:`frequent` and let the dense
        matrix go (what the edit loop keeps: about a tenth of the memory)."""
        if self.frequent is None:
            self.frequent = sp.csr_matrix(self.dense)
            self.dense = np.zeros((self.n, 0), dtype=np.float32)
        return self

    @property
    def at(self) -> dict[str, int]:
        """Paper id -> its row."""
        if self._at is None or len(self._at) != len(self.ids or ()):
            self._at = {pid: i for i, pid in enumerate(self.ids or ())}
        return self._at


def prepare(docs: Sequence[dict[str, float]], dense: bool = True) -> Prepared:
    """Weights of every document (see the module docstring).  ``dense=False``:
    the frequent terms' weights are kept as a sparse matrix (:attr:`Prepared.frequent`),
    not as an n x terms array (all the candidate path and the edit loop need, see
    :func:`_matrix` and :func:`_rows_sims`; a tenth of the memory)."""
    n = len(docs)
    vocab = {t: i for i, t in enumerate(dict.fromkeys(chain.from_iterable(docs)))}
    # Index arrays are int32 (half the memory of int64 at a million entries).
    lengths = np.fromiter(map(len, docs), dtype=np.int32, count=n)
    nnz = int(lengths.sum())
    cols = np.fromiter(map(vocab.__getitem__, chain.from_iterable(docs)), dtype=np.int32,
                       count=nnz)
    tf = np.fromiter(chain.from_iterable(d.values() for d in docs), dtype=np.float64,
                     count=nnz)
    rows = np.repeat(np.arange(n, dtype=np.int32), lengths)
    df = np.bincount(cols, minlength=len(vocab))
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    w = (1.0 + np.log(np.maximum(tf, 1e-12))) * idf[cols]
    w = np.maximum(w, 0.0)
    norms = np.sqrt(np.bincount(rows, weights=w * w, minlength=n))
    w = w / np.where(norms > 0, norms, 1.0)[rows]

    # Terms in one paper only cannot link two papers.
    keep = df[cols] >= 2
    rows, cols, w = rows[keep], cols[keep], w[keep]

    # Frequent terms: a dense matrix multiplied with BLAS.
    threshold = max(2, int(math.ceil(n * DENSE_FRACTION)))
    frequent = np.flatnonzero(df >= threshold)
    if len(frequent) > MAX_DENSE_TERMS:
        frequent = frequent[np.argsort(-df[frequent], kind="stable")[:MAX_DENSE_TERMS]]
    dense_index = np.full(len(vocab), -1, dtype=np.int64)
    dense_index[frequent] = np.arange(len(frequent))
    is_dense = dense_index[cols] >= 0
    held = None
    if dense:
        matrix = np.zeros((n, len(frequent)), dtype=np.float32)
        matrix[rows[is_dense], dense_index[cols[is_dense]]] = w[is_dense]
    else:
        # The dense matrix's nonzero entries in its row-major order, as CSR.
        matrix = np.zeros((n, 0), dtype=np.float32)
        d_rows, d_col, d_w = (rows[is_dense], dense_index[cols[is_dense]].astype(np.int32),
                              w[is_dense].astype(np.float32))
        order = np.lexsort((d_col, d_rows))
        order = order[d_w[order] != 0]
        d_rows, d_col, d_w = d_rows[order], d_col[order], d_w[order]
        held = sp.csr_matrix((d_w, d_col, np.searchsorted(d_rows, np.arange(n + 1))),
                             shape=(n, len(frequent)))

    # Rarer terms: postings lists (by term) joined with each block's entries.
    s_rows, s_cols, s_w = rows[~is_dense], cols[~is_dense], w[~is_dense]
    by_term = np.argsort(s_cols, kind="stable").astype(np.int32)
    post_doc, post_w = s_rows[by_term], s_w[by_term]
    post_len = np.bincount(s_cols, minlength=len(vocab))
    post_start = np.concatenate(([0], np.cumsum(post_len)[:-1]))
    row_start = np.searchsorted(s_rows, np.arange(n + 1))  # s_rows is sorted
    return Prepared(n, vocab, idf, df, dense_index, frequent, matrix, s_rows, s_cols, s_w,
                    row_start, post_doc, post_w, post_len, post_start, frequent=held)


def _sparse_sims(pr: Prepared, e_row: np.ndarray, e_col: np.ndarray, e_w: np.ndarray,
                 rows: int) -> np.ndarray:
    """rows x n similarities through the postings of the sparse entries given
    (``e_row`` numbers the rows from 0)."""
    n = pr.n
    counts = pr.post_len[e_col]
    total = int(counts.sum())
    rep = np.repeat(np.arange(len(e_col)), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    pidx = pr.post_start[e_col][rep] + offset
    flat = e_row[rep] * n + pr.post_doc[pidx]
    return np.bincount(flat, weights=e_w[rep] * pr.post_w[pidx],
                       minlength=rows * n).reshape(rows, n).astype(np.float32)


def _best(sims: np.ndarray, take: int, min_score: float) -> list[list[tuple[int, float]]]:
    """The ``take`` best columns of each row above ``min_score``, best first (ties:
    lower index first)."""
    n = sims.shape[1]
    # The k-th best score of each row; every candidate scoring at least that
    # much is sorted, so ties at the cut-off go to the lower index.
    kth = np.partition(sims, n - take, axis=1)[:, n - take]
    mask = sims >= np.maximum(kth, min_score)[:, None]
    out = []
    for i in range(sims.shape[0]):
        idx = np.flatnonzero(mask[i])
        scores = sims[i, idx]
        order = np.lexsort((idx, -scores))[:take]
        out.append([(int(idx[j]), round(float(scores[j]), 6)) for j in order
                    if scores[j] > min_score])
    return out


def nearest_neighbours(docs: Sequence[dict[str, float]], k: int = 5, min_score: float = 0.05,
                       block_rows: int = BLOCK_ROWS, prepared: Prepared | None = None
                       ) -> list[list[tuple[int, float]]]:
    """For each document (term -> raw weighted tf), the indices and cosine
    similarities of its ``k`` most similar other documents, best first (ties:
    lower index first), keeping only scores above ``min_score``.

    More than :data:`EXACT_MAX` documents: over candidate pairs only (see
    "Scaling" in the module docstring).  ``prepared`` is :func:`prepare` of
    ``docs`` if already made (the edit loop computes single rows from it, see
    :func:`_rows_sims`, always against every document); ``docs`` may then be empty."""
    n = prepared.n if prepared is not None else len(docs)
    if n < 2 or k <= 0:
        return [[] for _ in range(n)]
    pr = prepared if prepared is not None else prepare(docs)
    if n > EXACT_MAX:
        return _pruned_neighbours(pr, k, min_score)
    if pr.frequent is not None:  # every pair needs the dense matrix
        pr = prepare(docs) if len(docs) == n else replace(
            pr, dense=pr.frequent.toarray(), frequent=None, _at=None)
    out: list[list[tuple[int, float]]] = []
    take = min(k, n - 1)
    for a0 in range(0, n, GEMM_ROWS):
        b0 = min(n, a0 + GEMM_ROWS)
        # the frequent terms' part of GEMM_ROWS rows at once (a third less time than
        # per block); the rarer terms' part and the choice per block
        dense = pr.dense[a0:b0] @ pr.dense.T if pr.width else None
        for a in range(a0, b0, block_rows):
            b = min(b0, a + block_rows)
            out.extend(_block_best(pr, a, b, dense, a0, take, min_score))
    return out


def _block_best(pr: Prepared, a: int, b: int, dense: np.ndarray | None, a0: int, take: int,
                min_score: float) -> list[list[tuple[int, float]]]:
    """:func:`_best` of rows ``a:b``, whose dense part is ``dense[a - a0:b - a0]``."""
    if dense is not None:
        sims = dense[a - a0:b - a0]
    else:
        sims = np.zeros((b - a, pr.n), np.float32)
    lo, hi = pr.row_start[a], pr.row_start[b]
    if hi > lo:
        sims += _sparse_sims(pr, pr.s_rows[lo:hi] - a, pr.s_cols[lo:hi], pr.s_w[lo:hi], b - a)
    sims[np.arange(b - a), np.arange(a, b)] = -np.inf  # not its own neighbour
    return _best(sims, take, min_score)


def _matrix(pr: Prepared) -> sp.csr_matrix:
    """Every linking weight of ``pr`` (dense and sparse parts) as one n x terms
    CSR matrix (float64)."""
    if pr.frequent is not None:
        held = pr.frequent
        d_rows = np.repeat(np.arange(pr.n, dtype=np.int32), np.diff(held.indptr))
        d_terms, d_w = pr.dense_terms[held.indices], held.data
    else:
        d_rows, d_col = np.nonzero(pr.dense)
        d_terms, d_w = pr.dense_terms[d_col], pr.dense[d_rows, d_col]
    rows = np.concatenate((pr.s_rows, d_rows.astype(np.int32)))
    cols = np.concatenate((pr.s_cols, d_terms.astype(np.int32)))
    w = np.concatenate((pr.s_w, d_w.astype(np.float64)))
    return sp.csr_matrix((w, (rows, cols)), shape=(pr.n, len(pr.vocab)))


def _top_per_group(group: np.ndarray, value: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the ``limit`` largest values of each group (ties: earlier position)."""
    order = np.lexsort((-value, group))
    g = group[order]
    rank = np.arange(len(g)) - np.searchsorted(g, g, side="left")
    return order[rank < limit]


def _top_per_row(r: sp.csr_matrix, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of the ``c`` largest entries of each row of ``r``."""
    lengths = np.diff(r.indptr)
    rows = np.repeat(np.arange(r.shape[0]), lengths)
    width = int(lengths.max()) if len(rows) else 0
    if width <= c:
        return rows, r.indices, r.data
    pad = np.full((r.shape[0], width), -np.inf)
    pad[rows, np.arange(len(rows)) - r.indptr[rows]] = r.data
    top = np.argpartition(pad, width - c, axis=1)[:, width - c:]
    values = np.take_along_axis(pad, top, 1)
    ok = np.isfinite(values)
    t_row = np.broadcast_to(np.arange(r.shape[0])[:, None], top.shape)[ok]
    return t_row, r.indices[r.indptr[t_row] + top[ok]], values[ok]


def _candidates(x: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i, j), sorted by i: for each paper, the :data:`CANDIDATES`
    others with the highest partial score over its :data:`QUERY_TERMS` heaviest
    terms, looked up in each term's :data:`POSTINGS_CAP` heaviest postings; a
    pair found from either side is a candidate of both."""
    n = x.shape[0]
    rowid = np.repeat(np.arange(n), np.diff(x.indptr))
    sel = _top_per_group(rowid, x.data, QUERY_TERMS)
    q_row, q_col, q_w = rowid[sel], x.indices[sel], x.data[sel]
    query = sp.csr_matrix((q_w, (q_row, q_col)), shape=x.shape)
    keep = _top_per_group(x.indices, x.data, POSTINGS_CAP)
    postings = sp.csr_matrix((x.data[keep], (x.indices[keep], rowid[keep])),
                             shape=(x.shape[1], n))
    found_i, found_j, found_v = [], [], []
    for a in range(0, n, PRUNED_BLOCK_ROWS):
        block = (query[a:a + PRUNED_BLOCK_ROWS] @ postings).tocsr()
        block.setdiag(0, k=a)  # not its own candidate
        block.eliminate_zeros()
        i, j, v = _top_per_row(block, CANDIDATES)
        found_i.append(i + a)
        found_j.append(j)
        found_v.append(v)
    i = np.concatenate(found_i + found_j)
    j = np.concatenate(found_j + found_i)
    v = np.concatenate(found_v + found_v)
    # One entry per pair (its best partial score), then the best of each row.
    order = np.lexsort((-v, j, i))
    i, j, v = i[order], j[order], v[order]
    first = np.ones(len(i), bool)
    first[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    i, j, v = i[first], j[first], v[first]
    sel = np.sort(_top_per_group(i, v, CANDIDATES))
    return i[sel].astype(np.int64), j[sel].astype(np.int64)


def _pruned_neighbours(pr: Prepared, k: int, min_score: float
                       ) -> list[list[tuple[int, float]]]:
    """:func:`nearest_neighbours` over the candidate pairs of :func:`_candidates`,
    each scored with the full cosine."""
    n = pr.n
    x = _matrix(pr)
    ci, cj = _candidates(x)
    starts = np.searchsorted(ci, np.arange(n + 1))
    scores = np.empty(len(ci))
    # Each step spreads its rows over every term: at most about 32 MB of them.
    step = max(8, min(PRUNED_BLOCK_ROWS, 4_000_000 // max(1, x.shape[1])))
    for a in range(0, n, step):
        b = min(n, a + step)
        lo, hi = starts[a], starts[b]
        other = x[cj[lo:hi]]
        lengths = np.diff(other.indptr)
        mine = x[a:b].toarray()
        prod = other.data * mine[np.repeat(ci[lo:hi] - a, lengths), other.indices]
        scores[lo:hi] = np.bincount(np.repeat(np.arange(hi - lo), lengths), weights=prod,
                                    minlength=hi - lo)
    # The same order as the exact path: float32 score, higher first, then lower index.
    s32 = scores.astype(np.float32)
    order = np.lexsort((cj, -s32, ci))
    ci, cj, s32 = ci[order], cj[order], s32[order]
    rank = np.arange(len(ci)) - starts[ci]
    keep = (rank < k) & (s32 > min_score)
    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for i, j, s in zip(ci[keep].tolist(), cj[keep].tolist(), s32[keep].tolist(),
                       strict=True):
        out[i].append((j, round(s, 6)))
    return out


def _vector(pr: Prepared, counts: dict[str, float]) -> dict[int, float]:
    """A document's normalised weights with the terms and IDF of ``pr`` (a term
    ``pr`` does not know counts in the norm only)."""
    unseen = math.log(1.0 + pr.n) + 1.0
    weights = {}
    norm = 0.0
    for term, tf in counts.items():
        col = pr.vocab.get(term)
        idf = float(pr.idf[col]) if col is not None else unseen
        w = max((1.0 + math.log(max(tf, 1e-12))) * idf, 0.0)
        norm += w * w
        if col is not None:
            weights[col] = w
    norm = math.sqrt(norm) or 1.0
    return {col: w / norm for col, w in weights.items()}


def _base_vector(pr: Prepared, i: int) -> dict[int, float]:
    """Row ``i`` of ``pr`` (the terms that link papers)."""
    vec = {int(c): float(w) for c, w in zip(pr.s_cols[pr.row_start[i]:pr.row_start[i + 1]],
                                           pr.s_w[pr.row_start[i]:pr.row_start[i + 1]],
                                           strict=True)}
    if pr.frequent is not None:
        lo, hi = pr.frequent.indptr[i], pr.frequent.indptr[i + 1]
        terms, w = pr.dense_terms[pr.frequent.indices[lo:hi]], pr.frequent.data[lo:hi]
        order = np.argsort(terms)  # in term order, as from the dense matrix
        vec.update(zip(terms[order].tolist(), w[order].tolist(), strict=True))
    elif pr.width:
        row = pr.dense[i]
        dense_terms = np.flatnonzero(pr.dense_index >= 0)
        for col in dense_terms[np.flatnonzero(row[pr.dense_index[dense_terms]])]:
            vec[int(col)] = float(row[pr.dense_index[col]])
    return vec


def _rows_sims(pr: Prepared, vectors: list[dict[int, float]]) -> np.ndarray:
    """Similarities of the given vectors with every row of ``pr`` (through its
    sparse :attr:`Prepared.frequent` if held so: every row times a small block)."""
    m = len(vectors)
    dense = np.zeros((m, pr.width), np.float32)
    e_row, e_col, e_w = [], [], []
    for r, vec in enumerate(vectors):
        for col, w in vec.items():
            d = pr.dense_index[col]
            if d >= 0:
                dense[r, d] = w
            elif pr.post_len[col]:
                e_row.append(r)
                e_col.append(col)
                e_w.append(w)
    if pr.frequent is not None:
        sims = np.ascontiguousarray((pr.frequent @ dense.T).T)
    elif pr.width:
        sims = dense @ pr.dense.T
    else:
        sims = np.zeros((m, pr.n), np.float32)
    if e_col:
        sims += _sparse_sims(pr, np.array(e_row, np.int64), np.array(e_col, np.int64),
                             np.array(e_w, np.float64), m)
    return sims


# ---------------------------------------------------------------------------
# Cache and entry point
# ---------------------------------------------------------------------------


@dataclass
class RelatedStats:
    """What the last :func:`related_ids` call did (for tests and logs)."""

    papers: int = 0
    tokenised: int = 0
    recomputed: bool = False
    incremental: bool = False


class RelatedCache:
    """The two cache files (see the module docstring), kept in memory too."""

    def __init__(self, root: Path | None, persist: bool = True):
        self.dir = Path(root) / CACHE_DIR if root is not None else None
        self.persist = persist and self.dir is not None
        self.terms: dict[str, dict[str, float]] = {}
        self.terms_weight: float | None = None  # title weight the term counts were made with
        self.neighbours_key: str | None = None
        #: paper id -> record hash of the last result; ``exact`` is False after an
        #: incremental update (then nothing is written to disk)
        self.hashes: dict[str, str] = {}
        self.exact = True
        #: made from :attr:`neighbours` and :attr:`prepared`, dropped when either is
        #: set (see :meth:`listed`, :meth:`floor`, :meth:`patched`)
        self._listed: np.ndarray | None = None
        self._floor: tuple[int, np.ndarray] | None = None
        self.neighbours: dict[str, list[tuple[str, float]]] = {}
        self._neighbours_read = False
        #: the weights of the last full computation (``incremental`` calls only)
        self.prepared: Prepared | None = None
        #: when set, files are written by :meth:`flush` (``mkdocs serve``: when it stops)
        self.defer = False
        self.pending: dict[str, dict[str, Any]] = {}
        #: the record hashes in prepared order as patched (see :meth:`patch_hashes`)
        self._hashes: tuple[Prepared, list[str]] | None = None
        self.edited: set[int] = set()

    def drop_terms(self) -> None:
        """Forget the term counts of every paper once the corpus is weighed (the
        edit loop needs those of edited papers only, made again as asked);
        read from disk again if a whole weighing needs them."""
        if self.terms and TERMS_FILE not in self.pending:
            self.terms, self.terms_weight = {}, None

    @property
    def neighbours(self) -> dict[str, list[tuple[str, float]]]:
        """Paper id -> [(related paper id, score), ...] of the last result."""
        return self._neighbours

    @neighbours.setter
    def neighbours(self, value: dict[str, list[tuple[str, float]]]) -> None:
        self._neighbours = value
        self._listed = self._floor = None

    @property
    def prepared(self) -> Prepared | None:
        return self._prepared

    @prepared.setter
    def prepared(self, value: Prepared | None) -> None:
        self._prepared = value
        self._listed = self._floor = None

    def listed(self) -> np.ndarray:
        """The rows of the related papers of each paper, in prepared order (n x the
        longest list, int32, -1 past a list's end), for the neighbours held now
        (made once, then kept by :meth:`patched`).  See :meth:`listers`."""
        if self._listed is None:
            at, ids = self.prepared.at, self.prepared.ids
            width = max(map(len, self._neighbours.values()), default=0)
            rows = np.full((len(ids), max(width, 1)), -1, dtype=np.int32)
            for i, pid in enumerate(ids):
                shown = self._neighbours.get(pid)
                if shown:
                    rows[i, :len(shown)] = [at.get(o, -1) for o, _s in shown]
            self._listed = rows
        return self._listed

    def listers(self, rows: Sequence[int]) -> np.ndarray:
        """The rows of the papers whose related list shows one of ``rows``."""
        return np.flatnonzero(np.isin(self.listed(), rows).any(axis=1))

    def floor(self, k: int) -> np.ndarray:
        """The score of the last of ``k`` related papers of each paper (in prepared
        order; -inf for a shorter list), for the neighbours held now."""
        if self._floor is None or self._floor[0] != k:
            ids = self.prepared.ids
            low = np.full(len(ids), -np.inf)
            for i, pid in enumerate(ids):
                shown = self._neighbours.get(pid) or ()
                if len(shown) >= k:
                    low[i] = shown[k - 1][1]
            self._floor = (k, low)
        return self._floor[1]

    def patched(self, new: dict[str, list[tuple[str, float]]], replaced: Sequence[str]
                ) -> None:
        """Hold ``new``, the neighbours after an edit whose lists ``replaced``
        changed (the weights unchanged), with :meth:`listed` and :meth:`floor`
        updated for those rows instead of made again."""
        self._neighbours = new
        at = self._prepared.at if self._prepared is not None else {}
        if self._listed is not None:
            width = max((len(new[pid]) for pid in replaced), default=0)
            if width > self._listed.shape[1]:
                self._listed = np.pad(self._listed, ((0, 0), (0, width - self._listed.shape[1])),
                                      constant_values=-1)
            for pid in replaced:
                shown, row = new[pid], self._listed[at[pid]]
                row[:] = -1
                row[:len(shown)] = [at.get(o, -1) for o, _s in shown]
        if self._floor is not None:
            k, low = self._floor
            for pid in replaced:
                shown = new[pid]
                low[at[pid]] = shown[k - 1][1] if len(shown) >= k else -np.inf

    def patch_hashes(self, pr: Prepared, fresh: dict[str, str]) -> list[str]:
        """The record hashes in the prepared order after ``fresh`` (id -> hash)
        changed; the positions edited since the weighing in :attr:`edited`."""
        if self._hashes is None or self._hashes[0] is not pr:
            current = [self.hashes[pid] for pid in pr.ids]
            self._hashes = (pr, current)
            self.edited = {i for i, (a, b) in enumerate(zip(current, pr.hashes, strict=True))
                           if a != b}
        hashes = self._hashes[1]
        for pid, h in fresh.items():
            i = pr.at[pid]
            hashes[i] = h
            self.edited.add(i)
        return hashes

    def flush(self) -> None:
        """Write what was deferred."""
        pending, self.pending, self.defer = self.pending, {}, False
        for name, data in pending.items():
            self._write(name, data)

    def _read(self, name: str) -> dict[str, Any] | None:
        assert self.dir is not None
        try:
            data = json.loads((self.dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return None
        return data

    def load_neighbours(self) -> None:
        if self._neighbours_read or not self.persist:
            return
        self._neighbours_read = True
        data = self._read(NEIGHBOURS_FILE)
        if data and isinstance(data.get("neighbours"), dict):
            self.neighbours_key = data.get("key")
            self.neighbours = {pid: [(str(o), float(sc)) for o, sc in rows]
                               for pid, rows in data["neighbours"].items()}
            self.hashes = data.get("hashes") or {}

    def load_terms(self, title_weight: float) -> None:
        """Term counts made with ``title_weight`` (read from disk only when needed:
        an unchanged corpus never reads them)."""
        if self.terms_weight == title_weight:
            return
        self.terms, self.terms_weight = {}, title_weight
        if self.persist:
            data = self._read(TERMS_FILE)
            if data and data.get("title_weight") == title_weight and isinstance(
                    data.get("terms"), dict):
                self.terms = data["terms"]

    def _write(self, name: str, data: dict[str, Any]) -> None:
        if not self.persist:
            return
        if self.defer:
            self.pending[name] = data
            return
        assert self.dir is not None
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            gitignore = self.dir / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n")
            tmp = self.dir / (name + ".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                _dump(fh, data)
            os.replace(tmp, self.dir / name)
        except OSError:
            pass

    def save_terms(self, title_weight: float) -> None:
        self._write(TERMS_FILE, {"version": CACHE_VERSION, "title_weight": title_weight,
                                 "terms": self.terms})

    def save_neighbours(self) -> None:
        if not self.exact:
            return
        self._write(NEIGHBOURS_FILE, {"version": CACHE_VERSION, "key": self.neighbours_key,
                                      "neighbours": self.neighbours, "hashes": self.hashes})


def _dump(fh, value: Any, depth: int = 0) -> None:
    """``json.dump(value, fh, separators=(",", ":"), sort_keys=True)``, written
    entry by entry for the two outer levels (so the text of 10,000 papers' term
    counts is never held at once) with the C encoder for each entry."""
    if isinstance(value, dict) and depth < 2:
        fh.write("{")
        for i, key in enumerate(sorted(value)):
            fh.write(("," if i else "") + json.dumps(str(key)) + ":")
            _dump(fh, value[key], depth + 1)
        fh.write("}")
    else:
        fh.write(json.dumps(value, separators=(",", ":"), sort_keys=True))


def corpus_key(items: Sequence[tuple[str, str]], k: int, min_score: float,
               title_weight: float) -> str:
    """The key of the neighbour cache: parameters plus every (id, record hash)."""
    # ids are slugs and hashes hex: one joined string is unambiguous (and fast)
    return key(CACHE_VERSION, k, min_score, title_weight,
               "\n".join(f"{pid} {h}" for pid, h in sorted(items)))


def related_ids(papers: Sequence[Any], k: int = 5, *, root: Path | None = None,
                cache: RelatedCache | None = None, min_score: float = 0.05,
                title_weight: float = TITLE_WEIGHT, stats: RelatedStats | None = None,
                incremental: bool = False) -> dict[str, list[tuple[str, float]]]:
    """paper id -> [(related paper id, cosine similarity), ...], best first.

    ``papers`` need ``id``, ``title`` and ``abstract``.  With ``root`` (or a
    ``cache``) the results and term counts are cached under
    ``<root>/.survey-cache/`` as the module docstring describes.

    ``incremental`` (the edit loop of ``mkdocs serve``): when the same papers
    as in the cache's last result are present and only a few changed their
    title or abstract, only the rows of the changed papers, and of papers that
    listed one of them, are recomputed; a changed paper also enters any other
    list it now beats.  The rows are computed against the weights of the last
    full weighing of the corpus (kept in memory as :class:`Prepared`, its frequent
    terms' weights as a sparse matrix, see :meth:`Prepared.compact`), with the
    papers edited since re-weighted under its IDF; rows of other papers keep
    their lists.  Such results are kept in memory only: a fresh build computes
    everything exactly."""
    stats = stats if stats is not None else RelatedStats()
    stats.papers = len(papers)
    if cache is None:
        cache = RelatedCache(root, persist=root is not None)
    cache._hashes = None  # the hashes of related_patch are made again from cache.hashes
    cache.load_neighbours()
    ordered = sorted(papers, key=lambda p: p.id)
    hashes = [record_hash(p.title or "", p.abstract or "") for p in ordered]
    key = corpus_key([(p.id, h) for p, h in zip(ordered, hashes, strict=True)], k, min_score,
                     title_weight)
    if key == cache.neighbours_key:
        if incremental and cache.prepared is None and len(ordered) > 1 and k > 0:
            # Weigh the corpus now, at the server's start, not at the first edit.
            cache.load_terms(title_weight)
            cache.prepared = prepare([
                cache.terms.get(h) or term_counts(p.title or "", p.abstract or "", title_weight)
                for p, h in zip(ordered, hashes, strict=True)], dense=False)
            cache.prepared.hashes, cache.prepared.ids = list(hashes), [p.id for p in ordered]
            cache.drop_terms()
        return dict(cache.neighbours)

    previous = cache.hashes if cache.neighbours_key else {}
    changed = [i for i, (p, h) in enumerate(zip(ordered, hashes, strict=True))
               if previous.get(p.id) != h]
    pr = cache.prepared
    if (incremental and previous and pr is not None and pr.hashes is not None
            and set(previous) == {p.id for p in ordered} and pr.ids == [p.id for p in ordered]
            and len(changed) <= max(5, len(ordered) // 100)):
        # Only the changed papers and those edited since the weighing need their terms.
        needed = set(changed) | {i for i, h in enumerate(hashes) if h != pr.hashes[i]}
        some: dict[int, dict[str, float]] = {}
        for i in needed:
            some[i] = _counts(cache, ordered[i], hashes[i], title_weight, stats)
        stats.recomputed = True
        return _updated(cache, key, ordered, hashes, stats,
                        _update(ordered, some, changed, cache, k, min_score, hashes))

    cache.load_terms(title_weight)
    docs = []
    fresh = False
    for paper, h in zip(ordered, hashes, strict=True):
        fresh = fresh or h not in cache.terms
        docs.append(_counts(cache, paper, h, title_weight, stats))
    live = set(hashes)
    if fresh or len(cache.terms) != len(live):
        cache.terms = {h: cache.terms[h] for h in hashes}
        cache.save_terms(title_weight)

    stats.recomputed = True
    if (incremental and previous and set(previous) == {p.id for p in ordered}
            and len(changed) <= max(5, len(ordered) // 100)):
        return _updated(cache, key, ordered, hashes, stats,
                        _update(ordered, docs, changed, cache, k, min_score, hashes))
    # The candidate path needs no dense matrix (nor does the edit loop).
    prepared = (prepare(docs, dense=len(docs) <= EXACT_MAX)
                if len(docs) >= 2 and k > 0 else None)
    if prepared is not None and prepared.frequent is not None:
        # The candidate path reads only the weights: the term counts (written to
        # the cache above) are let go before its arrays are made.
        cache.terms, cache.terms_weight, docs = {}, None, []
        found = _pruned_neighbours(prepared, k, min_score)
    else:
        if prepared is not None and not incremental and cache.persist:
            # Every pair from the weights alone: the term counts (on disk) go first
            # here too.
            cache.drop_terms()
            docs = []
        found = nearest_neighbours(docs, k, min_score, prepared=prepared)
    result = {p.id: [(ordered[j].id, s) for j, s in row]
              for p, row in zip(ordered, found, strict=True)}
    # The edit loop updates rows against these weights (kept in memory only,
    # without the dense matrix).
    cache.prepared = prepared.compact() if incremental and prepared is not None else None
    if prepared is not None:
        prepared.hashes = hashes
        prepared.ids = [p.id for p in ordered]
    cache.neighbours_key = key
    cache.hashes = dict(zip((p.id for p in ordered), hashes, strict=True))
    cache.neighbours = result
    cache.exact = True
    cache.save_neighbours()
    if incremental and prepared is not None:
        cache.drop_terms()
    return result


def _counts(cache: RelatedCache, paper: Any, h: str, title_weight: float,
            stats: RelatedStats | None = None) -> dict[str, float]:
    """A paper's term counts (record hash ``h``): from the cache, or made and kept."""
    counts = cache.terms.get(h)
    if counts is None:
        counts = cache.terms[h] = term_counts(paper.title or "", paper.abstract or "",
                                              title_weight)
        if stats is not None:
            stats.tokenised += 1
    return counts


def _updated(cache: RelatedCache, key: str, ordered: Sequence[Any], hashes: list[str],
             stats: RelatedStats, result: dict[str, list[tuple[str, float]]]
             ) -> dict[str, list[tuple[str, float]]]:
    """Keep an incremental result (in memory only: not exact)."""
    stats.incremental = True
    cache.neighbours_key = key
    cache.hashes = dict(zip((p.id for p in ordered), hashes, strict=True))
    cache.neighbours = result
    cache.exact = False
    return result


def _update(ordered: Sequence[Any], docs, changed: list[int],
            cache: RelatedCache, k: int, min_score: float, hashes: list[str],
            patch: bool = False) -> dict[str, list[tuple[str, float]]]:
    """The incremental step of :func:`related_ids`.  ``patch`` (from
    :func:`related_patch`): the prepared weights are those of these papers, and
    the cache's :meth:`RelatedCache.listed` and ``pr.at`` are used instead of
    walking every row."""
    old = cache.neighbours
    changed_ids = {ordered[i].id for i in changed}
    pr = cache.prepared
    if patch and pr is not None:
        index = pr.at
        affected = sorted(set(changed) | set(cache.listers(changed).tolist()))
    else:
        index = {p.id: i for i, p in enumerate(ordered)}
        affected = sorted(set(changed) | {index[pid] for pid, rows in old.items()
                                          if any(o in changed_ids for o, _s in rows)})
    sims: dict[int, np.ndarray] = {}
    if pr is None or (not patch and (pr.ids != [p.id for p in ordered] or pr.hashes is None)):
        # The first edit of a session: weigh the current corpus once.
        pr = cache.prepared = prepare(docs, dense=False)
        pr.hashes, pr.ids = list(hashes), [p.id for p in ordered]
    if len(ordered) > 1 and k > 0:
        # Rows against the weights of the last full weighing, with the papers
        # edited since then re-weighted (their IDF unchanged): no new matrices.
        edited = {i: _vector(pr, docs[i]) for i in (docs if patch else range(len(hashes)))
                  if hashes[i] != pr.hashes[i]}
        vectors = [edited[i] if i in edited else _base_vector(pr, i) for i in affected]
        block = _rows_sims(pr, vectors)
        for r, i in enumerate(affected):
            for c, vec in edited.items():
                if c != i:
                    block[r, c] = sum(w * vec.get(col, 0.0) for col, w in vectors[r].items())
            block[r, i] = -np.inf
            sims[i] = block[r]
        rows = _best(block, min(k, len(ordered) - 1), min_score)
    else:
        rows = [[] for _ in affected]
    result = dict(old)
    for i, row in zip(affected, rows, strict=True):
        result[ordered[i].id] = [(ordered[j].id, s) for j, s in row]
    done = set(affected)
    floor = cache.floor(k) if patch else None
    for c in changed:
        cid = ordered[c].id
        near = sims[c] > min_score
        if floor is not None:
            near &= sims[c] >= floor - 1e-6  # below a full list's last: it would not enter
        for j in np.flatnonzero(near):
            j = int(j)
            if j in done or j == c:
                continue
            pid, score = ordered[j].id, round(float(sims[c][j]), 6)
            current = result[pid]
            if len(current) >= k and all(o != cid for o, _s in current):
                last, low = current[-1]
                if score < low or (score == low and index[cid] > index[last]):
                    continue  # it would not make the list
            current = [r for r in current if r[0] != cid]
            current.append((cid, score))
            current.sort(key=lambda r: (-r[1], index[r[0]]))
            result[pid] = current[:k]
    return result


def related_patch(cache: RelatedCache, by_id: dict[str, Any], changed: Sequence[Any],
                  k: int = 5, min_score: float = 0.05, title_weight: float = TITLE_WEIGHT
                  ) -> tuple[dict[str, list[tuple[str, float]]], set[str]] | None:
    """The incremental step of :func:`related_ids` for papers known to have
    changed (edited in place: the same papers, by ``by_id``, as the cache's last
    result), without hashing every record: (the related papers, the ids whose
    rows changed).  None when the cache has no weighed result of these papers
    (then :func:`related_ids` does the work)."""
    pr = cache.prepared
    if (pr is None or pr.ids is None or pr.hashes is None or not cache.neighbours_key
            or len(pr.ids) != len(by_id) or any(p.id not in cache.hashes for p in changed)):
        return None
    fresh = {p.id: record_hash(p.title or "", p.abstract or "") for p in changed}
    if all(cache.hashes[pid] == h for pid, h in fresh.items()):
        return cache.neighbours, set()
    cache.hashes.update(fresh)
    ordered = _Ordered(pr.ids, by_id)
    hashes = cache.patch_hashes(pr, fresh)
    docs: dict[int, dict[str, float]] = {}
    for i in cache.edited:
        if hashes[i] != pr.hashes[i]:
            docs[i] = _counts(cache, ordered[i], hashes[i], title_weight)
    at = pr.at
    changed_at = sorted(at[pid] for pid in fresh)
    old = cache.neighbours
    result = _update(ordered, docs, changed_at, cache, k, min_score, hashes, patch=True)
    replaced = [pid for pid, rows in result.items() if old.get(pid) is not rows]
    cache.patched(result, replaced)
    cache.neighbours_key = corpus_key(list(zip(pr.ids, hashes, strict=True)), k, min_score,
                                      title_weight)
    cache.exact = False
    ids = set(fresh)
    touched = set()
    for pid in replaced:
        before, shown = old.get(pid), [o for o, _s in result[pid]]
        if before is None or shown != [o for o, _s in before] or ids.intersection(shown):
            touched.add(pid)
    return result, touched


class _Ordered:
    """The papers in the order of the prepared weights (``ordered[i]``), looked
    up by id when asked for."""

    def __init__(self, ids: list[str], by_id: dict[str, Any]) -> None:
        self.ids, self.by_id = ids, by_id

    def __getitem__(self, i: int) -> Any:
        return self.by_id[self.ids[i]]

    def __len__(self) -> int:
        return len(self.ids)
