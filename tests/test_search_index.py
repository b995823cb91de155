"""The site's search index (``survey_core.site.search_index``): tokeniser, shards, the
ranking the header box computes (its Python twin), incremental writes."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from pathlib import Path

import pytest

from survey_core.model.catalog import load_catalog
from survey_core.site import search_index as si
from survey_core.site.templates import PACKAGED

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO, persist_cache=False)


@pytest.fixture(scope="module")
def docs(catalog):
    return si.catalog_docs(catalog) + [si.page_doc("about/", "About", "About this survey.")]


@pytest.fixture(scope="module")
def files(docs):
    return si.SearchIndex().files(docs)[0]


def test_tokeniser_folds_splits_and_joins():
    assert si.tokenise("Über naïve GPT-4 models, a LLaMA-2 of the 2023 x") == [
        "uber", "naive", "gpt", "4", "gpt4", "models", "llama", "2", "llama2", "2023"]
    assert si.tokenise("State-of-the-art") == ["state", "art", "stateoftheart"]
    assert si.tokenise("ﬁne-tuning <b>x</b>") == ["fine", "tuning", "finetuning"]
    assert si.query_terms("the The of") == []
    assert si.query_terms("Model model MODEL") == ["model"]


def test_scores_weigh_the_title_and_need_no_collection():
    doc = si.Doc("x", "x/", "Sparse attention", "paper",
                 (("title", "Sparse attention"), ("text", "attention " * 3 + "pruning")))
    got = si.scores(doc)
    assert set(got) == {"sparse", "attention", "pruning"}
    assert all(1 <= v <= 255 for v in got.values())
    assert got["attention"] > got["sparse"] > got["pruning"]


def test_every_term_is_in_exactly_one_shard_the_longest_key():
    rng = random.Random(7)
    letters = "abcdeé"
    sizes = {"".join(rng.choice(letters) for _ in range(rng.randint(1, 7))): rng.randint(5, 400)
             for _ in range(3000)}
    shards = si.partition(sizes, target=2000)
    assert len(shards) > 20
    seen = [t for terms in shards.values() for t in terms]
    assert sorted(seen) == sorted(sizes)
    keys = set(shards)
    for shard_key, terms in shards.items():
        assert terms == sorted(terms)
        for t in terms:
            assert t.startswith(shard_key) and si.shard_of(t, keys) == shard_key
        # a shard over the target holds no term a longer key could take
        if sum(sizes[t] for t in terms) > 2000:
            assert len({t[:len(shard_key) + 1] for t in terms}) >= 1
    assert len({si.shard_file(k) for k in keys}) == len(keys)
    assert si.shard_file("") == "s/_.json" and si.shard_file("é1") == "s/_e9_1.json"


def test_posting_lists_are_delta_encoded_with_scores(files, docs):
    manifest = json.loads(files["manifest.json"])
    assert manifest["docs"] == len(docs) and manifest["format"] == si.FORMAT
    assert len(files["manifest.json"]) < 2000
    shard = json.loads(files[si.shard_file(si.shard_of("quantization", set(manifest["shards"])))])
    assert isinstance(shard["quantization"], str)
    flat = si.decode_postings(shard["quantization"])
    numbers = flat[0::2]
    assert all(1 <= s <= 255 for s in flat[1::2])
    assert numbers == sorted(set(numbers))
    assert all("quantization" in si.tokenise(" ".join(t for _f, t in docs[n].fields))
               for n in numbers)


def _matching(docs, query):
    """Docs every term of ``query`` matches (the terms they begin, from 3 characters)."""
    out = []
    for n, doc in enumerate(docs):
        terms = set(si.scores(doc))
        if all(q in terms or ((len(q) >= 3 or i == len(si.query_terms(query)) - 1)
                              and any(t.startswith(q) for t in terms))
               for i, q in enumerate(si.query_terms(query))):
            out.append(n)
    return out


@pytest.mark.parametrize("query", ["quantiz", "mixture experts", "kv cache", "GPT-4",
                                   "speculative decoding", "lo"])
def test_reference_search_finds_every_doc_with_every_word(files, docs, query):
    found = si.search(files, query)
    assert sorted(found) == _matching(docs, query)
    assert found


def test_reference_search_ranks_a_title_first(files, docs, catalog):
    for paper in catalog.papers[:40:4]:
        n = next(i for i, d in enumerate(docs) if d.ident == f"paper:{paper.id}")
        assert n in si.search(files, paper.title)[:3], paper.title
    topic = next(t for t in catalog.taxonomy.topics.values() if t.name == "Quantization")
    top = [docs[n].url for n in si.search(files, "quantization")[:8]]
    assert f"topics/{topic.id}/" in top


def test_reference_search_exact_beats_prefix_and_nothing_matches(files, docs):
    assert si.search(files, "zzxqv") == []
    assert si.search(files, "quantization zzxqv") == []
    assert si.search(files, "the of") == []
    exact = si.search(files, "pruning")
    assert exact and all("pruning" in si.scores(docs[n]) for n in exact[:3])


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_incremental_writes_equal_a_fresh_build_and_touch_only_changed_files(
        tmp_path, catalog):
    index = si.SearchIndex()
    served = tmp_path / "served"
    first = index.write(si.catalog_docs(catalog), served)
    assert first.written == first.files and first.retokenised == first.docs
    before = _tree(served)
    mtimes = {p: (served / p).stat().st_mtime_ns for p in before}

    paper = catalog.newest[5]
    edited = dataclasses.replace(paper, title=paper.title + " for zebrafish",
                                 abstract=paper.abstract + " Xylophone.", digest="edited")
    changed = dataclasses.replace(catalog, papers=[edited if p is paper else p
                                                  for p in catalog.papers],
                                  newest=[edited if p is paper else p for p in catalog.newest])
    again = index.write(si.catalog_docs(changed), served)
    assert again.retokenised == 1
    after = _tree(served)
    fresh = tmp_path / "fresh"
    si.SearchIndex().write(si.catalog_docs(changed), fresh)
    assert after == _tree(fresh)
    differ = {p for p in after if before.get(p) != after[p]}
    # the paper's terms whose score changed (its title is longer: all its title words)
    old, new = si.scores(si.paper_doc(paper, [])), si.scores(si.paper_doc(edited, []))
    terms = {t for t in old.keys() | new.keys() if old.get(t) != new.get(t)}
    keys = set(json.loads(after["manifest.json"])["shards"])
    assert {"zebrafish", "xylophone"} <= terms
    assert differ == {"manifest.json", "d/0.json"} | {si.shard_file(si.shard_of(t, keys))
                                                      for t in terms}
    assert again.written == len(differ)
    for p in before:
        if p not in differ:
            assert (served / p).stat().st_mtime_ns == mtimes[p], p
    assert si.search(after, "zebrafish") == [5]

    # A paper removed: every file written again, none left from before.
    fewer = dataclasses.replace(changed, papers=changed.papers[1:],
                                newest=[p for p in changed.newest if p is not changed.papers[0]])
    index.write(si.catalog_docs(fewer), served)
    si.SearchIndex().write(si.catalog_docs(fewer), fresh)
    assert _tree(served) == _tree(fresh)


def test_hostile_text_stays_data(tmp_path, catalog):
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(1)> "Évil" & paper'
    paper = dataclasses.replace(catalog.papers[0], title=hostile, abstract=hostile,
                                authors=[hostile], digest="hostile")
    out = tmp_path / "out"
    si.SearchIndex().write([si.paper_doc(paper, [hostile])], out)
    shown = json.loads((out / "d" / "0.json").read_text(encoding="utf-8"))[0]
    assert shown["t"] == hostile and shown["a"] == hostile and shown["p"] == hostile
    assert shown["e"] == hostile
    files = _tree(out)
    assert si.search(files, "evil") == [0] and si.search(files, "onerror") == [0]


def test_the_client_drops_the_same_stop_words():
    import re

    script = (PACKAGED / "assets" / "survey.js").read_text(encoding="utf-8")
    block = script.split("var STOP = {};", 1)[1].split(".split(", 1)[0]
    assert set(" ".join(re.findall(r'"([^"]*)"', block)).split()) == set(si.STOP_WORDS)


def test_common_terms_have_coarse_scores(tmp_path):
    docs = [si.Doc(f"d{n}", f"d{n}/", f"Paper {n}", "paper",
                   (("title", f"Paper {n}"), ("text", "model " + "word " * (n % 40))),
                   digest=str(n)) for n in range(1200)]
    files = si.SearchIndex().files(docs)[0]
    keys = set(json.loads(files["manifest.json"])["shards"])
    model = si.decode_postings(
        json.loads(files[si.shard_file(si.shard_of("model", keys))])["model"])
    assert len(model) == 2400 and all(s % si.COARSE_STEP == 0 for s in model[1::2])
    assert len(set(model[1::2])) > 1
    rare = si.SearchIndex().files(docs[:900])[0]
    keys = set(json.loads(rare["manifest.json"])["shards"])
    model = si.decode_postings(
        json.loads(rare[si.shard_file(si.shard_of("model", keys))])["model"])
    assert any(s % si.COARSE_STEP for s in model[1::2])


@pytest.mark.parametrize("related", ["ready", "awaited"])
def test_forked_terms_give_the_same_index(built_site, tmp_path, related):
    """A build that forks (``fork_from: 0``: half the records parsed, the search
    documents scored, related papers computed and some of the paper pages
    written in a second process) writes the same site as one
    that does not (the seed site, under the default threshold), and says so in
    its log."""
    import shutil

    import yaml
    from project import copy_project, run_build

    from survey_core.model import forked

    assert forked.available()
    root = copy_project(tmp_path / "project")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = [{"survey": {"catalog": {"fork_from": 0}}}
                         if p == "survey" else p for p in config["plugins"]]
    if related == "awaited":
        # The related papers are taken as not ready when the paper pages start:
        # the search index is then made while they are awaited.
        (root / "slow_related.py").write_text(
            "from survey_core.model.forked import Forked\n"
            "Forked.ready = lambda self, timeout=0.0: False\n", encoding="utf-8")
        config["hooks"] = ["slow_related.py"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    index_at = next(i for i, line in enumerate(lines) if "search index _search/" in line)
    related_at = next(i for i, line in enumerate(lines) if "related papers for" in line)
    pages_at = next(i for i, line in enumerate(lines) if "paper pages written by" in line)
    # made while the related papers are awaited, or while the second process
    # renders paper pages: never alone when the build ends
    assert (index_at < related_at) if related == "awaited" else (related_at < index_at),\
        result.stderr
    assert index_at < pages_at, result.stderr
    assert "from a second process" in result.stderr
    assert re.search(r"related papers for \d+ papers computed in [\d.]+s in a second process",
                     result.stderr)
    pages = re.search(r"(\d+) of (\d+) paper pages written by a second process", result.stderr)
    assert pages and int(pages.group(2)) == len(built_site.catalog.papers), result.stderr
    assert "second process" not in built_site.log

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    mine, theirs = tree(root / "site"), tree(built_site.site)
    assert mine.keys() == theirs.keys() and len(mine) > 2 * len(built_site.catalog.papers)
    assert [k for k in mine if k.startswith(f"{si.FOLDER}/")]
    differ = [k for k in mine if mine[k] != theirs[k] and k != "sitemap.xml.gz"]
    assert differ == []
    shutil.rmtree(root)


def test_forked_value_or_none():
    from survey_core.model.forked import Forked

    assert Forked(lambda: {"a": [1, 2]}).result() == {"a": [1, 2]}
    assert Forked(lambda: 1 / 0).result() is None  # the caller computes it itself
    job = Forked(lambda: __import__("time").sleep(60))
    job.cancel()  # a build that failed stops its child
    assert job.result() is None
    job = Forked(lambda: __import__("time").sleep(1) or 7)
    assert not job.ready()  # not yet sent
    assert job.ready(30)  # waits for it
    assert job.result() == 7


def test_a_forked_child_uses_one_blas_thread():
    # The child runs beside the build, which keeps another core busy: a BLAS
    # thread per core would spin for work on it.
    import numpy  # noqa: F401 -- loads the BLAS library
    from threadpoolctl import threadpool_info, threadpool_limits

    from survey_core.model.forked import Forked

    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):
        assert blas_threads() and set(blas_threads()) == {2}  # numpy's BLAS, two threads
        assert Forked(blas_threads).result() == [1] * len(blas_threads())


def test_records_parsed_in_a_second_process_give_the_same_catalog():
    plain = load_catalog(REPO, persist_cache=False)
    forked_half = load_catalog(REPO, persist_cache=False, fork_from=0)
    assert [dataclasses.astuple(p) for p in forked_half.papers] == [
        dataclasses.astuple(p) for p in plain.papers]
    assert [p.digest for p in forked_half.papers] == [p.digest for p in plain.papers]
    assert forked_half.diagnostics == plain.diagnostics


def _reference_ranking(docs, query):
    """The ranking straight from the docs' scores (no index files): every term of
    the query matched, exactly or (from 3 characters, or the last term) as a
    prefix, a common term's scores rounded as the index rounds them."""
    total = len(docs)
    per_doc = [si.scores(d) for d in docs]
    having: dict[str, list[int]] = {}
    for n, terms in enumerate(per_doc):
        for t in terms:
            having.setdefault(t, []).append(n)
    terms = si.query_terms(query)
    summed = None
    for i, q in enumerate(terms):
        prefix = len(q) >= 3 or i == len(terms) - 1
        best: dict[int, float] = {}
        for t, ns in having.items():
            if t != q and not (prefix and t.startswith(q)):
                continue
            coarse = len(ns) > max(si.COARSE_SHARE * total, si.COARSE_MIN)
            weight = si.idf(len(ns), total) * (1.0 if t == q else si.PREFIX_WEIGHT)
            for n in ns:
                s = per_doc[n][t]
                if coarse:
                    s = max(1, min(255, round(s / si.COARSE_STEP) * si.COARSE_STEP))
                best[n] = max(best.get(n, 0.0), weight * s)
        summed = best if summed is None else {d: v + best[d] for d, v in summed.items()
                                              if d in best}
    return sorted(summed, key=lambda d: (-round(summed[d], 6), d))


