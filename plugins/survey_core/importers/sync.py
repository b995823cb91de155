"""``survey sync``: propose new papers in the survey's scope as ordinary records.

Candidates come from :mod:`survey_core.importers.sync_fetch`.  Each is sorted into one of:

* **in the catalog** (same arXiv id or normalised title): the record gains the
  sighting and its empty fields, exactly as ``survey ingest`` merges a listing;
* **in the ledger** (``content/sync-ledger.yml``) but without a record, or marked
  rejected: a curator deleted or rejected it, so it is skipped for good;
* **in scope**: the taxonomy's match rules file it under a topic of the configured
  scope, so a record is created (through :func:`survey_core.importers.ingest.ingest`) and the
  ledger notes its suggested topics and the rules that matched;
* **borderline**: below the threshold, but with some evidence (see :func:`classify`):
  no record, a ledger entry ``status: borderline`` holding what ``survey accept`` needs
  to make the record, so the curator sees it once and decides (``taken`` or
  ``rejected``);
* **out of scope**: counted and skipped.

The ledger lists every arXiv id a sync proposed or listed, sorted, so that reruns and
rebases keep it stable; ``survey proposals`` turns it into a pull-request body.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from survey_core.importers.ingest import Incoming, IngestResult, ingest, load_records
from survey_core.importers.neighbours import CuratedIndex, Neighbour, neighbour_topics
from survey_core.importers.sync_config import SyncConfig
from survey_core.importers.sync_fetch import Candidate
from survey_core.model.diagnostics import ContentError, Diagnostic
from survey_core.model.model import Paper, Source
from survey_core.model.records import parse_yaml
from survey_core.model.taxonomy import Taxonomy
from survey_core.model.text import normalise_title

LEDGER = "content/sync-ledger.yml"
LEDGER_HEADER = (
    "# Every arXiv id `survey sync` proposed or listed as borderline, sorted by id; written by\n"
    "# `survey sync`, `survey accept` and `survey reject`. A paper listed here is never\n"
    "# proposed or listed again: `borderline` awaits a decision (`survey accept` makes it\n"
    "# `taken`), `rejected` stays out. Ingest from other sources is not affected.\n"
)
STATUSES = ("proposed", "borderline", "taken", "rejected")
#: Candidate fields a borderline entry keeps, so that ``survey accept`` works offline.
FACTS = ("source", "day", "abstract", "authors", "published", "upvotes", "organisation",
         "code", "project", "primary_class", "category")
#: How a nearest curated paper is written among a borderline paper's rules.
NEAREST = "nearest "
#: Matching rules shown per paper in the pull-request body (the ledger keeps all).
RULES_SHOWN = 4
#: Sighting files of sync sources: ``daily-papers/<day>``, ``arxiv-listing/<cat>/<day>``.
SIGHTING_PREFIXES = ("daily-papers/", "arxiv-listing/")
_YEAR_MONTH_RE = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")


# -- scope ---------------------------------------------------------------------


def matching_rules(taxonomy: Taxonomy, topic_id: str, title: str, abstract: str) -> list[str]:
    """The topic's patterns that hit the paper, as ``topic: title /pattern/``."""
    topic = taxonomy[topic_id]
    hits = [f"{topic_id}: title /{rx.pattern}/" for rx in topic.title_rules if rx.search(title)]
    hits += [f"{topic_id}: abstract /{rx.pattern}/" for rx in topic.abstract_rules
             if rx.search(abstract)]
    return hits


@dataclass
class Decision:
    """What a sync does with a paper: ``added`` (a record), ``borderline`` (listed for
    the curator) or ``out``; the topics suggested (for a borderline paper: its best
    in-scope topics), the rules that fired and the best in-scope score."""

    kind: str
    topics: list[str]
    rules: list[str]
    score: int = 0


