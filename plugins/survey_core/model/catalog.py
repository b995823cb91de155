"""The catalog: every record, the taxonomy and the surveys, loaded once,
validated, and cross-linked.  Every page and export reads this one object.

Parsed records are cached by content hash, in memory (so ``mkdocs serve``
re-reads only the files that changed) and on disk under ``.survey-cache/``
(so a fresh process does not re-parse unchanged YAML).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from survey_core.model import memo
from survey_core.model.contentformat import check_format
from survey_core.model.diagnostics import ERROR, INFO, WARNING, Diagnostic
from survey_core.model.forked import Forked
from survey_core.model.identity import proven_different, title_numbers

# CACHE_DIR, Carry and PaperMemo were defined here: importable from here still
from survey_core.model.memo import CACHE_DIR, Carry, DiskMemo, PaperMemo  # noqa: F401
from survey_core.model.model import Paper
from survey_core.model.records import MAX_RECORD_BYTES, read_record, read_record_bytes
from survey_core.model.safeio import file_problem, prefetch
from survey_core.model.surveys import MARKER_RE, Survey, load_survey
from survey_core.model.taxonomy import Taxonomy, load_taxonomy
from survey_core.model.text import LineIndex, edit_distance, normalise_title
from survey_core.model.venues import load_venues

CACHE_VERSION = 8  # bump when records.py validation (or the Paper it makes) changes
FACTS_FILE = "content/sources/arxiv-facts.jsonl"


@dataclass
class LowConfidenceFact:
    title: str
    line: int
    note: str
    arxiv_id: str | None
    paper_id: str | None


@dataclass
class Catalog:
    root: Path
    taxonomy: Taxonomy
    papers: list[Paper]
    surveys: dict[str, Survey]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    low_confidence: list[LowConfidenceFact] = field(default_factory=list)
    by_id: dict[str, Paper] = field(default_factory=dict)
    #: every paper, newest first (:func:`newest_first`)
    newest: list[Paper] = field(default_factory=list)
    by_key: dict[str, Paper] = field(default_factory=dict)
    #: topic id -> papers filed under the topic or any topic below it (newest first)
    topic_papers: dict[str, list[Paper]] = field(default_factory=dict)
    #: topic id -> papers filed directly under the topic
    topic_direct: dict[str, list[Paper]] = field(default_factory=dict)
    #: paper id -> survey ids whose scope includes it
    paper_surveys: dict[str, list[str]] = field(default_factory=dict)
    #: topic id -> survey ids whose scope names the topic or an ancestor
    topic_surveys: dict[str, list[str]] = field(default_factory=dict)
    #: the venue table the papers' ``venue_full`` came from
    venues: Any = None
    #: normalised title of each paper (as :attr:`papers`) and the near-title blocks
    #: they fall in (see :func:`_near_duplicates`), for :func:`patch_papers`
    title_norms: list[str] = field(default_factory=list)
    title_blocks: dict[str, list[int]] = field(default_factory=dict)
    #: the per-paper counts of :meth:`figures`, once asked for (kept by :func:`patch_papers`)
    _figures: dict[str, int] | None = None
    #: each survey's papers, and by topic, once asked for (dropped by :func:`patch_papers`
    #: and :func:`patch_survey`)
    _scopes: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    def survey_papers(self, survey_id: str) -> list[Paper]:
        papers = self._scopes.get(survey_id)
        if papers is None:
            papers = self._scopes[survey_id] = [self.by_id[i]
                                                for i in self.surveys[survey_id].paper_ids]
        return list(papers)

    def survey_topic_papers(self, survey_id: str, topic_id: str) -> list[Paper]:
        """The survey's papers filed under ``topic_id`` or a topic below it, in the
        survey's order."""
        by_topic = self._scopes.get((survey_id,))
        if by_topic is None:
            by_topic = self._scopes[(survey_id,)] = {}
            for p in self.survey_papers(survey_id):
                for tid in self.taxonomy.lineage(p.topics):
                    by_topic.setdefault(tid, []).append(p)
        return list(by_topic.get(topic_id, ()))

    def shared_papers(self, a: str, b: str) -> list[Paper]:
        other = set(self.surveys[b].paper_ids)
        return [self.by_id[i] for i in self.surveys[a].paper_ids if i in other]

    def figures(self) -> dict[str, int]:
        if self._figures is None:
            counts: dict[str, int] = dict.fromkeys(FIGURES, 0)
            for p in self.papers:
                for name, n in _figure_counts(p).items():
                    counts[name] += n
            self._figures = counts
        return {"papers": len(self.papers), "topics": len(self.taxonomy.topics),
                "surveys": len(self.surveys), **self._figures}