def test_common_terms_download_little_and_rank_as_uncompacted():
    """A word in a quarter of 12,000 docs: its posting list costs about a byte a
    doc gzipped, a fifth less than the JSON list of numbers it replaces, and
    searches rank exactly as the scores themselves do."""
    import gzip
    import random

    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta", "kappa", "sigma", "omega", "theta"]
    docs = []
    for n in range(12_000):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(5, 200)))
        model = "model " * rng.randrange(1, 9) if rng.random() < 0.25 else ""
        title = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 12)))
        docs.append(si.Doc(f"d{n}", f"d{n}/", title, "paper",
                           (("title", title), ("text", f"{model} {text} {n}")), digest=str(n)))
    files = si.SearchIndex().files(docs)[0]
    keys = set(json.loads(files["manifest.json"])["shards"])
    shard = files[si.shard_file(si.shard_of("model", keys))]
    text = json.loads(shard)["model"]
    flat = si.decode_postings(text)
    having = [n for n, d in enumerate(docs) if "model" in d.fields[1][1]]
    assert flat[0::2] == having and len(having) > 2500
    # the previous form of the same list: doc deltas and scores as a JSON list
    listed = json.dumps([x for j in range(0, len(flat), 2)
                         for x in (flat[j] - (flat[j - 2] if j else 0), flat[j + 1])],
                        separators=(",", ":")).encode()
    packed = len(gzip.compress(text.encode(), 6))
    assert len(text) <= 3 * len(having) + 1
    assert packed <= 1.1 * len(having) and packed * 5 <= 4 * len(gzip.compress(listed, 6))
    for query in ("model", "model alpha", "gam", "kappa sig", "model 12", "mod"):
        ranked = si.search(files, query)
        assert ranked and ranked == _reference_ranking(docs, query), query