def classify(taxonomy: Taxonomy, config: SyncConfig, scope: set[str], title: str,
             abstract: str, categories: list[str] | tuple[str, ...] = (),
             near: Sequence[Neighbour] = ()) -> Decision:
    """The sync's decision.  A paper is *added* when the rules file it in scope
    (:func:`in_scope`).  It is *borderline* when it stays below the threshold but either
    scores at least ``config.borderline`` on an in-scope topic **and** a title rule of that
    topic fired or it names the survey's field (``config.field_terms`` in its title or
    abstract, or an arXiv category among ``config.field_categories``), or it is close to
    papers of the catalog filed in scope (``near``: its nearest curated papers at or above
    ``config.min_similarity``, see :mod:`survey_core.importers.neighbours`), which are then
    named as evidence.  Else it is *out*.  Measured in ``bench/scope.py``."""
    topics, rules = in_scope(taxonomy, config, scope, title, abstract)
    scores = {tid: taxonomy[tid].score(title, abstract) for tid in scope
              if tid in taxonomy and tid != taxonomy.fallback}
    best = max(scores.values(), default=0)
    if topics:
        return Decision("added", topics, rules, best)
    evidence = [nb.evidence() for nb in near]
    if config.borderline is not None and best >= config.borderline:
        top = sorted((tid for tid, n in scores.items() if n == best and n > 0),
                     key=lambda t: (-len(taxonomy.ancestors(t)), t))[:2]
        rules = [r for tid in top for r in matching_rules(taxonomy, tid, title, abstract)]
        field_signs = config.names_field(title, abstract, list(categories))
        if field_signs or any(": title /" in r for r in rules):
            return Decision("borderline", top or neighbour_topics(near), rules + field_signs
                            + evidence, best)
    if near:
        top = neighbour_topics(near)
        rules = [r for tid in top for r in matching_rules(taxonomy, tid, title, abstract)]
        return Decision("borderline", top, rules + config.names_field(
            title, abstract, list(categories)) + evidence, best)
    return Decision("out", [], [], best)


def in_scope(taxonomy: Taxonomy, config: SyncConfig, scope: set[str], title: str,
             abstract: str) -> tuple[list[str], list[str]]:
    """(suggested topics, matching rules) when the rules file the paper in scope, else
    ([], [])."""
    suggested = taxonomy.suggest(title, abstract)
    chosen = []
    for tid in suggested:
        if tid not in scope or tid == taxonomy.fallback:
            continue
        score = taxonomy[tid].score(title, abstract)
        if config.threshold is not None and score < config.threshold:
            continue
        chosen.append(tid)
    if not chosen:
        return [], []
    rules = [r for tid in chosen for r in matching_rules(taxonomy, tid, title, abstract)]
    return suggested, rules


# -- candidates as ingest items --------------------------------------------------


def source_label(c: Candidate) -> str:
    if c.source == "hf":
        return f"Hugging Face Daily Papers {c.day}"
    return f"arXiv {c.category or 'listing'} new submissions {c.day}"


def sighting(c: Candidate) -> Source:
    if c.source == "hf":
        return Source(f"daily-papers/{c.day}", entry=c.arxiv_id)
    return Source(f"arxiv-listing/{c.category or 'all'}/{c.day}", entry=c.arxiv_id)


def candidate_item(c: Candidate) -> Incoming:
    """The candidate as what a source says about a paper (listing priority)."""
    links = {"arxiv": f"https://arxiv.org/abs/{c.arxiv_id}",
             "pdf": f"https://arxiv.org/pdf/{c.arxiv_id}"}
    if c.code:
        links["code"] = c.code
    if c.project:
        links["project"] = c.project
    fields: dict[str, Any] = {"title": c.title, "abstract": c.abstract, "arxiv_id": c.arxiv_id,
                              "links": links, "date": c.day, "date_precision": "day"}
    if c.authors:
        fields.update(authors=list(c.authors), authors_complete=True,
                      author_count=len(c.authors))
    m = _YEAR_MONTH_RE.match(c.arxiv_id)
    if m and 1 <= int(m.group(2)) <= 12:
        fields.update(year=2000 + int(m.group(1)), month=int(m.group(2)))
    for key in ("upvotes", "organisation", "primary_class"):
        if getattr(c, key) is not None:
            fields[key] = getattr(c, key)
    return Incoming(sighting(c), source_label(c), fields, 2,
                    dropped=[(str(d[0]), d[1], str(d[2])) for d in c.dropped])


# -- the ledger ------------------------------------------------------------------