FIGURES = ("with_arxiv", "with_authors", "with_complete_authors", "with_year", "with_code",
           "with_doi", "citable")


def _figure_counts(p: Paper) -> dict[str, int]:
    """What one paper adds to each count of :meth:`Catalog.figures`."""
    return {
        "with_arxiv": int(bool(p.arxiv_id)),
        "with_authors": int(bool(p.authors)),
        "with_complete_authors": int(bool(p.authors and p.authors_complete)),
        "with_year": int(bool(p.year)),
        "with_code": int(p.has_code),
        "with_doi": int(bool(p.doi)),
        "citable": int(bool(p.arxiv_id and p.authors and p.authors_complete and p.year)),
    }


def newest_first(papers: list[Paper]) -> list[Paper]:
    return sorted(papers, key=lambda p: (p.sort_date, p.upvotes or 0, p.id), reverse=True)


class RecordCache:
    """Parsed records by content hash, kept in memory and on disk."""

    def __init__(self, root: Path, persist: bool = True):
        self.root = root
        self.memo = DiskMemo(root, "records", f"records-{CACHE_VERSION}", persist=persist)
        self.stat: dict[str, tuple[int, int, str]] = {}

    def read(self, path: Path | str, relpath: str, st: os.stat_result | None = None
             ) -> tuple[Paper | None, list[Diagnostic]]:
        """A parsed record; a file that may not be read (a link, a folder, a device,
        too large) is refused before reading, and never cached."""
        st, problem = file_problem(Path(path), relpath, MAX_RECORD_BYTES, "record file")
        if problem:
            self.stat.pop(relpath, None)
            return None, [problem]
        raw: bytes | None = None
        known = self.stat.get(relpath)
        if known and known[0] == st.st_mtime_ns and known[1] == st.st_size:
            digest = known[2]
        else:
            raw, problem = read_record_bytes(Path(path), relpath)
            if problem:
                return None, [problem]
            digest = memo.key(relpath, raw)
            self.stat[relpath] = (st.st_mtime_ns, st.st_size, digest)

        def parse() -> tuple[Paper | None, list[Diagnostic]]:
            paper, diags = read_record(Path(path), relpath, raw)
            if paper is not None:
                diags = diags + record_warnings(paper, relpath)
            return paper, diags

        paper, diags = self.memo.get(digest, parse)
        if paper is not None:
            paper.digest = digest
        # The cached Paper itself is returned: catalog papers are read-only.
        return paper, list(diags)

    def save(self, live: set[str], beside: bool = False) -> None:
        self.memo.save(live, beside)


def record_warnings(paper: Paper, rel: str) -> list[Diagnostic]:
    """Notes about one record on its own (cached with the parsed record)."""
    from survey_core.model.keys import key_matches_scheme

    diags: list[Diagnostic] = []
    if not paper.authors:
        diags.append(Diagnostic(rel, paper.line_of("title"), "no authors known",
                                "add authors: [First Last, ...] from the paper",
                                WARNING))
    if not paper.year:
        diags.append(Diagnostic(rel, paper.line_of("title"), "no year known",
                                "add year: YYYY (of the first version)", WARNING))
    if (paper.author_count and paper.authors and paper.authors_complete
            and paper.author_count != len(paper.authors)):
        diags.append(Diagnostic(rel, paper.line_of("authors"),
                                f"the listing counts {paper.author_count} authors but "
                                f"{len(paper.authors)} names are recorded",
                                "check the author list against the paper", WARNING))
    if not key_matches_scheme(paper):
        diags.append(Diagnostic(rel, paper.line_of("key"), f"key '{paper.key}' no longer "
                                "matches the record's authors/year/title",
                                "keep it if it was published (keys never change); this is "
                                "only a note", WARNING))
    return diags


