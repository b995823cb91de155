"""The pieces incremental rebuilds are assembled from give what a fresh computation
gives: search documents kept between edits, CSL files joined from per-item texts,
the related-papers cache written entry by entry, pages kept with their stashed
blocks, and related papers updated against kept term weights."""

from __future__ import annotations

import io
import json
import random
from dataclasses import replace
from pathlib import Path

from survey_core.formats.csl import csl_item_text, csl_join, csl_join_bytes, paper_to_csl
from survey_core.model.catalog import load_catalog
from survey_core.model.memo import Carry, key
from survey_core.site import discovery, related
from survey_core.site.render import Renderer

REPO = Path(__file__).resolve().parents[1]
CATALOG = load_catalog(REPO, persist_cache=False)


def fresh_docs(papers, **params) -> list[str]:
    return discovery.SearchDocs(**params, incremental=False).update(papers)


def test_search_docs_kept_between_edits_equal_fresh_ones():
    params = {"abstract_chars": -1, "keywords": 16, "authors": 5}
    kept = discovery.SearchDocs(**params)
    papers = list(CATALOG.papers)
    assert kept.update(papers) == fresh_docs(papers, **params)
    # An edit that adds rare words makes again the edited paper's document only.
    papers[5] = replace(papers[5], abstract=papers[5].abstract + " Zyzzyva quokkas.",
                        digest="rare")
    assert kept.update(papers) == fresh_docs(papers, **params)
    assert kept.made == 1
    rng = random.Random(3)
    for step in range(6):
        i = rng.randrange(len(papers))
        if step % 3 == 0:  # an abstract rewritten with words of another paper
            donor = papers[rng.randrange(len(papers))]
            papers[i] = replace(papers[i], abstract=donor.abstract, digest=f"edit{step}")
        elif step % 3 == 1:  # a paper removed
            papers.pop(i)
        else:  # a paper added, its abstract made of rare words
            papers.append(replace(papers[i], id=f"new-{step}", title=f"New {step}",
                                  abstract="Zyzzyva quokka xylophone " * 3, digest=f"new{step}"))
        docs = kept.update(papers)
        assert docs == fresh_docs(papers, **params)
    # the kept documents are what search_docs gives
    assert [json.loads(d) for d in docs] == discovery.search_docs(papers, -1, 16, 5)


def test_csl_files_joined_from_item_texts():
    items = [paper_to_csl(p) for p in CATALOG.papers[:60]]
    expected = json.dumps(sorted(items, key=lambda it: str(it["id"])), ensure_ascii=False,
                          indent=1) + "\n"
    pairs = [(str(it["id"]), csl_item_text(it)) for it in items]
    assert csl_join(pairs) == expected
    assert csl_join_bytes((k, t.encode()) for k, t in pairs) == expected.encode()
    assert csl_join([]) == json.dumps([], indent=1) + "\n"


def test_related_cache_streamed_as_one_dump():
    data = {"version": 9, "terms": {f"h{i}": {"b": i / 7, "a": 1.0} for i in range(30)},
            "list": [3, {"z": 1, "y": [2]}], "text": "naïve \u2014 quote\""}
    out = io.StringIO()
    related._dump(out, data)
    assert out.getvalue() == json.dumps(data, separators=(",", ":"), sort_keys=True)


def test_kept_page_restashes_its_blocks(tmp_path):
    renderer = Renderer(CATALOG, REPO / "site_templates")
    store = Carry()
    first = renderer.kept(store, "k", lambda: renderer.topic_page("tokenization"))
    assert "<!--survey-block:" in first
    expected = renderer.unstash(first)
    store.start()  # the next build
    again = Renderer(CATALOG, REPO / "site_templates")
    again.stash("an earlier block")  # the numbering differs in the next build
    second = again.kept(store, "k", lambda: "never called")
    assert second != first
    assert again.unstash(second) == expected