def test_an_index_not_kept_gives_the_same_files_and_lets_the_terms_go(docs, files):
    """A build's index (not kept for a next build) makes the files of a kept one,
    from the docs' terms or from terms made elsewhere, and lets the terms go once
    the posting lists hold them; it can be written again."""
    known = si.doc_terms(docs)
    assert known
    index = si.SearchIndex(keep=False)
    assert index.files(docs, known)[0] == files
    assert known == {} and index._doc_terms == []
    assert index.files(docs)[0] == files
    kept = si.SearchIndex()
    kept.files(docs, si.doc_terms(docs))
    assert len(kept._doc_terms) == len(docs)


def _edited(catalog, paper, **changes):
    """``catalog`` with ``paper`` replaced by a copy with ``changes`` (a new digest)."""
    edited = dataclasses.replace(paper, **changes)
    swap = [edited if p.id == paper.id else p for p in catalog.papers]
    newest = [edited if p.id == paper.id else p for p in catalog.newest]
    return dataclasses.replace(catalog, papers=swap, newest=newest), edited


def _postings_of(files: dict[str, bytes], term: str) -> list[int] | None:
    keys = set(json.loads(files["manifest.json"])["shards"])
    shard = si.shard_of(term, keys)
    found = json.loads(files[si.shard_file(shard)]).get(term) if shard is not None else None
    return si.decode_postings(found) if found is not None else None


