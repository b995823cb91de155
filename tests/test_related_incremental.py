"""The edit loop's incremental related-papers update agrees with a full computation
where it must: the edited paper's own list, and lists that gain or lose it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from survey_core.model.catalog import load_catalog
from survey_core.site.related import RelatedCache, RelatedStats, related_ids

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Doc:
    id: str
    title: str
    abstract: str


def corpus() -> list[Doc]:
    cat = load_catalog(ROOT, persist_cache=False)
    return [Doc(p.id, p.title, p.abstract) for p in cat.papers]


def test_incremental_update_matches_full_for_the_edited_paper():
    docs = corpus()
    cache = RelatedCache(None, persist=False)
    related_ids(docs, 5, cache=cache)
    # Make one paper a near copy of another: they must become each other's best match.
    a, b = docs[10], docs[200]
    edited = [Doc(d.id, d.title, d.abstract) for d in docs]
    edited[10] = Doc(a.id, b.title + " revisited", b.abstract)
    stats = RelatedStats()
    quick = related_ids(edited, 5, cache=cache, incremental=True, stats=stats)
    assert stats.incremental and stats.tokenised == 1
    exact = related_ids(edited, 5, cache=RelatedCache(None, persist=False))
    assert [o for o, _s in quick[a.id]] == [o for o, _s in exact[a.id]]
    assert quick[b.id][0][0] == a.id and exact[b.id][0][0] == a.id
    # Every list that no longer should hold the edited paper has lost it.
    for pid, rows in quick.items():
        if a.id not in [o for o, _s in exact[pid]]:
            assert a.id not in [o for o, _s in rows] or pid == b.id


def test_many_changes_fall_back_to_a_full_computation():
    docs = corpus()
    cache = RelatedCache(None, persist=False)
    related_ids(docs, 5, cache=cache)
    edited = [Doc(d.id, d.title + " v2", d.abstract) for d in docs]
    stats = RelatedStats()
    related_ids(edited, 5, cache=cache, incremental=True, stats=stats)
    assert stats.recomputed and not stats.incremental


def test_a_build_lets_the_term_counts_go_before_comparing_every_pair(tmp_path):
    """A build (not the edit loop) with its cache on disk weighs the corpus, then
    compares every pair from the weights alone: the term counts are on disk and let
    go first; the lists are those of a cache kept in memory only."""
    docs = corpus()
    cache = RelatedCache(tmp_path)
    on_disk = related_ids(docs, 5, cache=cache)
    assert cache.terms == {}
    in_memory = RelatedCache(None, persist=False)
    assert related_ids(docs, 5, cache=in_memory) == on_disk
    assert len(in_memory.terms) == len(docs)
    # the next build reads the counts back from the disk
    again = RelatedCache(tmp_path)
    stats = RelatedStats()
    assert related_ids([Doc(d.id, d.title + " x", d.abstract) if i == 0 else d
                        for i, d in enumerate(docs)], 5, cache=again, stats=stats)
    assert stats.tokenised == 1