def _record_files(entries: list[os.DirEntry]) -> list[str]:
    """The record files of ``entries``, to read ahead (see :func:`.safeio.prefetch`)."""
    return [e.path for e in entries if e.name.endswith(".yml") and not e.name.startswith(".")
            and e.is_file(follow_symlinks=False)]


def _parse_ahead(cache: RecordCache, entries: list[os.DirEntry]) -> dict:
    """Parse the records of ``entries`` (in a second process): their cache
    values, by digest, that the cache did not have."""
    known = set(cache.memo.values)
    prefetch(_record_files(entries))
    for entry in entries:
        if entry.name.endswith(".yml") and not entry.name.startswith("."):
            cache.read(entry.path, f"content/papers/{entry.name}")
    return {d: v for d, v in cache.memo.values.items() if d not in known}


def load_catalog(root: Path, cache: RecordCache | None = None, persist_cache: bool = True,
                 fork_from: int | None = None) -> Catalog:
    """Load and validate everything under ``root/content``.  ``fork_from``: with
    at least this many record files, a forked second process parses the second
    half of them while this one parses the first (the catalog is the same)."""
    root = Path(root)
    content = root / "content"
    diags: list[Diagnostic] = []
    diags.extend(check_format(root))
    taxonomy, problems = load_taxonomy(content / "taxonomy.yml", "content/taxonomy.yml")
    diags.extend(problems)
    cache = cache or RecordCache(root, persist=persist_cache)
    papers: list[Paper] = []
    live: set[str] = set()
    papers_dir = content / "papers"
    entries = sorted(os.scandir(papers_dir), key=lambda e: e.name) if papers_dir.is_dir() else []
    half = len(entries) // 2
    large = fork_from is not None and len(entries) >= max(fork_from, 2)
    ahead = Forked(partial(_parse_ahead, cache, entries[half:])) if large else None
    prefetch(_record_files(entries[:half] if ahead is not None and ahead.started
                           else entries))
    for n, entry in enumerate(entries):
        if ahead is not None and n == half:
            cache.memo.update(ahead.result() or {})
            ahead = None
        rel = f"content/papers/{entry.name}"
        if entry.name.startswith("."):  # editor lock and swap files, .gitkeep
            continue
        if not entry.name.endswith(".yml"):
            if not entry.is_dir(follow_symlinks=False):
                diags.append(Diagnostic(rel, 1, f"'{entry.name}' is not a record file",
                                        "records are named content/papers/<id>.yml"))
            continue
        paper, problems = cache.read(entry.path, rel)
        if rel in cache.stat:
            live.add(cache.stat[rel][2])
        diags.extend(problems)
        if paper is not None:
            papers.append(paper)
    cache.save(live, beside=large)  # (a large catalog's: written by a second process)

    surveys: dict[str, Survey] = {}
    surveys_dir = content / "surveys"
    for path in sorted(surveys_dir.glob("*.md")) if surveys_dir.is_dir() else []:
        if path.name.startswith("."):  # editor lock and swap files
            continue
        survey, problems = load_survey(path, f"content/surveys/{path.name}")
        diags.extend(problems)
        if survey is not None:
            surveys[survey.id] = survey

    venues, problems = load_venues(root)
    diags.extend(problems)
    for paper in papers:
        # the derived full venue name goes into the digest that keys the exports
        paper.venue_full = venues.full_name(paper.venue) if paper.venue else None
        if paper.venue_full:
            paper.digest = memo.key(paper.digest, *paper.venue_full)

    catalog = Catalog(root=root, taxonomy=taxonomy, papers=papers, surveys=surveys,
                      venues=venues)
    _index(catalog, diags)
    catalog.low_confidence = _low_confidence(root, catalog, diags)
    catalog.diagnostics = sorted(diags, key=lambda d: (d.file, d.line, d.column, d.message))
    return catalog


#: What an edit of a record must leave as it was for :func:`patch_papers`: the
#: fields that place a paper in the catalog's lists (and their order).
PLACE_FIELDS = ("id", "key", "path", "topics", "year", "month", "date", "upvotes", "added")