def test_a_patched_index_equals_a_fresh_one_after_several_edits(tmp_path, catalog):
    """``SearchIndex.patch`` (an edit under ``mkdocs serve``): after each of several
    edits, the files on disk are those of a fresh build, byte for byte, and only
    the changed ones were written: an edit that brings a term no doc had, one that
    takes it out again (the term leaves the index), one that takes a word out of a
    paper while other papers keep it, and a page's text."""
    index = si.SearchIndex()
    served = tmp_path / "served"
    page = si.page_doc("about/", "About", "About this survey.")
    first = index.write(si.catalog_docs(catalog, kept=index.paper_docs) + [page], served)
    assert first.written == first.files

    def check(cat, pages, edited_docs) -> dict[str, bytes]:
        before = _tree(served)
        built = index.patch(edited_docs, served)
        after = _tree(served)
        fresh_docs = si.catalog_docs(cat) + pages
        fresh = si.SearchIndex().files(fresh_docs)[0]
        assert after == fresh
        differ = {p for p in after if before.get(p) != after[p]}
        assert built.written == len(differ) and "manifest.json" in differ
        assert built.removed == len(before.keys() - after.keys())
        assert built.retokenised == len(edited_docs)
        assert built.files == len(after) and built.bytes == sum(map(len, after.values()))
        return after

    paper = catalog.newest[7]
    assert _postings_of(_tree(served), "zyzzyva") is None
    cat1, edited = _edited(catalog, paper, title=paper.title + " zyzzyva", digest="edit-1")
    files = check(cat1, [page], [si.catalog_paper_doc(cat1, edited)[1]])
    assert si.search(files, "zyzzyva") == [7]
    assert _postings_of(files, "zyzzyva")[0::2] == [7]

    # The same paper as it was: "zyzzyva" is no doc's term any more.
    cat2, _ = _edited(cat1, edited, title=paper.title, digest=paper.digest)
    files = check(cat2, [page], [si.catalog_paper_doc(cat2, paper)[1]])
    assert _postings_of(files, "zyzzyva") is None and si.search(files, "zyzzyva") == []
    assert "zyzzyva" not in index._postings and "zyzzyva" not in index._sorted

    # Another paper's abstract goes: a word of it stays in other papers only.
    other = catalog.newest[3]
    old_terms = si.scores(si.catalog_paper_doc(cat2, other)[1])
    cat3, bare = _edited(cat2, other, abstract="", digest="edit-3")
    gone = [t for t in old_terms if t not in si.scores(si.catalog_paper_doc(cat3, bare)[1])
            and len(_postings_of(files, t)) > 2]
    assert gone
    new_page = si.page_doc("about/", "About", "About this survey, and its quokka.")
    files = check(cat3, [new_page], [si.catalog_paper_doc(cat3, bare)[1], new_page])
    for t in gone:
        assert 3 not in _postings_of(files, t)[0::2]
    assert si.search(files, "quokka") == [len(si.catalog_docs(cat3))]

    # A whole build with the docs as kept (without their fields) writes nothing.
    again = index.write(si.catalog_docs(cat3, kept=index.paper_docs) + [new_page], served)
    assert again.written == 0 and again.retokenised == 0
    assert _tree(served) == files


