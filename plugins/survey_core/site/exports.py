"""Every export file of the site, computed once from the catalog.

Each paper's BibTeX entry is rendered once and reused for its page, its own
``.bib`` file and every collection file that contains it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from survey_core.formats.bibtex import bib_file_text, paper_to_entry
from survey_core.model.catalog import Catalog
from survey_core.model.memo import DiskMemo, Packed, unpacked
from survey_core.model.model import Paper


@dataclass
class Exports:
    #: paper id -> its BibTeX entry
    entries: dict[str, str] = field(default_factory=dict)
    #: paper id -> its CSL-JSON item
    csl: dict[str, dict] = field(default_factory=dict)
    #: site path -> file content
    files: dict[str, str | bytes] = field(default_factory=dict)
    #: paper id -> (CSL id, its item's text in ``data/papers.json``, UTF-8, or that
    #: text :class:`~survey_core.model.memo.Packed` while it waits for an edit)
    texts: dict[str, tuple[str, bytes | Packed]] = field(default_factory=dict)
    #: collection file -> its papers' ids in the file's order (kept by :func:`patch_exports`)
    order: dict[str, list[str]] = field(default_factory=dict)
    #: large collection file -> where its entries sit (kept by :func:`patch_exports`)
    layouts: dict[str, Layout] = field(default_factory=dict)


#: A collection file of at least this many papers is patched as a :class:`Splice`.
SPLICE_MIN_PAPERS = 1000


@dataclass
class Layout:
    """Where each paper's entry sits in a collection file as last written: the
    entries in file order, ``head`` bytes before the first, ``sep`` bytes between
    two, ``size`` the whole file's."""

    pos: dict[str, int]
    starts: object  # numpy int64 array: each entry's offset
    lengths: object  # numpy int64 array: each entry's length in bytes
    size: int

    @classmethod
    def of(cls, order: list[str], lengths: list[int], head: int, sep: int, tail: int
           ) -> Layout:
        import numpy as np

        lens = np.asarray(lengths, dtype=np.int64)
        starts = np.empty_like(lens)
        if len(lens):
            starts[0] = head
            np.cumsum(lens[:-1] + sep, out=starts[1:])
            starts[1:] += head
        size = head + int(lens.sum()) + sep * max(len(lens) - 1, 0) + tail
        return cls({pid: i for i, pid in enumerate(order)}, starts, lens, size)

    def splice(self, olds: dict[str, bytes], news: dict[str, bytes],
               whole: Callable[[], bytes]) -> Splice | None:
        """The :class:`Splice` replacing the entries of ``news`` (``olds``: what the
        file holds for them now), the layout moved on to the new file; None when
        nothing in the file changes."""
        edits = sorted((int(self.starts[self.pos[pid]]), olds[pid], new, self.pos[pid])
                       for pid, new in news.items() if pid in self.pos and new != olds[pid])
        if not edits:
            return None
        size = self.size
        for _off, old, new, i in edits:
            delta = len(new) - len(old)
            self.lengths[i] = len(new)
            if delta:
                self.starts[i + 1:] += delta
                self.size += delta
        return Splice(size, [(off, old, new) for off, old, new, _i in edits], whole)


@dataclass
class Splice:
    """How to turn a large file as last written (``size`` bytes) into its new
    content: ``edits`` (offset, the bytes there now, their replacement) in offset
    order; ``whole()`` is the new content entire, for a file that is not as
    expected (see :func:`apply_splice`)."""

    size: int
    edits: list[tuple[int, bytes, bytes]]
    whole: Callable[[], bytes]


def apply_splice(path: str, splice: Splice) -> bool:
    """Apply ``splice`` to the file at ``path`` in place: entries of the same length
    are written over, else the file is rewritten from the first edit on, a piece at
    a time (see :func:`_shift_from`).  Nothing is written, and False returned,
    unless the file has the expected size and bytes at every edit."""
    try:
        with open(path, "r+b") as fh:
            if fh.seek(0, 2) != splice.size:
                return False
            for off, old, _new in splice.edits:
                fh.seek(off)
                if fh.read(len(old)) != old:
                    return False
            if all(len(old) == len(new) for _off, old, new in splice.edits):
                for off, _old, new in splice.edits:
                    fh.seek(off)
                    fh.write(new)
                return True
            _shift_from(fh, splice.edits)
            return True
    except OSError:
        return False