def patch_papers(cat: Catalog, edits: list[tuple[Paper, list[Diagnostic], list[Diagnostic]]]
                 ) -> str | None:
    """Put edited records in the place of their earlier versions, in every list
    and index of ``cat``: the catalog :func:`load_catalog` would give, at the
    cost of the edit.  ``edits``: (new paper, its record's diagnostics, the
    diagnostics the earlier version of the record had).  Only edits that leave
    each paper where it was qualify (see :data:`PLACE_FIELDS`), whose record
    had and has no problem involving another record (a near-identical title),
    and whose title is not that of a low-confidence fact.  Returns None when
    done, otherwise why not (and ``cat`` is unchanged)."""
    from rapidfuzz.distance import Levenshtein

    plan = []
    for new, diags, before in edits:
        old = cat.by_id.get(new.id)
        if old is None or old.path != new.path:
            return f"{new.path}: a paper new to the catalog"
        for name in PLACE_FIELDS:
            if getattr(old, name) != getattr(new, name):
                return f"{new.path}: {name} changed"
        mine = sorted(d.format() for d in cat.diagnostics if d.file == old.path)
        if mine != sorted(d.format() for d in before):
            return f"{new.path}: a problem involving another record"
        if any(old.path in d.message for d in cat.diagnostics if d.file != old.path):
            return f"{new.path}: a problem involving another record"
        norm = normalise_title(new.title)
        facts = {normalise_title(f.title) for f in cat.low_confidence}
        if facts and (norm in facts or normalise_title(old.title) in facts):
            return f"{new.path}: a low-confidence fact names its title"
        where = next(i for i, p in enumerate(cat.papers) if p is old)
        for block in _title_keys(norm):
            for i in cat.title_blocks.get(block, []):
                if i != where and Levenshtein.distance(norm, cat.title_norms[i],
                                                       score_cutoff=3) <= 2:
                    return f"{new.path}: its title is close to {cat.papers[i].path}'s"
        plan.append((old, new, diags, where, norm))
    for old, new, diags, where, norm in plan:
        new.venue_full = cat.venues.full_name(new.venue) if cat.venues and new.venue else None
        if new.venue_full and new.digest:
            new.digest = memo.key(new.digest, *new.venue_full)
        cat.papers[where] = new
        _swap(cat.newest, old, new)
        cat.by_id[new.id] = new
        if cat.by_key.get(new.key) is old:
            cat.by_key[new.key] = new
        filed = cat.taxonomy.lineage(old.topics)
        for lists in (cat.topic_papers, cat.topic_direct):
            for tid in filed:
                if tid in lists:
                    _swap(lists[tid], old, new)
        if cat._figures is not None:
            for name, count in _figure_counts(old).items():
                cat._figures[name] -= count
            for name, count in _figure_counts(new).items():
                cat._figures[name] += count
        for block in _title_keys(cat.title_norms[where]):
            members = cat.title_blocks.get(block)
            if members is not None and where in members:
                members.remove(where)
        cat.title_norms[where] = norm
        for block in _title_keys(norm):
            cat.title_blocks.setdefault(block, []).append(where)
        cat.diagnostics = sorted([d for d in cat.diagnostics if d.file != old.path] + diags,
                                 key=lambda d: (d.file, d.line, d.column, d.message))
    cat._scopes.clear()
    return None


def _swap(papers: list[Paper], old: Paper, new: Paper) -> None:
    for i, p in enumerate(papers):
        if p is old:
            papers[i] = new
            return


def _title_keys(norm: str) -> tuple[str, str]:
    """The two near-title blocks of a normalised title (see :func:`_near_duplicates`)."""
    numbers = " ".join(title_numbers(norm))
    return f"p:{numbers}:{norm[:12]}", f"s:{numbers}:{norm[-12:]}"


def patch_survey(cat: Catalog, survey: Survey, diags: list[Diagnostic]) -> str | None:
    """Put an edited survey in the place of its earlier version: its prose,
    citations and reading list change, its place does not (same title, order,
    scope).  None when done, otherwise why not (``cat`` unchanged)."""
    old = cat.surveys.get(survey.id)
    if old is None or old.path != survey.path:
        return f"{survey.path}: a new survey"
    for name in ("title", "order", "topics", "include", "exclude"):
        if getattr(old, name) != getattr(survey, name):
            return f"{survey.path}: {name} changed"
    found = list(diags)
    _survey_scope(cat, survey, found, defaultdict(list))
    if survey.paper_ids != old.paper_ids:
        return f"{survey.path}: its papers changed"
    _survey_citations(cat, survey, found)
    cat.surveys[survey.id] = survey
    cat._scopes.clear()
    cat.diagnostics = sorted([d for d in cat.diagnostics if d.file != survey.path] + found,
                             key=lambda d: (d.file, d.line, d.column, d.message))
    return None


