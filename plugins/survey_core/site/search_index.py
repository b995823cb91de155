"""The site's own full-text search index: static files, sharded by term.  No MkDocs import.

The header search box (``assets/survey/survey.js``) downloads, once the box is
used, ``<site>/_search/manifest.json`` (a few kB), then only the shards of the
words typed and the doc chunks of the results it shows, so a search costs about
the same at 300 papers as at 50,000:

* ``s/<key>.json``: the posting lists of every term whose longest shard key is
  ``key`` (a prefix of the term), ``{"term": "postings"}``, the postings (doc
  numbers delta-encoded, each with its score) as a string of base-32 digits
  (:func:`encode_postings`, about a third of the bytes of a JSON list); a shard
  whose terms are over :data:`SHARD_BYTES` is split into longer-prefix children,
  small children staying in the parent;
* ``d/<n>.json``: url, title, kind, authors, year, topics and excerpt of docs
  ``n * CHUNK`` to ``(n + 1) * CHUNK - 1``;
* ``manifest.json`` (written last): format, build version (appended as ``?v=``
  to every other file the client fetches, so a browser never mixes two
  builds), doc count, chunk size and shard keys.

Scores are per (term, doc) integers 1..255: a field-weighted BM25 tf part with
fixed length norms and no collection statistic, so editing one document only
changes the shards of its terms; the client computes idf from the posting list
lengths it fetched (:func:`search` is the same ranking in Python).

:class:`SearchIndex` keeps each document's terms between builds (``mkdocs
serve``): only documents whose inputs changed are tokenised again, and only
files whose bytes changed are written; files no build makes any more are removed.
What it keeps is compact (terms by number, posting lists as typed arrays, docs
without their indexed text, a digest per file rather than its bytes), and an
edit (:meth:`SearchIndex.patch`) makes again only the files it changes.
"""

from __future__ import annotations

import bisect
import html
import itertools
import json
import math
import os
import re
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from survey_core.model.memo import Digest, key
from survey_core.model.safeio import write_over
from survey_core.model.text import WordTable

FOLDER = "_search"
FORMAT = 2
#: docs per chunk: the 8 results a search shows mostly sit in 8 different chunks of
#: a large catalog, so a chunk is small (8 docs: about 1.6 kB gzipped)
CHUNK = 8
#: raw JSON bytes of one shard above which it is split (about 12 kB gzipped)
SHARD_BYTES = 36_000
EXCERPT = 200

STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "for", "from",
    "has", "have", "in", "into", "is", "it", "its", "not", "of", "on", "or", "our", "so",
    "than", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
    "we", "were", "which", "will", "with"))

# Field weights (the title counts most) and the fixed lengths each field's term
# frequency is normalised by (BM25's average length, fixed for every build).
WEIGHTS = {"title": 4.0, "authors": 3.0, "topics": 2.0, "venue": 2.0, "text": 1.0}
NORMS = {"title": 10, "authors": 8, "topics": 4, "venue": 4, "text": 150}
K1, B = 1.2, 0.5

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_PART = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")