def _shift_from(fh, edits: list[tuple[int, bytes, bytes]], chunk: int = 1 << 20) -> None:
    """Rewrite the open file ``fh`` from the first of ``edits`` on, in place, with
    each edit's bytes replaced.  The rest of the file is moved through a buffer of
    about ``chunk`` bytes plus what the edits grow it by, read before it is
    written over (a 100 MB collection file is not held whole, nor twice)."""
    first = edits[0][0]
    buf = bytearray()  # the file's old bytes from ``pos`` on, read ahead
    pos = read_to = at = first  # ``at``: where the new content is written next
    end = fh.seek(0, 2)

    def fill(upto: int) -> None:
        nonlocal read_to
        while read_to < min(upto, end):
            fh.seek(read_to)
            got = fh.read(max(chunk, min(upto, end) - read_to))
            if not got:
                raise OSError("the file shrank while it was rewritten")
            buf.extend(got)
            read_to += len(got)

    def write(data: bytes) -> None:
        nonlocal at
        fill(at + len(data))  # old bytes there are read before they are written over
        fh.seek(at)
        fh.write(data)
        at += len(data)

    def copy(upto: int) -> None:
        nonlocal pos
        while pos < upto:
            n = min(chunk, upto - pos)
            fill(pos + n)
            data = bytes(buf[:n])
            del buf[:n]
            pos += n
            write(data)

    for off, old, new in edits:
        copy(off)
        fill(off + len(old))
        del buf[:len(old)]
        pos += len(old)
        write(new)
    copy(end)
    fh.truncate(at)


#: Bump when the BibTeX writer changes, so cached entries are rebuilt.
ENTRY_VERSION = "bibtex-1"


def build_exports(catalog: Catalog, per_paper: bool = True, per_topic: bool = True,
                  csl: bool = True, memo: DiskMemo | None = None, pack: bool = False,
                  lazy: bool = False) -> Exports:
    """Every export file.  ``memo`` (optional) keeps entries of unchanged records;
    ``pack``: the CSL items' texts are kept compressed (``mkdocs serve`` keeps
    them for its edits: 120 MB at 50,000 papers as they are).
    A collection file's text is joined again each time: a sort and a join of
    entries at hand, as cheap as a key to look a kept text up by.  ``lazy``: a
    collection file is not joined but given as what makes its pieces (a function
    returning an iterable of UTF-8 bytes whose join is the file, see
    :func:`bib_pieces`), so its writer can write it piece by piece."""
    out = Exports()
    if memo is None:
        out.entries = {p.id: paper_to_entry(p) for p in catalog.papers}
    else:
        out.entries = {p.id: memo.get(p.digest, lambda p=p: paper_to_entry(p))
                       for p in catalog.papers}
        memo.save({p.digest for p in catalog.papers if p.digest})

    def bib(papers: list[Paper]) -> str | Callable[[], Iterable[bytes]]:
        if lazy:
            return lambda: bib_pieces([(p.key, out.entries[p.id]) for p in papers])
        return bib_file_text([(p.key, out.entries[p.id]) for p in papers])

    out.files["bib/all.bib"] = bib(catalog.papers)
    if per_paper:
        for p in catalog.papers:
            out.files[f"papers/{p.id}/{p.key}.bib"] = out.entries[p.id]
    if per_topic:
        for tid, papers in catalog.topic_papers.items():
            out.files[f"bib/topics/{tid}.bib"] = bib(papers)
    for sid in catalog.surveys:
        out.files[f"bib/surveys/{sid}.bib"] = bib(catalog.survey_papers(sid))
    if csl:
        from survey_core.formats.csl import csl_item_text, csl_join_bytes, paper_to_csl

        items = out.csl

        def text(p: Paper) -> tuple[str, bytes | Packed]:
            item = items[p.id] = paper_to_csl(p)
            data = csl_item_text(item).encode("utf-8")
            return str(item["id"]), Packed(data) if pack else data

        # Each item's text is kept with the exports (under `mkdocs serve`), so an edit
        # re-encodes one item; UTF-8 bytes take a quarter of the memory of wide str.
        # The items themselves are only those made in this build.
        texts = {p.id: text(p) for p in catalog.papers}
        out.texts = texts

        def joined(pids: list[str]) -> bytes | Callable[[], Iterable[bytes]]:
            if lazy:
                return lambda: csl_pieces([texts[i] for i in pids])
            return csl_join_bytes((i, unpacked(t)) for i, t in (texts[p] for p in pids))

        out.files["data/papers.json"] = joined(list(texts))
        for sid in catalog.surveys:
            out.files[f"data/surveys/{sid}.json"] = joined(
                [p.id for p in catalog.survey_papers(sid)])
    return out


