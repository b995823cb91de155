"""Large collection files under ``mkdocs serve``: an edit splices the changed entries
into the files as last written, and the result is the file a fresh build writes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from survey_core.model.catalog import load_catalog, patch_papers
from survey_core.model.memo import key
from survey_core.site import exports as ex

REPO = Path(__file__).resolve().parents[1]


def write(site: Path, files: dict) -> None:
    for uri, content in files.items():
        path = site / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def plain(catalog) -> list:
    """Papers whose edits qualify for a patch (no low-confidence fact names them)."""
    from survey_core.model.text import normalise_title

    facts = {normalise_title(f.title) for f in catalog.low_confidence}
    return [p for p in catalog.papers if normalise_title(p.title) not in facts]


def edited(paper, **changes):
    return replace(paper, **changes, digest=key(paper.digest, sorted(changes.items())))


@pytest.fixture
def catalog():
    return load_catalog(REPO, persist_cache=False)


@pytest.fixture
def built(catalog, tmp_path, monkeypatch):
    """(site folder with the exports written, the exports kept for patches)."""
    monkeypatch.setattr(ex, "SPLICE_MIN_PAPERS", 50)
    site = tmp_path / "site"
    out = ex.build_exports(catalog)
    write(site, out.files)
    ex.prime_orders(catalog, out)
    return site, out


def test_spliced_collection_files_equal_a_fresh_build(catalog, built):
    site, out = built
    ok = plain(catalog)
    a, b, c = ok[3], ok[len(ok) // 2], ok[-2]
    rounds = [
        # longer (and not ASCII), shorter: the tail of the file moves
        [edited(a, title=a.title + " — revisité"), edited(b, abstract=(b.abstract or "x")[:40])],
        # the same paper again: the layout kept from the last splice
        [edited(catalog.by_id[a.id], title=a.title)],
        # one character for another: the entry is written over where it is
        [edited(c, title=c.title[:-1] + ("Q" if c.title[-1] != "Q" else "R"))],
    ]
    spliced = set()
    for changes in rounds:
        assert patch_papers(catalog, [(p, [], [d for d in catalog.diagnostics
                                               if d.file == p.path]) for p in changes]) is None
        files = ex.patch_exports(catalog, out, [catalog.by_id[p.id] for p in changes])
        for uri, content in files.items():
            if isinstance(content, ex.Splice):
                spliced.add(uri)
                assert ex.apply_splice(str(site / uri), content)
            else:
                write(site, {uri: content})
        fresh = ex.build_exports(catalog).files
        for uri in ("bib/all.bib", "data/papers.json"):
            want = fresh[uri].encode("utf-8") if isinstance(fresh[uri], str) else fresh[uri]
            assert (site / uri).read_bytes() == want, uri
        assert all((site / uri).read_bytes() == (
            fresh[uri].encode("utf-8") if isinstance(fresh[uri], str) else fresh[uri])
            for uri in files)
    assert {"bib/all.bib", "data/papers.json"} <= spliced


def test_a_file_not_as_written_is_left_for_a_whole_write(catalog, built):
    site, out = built
    p = plain(catalog)[10]
    new = edited(p, title=p.title + " (second edition)")
    assert patch_papers(catalog, [(new, [], [d for d in catalog.diagnostics
                                             if d.file == p.path])]) is None
    files = ex.patch_exports(catalog, out, [catalog.by_id[p.id]])
    splice = files["bib/all.bib"]
    path = site / "bib" / "all.bib"
    # another process wrote the file meanwhile: same size, other bytes at the entry
    data = bytearray(path.read_bytes())
    off = splice.edits[0][0]
    data[off:off + 3] = b"XYZ"
    path.write_bytes(bytes(data))
    assert not ex.apply_splice(str(path), splice)
    assert path.read_bytes() == bytes(data)  # untouched
    path.write_bytes(b"short")
    assert not ex.apply_splice(str(path), splice)
    assert splice.whole() == ex.build_exports(catalog).files["bib/all.bib"].encode("utf-8")
    assert not ex.apply_splice(str(site / "missing.bib"), splice)


@pytest.mark.parametrize("pack", [False, True])
def test_collection_files_made_as_pieces_equal_the_joined_files(catalog, monkeypatch, pack):
    """What the plugin writes piece by piece (``lazy``, the CSL texts packed as under
    `mkdocs serve`) joins to the very bytes of the joined files, in pieces of about
    PIECE_BYTES."""
    monkeypatch.setattr(ex, "PIECE_BYTES", 4096)
    joined = ex.build_exports(catalog).files
    lazy = ex.build_exports(catalog, lazy=True, pack=pack).files
    assert lazy.keys() == joined.keys()
    made = {uri: content for uri, content in lazy.items() if callable(content)}
    assert {"bib/all.bib", "data/papers.json"} <= made.keys()
    assert any(uri.startswith("bib/topics/") for uri in made)
    for uri, make in made.items():
        pieces = list(make())
        want = joined[uri]
        assert b"".join(pieces) == (want.encode("utf-8") if isinstance(want, str) else want), uri
        assert all(len(p) >= 4096 for p in pieces[:-1]), uri
    # the rest (one paper's .bib) is the same text
    assert all(lazy[u] == joined[u] for u in lazy.keys() - made.keys())
    # a collection of no paper
    assert b"".join(ex.csl_pieces([])) == b"[]\n"
    assert b"".join(ex.bib_pieces([])).decode() == ex.bib_file_text([])


@pytest.mark.parametrize("seed", range(40))
def test_a_splice_that_moves_the_rest_is_written_through_a_small_buffer(tmp_path, seed):
    """Entries that grow and shrink, near each other and at both ends: the file is
    the plain join of its pieces, though the rest of it is moved a few bytes at a
    time (a buffer far smaller than the file and than some edits)."""
    import random

    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    edits, at = [], 0
    while at < len(data) and len(edits) < 6:
        off = rng.randrange(at, len(data))
        n = rng.randrange(0, min(30, len(data) - off) + 1)
        new = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, n, n + 1, 50])))
        edits.append((off, data[off:off + n], new))
        at = off + n + rng.randrange(0, 5)
    if all(len(o) == len(n) for _off, o, n in edits):
        off, old, new = edits[-1]
        edits[-1] = (off, old, new + b"!")
    want, last = bytearray(), 0
    for off, old, new in edits:
        want += data[last:off] + new
        last = off + len(old)
    want += data[last:]
    path = tmp_path / "all.bib"
    path.write_bytes(data)
    with path.open("r+b") as fh:
        ex._shift_from(fh, edits, chunk=rng.choice([1, 3, 7, 64]))
    assert path.read_bytes() == bytes(want)
    path.write_bytes(data)  # and through apply_splice, with its default buffer
    assert ex.apply_splice(str(path), ex.Splice(len(data), edits, lambda: b""))
    assert path.read_bytes() == bytes(want)