def fold(text: str) -> str:
    """NFKD, combining marks dropped, lowercase."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        if not text.isascii():
            text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    return text.lower()


def _keep(token: str) -> bool:
    return (len(token) >= 2 or token.isdigit()) and token not in STOP_WORDS


def _word_terms(word: str) -> tuple[str, ...]:
    """The terms of one word (see :func:`tokenise`)."""
    if "-" not in word:
        return (word,) if _keep(word) else ()
    parts = word.split("-")
    out = [p for p in parts if _keep(p)]
    joined = "".join(parts)
    if _keep(joined):
        out.append(joined)
    return tuple(out)


#: word -> its terms
_TERMS = WordTable(_word_terms)


def tokenise(text: str) -> list[str]:
    """The terms of ``text``: folded alphanumeric runs of 2+ characters (any
    number), stop words dropped; a hyphen-joined word adds its joined form too
    (``GPT-4`` -> ``gpt``, ``4``, ``gpt4``)."""
    return list(itertools.chain.from_iterable(_TERMS(_WORD.findall(fold(text)))))


def query_terms(query: str) -> list[str]:
    """The terms of a query, in order, without repeats."""
    return list(dict.fromkeys(tokenise(query)))


@dataclass(frozen=True, slots=True)
class Doc:
    """One search document: what is indexed (``fields``: field name -> text) and
    what a result shows."""
    ident: str  # stable identity, e.g. "paper:<id>"
    url: str  # from the site root, e.g. "papers/x/"
    title: str
    kind: str  # paper, topic, survey or page
    fields: tuple[tuple[str, str], ...]
    authors: str = ""
    year: int | None = None
    topics: str = ""
    excerpt: str = ""
    #: what the doc is made from (equal digests: equal docs)
    digest: str = ""

    def shown(self) -> dict:
        out = {"u": self.url, "t": self.title, "k": self.kind}
        for name, value in (("a", self.authors), ("y", self.year), ("p", self.topics),
                            ("e", self.excerpt)):
            if value:
                out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class KeptDoc:
    """A doc as a kept index holds it once it has the doc's terms: its identity,
    digest and what its result shows, as the JSON of its entry in a doc chunk
    (one ``bytes``, not the fields and the shown strings of a :class:`Doc`)."""
    ident: str
    digest: str
    shown_json: bytes
    #: nothing to index: its terms are the index's
    fields = None


def field_length(n: int) -> float:
    """A field's length in terms as scores weigh it: to two significant digits from
    100 on, so that a sentence more or less in a long text (a survey's prose, an
    abstract) leaves the scores of the words it did not touch as they were, and an
    edit changes the postings of its own words only."""
    return float(f"{n:.2g}") if n >= 100 else float(n)


def scores(doc: Doc) -> dict[str, int]:
    """term -> score 1..255 of one doc (no collection statistic)."""
    tf: dict[str, float] = {}
    for name, text in doc.fields:
        terms = tokenise(text)
        if not terms:
            continue
        weight = WEIGHTS.get(name, 1.0) / (1 - B + B * field_length(len(terms))
                                           / NORMS.get(name, 150))
        for t, n in Counter(terms).items():
            tf[t] = tf.get(t, 0.0) + n * weight
    # 255 * f / (f + K1) < 255 for every f: only the lower bound needs a check
    intern = sys.intern
    return {intern(t): round(255 * f / (f + K1)) or 1 for t, f in tf.items()}


def excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())  # (\s+ -> " ", stripped: 4x faster)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > limit // 2 else limit].rstrip(" ,;:.") + " …"


def short_authors(authors: list[str], complete: bool = True, shown: int = 3) -> str:
    if not authors:
        return ""
    more = len(authors) > shown or not complete
    return ", ".join(authors[:shown]) + (" et al." if more else "")


def html_text(markup: str) -> str:
    """Plain text of an HTML fragment (tags dropped, entities decoded)."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).replace("¶", "").split())


