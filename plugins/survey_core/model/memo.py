"""Caches and memos, and the one way their keys are made.

Everything the build keeps between runs (``.survey-cache/``) or between the
rebuilds of ``mkdocs serve`` is looked up by a key made from what the value is
made from: if any input changes, so does the key, and the value is made again;
nothing is ever invalidated by hand.  Make keys only with :func:`key` (or
:class:`Digest` for inputs that come piece by piece, such as files): one recipe
means two keys of the same inputs are equal wherever they are made, and a new
cache needs no new hashing code.

* :class:`DiskMemo`: values by key, in memory and in ``.survey-cache/<name>.pickle``;
* :class:`PaperMemo`: values derived from one record, by the record's digest,
  across ``mkdocs serve`` rebuilds;
* :class:`Carry`: values one build hands to the next.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from survey_core.model.model import Paper

CACHE_DIR = ".survey-cache"


class Digest:
    """A key made piece by piece: ``Digest().add(a, b).add(c).hex() == key(a, b, c)``.

    Each part is fed with its kind and length, so no two different sequences of parts
    give the same key: strings (UTF-8) and bytes as they are, anything else as its
    ``repr`` (so a part must be a value whose ``repr`` shows all it holds:
    numbers, None, tuples, lists and dicts of them, dataclasses)."""

    __slots__ = ("_sha",)

    def __init__(self) -> None:
        self._sha = hashlib.sha1()

    def add(self, *parts: object) -> Digest:
        update = self._sha.update
        for part in parts:
            # bytes and strings (most parts, often long) as they are; the rest by repr
            if isinstance(part, str):
                data, kind = part.encode("utf-8", "surrogatepass"), b"s"
            elif isinstance(part, bytes):
                data, kind = part, b"b"
            else:
                data, kind = repr(part).encode("utf-8", "surrogatepass"), b"r"
            update(b"%s%d:" % (kind, len(data)))
            update(data)
        return self

    def hex(self) -> str:
        return self._sha.hexdigest()


def key(*parts: object) -> str:
    """The key of a value made from ``parts`` (see :class:`Digest`)."""
    return Digest().add(*parts).hex()


class Packed:
    """A text kept compressed (zlib, fastest level) while it waits to be used again;
    ``size``: the length of the text (bytes: in bytes)."""

    __slots__ = ("kind", "data", "size")

    def __init__(self, value: str | bytes) -> None:
        self.kind = type(value)
        self.size = len(value)
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        self.data = zlib.compress(raw, 1)

    def unpack(self) -> str | bytes:
        raw = zlib.decompress(self.data)
        if self.kind is bytes:
            return raw
        text = raw.decode("utf-8", "surrogatepass")
        return text if self.kind is str else self.kind(text)


def unpacked(value):
    """``value``, or the text it packs (:class:`Packed`)."""
    return value.unpack() if type(value) is Packed else value


class PaperMemo:
    """Values derived from one record that a build asks for more than once (a
    paper's row, shown on each of its topics' pages), kept in memory across
    ``mkdocs serve`` rebuilds and keyed by the record's digest, so an edit
    re-derives only the edited record's values.

    A value a build asks for once (a paper's head tags, its papers-index item)
    is made each time and not kept here: keeping them for the next full rebuild
    would take 150 MB at 50,000 records (compressed), against a few seconds to
    make them again when the taxonomy or a template changes."""

    def __init__(self) -> None:
        #: record digest -> value name -> value
        self.values: dict[str, dict[str, object]] = {}

    def get(self, name: str, paper: Paper, compute):
        """The value ``name`` of ``paper``, computed the first time."""
        if paper.digest is None:
            return compute()
        values = self.values.get(paper.digest)
        if values is None:
            values = self.values[paper.digest] = {}
        if name not in values:
            values[name] = compute()
        return values[name]

    def prune(self, live: set[str]) -> None:
        """Forget the values of records that are gone (or changed)."""
        for digest in [d for d in self.values if d not in live]:
            del self.values[digest]


class Carry:
    """Values one build hands to the next (``mkdocs serve`` rebuilds): what a
    build asks for is kept for the next one, the rest is dropped when the next
    build starts.  ``get`` computes a value only if neither build has it."""

    def __init__(self) -> None:
        self.previous: dict = {}
        self.current: dict = {}

    def start(self) -> None:
        """A new build: keep what the last one used."""
        self.previous, self.current = self.current, {}

    def get(self, key, make, pack: bool = False):
        """The value of ``key``; ``pack``: a text made is kept :class:`Packed` (and
        given back unpacked)."""
        if key in self.current:
            return unpacked(self.current[key])
        if key in self.previous:
            value = self.current[key] = self.previous[key]
            return unpacked(value)
        value = make()
        self.current[key] = Packed(value) if pack else value
        return value


class DiskMemo:
    """Values derived from records (e.g. BibTeX entries), keyed by record digest,
    kept in memory and in ``.survey-cache/<name>.pickle``.  ``version`` names
    the code that derives them: a new version starts empty."""

    def __init__(self, root: Path, name: str, version: str, persist: bool = True):
        self.path = root / CACHE_DIR / f"{name}.pickle"
        self.version = version
        self.persist = persist
        self.values: dict[str, object] = {}
        self.dirty = False
        #: when set, :meth:`save` only prunes and :meth:`flush` writes (``mkdocs
        #: serve`` writes its caches when it stops, not on every rebuild)
        self.defer = False
        if persist and self.path.exists():
            try:
                with self.path.open("rb") as fh:
                    stored = pickle.load(fh)
                if stored.get("version") == version:
                    self.values = stored["values"]
            except Exception:  # a broken cache is rebuilt
                self.values = {}

    def get(self, digest: str | None, compute):
        if digest is None:
            return compute()
        if digest not in self.values:
            self.values[digest] = compute()
            self.dirty = True
        return self.values[digest]

    def update(self, values: dict[str, object]) -> None:
        """Take values made elsewhere (another process with the same memo)."""
        if values:
            self.values.update(values)
            self.dirty = True

    def save(self, live: set[str], beside: bool = False) -> None:
        """Drop the values of digests not in ``live``, and write the memo (unless
        deferred).  ``beside``: written by a second process while this one goes
        on (pickling 50,000 records takes seconds); :meth:`flush` waits for it."""
        stale = set(self.values) - live
        if stale:
            for key in stale:
                del self.values[key]
            self.dirty = True
        if self.defer:
            return
        if beside and self.persist and self.dirty:
            from survey_core.model.forked import Forked

            self._wait()
            job = Forked(self._write)
            if job.started:
                self._writing = job
                self.dirty = False
                return
        self.flush()

    _writing = None

    def _wait(self) -> None:
        job, self._writing = self._writing, None
        if job is not None:
            job.result()

    def flush(self) -> None:
        """Write the memo to disk if it changed since it was last written (after a
        write begun by :meth:`save` has ended)."""
        self._wait()
        if not self.persist or not self.dirty:
            return
        self._write()
        self.dirty = False

    def _write(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            (self.path.parent / ".gitignore").write_text("*\n")
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump({"version": self.version, "values": self.values}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only checkout still builds, only without the disk cache