#: bytes a piece of :func:`bib_pieces` and :func:`csl_pieces` gathers
PIECE_BYTES = 1 << 20


def _gathered(parts: Iterable[bytes]) -> Iterator[bytes]:
    """``parts`` joined into pieces of about :data:`PIECE_BYTES`."""
    batch: list[bytes] = []
    size = 0
    for part in parts:
        batch.append(part)
        size += len(part)
        if size >= PIECE_BYTES:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)


def bib_pieces(pairs: list[tuple[str, str]]) -> Iterator[bytes]:
    """:func:`bib_file_text` of ``(key, entry)`` pairs as UTF-8 pieces (joined: the file)."""
    ordered = sorted(pairs, key=lambda pair: pair[0])

    def parts() -> Iterator[bytes]:
        yield _bib_head(len(ordered)).encode("utf-8")
        for n, (_key, entry) in enumerate(ordered):
            yield (entry if n == 0 else "\n" + entry).encode("utf-8")
    return _gathered(parts())


def csl_pieces(texts: list[tuple[str, bytes | Packed]]) -> Iterator[bytes]:
    """``csl_join_bytes`` of ``(CSL id, item text)`` pairs (texts maybe packed) as
    pieces (joined: the file)."""
    ordered = sorted(texts, key=lambda pair: pair[0])

    def parts() -> Iterator[bytes]:
        if not ordered:
            yield b"[]\n"
            return
        yield b"[\n"
        for n, (_id, text) in enumerate(ordered):
            yield unpacked(text) if n == 0 else b",\n" + unpacked(text)
        yield b"\n]\n"
    return _gathered(parts())


def patch_exports(catalog: Catalog, out: Exports, changed: list[Paper], per_paper: bool = True,
                  per_topic: bool = True, csl: bool = True, memo: DiskMemo | None = None
                  ) -> dict[str, str | bytes | Splice]:
    """The export files that ``changed`` papers (edited in place, see
    :func:`survey_core.model.catalog.patch_papers`: their keys and CSL ids are
    unchanged) are in, as :func:`build_exports` makes them; ``out`` (the last
    build's exports) is updated.  A collection file of many papers is given as a
    :class:`Splice` of the file as last written."""
    files: dict[str, str | bytes | Splice] = {}
    # what the collection files hold for the changed papers now (UTF-8, as written)
    old_bib = {p.id: out.entries.get(p.id, "").encode("utf-8") for p in changed}
    old_texts = {p.id: unpacked(out.texts[p.id][1]) for p in changed if p.id in out.texts}
    for p in changed:
        out.entries[p.id] = (memo.get(p.digest, lambda p=p: paper_to_entry(p)) if memo
                             else paper_to_entry(p))
        if per_paper:
            files[f"papers/{p.id}/{p.key}.bib"] = out.entries[p.id]
    new_bib = {p.id: out.entries[p.id].encode("utf-8") for p in changed}

    def put(path: str, order: list[str], whole: Callable[[], str | bytes], layout,
            olds: dict[str, bytes], news: dict[str, bytes]) -> None:
        """The collection file ``path`` (its papers in ``order``): whole when it is
        small, else a :class:`Splice` of the file as written (nothing if unchanged)."""
        if len(order) < SPLICE_MIN_PAPERS:
            files[path] = whole()
            return
        splice = layout(out, path, order, olds).splice(olds, news, lambda: _utf8(whole()))
        if splice is not None:
            files[path] = splice

    def bib(path: str, papers: list[Paper]) -> None:
        order = bib_order(out, path, papers)
        entries = out.entries
        put(path, order, lambda: _bib_head(len(order)) + "\n".join([entries[i] for i in order]),
            _bib_layout, old_bib, new_bib)

    topics = catalog.taxonomy.lineage(t for p in changed for t in p.topics)
    surveys = [sid for sid in catalog.surveys
               if any(sid in catalog.paper_surveys.get(p.id, ()) for p in changed)]
    bib("bib/all.bib", catalog.papers)
    if per_topic:
        for tid in topics:
            if tid in catalog.topic_papers:
                bib(f"bib/topics/{tid}.bib", catalog.topic_papers[tid])
    for sid in surveys:
        bib(f"bib/surveys/{sid}.bib", catalog.survey_papers(sid))
    if csl:
        from survey_core.formats.csl import csl_item_text, paper_to_csl

        for p in changed:
            item = out.csl[p.id] = paper_to_csl(p)
            out.texts[p.id] = (str(item["id"]), csl_item_text(item).encode("utf-8"))
        new_texts = {pid: out.texts[pid][1] for pid in old_texts}

        def joined(path: str, papers: list[Paper]) -> None:
            order = csl_order(out, path, papers)
            texts = out.texts
            put(path, order, lambda: (b"[\n" + b",\n".join([unpacked(texts[i][1])
                                                            for i in order])
                                      + b"\n]\n" if order else b"[]\n"),
                _csl_layout, old_texts, new_texts)

        joined("data/papers.json", catalog.papers)
        for sid in surveys:
            joined(f"data/surveys/{sid}.json", catalog.survey_papers(sid))
    return files


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _bib_head(n: int) -> str:
    return f"% {n} {'entry' if n == 1 else 'entries'}, exported by survey\n\n"


