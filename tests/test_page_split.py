"""Paper pages written by two processes (``survey_mkdocs.files.PageSplit``): this
process takes pages from the front as MkDocs copies its files, a forked one from
the back, and every page is written exactly once, by one of the two."""

from __future__ import annotations

import random
import time

from survey_core.model.forked import Forked
from survey_core.site.related import prepare, term_counts
from survey_mkdocs.files import PageSplit


class Page:
    """What PageSplit reads of a RenderedFile."""

    def __init__(self, folder, n: int, fail: bool = False) -> None:
        self.abs_dest_path = str(folder / f"p{n}" / "index.html")
        self.n = n
        self.fail = fail

    @property
    def content_bytes(self) -> bytes:
        if self.fail:
            raise RuntimeError("render failed")
        time.sleep(0.001)
        return f"<p>page {self.n}</p>".encode()


def test_pages_are_written_once_by_one_of_two_processes(tmp_path):
    pages = [Page(tmp_path, n) for n in range(300)]
    split = PageSplit(pages)
    assert all(p.split is split for p in pages)
    job = Forked(split.write_back)
    assert job.started
    mine = []
    order = list(range(300))
    random.Random(3).shuffle(order[:40])  # MkDocs' order need not be the pages' order
    for n in order:
        if split.take_front(n):
            mine.append(n)
            path = tmp_path / f"p{n}" / "index.html"
            assert not path.exists()  # not written by the other process
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pages[n].content_bytes)
        time.sleep(0.001)
    assert job.result() == []
    theirs = [p.n for p in split.taken_back()]
    assert theirs and mine  # both processes wrote some
    assert sorted(mine + theirs) == list(range(300))
    assert not set(mine) & set(theirs)
    for n in range(300):
        assert (tmp_path / f"p{n}" / "index.html").read_bytes() == f"<p>page {n}</p>".encode()
    split.release()
    assert all(p.split is None for p in pages)


def test_failed_second_process_leaves_its_pages_to_this_one(tmp_path):
    pages = [Page(tmp_path, n, fail=n == 199) for n in range(200)]
    split = PageSplit(pages)
    job = Forked(split.write_back)
    assert job.result() is None  # the caller writes split.taken_back() itself
    assert [p.n for p in split.taken_back()] == [199]
    assert all(split.take_front(n) for n in range(199))
    assert not split.take_front(199)


def test_candidate_path_without_dense_matrix_gives_the_same_weights():
    """The candidate path's weights (``prepare(dense=False)``) equal those taken
    from the dense matrix, entry for entry and in the same order."""
    from survey_core.site.related import _matrix, _pruned_neighbours

    words = ["model", "token", "layer", "quantization", "attention", "memory", "sparse",
             "pruning", "scaling", "data", "context", "retrieval", "decoding", "bench"]
    rng = random.Random(5)
    docs = [term_counts(" ".join(rng.sample(words, 3)),
                        " ".join(rng.choice(words) + rng.choice(["", "s", "x"])
                                 for _ in range(rng.randint(5, 40))))
            for _ in range(600)]
    dense, entries = prepare(docs), prepare(docs, dense=False)
    assert dense.dense.shape[1] > 0 and entries.dense.shape[1] == 0
    a, b = _matrix(dense), _matrix(entries)
    assert (a.indptr == b.indptr).all() and (a.indices == b.indices).all()
    assert (a.data == b.data).all()
    assert _pruned_neighbours(dense, 5, 0.05) == _pruned_neighbours(entries, 5, 0.05)
