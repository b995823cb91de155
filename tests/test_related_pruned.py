"""Large catalogs score candidate pairs only: their related lists agree with the
every-pair computation, never hold a pair below ``min_score``, the size threshold
switches between the two, and the edit loop's update agrees with a fresh
computation on that path too."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from survey_core.model.catalog import load_catalog
from survey_core.site import related

ROOT = Path(__file__).resolve().parents[1]
SIZE = 2000


@dataclass
class Doc:
    id: str
    title: str
    abstract: str


def synthetic_corpus(n: int = SIZE) -> list[Doc]:
    """``n`` papers made from the catalog's titles and abstracts: each takes a seed
    record's title and abstract words in shuffled order, drops some, and mixes in
    words of another record."""
    seeds = [(p.title, p.abstract or "") for p in load_catalog(ROOT, persist_cache=False).papers]
    rng = random.Random(11)
    docs = []
    for i in range(n):
        title, abstract = rng.choice(seeds)
        other_title, other_abstract = rng.choice(seeds)
        t_words = title.split()
        t_words = rng.sample(t_words, max(1, len(t_words) - 2)) + rng.sample(
            other_title.split(), 1)
        a_words = abstract.split()
        a_words = rng.sample(a_words, int(len(a_words) * 0.7)) + rng.sample(
            other_abstract.split(), min(15, len(other_abstract.split())))
        rng.shuffle(a_words)
        docs.append(Doc(f"p{i:05d}", " ".join(t_words), " ".join(a_words)))
    return docs


@pytest.fixture(scope="module")
def corpus() -> list[Doc]:
    return synthetic_corpus()


@pytest.fixture(scope="module")
def counts(corpus) -> list[dict[str, float]]:
    return [related.term_counts(d.title, d.abstract) for d in corpus]


def both(counts, monkeypatch, k=5, min_score=0.05):
    monkeypatch.setattr(related, "EXACT_MAX", len(counts))
    exact = related.nearest_neighbours(counts, k, min_score)
    monkeypatch.setattr(related, "EXACT_MAX", len(counts) - 1)
    pruned = related.nearest_neighbours(counts, k, min_score)
    return exact, pruned


def test_pruned_lists_agree_with_every_pair(counts, monkeypatch):
    exact, pruned = both(counts, monkeypatch)
    n = len(counts)
    same = sum([j for j, _s in e] == [j for j, _s in p] for e, p in zip(exact, pruned,
                                                                         strict=True))
    assert same >= 0.98 * n
    found = sum(len({j for j, _s in e} & {j for j, _s in p})
                for e, p in zip(exact, pruned, strict=True))
    assert found >= 0.99 * sum(len(e) for e in exact)
    # Scores are full cosines: a paper found by both has the same score, and the
    # lists are ordered as the exact ones (score, then index).
    for e, p in zip(exact, pruned, strict=True):
        scores = dict(e)
        for j, s in p:
            if j in scores:
                assert s == pytest.approx(scores[j], abs=2e-6)
        assert [(-s, j) for j, s in p] == sorted((-s, j) for j, s in p)


def test_pruned_pairs_are_never_below_min_score(counts, monkeypatch):
    min_score = 0.3
    exact, pruned = both(counts, monkeypatch, k=8, min_score=min_score)
    # The cosine of every listed pair, from plain dense vectors.
    pr = related.prepare(counts)
    x = related._matrix(pr).toarray()
    listed = [(i, j, s) for i, row in enumerate(pruned) for j, s in row]
    assert listed, "some pairs are above the threshold"
    for i, j, s in listed:
        assert i != j
        assert float(x[i] @ x[j]) == pytest.approx(s, abs=2e-6)
        assert s > min_score
    # Short lists are short because no other candidate reaches min_score in exact either.
    assert sum(len(r) for r in pruned) >= 0.98 * sum(len(r) for r in exact)


def test_threshold_switches_method(counts, monkeypatch):
    # The default keeps the catalog itself (315 papers) and every small site exact.
    assert related.EXACT_MAX >= 3000
    calls = []
    real = related._pruned_neighbours

    def counting(*a, **kw):
        calls.append(len(a[0].vocab))
        return real(*a, **kw)

    monkeypatch.setattr(related, "_pruned_neighbours", counting)
    small = counts[:300]
    monkeypatch.setattr(related, "EXACT_MAX", 300)
    related.nearest_neighbours(small)
    assert calls == []
    monkeypatch.setattr(related, "EXACT_MAX", 299)
    related.nearest_neighbours(small)
    assert len(calls) == 1


def test_incremental_update_matches_fresh_on_pruned_path(corpus, monkeypatch):
    monkeypatch.setattr(related, "EXACT_MAX", 1000)
    cache = related.RelatedCache(None, persist=False)
    first = related.related_ids(corpus, 5, cache=cache, incremental=True)
    assert cache.prepared is not None and len(first) == len(corpus)
    # Make one paper a near copy of another: each must become the other's best match.
    a, b = corpus[10], corpus[1200]
    edited = list(corpus)
    edited[10] = Doc(a.id, b.title + " revisited", b.abstract)
    stats = related.RelatedStats()
    quick = related.related_ids(edited, 5, cache=cache, incremental=True, stats=stats)
    assert stats.incremental and stats.tokenised == 1
    fresh = related.related_ids(edited, 5, cache=related.RelatedCache(None, persist=False))
    assert [o for o, _s in quick[a.id]] == [o for o, _s in fresh[a.id]]
    for (_o, x), (_p, y) in zip(quick[a.id], fresh[a.id], strict=True):
        assert abs(x - y) < 0.02
    assert quick[b.id][0][0] == a.id and fresh[b.id][0][0] == a.id
    # Lists that should no longer hold the edited paper have lost it.
    for pid, rows in quick.items():
        if a.id not in [o for o, _s in fresh[pid]]:
            assert a.id not in [o for o, _s in rows]
    # Lists of papers the edit did not touch are the ones a fresh computation gives.
    untouched = [pid for pid in quick if pid != a.id and a.id not in
                 {o for o, _s in first[pid]} | {o for o, _s in fresh[pid]}]
    same = sum([o for o, _s in quick[pid]] == [o for o, _s in fresh[pid]] for pid in untouched)
    assert same >= 0.97 * len(untouched)


def test_pruned_candidates_are_bounded(counts, monkeypatch):
    monkeypatch.setattr(related, "CANDIDATES", 7)
    pr = related.prepare(counts)
    i, j = related._candidates(related._matrix(pr))
    assert np.all(i != j)
    assert np.all(np.diff(i) >= 0)
    assert np.bincount(i).max() <= 7
    assert len(set(zip(i.tolist(), j.tolist(), strict=True))) == len(i)


@pytest.mark.parametrize("exact_max", [1000, SIZE])
def test_serve_keeps_the_weights_without_the_dense_matrix(corpus, monkeypatch, exact_max):
    """The weights the edit loop keeps hold the frequent terms sparsely: above
    ``EXACT_MAX`` the dense matrix is never made, up to it it is let go once every
    pair is compared.  Edits made from them give the lists the dense matrix gives,
    and the edited paper's list is the one a computation from scratch gives."""
    monkeypatch.setattr(related, "EXACT_MAX", exact_max)
    asked = []
    real_prepare = related.prepare

    def recording(docs, dense=True):
        asked.append(dense)
        return real_prepare(docs, dense)

    monkeypatch.setattr(related, "prepare", recording)
    cache = related.RelatedCache(None, persist=False)
    related.related_ids(corpus, 5, cache=cache, incremental=True)
    pr = cache.prepared
    assert asked == [exact_max >= SIZE]
    assert pr.dense.size == 0 and pr.width > 20 and pr.frequent.shape == (SIZE, pr.width)
    held = pr.frequent.data.nbytes + pr.frequent.indices.nbytes + pr.frequent.indptr.nbytes
    assert held < 0.5 * SIZE * pr.width * 4  # what the dense matrix took
    # The same weights with the dense matrix, as the edit loop kept them before.
    twin = copy.deepcopy(cache)
    twin.prepared = replace(pr, dense=pr.frequent.toarray(), frequent=None, _at=None)
    assert twin.prepared.dense.shape == (SIZE, pr.width)

    by_id = {d.id: d for d in corpus}
    rng = random.Random(4)
    for _ in range(4):
        a, b = rng.sample(sorted(by_id), 2)
        by_id[a] = Doc(a, by_id[b].title + " revisited", by_id[b].abstract)
        got, touched = related.related_patch(cache, by_id, [by_id[a]], 5)
        want, want_touched = related.related_patch(twin, by_id, [by_id[a]], 5)
        assert touched == want_touched and a in touched
        assert {p: [o for o, _s in rows] for p, rows in got.items()} == {
            p: [o for o, _s in rows] for p, rows in want.items()}
        assert max(abs(s - t) for p in got for (_o, s), (_q, t) in zip(
            got[p], want[p], strict=True)) <= 2e-6
        assert got[b][0][0] == a and got[a][0][0] == b
        monkeypatch.setattr(related, "EXACT_MAX", SIZE)
        fresh = related.related_ids(list(by_id.values()), 5,
                                    cache=related.RelatedCache(None, persist=False))
        monkeypatch.setattr(related, "EXACT_MAX", exact_max)
        assert [o for o, _s in got[a]] == [o for o, _s in fresh[a]]
        # The reverse index and the last scores, kept through the edit, are those
        # made from the lists now held.
        made = related.RelatedCache(None, persist=False)
        made.prepared, made.neighbours = pr, got
        assert (cache.listed() == made.listed()).all()
        assert (cache.floor(5) == made.floor(5)).all()
        at = pr.at
        assert sorted(cache.listers([at[a], at[b]]).tolist()) == sorted(
            at[p] for p, rows in got.items() if {a, b} & {o for o, _s in rows})
    assert cache.prepared is pr and pr.dense.size == 0
    assert asked.count(True) == (exact_max >= SIZE) + 4  # the fresh computations