def _index(cat: Catalog, diags: list[Diagnostic]) -> None:

    tax = cat.taxonomy
    folded_keys: dict[str, Paper] = {}
    for paper in cat.papers:
        rel = paper.path or f"content/papers/{paper.id}.yml"
        if paper.id in cat.by_id:
            diags.append(Diagnostic(rel, paper.line_of("id"), f"duplicate id '{paper.id}' (also "
                                    f"in {cat.by_id[paper.id].path})", "ids must be unique"))
            continue
        cat.by_id[paper.id] = paper
        if paper.key in cat.by_key:
            other = cat.by_key[paper.key]
            diags.append(Diagnostic(rel, paper.line_of("key"), f"duplicate citation key "
                                    f"'{paper.key}' (also used by {other.path})",
                                    "give the newer record a different key (e.g. add a letter); "
                                    "never change the key of a published record"))
        elif paper.key.casefold() in folded_keys:
            other = folded_keys[paper.key.casefold()]
            diags.append(Diagnostic(rel, paper.line_of("key"), f"citation key '{paper.key}' "
                                    f"differs only in case from '{other.key}' ({other.path})",
                                    "BibTeX keys are case-insensitive: give one of the two "
                                    "records another key"))
        else:
            cat.by_key[paper.key] = paper
            folded_keys[paper.key.casefold()] = paper
        if not paper.topics:
            diags.append(Diagnostic(rel, paper.line_of("topics"), "record has no topics",
                                    "add at least one topic id from content/taxonomy.yml"))
        for tid in paper.topics:
            if tax.topics and tid not in tax:
                close = sorted(tax.topics, key=lambda t: edit_distance(t, tid))[:1]
                diags.append(Diagnostic(rel, paper.line_of("topics"), f"unknown topic '{tid}'",
                                        f"did you mean '{close[0]}'? topics are the ids in "
                                        "content/taxonomy.yml" if close else ""))
    _near_duplicates(cat, diags)
    live = set(tax.topics)
    direct: dict[str, list[Paper]] = defaultdict(list)
    deep: dict[str, list[Paper]] = defaultdict(list)
    # One sort: the lists filled in this order are newest first too.
    cat.newest = newest_first(cat.papers)
    ancestors = {t: [t, *tax.ancestors(t)] for t in live}
    for paper in cat.newest:
        seen: set[str] = set()
        for tid in paper.topics:
            if tid not in live:
                continue
            direct[tid].append(paper)
            for t in ancestors[tid]:
                if t not in seen:
                    seen.add(t)
                    deep[t].append(paper)
    cat.topic_direct = {t: direct.get(t, []) for t in tax.topics}
    cat.topic_papers = {t: deep.get(t, []) for t in tax.topics}
    _resolve_surveys(cat, diags)


#: Close pairs of each block of titles, kept from the last catalog load.
_BLOCK_PAIRS = Carry()
#: Largest block of titles compared pair by pair; a larger one is split again by the
#: next 12 characters (at most BLOCK_DEPTH windows in from the title's end).
BLOCK_MAX = 1000
BLOCK_DEPTH = 8