def test_a_kept_index_holds_terms_postings_and_docs_compactly(tmp_path, catalog):
    """What a kept index holds: each doc's terms by number with their scores in
    an ``array('i')``, posting lists as ``array('i')``, docs without their
    indexed text, and of the files only a digest and size; from that it makes
    every file again (a clean site folder, or :meth:`files`)."""
    from array import array

    index = si.SearchIndex()
    docs = si.catalog_docs(catalog, kept=index.paper_docs)
    served = tmp_path / "served"
    index.write(docs, served)
    assert len(index._doc_terms) == len(docs)
    for terms, doc in zip(index._doc_terms, docs, strict=True):
        assert type(terms) is array and terms.itemsize == 4
        assert index._unpack(terms) == si.scores(doc)
    assert all(index._vocab[index._ids[t]] is t for t in index._postings)
    assert all(type(p) is array and p.typecode == "i" for p in index._postings.values())
    assert all(d.fields is None for d in index._docs)
    assert index.paper_docs and all(d.fields is None for d in index.paper_docs.values())
    assert all(type(d) is si.KeptDoc for d in index._docs)
    assert [json.loads(d.shown_json) for d in index._docs] == [d.shown() for d in docs]
    held = [v for v in vars(index).values() if isinstance(v, dict)]
    assert not any(isinstance(x, bytes) for d in held for x in d.values())
    fresh = _tree(served)

    # A clean site folder: every file made again from what is kept.
    import shutil
    shutil.rmtree(served)
    rewritten = index.write(si.catalog_docs(catalog, kept=index.paper_docs), served)
    assert rewritten.retokenised == 0 and rewritten.written == rewritten.files
    assert _tree(served) == fresh
    assert index.files(si.catalog_docs(catalog, kept=index.paper_docs))[0] == fresh

    # Files made by files() but not written: the next write writes them.
    cat, edited = _edited(catalog, catalog.newest[2], title="Wombat", digest="edit-w")
    index.files(si.catalog_docs(cat, kept=index.paper_docs))
    index.write(si.catalog_docs(cat, kept=index.paper_docs), served)
    assert _tree(served) == si.SearchIndex().files(si.catalog_docs(cat))[0]