def test_related_update_against_kept_weights_matches_fresh_rows():
    papers = sorted(CATALOG.papers, key=lambda p: p.id)
    cache = related.RelatedCache(None, persist=False)
    related.related_ids(papers, 5, cache=cache, incremental=True)
    assert cache.prepared is not None
    edited = list(papers)
    i = 17
    edited[i] = replace(papers[i], title=papers[i].title + " speculative decoding drafts")
    stats = related.RelatedStats()
    updated = related.related_ids(edited, 5, cache=cache, incremental=True, stats=stats)
    assert stats.incremental
    fresh = related.related_ids(edited, 5, cache=related.RelatedCache(None, persist=False))
    # The edited paper's own list is computed against the kept weights: the same
    # papers as a fresh computation, scores within a small margin.
    pid = edited[i].id
    assert [o for o, _s in updated[pid]] == [o for o, _s in fresh[pid]]
    for (_o, a), (_p, b) in zip(updated[pid], fresh[pid], strict=True):
        assert abs(a - b) < 0.02


def test_index_files_kept_between_edits_equal_fresh_ones():
    from survey_core.site.papers_index import index_files

    kept = Carry()
    papers = list(CATALOG.papers)

    def both(papers):
        cat = replace(CATALOG, papers=papers, newest=[])
        return index_files(cat, kept=kept), index_files(cat)

    def edit(paper, **changes):
        # an edited record is read again: a new digest (what the pieces are kept by)
        return replace(paper, **changes, digest=key(paper.digest, sorted(changes.items())))

    steps = [
        lambda ps: ps,  # nothing changed: everything reused
        lambda ps: [edit(p, title=p.title + " again") if i == 7 else p
                    for i, p in enumerate(ps)],  # a title: author files reused
        lambda ps: [edit(p, authors=[*p.authors, "Ada Lovelace"]) if i in (3, 40) else p
                    for i, p in enumerate(ps)],  # co-authors changed
        lambda ps: [edit(p, year=1999) if i == 0 else p
                    for i, p in enumerate(ps)],  # order changed
        lambda ps: ps[1:],  # a paper removed
    ]
    for step in steps:
        papers = step(papers)
        with_kept, fresh = both(papers)
        assert with_kept == fresh
    assert any("Ada Lovelace" in data.decode("utf-8") for path, data in fresh.items()
               if "/authors/" in path)


def test_index_patch_gives_the_files_of_a_fresh_build():
    """Edits in place patched by IndexPatch: the files it makes, over those of the
    build before, equal a fresh build's, the author buckets that carry an edited
    paper's row included."""
    from survey_core.model.catalog import newest_first
    from survey_core.site.papers_index import PREFIX, IndexPatch, index_files

    first = 20
    papers = newest_first(CATALOG.papers)
    patch = IndexPatch()
    before = index_files(replace(CATALOG, papers=papers, newest=[]), first=first)
    patch.prime(replace(CATALOG, papers=papers, newest=[]))

    def edit(paper, **changes):
        return replace(paper, **changes, digest=key(paper.digest, sorted(changes.items())))

    # papers beyond the page's own rows (first), so that author buckets carry them;
    # edits that keep the order (upvotes are part of it)
    steps = [{30: {"title": papers[30].title + " revised"}},
             {45: {"title": "A new title"},
              60: {"links": {**papers[60].links, "code": "https://example.org/code"}}},
             {33: {"authors": [*papers[33].authors, "Ada Lovelace"]}}]
    for step in steps:
        changed = []
        for i, changes in step.items():
            new = edit(papers[i], **changes)
            changed.append((papers[i], new))
            papers = [new if j == i else p for j, p in enumerate(papers)]
        cat = replace(CATALOG, papers=papers, newest=[])
        patched = patch.files(cat, changed, None, first=first)
        fresh = index_files(cat, first=first)
        assert {**before, **patched} == fresh
        assert any(path.startswith(f"{PREFIX}/authors/") for path in patched)
        before = fresh