def _utf8(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def _layout(out: Exports, path: str, order: list[str], length: Callable[[str], int],
            head: int, sep: int, tail: int) -> Layout:
    """The kept layout of a collection file as written (``length``: the bytes of a
    paper's entry in it), made at its first use."""
    layout = out.layouts.get(path)
    if layout is None:
        layout = out.layouts[path] = Layout.of(order, [length(i) for i in order], head, sep,
                                               tail)
    return layout


def _bib_layout(out: Exports, path: str, order: list[str], olds: dict[str, bytes]) -> Layout:
    """The layout of a ``.bib`` collection file (``olds``: the entries, UTF-8, it
    holds for papers whose entries in ``out`` are newer)."""
    entries = out.entries
    return _layout(out, path, order,
                   lambda i: len(olds[i]) if i in olds else _utf8_len(entries[i]),
                   len(_bib_head(len(order)).encode("utf-8")), 1, 0)


def _csl_layout(out: Exports, path: str, order: list[str], olds: dict[str, bytes]) -> Layout:
    """As :func:`_bib_layout`, for a CSL-JSON collection file."""
    texts = out.texts
    def length(i: str) -> int:
        if i in olds:
            return len(olds[i])
        text = texts[i][1]
        return text.size if type(text) is Packed else len(text)

    return _layout(out, path, order, length,
                   2, 2, 3)


def bib_order(out: Exports, path: str, papers: list[Paper]) -> list[str]:
    """The ids of a ``.bib`` file's papers in the file's order (by key), kept."""
    order = out.order.get(path)
    if order is None:
        order = out.order[path] = [p.id for p in sorted(papers, key=lambda p: p.key)]
    return order


def csl_order(out: Exports, path: str, papers: list[Paper]) -> list[str]:
    """The ids of a CSL-JSON file's papers in the file's order (by CSL id), kept."""
    order = out.order.get(path)
    if order is None:
        order = out.order[path] = [p.id for p in sorted(papers,
                                                        key=lambda p: out.texts[p.id][0])]
    return order


def prime_orders(catalog: Catalog, out: Exports) -> None:
    """Every collection file's order (and a large one's layout), made as a build
    ends (``mkdocs serve``), so the first patch does not sort or measure."""
    def bib(path: str, papers: list[Paper]) -> None:
        order = bib_order(out, path, papers)
        if len(order) >= SPLICE_MIN_PAPERS:
            _bib_layout(out, path, order, {})

    def csl(path: str, papers: list[Paper]) -> None:
        order = csl_order(out, path, papers)
        if len(order) >= SPLICE_MIN_PAPERS:
            _csl_layout(out, path, order, {})

    bib("bib/all.bib", catalog.papers)
    for tid, papers in catalog.topic_papers.items():
        bib(f"bib/topics/{tid}.bib", papers)
    for sid in catalog.surveys:
        papers = catalog.survey_papers(sid)
        bib(f"bib/surveys/{sid}.bib", papers)
        if out.texts:
            csl(f"data/surveys/{sid}.json", papers)
    if out.texts:
        csl("data/papers.json", catalog.papers)