_MD_CITE = re.compile(r"\[(?:-?@[^\]]*)\]")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(^|\s)[#>*+-]+\s|[*_`~|]+")


def markdown_text(markdown: str) -> str:
    """Rough plain text of Markdown prose: citations, link targets and markup dropped."""
    text = _MD_LINK.sub(r"\1", _MD_CITE.sub(" ", markdown))
    return html_text(_MD_MARK.sub(r"\1", text))


def paper_doc(paper, topic_names: list[str], digest: str | None = None) -> Doc:
    topics = " · ".join(topic_names)
    fields = [("title", paper.title), ("authors", " ; ".join(paper.authors)),
              ("topics", topics), ("venue", paper.venue or ""),
              ("text", " ".join(x for x in (str(paper.year or ""), paper.abstract or "",
                                            paper.arxiv_id or "") if x))]
    return Doc(f"paper:{paper.id}", f"papers/{paper.id}/", paper.title, "paper",
               tuple(fields), short_authors(paper.authors, paper.authors_complete),
               paper.year, topics, excerpt(paper.abstract or ""),
               digest or key(paper.digest or repr(paper), topic_names))


def catalog_docs(catalog, survey_url: Callable[[str], str] = lambda sid: f"surveys/{sid}/",
                 kept: dict | None = None) -> list[Doc | KeptDoc]:
    """Every paper (newest first, so the docs of one query cluster in few chunks
    and a lower number is a newer paper), then every topic and survey.  ``kept``:
    paper docs by record digest and topic names, from the last call (updated)."""
    tax = catalog.taxonomy
    names = {tid: t.name for tid, t in tax.topics.items()}
    previous = dict(kept or {})
    if kept is not None:
        kept.clear()
    docs = []
    for p in catalog.newest:
        topics = tuple(names[t] for t in p.topics if t in names)
        doc_key = key(p.digest, list(topics)) if p.digest else None
        doc = previous.get(doc_key) if doc_key else None
        if doc is None:
            doc = paper_doc(p, list(topics), doc_key)
        if kept is not None and doc_key:
            kept[doc_key] = doc
        docs.append(doc)
    for tid, t in tax.topics.items():
        fields = (("title", t.name), ("text", t.description or ""))
        docs.append(Doc(f"topic:{tid}", f"topics/{tid}/", t.name, "topic", fields,
                        excerpt=excerpt(t.description or ""), digest=key(fields)))
    for _sid, s in sorted(catalog.surveys.items(), key=lambda kv: (kv[1].order, kv[0])):
        docs.append(survey_doc(s, names, survey_url))
    return docs


def catalog_paper_doc(catalog, paper) -> tuple[str | None, Doc]:
    """A paper's doc as :func:`catalog_docs` makes it, and its key there."""
    names = catalog.taxonomy.topics
    topics = tuple(names[t].name for t in paper.topics if t in names)
    doc_key = key(paper.digest, list(topics)) if paper.digest else None
    return doc_key, paper_doc(paper, list(topics), doc_key)


def survey_doc(s, names: dict[str, str], survey_url: Callable[[str], str]) -> Doc:
    """A survey's doc (``names``: topic id -> name)."""
    text = markdown_text(s.body)
    fields = (("title", s.title), ("topics", " ".join(names.get(t, "") for t in s.topics)),
              ("text", (s.summary + " " if s.summary else "") + text))
    return Doc(f"survey:{s.id}", survey_url(s.id), s.title, "survey", fields,
               excerpt=excerpt(s.summary or text), digest=key(fields))


def doc_terms(docs: Iterable[Doc]) -> dict[str, dict[str, int]]:
    """Doc digest -> its term scores (``known`` of :meth:`SearchIndex.files`)."""
    return {d.digest: scores(d) for d in docs if d.digest}


def page_doc(url: str, title: str, text: str) -> Doc:
    fields = (("title", title), ("text", text))
    return Doc(f"page:{url}", url, title, "page", fields, excerpt=excerpt(text),
               digest=key(fields))


# -- shards --------------------------------------------------------------------

def partition(sizes: dict[str, int], target: int = SHARD_BYTES,
              terms: list[str] | None = None) -> dict[str, list[str]]:
    """Shard key -> its terms (sorted).  Every term is in exactly one shard: the one
    of the longest key that prefixes it.  ``terms``: ``sorted(sizes)``, if known."""
    terms = sorted(sizes) if terms is None else terms
    cum = [0, *itertools.accumulate(map(sizes.__getitem__, terms))]
    out: dict[str, list[str]] = {}

    def split(prefix: str, lo: int, hi: int) -> None:
        if cum[hi] - cum[lo] <= target:
            out[prefix] = terms[lo:hi]
            return
        i, own = lo, []
        if terms[i] == prefix:
            own.append((i, i + 1))
            i += 1
        children = []
        while i < hi:
            child = terms[i][:len(prefix) + 1]
            j = bisect.bisect_left(terms, child + "\U0010ffff", i, hi)
            while j < hi and terms[j].startswith(child):
                j += 1
            children.append((cum[j] - cum[i], child, i, j))
            i = j
        rest = cum[hi] - cum[lo]
        moved = set()
        for size, child, i, j in sorted(children, key=lambda c: (-c[0], c[1])):
            if rest <= target:
                break
            moved.add(child)
            rest -= size
            split(child, i, j)
        kept = [t for a, b in own for t in terms[a:b]]
        for _size, child, i, j in children:
            if child not in moved:
                kept.extend(terms[i:j])
        if kept:
            out[prefix] = kept

    if terms:
        split("", 0, len(terms))
    return dict(sorted(out.items()))


def shard_of(term: str, keys: set[str] | frozenset[str]) -> str | None:
    """The key of the shard holding ``term``: the longest key that prefixes it."""
    for n in range(len(term), -1, -1):
        if term[:n] in keys:
            return term[:n]
    return None


def shard_file(shard_key: str) -> str:
    """``s/<key>.json``, the key with characters other than a-z and 0-9 as ``_<hex>_``
    (``_`` alone: the root shard)."""
    name = "".join(c if "a" <= c <= "z" or "0" <= c <= "9" else f"_{ord(c):x}_"
                   for c in shard_key)
    return f"s/{name or '_'}.json"


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


#: a term in more than this share of the docs, and more than COARSE_MIN docs,
#: has its scores rounded to multiples of :data:`COARSE_STEP` (its idf is
#: small, and its long posting list then compresses to about half)
COARSE_SHARE = 0.05
COARSE_MIN = 1000
COARSE_STEP = 16


#: the digits of a posting list's text: a number is written in base 32, most
#: significant digit first, every digit but the last from the upper half
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"


def _number(n: int) -> str:
    last = DIGITS[n & 31]
    n >>= 5
    head = ""
    while n:
        head = DIGITS[32 + (n & 31)] + head
        n >>= 5
    return head + last


#: the text of every number below 32,768 (three digits at most)
_NUMBERS = [_number(n) for n in range(1 << 15)]


def encode_postings(postings: Sequence[int], docs: int) -> str:
    """[doc, score, doc, score, ...] (doc numbers ascending) -> its text in a
    shard: the score step, then each doc number less the previous one and the
    score divided by the step, as numbers in :data:`DIGITS`.  The step is 1, or
    :data:`COARSE_STEP` for a common term (its idf is small; its scores are
    rounded to multiples of the step, kept within 1..255)."""
    numbers = postings[0::2]
    values = postings[1::2]
    if len(numbers) > 4000:
        import numpy as np

        deltas = np.diff(np.array(numbers, dtype=np.int64), prepend=0).tolist()
    else:
        deltas = [b - a for a, b in zip([0, *numbers], numbers, strict=False)]
    return _encode(deltas, values, docs)


def _encode_kept(flat: array, docs: int) -> str:
    """:func:`encode_postings` of a posting list as a kept index holds it
    (``doc << 8 | score`` each)."""
    if len(flat) > 500:
        import numpy as np

        packed = np.frombuffer(flat, dtype=np.intc)
        deltas = np.diff(packed >> 8, prepend=0).tolist()
        values = (packed & 255).tolist()
    else:
        numbers = [v >> 8 for v in flat]
        deltas = [b - a for a, b in zip([0, *numbers], numbers, strict=False)]
        values = [v & 255 for v in flat]
    return _encode(deltas, values, docs)


def _encode(deltas: list[int], values: Sequence[int], docs: int) -> str:
    numbers = deltas
    step = COARSE_STEP if len(numbers) > max(COARSE_SHARE * docs, COARSE_MIN) else 1
    if step > 1:
        values = [round(v / step) for v in values]
    flat = [step] * (2 * len(numbers) + 1)
    flat[1::2] = deltas
    flat[2::2] = values
    table = _NUMBERS
    return "".join([table[x] if x < 32768 else _number(x) for x in flat])


_DIGIT = {c: i for i, c in enumerate(DIGITS)}


def decode_postings(text: str) -> list[int]:
    """The posting list of :func:`encode_postings`'s text: [doc, score, ...]."""
    numbers, n = [], 0
    for c in text:
        d = _DIGIT[c]
        if d >= 32:
            n = n * 32 + d - 32
        else:
            numbers.append(n * 32 + d)
            n = 0
    step, out, doc = numbers[0], [], 0
    for j in range(1, len(numbers), 2):
        doc += numbers[j]
        out.append(doc)
        out.append(max(1, min(255, numbers[j + 1] * step)))
    return out


@dataclass
class Built:
    docs: int = 0
    shards: int = 0
    files: int = 0
    bytes: int = 0
    written: int = 0
    removed: int = 0
    retokenised: int = 0

    def summary(self) -> str:
        return (f"{self.docs} docs, {self.shards} shards, {self.files} files, "
                f"{self.bytes} bytes ({self.written} written, {self.removed} removed, "
                f"{self.retokenised} docs tokenised)")


#: a doc's terms as a kept index holds them: ``term number << 8 | score`` for
#: each (the number of a term in :attr:`SearchIndex._vocab`; scores are 1..255)
Terms = array


def _slim(doc: Doc | KeptDoc) -> KeptDoc:
    """What a kept index needs of a doc whose terms it holds."""
    return doc if isinstance(doc, KeptDoc) else KeptDoc(doc.ident, doc.digest,
                                                        _dumps(doc.shown()))


def _chunk(docs: Iterable[Doc | KeptDoc]) -> bytes:
    """A doc chunk's bytes: what :func:`_dumps` makes of the docs' ``shown()``."""
    return b"[" + b",".join(d.shown_json if isinstance(d, KeptDoc) else _dumps(d.shown())
                            for d in docs) + b"]"


class SearchIndex:
    """Builds ``<site>/_search/``; kept between the rebuilds of ``mkdocs serve``.

    While the documents are the same ones in the same order, a build updates
    the posting lists of the changed documents' terms only, and makes again only
    the shards holding those terms (or whose terms changed) and the doc chunks of
    the changed documents; otherwise it makes everything (from the terms of
    unchanged documents, kept).

    What a kept index holds is compact: each doc's terms as numbers with their
    scores in an ``array('i')`` (:data:`Terms`), the posting lists as ``array('i')`` of
    ``doc << 8 | score`` (a build makes them as lists, then packs them),
    the docs as :class:`KeptDoc` (no indexed text), and of each file only the
    digest and size of its bytes: a build makes again the files an edit changed
    (and those not on disk as made), never keeps their bytes."""

    def __init__(self, shard_bytes: int = SHARD_BYTES, chunk: int = CHUNK,
                 keep: bool = True) -> None:
        self.shard_bytes = shard_bytes
        self.chunk = chunk
        #: whether the index is kept for the next build (``mkdocs serve``): if not,
        #: each doc's term scores are let go once the posting lists hold them
        self.keep = keep
        self._forget()

    def _forget(self) -> None:
        """Nothing kept: the next build makes every file from its docs."""
        self._idents: list[str] = []
        self._digests: list[str] = []
        #: doc number -> its terms and their scores
        self._doc_terms: list[Terms] = []
        #: every term a kept doc had, and its number there (kept docs' terms are
        #: held by number: 4 bytes a term, not a pointer and a score byte)
        self._vocab: list[str] = []
        self._ids: dict[str, int] = {}
        #: doc number -> what is kept of the doc (what its chunk shows)
        self._docs: list[KeptDoc] = []
        #: term -> [doc, score, doc, score, ...] by doc number while a build makes
        #: them; kept (``keep``) as ``array('i')`` of ``doc << 8 | score``
        self._postings: dict[str, list[int] | array] = {}
        self._shards: dict[str, list[str]] = {}
        #: term -> its size in a shard, and the terms sorted (kept between builds)
        self._sizes: dict[str, int] | None = None
        self._sorted: list[str] = []
        #: file (relative to the folder; the manifest aside) -> sha1 and size of
        #: the bytes the last build made
        self._made: dict[str, tuple[str, int]] = {}
        #: file (the manifest too) -> sha1 of the bytes written there
        self._disk: dict[str, str] = {}
        #: files of the last write (none stale on disk when a write changes none)
        self._on_disk = -1
        #: paper docs kept for :func:`catalog_docs` (as :class:`KeptDoc` once the
        #: index holds their terms)
        self.paper_docs: dict = {}

    def _terms(self, doc: Doc, built: Built, by_digest: dict
               ) -> dict[str, int] | Terms:
        terms = by_digest.get(doc.digest) if doc.digest else None
        if terms is None:
            if doc.fields is None:
                raise RuntimeError(f"search index: the terms of {doc.ident} are not kept")
            terms = scores(doc)
            built.retokenised += 1
        return terms

    def _pack(self, terms: dict[str, int]) -> Terms:
        ids = self._ids
        if not ids.keys() >= terms.keys():
            vocab = self._vocab
            for t in [t for t in terms if t not in ids]:
                ids[t] = len(vocab)
                vocab.append(t)
            if len(vocab) >= 1 << 23:
                raise RuntimeError("search index: too many distinct terms to keep")
        return array("i", [ids[t] << 8 | s for t, s in terms.items()])

    def _unpack(self, terms: Terms) -> dict[str, int]:
        vocab = self._vocab
        return {vocab[v >> 8]: v & 255 for v in terms}

    def _keep_doc(self, doc: Doc | KeptDoc, old: KeptDoc | None = None) -> KeptDoc:
        """The slim doc kept for ``doc`` (in :attr:`paper_docs` too, in place of
        ``doc``; ``old``, the doc it replaces, leaves it)."""
        slim = _slim(doc)
        kept = self.paper_docs
        if old is not None and old.digest != doc.digest and kept.get(old.digest) is old:
            del kept[old.digest]
        if doc.digest and kept.get(doc.digest) is doc:
            kept[doc.digest] = slim
        return slim

    def files(self, docs: list[Doc], known: dict[str, dict[str, int]] | None = None
              ) -> tuple[dict[str, bytes], Built]:
        """Every file of the index (manifest last) for ``docs`` in order.  ``known``:
        doc digest -> terms made elsewhere (:func:`doc_terms` in another process),
        used instead of scoring those docs again; an index not kept (``keep``
        False) empties it once the posting lists hold the terms."""
        return self._build([d.ident for d in docs], [d.digest for d in docs],
                           docs.__getitem__, known, every=True)

    def _build(self, *args, **kwargs) -> tuple[dict[str, bytes], Built]:
        """:meth:`_make`; a build that fails midway leaves nothing kept (not
        half-updated terms and postings), and the next one makes everything."""
        try:
            return self._make(*args, **kwargs)
        except BaseException:
            self._forget()
            raise

    def _make(self, idents: list[str], digests: list[str], doc: Callable[[int], Doc],
              known: dict | None, every: bool, disk: bool = False,
              changed: list[int] | None = None) -> tuple[dict[str, bytes], Built]:
        """The files (manifest last) of the index of the docs ``doc(n)`` for
        ``n < len(idents)``: every file (``every``), else those whose bytes may
        differ from the last build's, and (``disk``) those not written as made.
        ``changed``: the numbers of the docs that may differ, if known."""
        known = known or {}
        count = len(idents)
        built = Built(docs=count)
        postings = self._postings
        keep = self.keep
        affected: set[str] | None = None
        chunks: set[int] | None = None
        if idents == self._idents and self._sizes is not None:
            old_digests = self._digests
            changed = [n for n in (range(count) if changed is None else changed)
                       if not digests[n] or digests[n] != old_digests[n]]
            affected = set()
            for n in changed:
                new_doc = doc(n)
                terms = self._terms(new_doc, built, known)
                new = terms if isinstance(terms, dict) else self._unpack(terms)
                old = self._unpack(self._doc_terms[n])
                self._doc_terms[n] = self._pack(new)
                self._docs[n] = self._keep_doc(new_doc, self._docs[n])
                for t in old.keys() | new.keys():
                    if old.get(t) == new.get(t):
                        continue
                    affected.add(t)
                    flat = postings.get(t)
                    if flat is None:
                        flat = postings[t] = array("i")
                    i = bisect.bisect_left(flat, n << 8)
                    if t in old:
                        del flat[i]
                    if t in new:
                        flat.insert(i, n << 8 | new[t])
                    if not flat:
                        del postings[t]
            sizes, terms = self._sizes, self._sorted
            for t in affected:
                flat = postings.get(t)
                if flat is None:
                    if t in sizes:
                        del sizes[t]
                        del terms[bisect.bisect_left(terms, t)]
                    continue
                if t not in sizes:
                    bisect.insort(terms, t)
                sizes[t] = len(t) + 4 + 6 * len(flat)
            chunks = {n // self.chunk for n in changed}
        else:
            by_digest: dict = dict(zip(self._digests, self._doc_terms, strict=True))
            by_digest.update(known)
            if not keep:  # each doc's terms are let go once its postings hold them
                known.clear()
            self._doc_terms, self._docs = [], []
            postings = self._postings = {}
            kept_terms: list[Terms] = []
            kept_docs: list[KeptDoc] = []
            for n in range(count):
                d = doc(n)
                terms = self._terms(d, built, by_digest)
                if not keep and d.fields is not None:  # (a doc of the same digest
                    by_digest.pop(d.digest, None)  # after it scores its own fields)
                if isinstance(terms, dict):
                    pairs = terms.items()
                    if keep:
                        terms = self._pack(terms)
                else:
                    vocab = self._vocab
                    pairs = [(vocab[v >> 8], v & 255) for v in terms]
                if keep:  # packed as kept from the start: no list of every posting
                    v = n << 8
                    for t, s in pairs:
                        flat = postings.get(t)
                        if flat is None:
                            flat = postings[t] = array("i")
                        flat.append(v | s)
                else:
                    for t, s in pairs:
                        flat = postings.get(t)
                        if flat is None:
                            postings[t] = [n, s]
                        else:
                            flat.append(n)
                            flat.append(s)
                if keep:
                    kept_terms.append(terms)
                    kept_docs.append(self._keep_doc(d))
            by_digest.clear()
            if keep:
                self._doc_terms, self._docs = kept_terms, kept_docs
            else:  # the shards are made from the postings alone
                idents, digests = [], []
                known.clear()
            self._made = {}
            # a posting's size: its two numbers in a list, one packed number kept
            per = 6 if keep else 3
            sizes = self._sizes = {t: len(t) + 4 + per * len(p) for t, p in postings.items()}
            terms = self._sorted = sorted(sizes)
        self._idents, self._digests = idents, digests
        shards = partition(sizes, self.shard_bytes, terms)
        old_made, old_shards, on_disk = self._made, self._shards, self._disk if disk else None
        made: dict[str, tuple[str, int]] = {}
        out: dict[str, bytes] = {}

        def take(name: str, make: Callable[[], bytes], stale: bool) -> None:
            info = old_made.get(name)
            stale = stale or info is None
            if stale or every or (on_disk is not None and on_disk.get(name) != info[0]):
                data = out[name] = make()
                if stale:
                    info = (key(data), len(data))
            made[name] = info

        def encode(flat: list[int] | array, docs: int) -> str:
            return (encode_postings if isinstance(flat, list) else _encode_kept)(flat, docs)

        for shard_key, shard_terms in shards.items():
            take(shard_file(shard_key),
                 lambda ts=shard_terms: _dumps({t: encode(postings[t], count)
                                                for t in ts}),
                 old_shards.get(shard_key) != shard_terms
                 or (affected is not None and not affected.isdisjoint(shard_terms)))
        held = self._docs
        for c in range(0, count, self.chunk):
            part = range(c, min(c + self.chunk, count))
            take(f"d/{c // self.chunk}.json",
                 (lambda part=part: _chunk([held[m] for m in part])) if keep else
                 (lambda part=part: _dumps([doc(m).shown() for m in part])),
                 chunks is None or c // self.chunk in chunks)
        self._made, self._shards = made, shards
        version = Digest()
        for name in sorted(made):
            version.add(name, made[name][0])
        manifest = out["manifest.json"] = _dumps({
            "format": FORMAT, "version": version.hex()[:12], "docs": count,
            "chunk": self.chunk, "shards": list(shards)})
        built.shards = len(shards)
        built.files = len(made) + 1
        built.bytes = sum(size for _sha, size in made.values()) + len(manifest)
        return out, built

    def write(self, docs: list[Doc], folder: Path | str,
              known: dict[str, dict[str, int]] | None = None) -> Built:
        """Write the index of ``docs`` into ``folder``: shards and doc chunks whose
        bytes changed, then the manifest; then remove files no longer made.
        ``known``: as for :meth:`files`."""
        return self._write(folder, [d.ident for d in docs], [d.digest for d in docs],
                           docs.__getitem__, known)

    def patch(self, docs: list[Doc], folder: Path | str) -> Built:
        """Write the index after an edit: each of ``docs`` takes the place of the
        kept doc of its ident (a page the index does not hold is left out; any
        other doc it does not hold is an error), the others stay as the last
        build left them."""
        if not self.keep or self._sizes is None:
            raise RuntimeError("no search index kept to patch")
        at = {ident: n for n, ident in enumerate(self._idents)}
        digests = list(self._digests)
        new: dict[int, Doc] = {}
        for d in docs:
            n = at.get(d.ident)
            if n is None:
                if d.kind == "page":
                    continue
                raise KeyError(f"search index: no doc {d.ident} to patch")
            new[n] = d
            digests[n] = d.digest
        kept = self._docs
        return self._write(folder, self._idents, digests,
                           lambda n: new[n] if n in new else kept[n], None, sorted(new))

    def _write(self, folder: Path | str, idents: list[str], digests: list[str],
               doc: Callable[[int], Doc | KeptDoc], known: dict | None,
               changed: list[int] | None = None) -> Built:
        folder = Path(folder)
        if not (folder / "manifest.json").is_file():
            # a site folder emptied since (a clean build): everything is written again
            self._disk, self._on_disk = {}, -1
        out, built = self._build(idents, digests, doc, known, every=False, disk=True,
                                 changed=changed)
        made, on_disk = self._made, self._disk
        for name, data in out.items():  # the manifest last
            sha = made[name][0] if name in made else key(data)
            path = folder / name
            if on_disk.get(name) == sha and path.is_file():
                continue
            write_over(path, data)
            on_disk[name] = sha
            built.written += 1
        stale = [name for name in on_disk if name not in made and name != "manifest.json"]
        for name in stale:
            del on_disk[name]
        if not stale and len(made) + 1 == self._on_disk:
            return built
        self._on_disk = len(made) + 1
        for sub in ("s", "d"):
            if (folder / sub).is_dir():
                for entry in os.scandir(folder / sub):
                    if f"{sub}/{entry.name}" not in made and entry.is_file():
                        os.remove(entry.path)
                        built.removed += 1
        return built

# -- the client's ranking, in Python ---------------------------------------------

def idf(count: int, docs: int) -> float:
    return math.log(1 + (docs - count + 0.5) / (count + 0.5))


#: a prefix match counts this much of an exact one
PREFIX_WEIGHT = 0.6


def search(files: dict[str, bytes] | Callable[[str], bytes], query: str,
           complete_last: bool = True) -> list[int]:
    """Doc numbers matching every term of ``query``, best first: what the header
    search box computes from the same files (``files``: name -> bytes, or a reader).
    Terms of 3+ characters, and the last term of 2+ characters while typing
    (``complete_last``), also match the terms they prefix (at a lower weight)."""
    read = files.__getitem__ if isinstance(files, dict) else files
    manifest = json.loads(read("manifest.json"))
    keys = manifest["shards"]
    key_set = frozenset(keys)
    total = manifest["docs"]
    terms = query_terms(query)
    if not terms:
        return []
    summed: dict[int, float] | None = None
    for i, q in enumerate(terms):
        prefix = len(q) >= 3 or (complete_last and i == len(terms) - 1)
        wanted = _shards_for(q, keys, key_set, prefix)
        best: dict[int, float] = {}
        for shard_key in wanted:
            shard = json.loads(read(shard_file(shard_key)))
            for term, flat in shard.items():
                if term != q and not (prefix and term.startswith(q)):
                    continue
                flat = decode_postings(flat)
                weight = idf(len(flat) // 2, total) * (1.0 if term == q else PREFIX_WEIGHT)
                for j in range(0, len(flat), 2):
                    doc = flat[j]
                    value = weight * flat[j + 1]
                    if value > best.get(doc, 0.0):
                        best[doc] = value
        if summed is None:
            summed = best
        else:
            summed = {d: v + best[d] for d, v in summed.items() if d in best}
        if not summed:
            return []
    return sorted(summed, key=lambda d: (-round(summed[d], 6), d))


#: most shards of longer terms a prefix fetches beside the term's own shard
PREFIX_SHARDS = 3


def _shards_for(term: str, keys: list[str], key_set: Iterable[str], prefix: bool) -> list[str]:
    own = shard_of(term, key_set)  # type: ignore[arg-type]
    out = [own] if own is not None else []
    if prefix:
        start = bisect.bisect_left(keys, term)
        more = [k for k in keys[start:start + PREFIX_SHARDS + 1]
                if k.startswith(term) and k != own]
        out.extend(more[:PREFIX_SHARDS])
    return out