def test_a_patch_of_a_doc_the_index_does_not_hold(tmp_path, catalog):
    """A paper the kept index does not hold is an error (the site is built
    again); a page it does not hold (left out of the search) is left out; a doc
    kept without its text, its terms lost, is an error, not an empty doc."""
    index = si.SearchIndex()
    docs = si.catalog_docs(catalog, kept=index.paper_docs)
    with pytest.raises(RuntimeError, match="no search index kept"):
        index.patch(docs[:1], tmp_path / "x")
    index.write(docs, tmp_path / "out")
    stranger = dataclasses.replace(docs[0], ident="paper:nobody", digest="nobody")
    with pytest.raises(KeyError, match="paper:nobody"):
        index.patch([stranger], tmp_path / "out")
    before = _tree(tmp_path / "out")
    built = index.patch([si.page_doc("secret/", "Secret", "Hidden page")], tmp_path / "out")
    assert built.written == 0 and _tree(tmp_path / "out") == before
    with pytest.raises(RuntimeError, match="not kept"):
        si.SearchIndex().files([index._docs[0]])
    assert si.SearchIndex(keep=False).write(docs, tmp_path / "lean").retokenised == len(docs)


def test_a_build_failing_midway_leaves_nothing_half_kept(tmp_path, catalog, monkeypatch):
    """A patch that fails midway (here: scoring the second of two edited docs)
    leaves no half-updated terms or postings: the index forgets what it kept, and
    the next build makes every file again, equal to a fresh build's."""
    index = si.SearchIndex()
    served = tmp_path / "served"
    index.write(si.catalog_docs(catalog, kept=index.paper_docs), served)
    first, second = catalog.newest[1], catalog.newest[4]
    cat, a = _edited(catalog, first, title=first.title + " ocelot", digest="edit-a")
    cat, b = _edited(cat, second, title=second.title + " margay", digest="edit-b")
    docs = [si.catalog_paper_doc(cat, p)[1] for p in (a, b)]
    scores = si.scores

    def failing(doc):
        if doc is docs[1]:
            raise OSError("scoring failed")
        return scores(doc)

    monkeypatch.setattr(si, "scores", failing)
    with pytest.raises(OSError, match="scoring failed"):
        index.patch(docs, served)
    monkeypatch.setattr(si, "scores", scores)
    assert index._doc_terms == [] and index._postings == {} and index.paper_docs == {}
    with pytest.raises(RuntimeError, match="no search index kept"):
        index.patch(docs, served)
    again = index.write(si.catalog_docs(cat, kept=index.paper_docs), served)
    assert again.retokenised == again.docs
    assert _tree(served) == si.SearchIndex().files(si.catalog_docs(cat))[0]
    assert si.search(_tree(served), "ocelot margay") == []
    assert si.search(_tree(served), "margay") == [4]