@dataclass
class LedgerEntry:
    arxiv_id: str
    title: str = ""
    status: str = "proposed"
    source: str = ""
    proposed: str = ""  # the day the sync ran
    record: str = ""
    topics: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    upvotes: int | None = None
    score: int | None = None  # a borderline paper's best in-scope score
    categories: list[str] = field(default_factory=list)
    decided: str = ""  # the day a curator took or rejected a borderline paper
    facts: dict[str, Any] = field(default_factory=dict)  # see FACTS; until decided

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"arxiv_id": self.arxiv_id, "title": self.title,
                               "status": self.status}
        for key in ("source", "proposed", "decided", "record"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        for key in ("topics", "rules", "categories"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        for key in ("upvotes", "score"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.facts:
            out["facts"] = {k: self.facts[k] for k in FACTS if self.facts.get(k) not in
                            (None, "", [])}
        return out


def load_ledger(root: Path, path: Path | None = None
                ) -> tuple[dict[str, LedgerEntry], list[Diagnostic]]:
    """The ledger of a project (or the ledger file ``path``), with its problems."""
    shown = path.as_posix() if path is not None else LEDGER
    path = path if path is not None else root / LEDGER
    if not path.exists():
        return {}, []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return {}, [Diagnostic(shown, 1, "file is not UTF-8", "save the file as UTF-8")]
    data, _lines, diags = parse_yaml(text, shown)
    if diags or data is None:  # an empty file is an empty ledger
        return {}, diags
    rows = (data or {}).get("papers") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        return {}, [Diagnostic(shown, 1, "the ledger must be a mapping with a 'papers:' list",
                               "restore it from git; `survey sync` writes it")]
    item_lines = _list_item_lines(text)
    entries: dict[str, LedgerEntry] = {}
    for n, row in enumerate(rows):
        line = item_lines[n] if n < len(item_lines) else 1
        if not isinstance(row, dict) or not isinstance(row.get("arxiv_id"), str):
            diags.append(Diagnostic(shown, line, "a ledger entry needs an 'arxiv_id' (text)",
                                    "write arxiv_id: '2401.01234'"))
            continue
        if row.get("status", "proposed") not in STATUSES:
            diags.append(Diagnostic(shown, line, f"unknown status {row.get('status')!r}",
                                    "status is " + ", ".join(STATUSES[:-1]) + " or "
                                    + STATUSES[-1]))
            continue
        problem = _entry_problem(row)
        if problem:
            diags.append(Diagnostic(shown, line, f"malformed ledger entry ({problem})",
                                    "restore it from git; `survey sync` writes it"))
            continue
        try:
            entry = LedgerEntry(**{k: v for k, v in row.items()})
        except TypeError as exc:
            diags.append(Diagnostic(shown, line, f"malformed ledger entry ({exc})",
                                    "fields: " + ", ".join(LedgerEntry.__dataclass_fields__)))
            continue
        entries[entry.arxiv_id] = entry
    return entries, diags


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _entry_problem(row: dict[str, Any]) -> str:
    """What is wrong with the fields a borderline entry adds, or ''."""
    for key in ("title", "source", "proposed", "decided", "record"):
        if key in row and not isinstance(row[key], str):
            return f"{key} must be text"
    for key in ("topics", "rules", "categories"):
        if key in row and not _texts(row[key]):
            return f"{key} must be a list of texts"
    for key in ("score", "upvotes"):
        if row.get(key) is not None and (isinstance(row[key], bool)
                                         or not isinstance(row[key], int)):
            return f"{key} must be a whole number"
    facts = row.get("facts", {})
    if not isinstance(facts, dict) or set(facts) - set(FACTS):
        return "facts must be a mapping of " + ", ".join(FACTS)
    for key, value in facts.items():
        if value is None:
            continue
        if key == "authors" and not _texts(value):
            return "facts.authors must be a list of names"
        if key == "upvotes" and (isinstance(value, bool) or not isinstance(value, int)):
            return "facts.upvotes must be a whole number"
        if key not in ("authors", "upvotes") and not isinstance(value, str):
            return f"facts.{key} must be text"
    return ""


def _list_item_lines(text: str) -> list[int]:
    from survey_core.model.records import _Loader

    node = yaml.compose(text, Loader=_Loader)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "papers" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def dump_ledger(entries: dict[str, LedgerEntry]) -> str:
    rows = [entries[k].as_dict() for k in sorted(entries)]
    body = yaml.safe_dump({"papers": rows}, sort_keys=False, allow_unicode=True, width=4096,
                          default_flow_style=False)
    return LEDGER_HEADER + body


def write_ledger(root: Path, entries: dict[str, LedgerEntry]) -> bool:
    """Write the ledger when it changed (atomically); True when written."""
    path = root / LEDGER
    if not entries and not path.exists():
        return False
    text = dump_ledger(entries)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True


def from_sync(paper: Paper) -> bool:
    """True when every sighting of the record is a sync source (it was proposed)."""
    return bool(paper.sources) and all(s.file.startswith(SIGHTING_PREFIXES)
                                       for s in paper.sources)


# -- a run -----------------------------------------------------------------------


@dataclass
class Proposal:
    candidate: Candidate
    topics: list[str]
    rules: list[str]
    score: int = 0


@dataclass
class SyncResult:
    fetched: int = 0
    sightings: int = 0
    proposals: list[Proposal] = field(default_factory=list)
    borderline: list[Proposal] = field(default_factory=list)
    out_of_scope: int = 0
    rejected: int = 0  # in the ledger already (proposed, listed or rejected before)
    ingest: IngestResult | None = None
    ledger_written: bool = False


def categories_of(c: Candidate) -> list[str]:
    return list(dict.fromkeys(x for x in (c.primary_class, c.category) if x))


def nearest_curated(candidates: list[Candidate], papers: list[Paper],
                    ledger: dict[str, LedgerEntry], config: SyncConfig, scope: set[str],
                    by_arxiv: set[str], by_title: set[str]) -> dict[str, list[Neighbour]]:
    """arXiv id -> the nearest curated papers of each candidate the sync will classify
    (not in the catalog nor in the ledger), all scored at once against the catalog
    already loaded; {} when ``config.min_similarity`` is None."""
    if config.min_similarity is None:
        return {}
    todo: dict[str, Candidate] = {}
    for c in sorted(candidates, key=lambda c: (c.day, c.source, c.arxiv_id)):  # as plan()
        if c.arxiv_id not in by_arxiv and c.arxiv_id not in ledger \
                and normalise_title(c.title) not in by_title:
            todo.setdefault(c.arxiv_id, c)
    if not todo:
        return {}
    index = CuratedIndex(papers, scope)
    found = index.nearest([(c.title, c.abstract) for c in todo.values()],
                          config.min_similarity, config.neighbours_count)
    return dict(zip(todo, found, strict=True))


def plan(candidates: list[Candidate], papers: list[Paper], ledger: dict[str, LedgerEntry],
         taxonomy: Taxonomy, config: SyncConfig,
         complete: Callable[[Candidate], None] | None = None
         ) -> tuple[list[Incoming], SyncResult]:
    """Sort candidates into sightings, proposals, borderline papers and skips (nothing
    is written); ``complete`` may add facts (links) to a candidate about to be proposed."""
    result = SyncResult(fetched=len(candidates))
    by_arxiv = {p.arxiv_id for p in papers if p.arxiv_id}
    by_title = {normalise_title(p.title) for p in papers}
    scope = config.scope_topics(taxonomy)
    items: list[Incoming] = []
    decided: dict[str, bool] = {}  # arXiv id -> becomes (or is) a record
    near = nearest_curated(candidates, papers, ledger, config, scope, by_arxiv, by_title)
    for c in sorted(candidates, key=lambda c: (c.day, c.source, c.arxiv_id)):
        if c.arxiv_id not in decided:
            known = c.arxiv_id in by_arxiv or normalise_title(c.title) in by_title
            entry = ledger.get(c.arxiv_id)
            if known:
                decided[c.arxiv_id] = True
            elif entry is not None:
                decided[c.arxiv_id] = False
                result.rejected += 1
            else:
                decision = classify(taxonomy, config, scope, c.title, c.abstract,
                                    categories_of(c), near.get(c.arxiv_id, ()))
                decided[c.arxiv_id] = decision.kind == "added"
                if decision.kind == "out":
                    result.out_of_scope += 1
                else:
                    if complete is not None and decision.kind == "added":
                        complete(c)
                    prop = Proposal(c, decision.topics, decision.rules, decision.score)
                    (result.proposals if decision.kind == "added"
                     else result.borderline).append(prop)
            if decided[c.arxiv_id] and known:
                result.sightings += 1
        if decided[c.arxiv_id]:
            items.append(candidate_item(c))
    return items, result


def borderline_entry(prop: Proposal, today: str) -> LedgerEntry:
    c = prop.candidate
    facts = {k: getattr(c, k) for k in FACTS}
    facts["authors"] = list(c.authors)
    return LedgerEntry(arxiv_id=c.arxiv_id, title=c.title, status="borderline",
                       source=source_label(c), proposed=today, topics=prop.topics,
                       rules=prop.rules, upvotes=c.upvotes, score=prop.score,
                       categories=categories_of(c), facts=facts)


def backfill_ledger(ledger: dict[str, LedgerEntry], papers: list[Paper], taxonomy: Taxonomy
                    ) -> None:
    """Ledger entries for records a sync created but whose run stopped before the ledger
    was written (the records are written first)."""
    for paper in papers:
        if paper.arxiv_id and paper.arxiv_id not in ledger and from_sync(paper):
            rules = [r for tid in paper.topics if tid in taxonomy
                     for r in matching_rules(taxonomy, tid, paper.title, paper.abstract or "")]
            ledger[paper.arxiv_id] = LedgerEntry(
                arxiv_id=paper.arxiv_id, title=paper.title,
                source=str(paper.provenance.get("title", "")), proposed=paper.added,
                record=paper.id, topics=list(paper.topics), rules=rules,
                upvotes=paper.upvotes)


def run_sync(root: Path, candidates: list[Candidate], taxonomy: Taxonomy, config: SyncConfig,
             *, today: str | None = None, dry_run: bool = False, progress: Any = None,
             complete: Callable[[Candidate], None] | None = None, strict: bool = False
             ) -> SyncResult:
    """Merge sightings and create proposals through ingest, then note them in the ledger.
    A ledger that cannot be read raises :class:`ContentError`, and ``complete`` (see
    :func:`plan`) may raise :class:`~survey_core.importers.sync_fetch.SyncError`, before anything is
    written."""
    today = today or _dt.date.today().isoformat()
    papers, _problems = load_records(root / "content" / "papers", root)
    ledger, problems = load_ledger(root)
    if any(d.is_error for d in problems):  # never re-propose what a broken ledger hides
        raise ContentError([d for d in problems if d.is_error])
    items, result = plan(candidates, papers, ledger, taxonomy, config, complete)
    result.ingest = ingest([], root, taxonomy, today=today, dry_run=dry_run, progress=progress,
                           extra=items, strict=strict)
    if dry_run or not result.ingest.ok:
        return result
    papers, _problems = load_records(root / "content" / "papers", root)
    record_of = {p.arxiv_id: p.id for p in papers if p.arxiv_id}
    for prop in result.proposals:
        c = prop.candidate
        ledger[c.arxiv_id] = LedgerEntry(
            arxiv_id=c.arxiv_id, title=c.title, source=source_label(c), proposed=today,
            record=record_of.get(c.arxiv_id, ""), topics=prop.topics, rules=prop.rules,
            upvotes=c.upvotes)
    for prop in result.borderline:
        ledger[prop.candidate.arxiv_id] = borderline_entry(prop, today)
    backfill_ledger(ledger, papers, taxonomy)
    result.ledger_written = write_ledger(root, ledger)
    return result


# -- reject and the pull-request body ----------------------------------------------


def reject(root: Path, wanted: str, today: str | None = None) -> tuple[str, str | None]:
    """Mark a paper (arXiv id or record id) rejected; delete its record when only sync
    sources saw it.  Returns (arXiv id, deleted record path or None); ``ValueError`` when
    the paper is unknown."""
    from survey_core.importers.arxiv import split_id

    papers, _problems = load_records(root / "content" / "papers", root)
    ledger, problems = load_ledger(root)
    if any(d.is_error for d in problems):
        raise ValueError(problems[0].format().splitlines()[0])
    paper = next((p for p in papers if wanted in (p.id, p.arxiv_id)), None)
    arxiv_id = paper.arxiv_id if paper else None
    if arxiv_id is None:
        try:
            arxiv_id = split_id(wanted)[0]
        except ValueError:
            raise ValueError(f"'{wanted}' is neither a record id with an arXiv id nor an "
                             "arXiv id") from None
    entry = ledger.get(arxiv_id) or LedgerEntry(arxiv_id=arxiv_id,
                                                title=paper.title if paper else "",
                                                proposed=today or _dt.date.today().isoformat())
    if entry.status == "borderline":
        entry.facts = {}
        entry.decided = today or _dt.date.today().isoformat()
    entry.status = "rejected"
    ledger[arxiv_id] = entry
    deleted = None
    if paper is not None and from_sync(paper):
        path = root / "content" / "papers" / f"{paper.id}.yml"
        write_ledger(root, ledger)
        path.unlink()
        deleted = path.relative_to(root).as_posix()
    else:
        write_ledger(root, ledger)
    return arxiv_id, deleted


def _cell(text: str) -> str:
    text = " ".join(str(text).split())
    for ch in "\\|[]<>*_`":
        text = text.replace(ch, "\\" + ch)
    return text


def _rule_cell(rule: str) -> str:
    """``topic: title /pattern/`` as ``topic: title `pattern` `` for a table cell."""
    head, sep, pattern = rule.partition(" /")
    if not sep:
        return _cell(rule)
    pattern = " ".join(pattern.removesuffix("/").split()).replace("`", "'").replace("|", "\\|")
    return f"{_cell(head)} `{pattern}`"


def proposals_body(root: Path, base: dict[str, LedgerEntry] | None = None) -> str:
    """The pull-request body: one table row per open proposal (a ledger entry with a
    record), leaving out those already in ``base`` (the ledger on the target branch)."""
    ledger, _problems = load_ledger(root)
    papers, _problems = load_records(root / "content" / "papers", root)
    records = {p.arxiv_id: p for p in papers if p.arxiv_id}
    rows = []
    for arxiv_id in sorted(ledger, key=lambda a: (ledger[a].proposed, a)):
        entry = ledger[arxiv_id]
        paper = records.get(arxiv_id)
        if entry.status not in ("proposed", "taken") or paper is None or (
                base and arxiv_id in base):
            continue
        title = f"[{_cell(paper.title)}](https://arxiv.org/abs/{arxiv_id})"
        topics = ", ".join(f"`{t}`" for t in paper.topics)
        rules = "<br>".join(_rule_cell(r) for r in entry.rules[:RULES_SHOWN]) or "n/a"
        if len(entry.rules) > RULES_SHOWN:
            rules += f"<br>(+{len(entry.rules) - RULES_SHOWN} more)"
        upvotes = "" if entry.upvotes is None else str(entry.upvotes)
        rows.append(f"| {title} | {topics} | {rules} | {upvotes} | "
                    f"`content/papers/{paper.id}.yml` |")
    head = [f"## {len(rows)} new paper{'s' if len(rows) != 1 else ''} in the survey's scope",
            "",
            "Found by `survey sync` (Hugging Face Daily Papers and arXiv listings) and filed by "
            "the taxonomy's match rules. Review each record: fix its topics, or reject it by "
            "deleting its file (or `survey reject ARXIV-ID`, which also marks it in "
            f"`{LEDGER}`). A rejected paper is never proposed again.", ""]
    if rows:
        head += ["| paper | suggested topics | matching rules | upvotes | record |",
                 "| --- | --- | --- | --- | --- |"] + rows
    else:
        head.append("No new papers.")
    titles = {p.id: p.title for p in papers}
    return "\n".join(head + borderline_section(ledger, base, titles)) + "\n"


def _nearest_cell(rule: str, titles: dict[str, str]) -> str:
    """``nearest ID (0.42)`` as the record id, its title and the similarity."""
    record, _sep, similarity = rule.removeprefix(NEAREST).partition(" ")
    title = titles.get(record)
    return f"`{_cell(record)}`" + (f" {_cell(title)}" if title else "") + f" {_cell(similarity)}"


def borderline_section(ledger: dict[str, LedgerEntry],
                       base: dict[str, LedgerEntry] | None,
                       titles: dict[str, str] | None = None) -> list[str]:
    """The pull-request body's list of borderline papers not decided yet (and not listed
    on the target branch already): no record, one command to take each.  ``titles``:
    record id -> title, to name the nearest curated papers."""
    rows = []
    for arxiv_id in sorted(ledger, key=lambda a: (-(ledger[a].score or 0), a)):
        entry = ledger[arxiv_id]
        if entry.status != "borderline" or (base and arxiv_id in base):
            continue
        title = f"[{_cell(entry.title)}](https://arxiv.org/abs/{arxiv_id})"
        signs = [r for r in entry.rules if r.startswith(("field /", "category ", NEAREST))]
        fired = [r for r in entry.rules if r not in signs]
        rules = "<br>".join(_rule_cell(r) for r in fired[:RULES_SHOWN]) or "n/a"
        if len(fired) > RULES_SHOWN:
            rules += f"<br>(+{len(fired) - RULES_SHOWN} more)"
        field_cell = "<br>".join(_rule_cell(r) for r in signs if r.startswith("field /")) \
            or "n/a"
        nearest = "<br>".join(_nearest_cell(r, titles or {}) for r in signs
                              if r.startswith(NEAREST)) or "n/a"
        categories = ", ".join(_cell(c) for c in entry.categories) or "n/a"
        topic = f" --topic {entry.topics[0]}" if entry.topics else ""
        rows.append(f"| {title} | {entry.score or 0} | {rules} | {field_cell} | {nearest} | "
                    f"{categories} | `survey accept {arxiv_id}{topic}` |")
    if not rows:
        return []
    return ["", f"## {len(rows)} borderline paper{'s' if len(rows) != 1 else ''}", "",
            "Below the score threshold, but with some evidence for a topic in scope: a rule "
            "of the topic and a sign of the survey's field (a field term or an arXiv "
            "category), or curated papers of the catalog whose title and abstract are close "
            "to it (record, title and similarity; their topics are the suggested ones). They "
            "have no record. Take one with the command shown (change `--topic` as needed) or "
            "leave it: each is listed once, and `survey reject ARXIV-ID` records a no.", "",
            "| paper | score | rules that fired | field terms | nearest curated papers | "
            "arXiv categories | to take it |",
            "| --- | --- | --- | --- | --- | --- | --- |"] + rows


def accept(root: Path, wanted: str, taxonomy: Taxonomy, topics: list[str] | None = None,
           today: str | None = None, progress: Any = None) -> tuple[str, IngestResult]:
    """Take a borderline paper (or one rejected before): make its record from the facts
    the ledger kept, through ingest's write path (lock, staging, one swap), filed under
    ``topics`` or the topics the sync suggested; then mark it ``taken``.  Returns (arXiv
    id, the ingest result); ``ValueError`` when the paper cannot be taken."""
    from survey_core.importers.arxiv import split_id

    today = today or _dt.date.today().isoformat()
    ledger, problems = load_ledger(root)
    if any(d.is_error for d in problems):
        raise ValueError(problems[0].format().splitlines()[0])
    with contextlib.suppress(ValueError):  # arXiv:ID, a version or an abs URL
        wanted = split_id(wanted.strip())[0]
    entry = ledger.get(wanted.strip())
    if entry is None:
        raise ValueError(f"'{wanted}' is not in {LEDGER}; take papers the sync listed as "
                         "borderline (add others with `survey new --arxiv ID`)")
    if entry.status in ("proposed", "taken"):
        raise ValueError(f"{entry.arxiv_id} is already a proposal ({entry.status}); edit its "
                         "record" + (f" content/papers/{entry.record}.yml" if entry.record
                                     else ""))
    chosen = list(dict.fromkeys(topics or entry.topics))
    unknown = [t for t in chosen if t not in taxonomy]
    if unknown:
        raise ValueError(f"unknown topic '{unknown[0]}'; use ids from content/taxonomy.yml")
    if not chosen:
        raise ValueError(f"no topic suggested for {entry.arxiv_id}; give one with --topic")
    if not entry.facts:
        raise ValueError(f"{LEDGER} keeps no facts for {entry.arxiv_id} (decided before); add "
                         f"it with `survey new --arxiv {entry.arxiv_id} --topic ...`")
    facts = {k: v for k, v in entry.facts.items() if k in FACTS}
    facts["authors"] = list(facts.get("authors") or [])
    candidate = Candidate(arxiv_id=entry.arxiv_id, title=entry.title, **facts)
    item = candidate_item(candidate)
    item.fields["topics"] = chosen
    result = ingest([], root, taxonomy, today=today, progress=progress, extra=[item])
    if not result.ok:
        return entry.arxiv_id, result
    papers, _problems = load_records(root / "content" / "papers", root)
    record = next((p for p in papers if p.arxiv_id == entry.arxiv_id), None)
    entry.status, entry.decided, entry.facts = "taken", today, {}
    entry.topics = list(record.topics) if record else chosen
    entry.record = record.id if record else ""
    ledger[entry.arxiv_id] = entry
    write_ledger(root, ledger)
    return entry.arxiv_id, result