def _near_duplicates(cat: Catalog, diags: list[Diagnostic]) -> None:
    """Titles equal or within two edits once normalised (exact only for short titles),
    unless identifiers tell the two papers apart (see :mod:`survey_core.model.identity`):
    the same title is an error, a near-identical one a warning to look at.

    Titles whose numbers differ are different papers, so candidates are blocked
    by the title's numbers together with its first, and with its last, 12
    characters (two titles two edits apart share at least one of the two,
    unless both edits fall at each end): a catalog of titles that differ only
    by a number gives blocks of one title each.  A block larger than
    :data:`BLOCK_MAX` (titles sharing their first or last 12 characters and
    their numbers, say "A Comprehensive Survey of <X> Methods for Large
    Language Models") is split again by the next 12 characters, inwards, so the
    work stays near-linear whatever the titles; a pair is then missed only when
    its edits fall in both windows the two splits read.  Each block is compared
    in one call to rapidfuzz's C++ Levenshtein matrix.
    """
    import numpy as np
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    norms = [normalise_title(p.title) for p in cat.papers]
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, norm in enumerate(norms):
        numbers = " ".join(title_numbers(norm))
        blocks[f"p:{numbers}:{norm[:12]}"].append(i)
        blocks[f"s:{numbers}:{norm[-12:]}"].append(i)

    def close_pairs(texts: tuple[str, ...]) -> list[tuple[int, int]]:
        local = []
        for start in range(0, len(texts), 2000):
            dist = cdist(texts[start:start + 2000], texts, scorer=Levenshtein.distance,
                         score_cutoff=2, dtype=np.int32, workers=1)
            local.extend((start + int(r), int(c))
                         for r, c in zip(*np.nonzero(dist <= 2), strict=True))
        return local

    def window(norm: str, side: str, depth: int) -> str:
        if side == "p":
            return norm[12 * depth:12 * (depth + 1)]
        return norm[max(0, len(norm) - 12 * (depth + 1)):max(0, len(norm) - 12 * depth)]

    def leaves(members: list[int], side: str, depth: int) -> Iterator[list[int]]:
        if len(members) <= BLOCK_MAX or depth >= BLOCK_DEPTH:
            yield members
            return
        split: dict[str, list[int]] = defaultdict(list)
        for i in members:
            split[window(norms[i], side, depth)].append(i)
        for part in split.values():
            if len(part) > 1:
                yield from leaves(part, side, depth + 1)

    pairs: set[tuple[int, int]] = set()
    _BLOCK_PAIRS.start()
    cat.title_norms, cat.title_blocks = norms, blocks
    for name, block in blocks.items():
        if len(block) < 2:
            continue
        for members in leaves(block, name[0], 1):
            texts = tuple(norms[i] for i in members)
            # A block's close pairs (positions in the block) depend on its titles only,
            # so a rebuild after an edit compares just the edited titles' two blocks.
            for r, c in _BLOCK_PAIRS.get(texts, lambda texts=texts: close_pairs(texts)):
                a, b = members[r], members[c]
                if a < b:
                    pairs.add((a, b))
    for a, b in sorted(pairs):
        na, nb = norms[a], norms[b]
        limit = 0 if min(len(na), len(nb)) < 20 else 2
        if Levenshtein.distance(na, nb) > limit or cat.papers[a].id == cat.papers[b].id:
            continue
        if proven_different(cat.papers[a], cat.papers[b]):
            continue  # different arXiv ids or DOIs: different papers
        first, second = sorted((cat.papers[a], cat.papers[b]), key=lambda p: p.id)
        if na == nb:
            diags.append(Diagnostic(second.path or "", second.line_of("title"),
                                    f"the same title as {first.path} ('{first.title}')",
                                    "if this is the same paper, merge the two records into "
                                    "one; if not, give each its arXiv id or DOI"))
        else:
            diags.append(Diagnostic(second.path or "", second.line_of("title"),
                                    f"a near-identical title as {first.path} ('{first.title}')",
                                    "if this is the same paper, merge the two records into "
                                    "one; if not, give each its arXiv id or DOI (this "
                                    "warning then goes away)", WARNING))


def _resolve_surveys(cat: Catalog, diags: list[Diagnostic]) -> None:
    paper_surveys: dict[str, list[str]] = defaultdict(list)
    topic_surveys: dict[str, list[str]] = defaultdict(list)
    for survey in sorted(cat.surveys.values(), key=lambda s: (s.order, s.id)):
        _survey_scope(cat, survey, diags, topic_surveys)
        _survey_citations(cat, survey, diags)
        for pid in survey.paper_ids:
            paper_surveys[pid].append(survey.id)
    cat.paper_surveys = dict(paper_surveys)
    cat.topic_surveys = dict(topic_surveys)