def test_the_record_cache_is_written_by_a_second_process(tmp_path):
    """A large catalog's parsed records are written to the cache beside the build;
    the next build (a new cache object, as in a new process) reads them back."""
    from project import copy_project

    from survey_core.model.catalog import RecordCache

    root = copy_project(tmp_path / "project")
    cache = RecordCache(root)
    catalog = load_catalog(root, cache=cache, fork_from=0)
    assert cache.memo._writing is not None  # written by a second process
    cache.memo.flush()  # waits for it
    assert cache.memo._writing is None
    again = RecordCache(root)
    assert len(again.memo.values) == len(catalog.papers) > 300
    reloaded = load_catalog(root, cache=again)
    assert [p.digest for p in reloaded.papers] == [p.digest for p in catalog.papers]


def test_terms_from_elsewhere_let_go_doc_by_doc_give_the_same_files():
    """A build (an index not kept) lets each doc's terms go once its postings hold
    them: docs sharing a digest are still indexed alike, and the files are those
    made from the docs' own fields."""
    fields = (("title", "Scaling Laws for Tokenizers"), ("text", "We study scaling laws."))
    docs = [si.Doc(f"paper:{n}", f"papers/{n}/", "Scaling", "paper", fields, digest="same")
            for n in range(3)]
    docs.append(si.Doc("paper:x", "papers/x/", "Other", "paper",
                       (("title", "Other Things"),), digest="other"))
    known = si.doc_terms(docs)
    assert set(known) == {"same", "other"}
    made, built = si.SearchIndex(keep=False).files(docs, known)
    plain, _ = si.SearchIndex(keep=False).files(docs)
    assert made == plain
    assert built.retokenised == 2  # the second and third doc of the shared digest