def test_first_edit_of_a_session_keeps_the_weights_sparse(corpus, monkeypatch, tmp_path):
    """Neighbours read from the disk cache, no weights kept yet: the server's start
    and the first edit weigh the corpus without the dense matrix, and the edit's
    lists are those the dense matrix gives."""
    monkeypatch.setattr(related, "EXACT_MAX", 1000)
    docs = list(corpus)
    related.related_ids(docs, 5, root=tmp_path)
    # The server's start with the neighbours on disk weighs the corpus sparsely too.
    warm = related.RelatedCache(tmp_path)
    stats = related.RelatedStats()
    related.related_ids(docs, 5, cache=warm, incremental=True, stats=stats)
    assert not stats.recomputed and warm.prepared.dense.size == 0
    assert warm.prepared.frequent.nnz > 0
    a, b = docs[25], docs[1500]
    docs[25] = Doc(a.id, b.title + " revisited", b.abstract)
    cache = related.RelatedCache(tmp_path)
    stats = related.RelatedStats()
    got = related.related_ids(docs, 5, cache=cache, incremental=True, stats=stats)
    assert stats.incremental
    pr = cache.prepared
    assert pr.dense.size == 0 and pr.frequent is not None and pr.frequent.nnz > 0
    assert got[b.id][0][0] == a.id and got[a.id][0][0] == b.id
    # The same step weighing with the dense matrix gives the same lists.
    real_prepare = related.prepare
    monkeypatch.setattr(related, "prepare", lambda docs, dense=True: real_prepare(docs))
    twin = related.RelatedCache(tmp_path)
    want = related.related_ids(docs, 5, cache=twin, incremental=True)
    assert twin.prepared.dense.shape == (len(docs), pr.width)
    assert {p: [o for o, _s in r] for p, r in got.items()} == {
        p: [o for o, _s in r] for p, r in want.items()}