def _survey_scope(cat: Catalog, survey: Survey, diags: list[Diagnostic],
                  topic_surveys: dict[str, list[str]]) -> None:
    """The survey's papers (``paper_ids``, newest first) and the topics its scope names."""
    tax = cat.taxonomy
    scope: set[str] = set()
    for tid in survey.topics:
        if tid not in tax:
            if not tax.topics:  # the taxonomy itself failed to load (reported there)
                continue
            diags.append(Diagnostic(survey.path, survey.lines.get("topics", 2),
                                    f"unknown topic '{tid}' in the survey's scope",
                                    "topics are the ids in content/taxonomy.yml"))
            continue
        for t in tax.descendants(tid):
            scope.add(t)
            if survey.id not in topic_surveys[t]:
                topic_surveys[t].append(survey.id)
    ids = {p.id for t in scope for p in cat.topic_direct.get(t, [])}
    for field_name in ("include", "exclude"):
        for pid in getattr(survey, field_name):
            if pid not in cat.by_id:
                diags.append(Diagnostic(survey.path, survey.lines.get(field_name, 2),
                                        f"{field_name} names unknown paper id '{pid}'",
                                        "use the id of a record in content/papers/ "
                                        "(its file name without .yml)"))
    ids |= {pid for pid in survey.include if pid in cat.by_id}
    ids -= set(survey.exclude)
    survey.paper_ids = [p.id for p in newest_first([cat.by_id[i] for i in ids])]


def _survey_citations(cat: Catalog, survey: Survey, diags: list[Diagnostic]) -> None:
    """The survey's markers and citations checked, its cited keys in order of first
    citation, and its reading list."""
    tax = cat.taxonomy
    index = LineIndex(survey.body, survey.body_line)
    for m in MARKER_RE.finditer(survey.body):
        if m.group("name") == "papers" and tax.topics and m.group("arg") not in tax:
            line, _column = index.where(m.start())
            what = f"unknown topic '{m.group('arg')}'" if m.group("arg") else "no topic"
            diags.append(Diagnostic(survey.path, line, f"marker survey:papers names {what}",
                                    "write <!-- survey:papers TOPIC-ID --> with an id from "
                                    "content/taxonomy.yml"))
    cited: dict[str, None] = {}  # keys in order of first citation
    for cit in survey.citations:
        for key in cit.keys:
            if key not in cat.by_key:
                diags.append(Diagnostic(survey.path, cit.line, f"citation [@{key}] names no "
                                        "paper in the catalog", "use the key: field of a "
                                        "record (see the paper's page); keys are case-"
                                        "sensitive", column=cit.column))
            else:
                cited.setdefault(key)
    survey.cited_keys = list(cited)
    _reading_list(cat, survey, diags)


def _reading_list(cat: Catalog, survey: Survey, diags: list[Diagnostic]) -> None:
    """Papers in the survey's scope added after its ``revised`` day that it does not cite:
    what its curators should read next (reported as information)."""
    if not survey.revised:
        survey.unread_ids = []
        return
    cited = set(survey.cited_keys)
    unread = [cat.by_id[pid] for pid in survey.paper_ids
              if cat.by_id[pid].added > survey.revised and cat.by_id[pid].key not in cited]
    survey.unread_ids = [p.id for p in unread]
    if unread:
        diags.append(Diagnostic(
            survey.path, survey.lines.get("revised", 2),
            f"{len(unread)} paper(s) in scope added since the text was revised "
            f"({survey.revised}) are not cited yet: "
            + ", ".join(p.key for p in unread[:8]) + (" ..." if len(unread) > 8 else ""),
            "read them; cite them or exclude them, then update revised:", INFO))


def _low_confidence(root: Path, cat: Catalog, diags: list[Diagnostic]) -> list[LowConfidenceFact]:
    path = root / FACTS_FILE
    if not path.exists():
        return []
    by_title = {normalise_title(p.title): p for p in cat.papers}
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(row, dict) or row.get("confidence") != "low":
            continue
        paper = by_title.get(normalise_title(str(row.get("title", ""))))
        fact = LowConfidenceFact(str(row.get("title")), n, str(row.get("note") or ""),
                                 row.get("arxiv_id"), paper.id if paper else None)
        out.append(fact)
        diags.append(Diagnostic(FACTS_FILE, n, f"low-confidence facts not merged for "
                                f"'{fact.title[:60]}'" + (f" (arXiv {fact.arxiv_id})"
                                                           if fact.arxiv_id else ""),
                                "verify by hand and copy what is right into the record", WARNING))
    return out
