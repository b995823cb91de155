"""How well the sync's decision picks papers in scope, per branch, on papers the rules were
not written for.

A sync sorts each new paper into *added* (the taxonomy's match rules file it under a topic in
scope: a record), *borderline* (below the threshold with some evidence: listed for the
curator, see :func:`survey_core.importers.sync.classify`) or *out*.  What the curator sees is
added + borderline.  This script measures, with the settings of ``content/sync.yml``
(``--scope`` overrides its scope):

* the seed catalog (in sample: the rules were written while filing it), title + abstract and
  title only: per branch, recall of "shown" and of "added" among the papers curated under the
  branch, and precision of "added" (papers the rules file under the branch that a curator
  filed there); overall, a paper is in scope when a curated topic is in scope;
* held out: ``bench/data/scope-heldout.jsonl``, papers from public curated lists of single
  fields (LLM compression, tokenization, speculative decoding, long-context benchmarks) and
  every entry of two days of Hugging Face Daily Papers, none of them in the catalog, each
  labelled by hand with its branch (``other``: outside the survey).  The lists give titles
  only, so the rules see the title alone: a lower bound for a sync, which also sees the
  abstract;
* per fixture day (the two Daily Papers days above, and the recorded day of
  ``tests/fixtures/hf-api/``, which has abstracts): how many papers are added, borderline and
  out, i.e. the length of the day's borderline list.

    python bench/scope.py                                # the scope of content/sync.yml
    python bench/scope.py --scope tokenization compression --misses
    python bench/scope.py --borderline null     # only what the rules add
    python bench/scope.py --neighbours null     # without the nearest curated papers
    python bench/scope.py --sweep 0.1 0.12 0.15 0.2 0.25 0.3   # min_similarity choices
    python bench/scope.py --scale 10000         # time a day of 400 against 10,000 papers
    git show 4ec4967:content/taxonomy.yml > /tmp/taxonomy-before.yml
    python bench/scope.py --taxonomy /tmp/taxonomy-before.yml --borderline null
    git show 7d60bca:content/sync.yml > /tmp/sync-before.yml
    python bench/scope.py --taxonomy /tmp/taxonomy-before.yml --sync /tmp/sync-before.yml
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from survey_core.importers.ingest import load_records  # noqa: E402
from survey_core.importers.neighbours import CuratedIndex  # noqa: E402
from survey_core.importers.sync import classify  # noqa: E402
from survey_core.importers.sync_config import SyncConfig, load_sync_config  # noqa: E402
from survey_core.model.taxonomy import load_taxonomy  # noqa: E402
from survey_core.model.text import normalise_title  # noqa: E402

HELD_OUT = ROOT / "bench" / "data" / "scope-heldout.jsonl"
FIXTURE_DAY = ROOT / "tests" / "fixtures" / "hf-api" / "daily_papers-2025-11-03.json"


def pct(n: int, d: int) -> str:
    return f"{n}/{d} = {n / d:.1%}" if d else "n/a"


def held_out_table(heading: str, rows: list[dict], scope: set[str], taxonomy) -> None:
    per_branch: dict[str, Counter] = {}
    total = Counter()
    filed_under: Counter = Counter()  # branch -> papers the rules file under it
    filed_right: Counter = Counter()  # ... that were labelled with it
    for row in rows:
        if row["decision"].kind == "added":
            for b in {taxonomy.root_of(t) for t in row["decision"].topics}:
                filed_under[b] += 1
                filed_right[b] += int(row["branch"] == b)
        d, label = row["decision"], row["branch"] in scope
        c = per_branch.setdefault(row["branch"] if label else "(out of scope)", Counter())
        for counter in (c, total):
            counter.update(pos=int(label), shown=int(label and d.kind != "out"),
                           added=int(label and d.kind == "added"),
                           picked=int(d.kind == "added"), right=int(label and d.kind == "added"),
                           neg=int(not label), borderline=int(d.kind == "borderline"),
                           neg_shown=int(not label and d.kind != "out"))
    print(f"\n{heading}")
    print("| branch | papers | recall shown | recall added | precision added |")
    print("| --- | ---: | --- | --- | --- |")
    for b, c in sorted(per_branch.items()):
        if b != "(out of scope)":
            print(f"| {b} | {c['pos']} | {pct(c['shown'], c['pos'])} | "
                  f"{pct(c['added'], c['pos'])} | {pct(filed_right[b], filed_under[b])} |")
    print(f"| **all in scope** | {total['pos']} | {pct(total['shown'], total['pos'])} | "
          f"{pct(total['added'], total['pos'])} | {pct(total['right'], total['picked'])} |")
    print(f"out of scope: {total['neg']} papers, {total['neg'] - total['neg_shown']} left out, "
          f"{total['neg_shown'] - (total['picked'] - total['right'])} borderline, "
          f"{total['picked'] - total['right']} added; precision of added "
          f"{pct(total['right'], total['picked'])}; borderline {total['borderline']} of "
          f"{len(rows)} papers")


def held_out(papers, decide_all) -> tuple[list[dict], int]:
    """The held-out rows not in the catalog, each with its decision; how many were."""
    known = {normalise_title(p.title) for p in papers} | {p.arxiv_id for p in papers
                                                           if p.arxiv_id}
    rows, skipped = [], 0
    for raw in HELD_OUT.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        if normalise_title(row["title"]) in known or (row.get("arxiv_id") or "") in known:
            skipped += 1
            continue
        rows.append(row)
    for row, d in zip(rows, decide_all([(r["title"], "") for r in rows]), strict=True):
        row["decision"] = d
    return rows, skipped


def sweep(values: list[float], config: SyncConfig, scope: set[str], papers, decide_all
          ) -> int:
    """One line per min_similarity: held out (title only) shown and added among the papers
    in scope, the out-of-scope ones listed (all, and those of the list never used to revise
    the rules), borderline per Daily Papers day; the catalog leave-one-out (title +
    abstract) shown."""
    fixture = json.loads(FIXTURE_DAY.read_text(encoding="utf-8"))
    print("| min_similarity | held out shown | added | precision of added | outside listed "
          "| outside listed, never-revised list | borderline 2025-12-10 | borderline "
          "2026-01-14 | fixture day (abstracts): borderline | catalog t+a: borderline |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for value in [None, *values]:
        config.min_similarity = value
        rows, _ = held_out(papers, decide_all)
        inside = [r for r in rows if r["branch"] in scope]
        outside = [r for r in rows if r["branch"] not in scope]
        never = [r for r in outside if not r.get("rules_revised_on")]
        shown = sum(r["decision"].kind != "out" for r in inside)
        added = sum(r["decision"].kind == "added" for r in inside)
        picked = sum(r["decision"].kind == "added" for r in rows)
        day = {name: sum(r["decision"].kind == "borderline" for r in rows if r["from"] == name)
               for name in ("Daily Papers 2025-12-10", "Daily Papers 2026-01-14")}
        n_day = {name: sum(r["from"] == name for r in rows) for name in day}
        fx = decide_all([(e["paper"]["title"], e["paper"].get("summary", "")) for e in fixture])
        cat = decide_all([(p.title, p.abstract or "") for p in papers], [p.id for p in papers])
        print(f"| {value if value is not None else 'none'} | {pct(shown, len(inside))} | "
              f"{pct(added, len(inside))} | {pct(added, picked)} | "
              f"{sum(r['decision'].kind != 'out' for r in outside)}/{len(outside)} | "
              f"{sum(r['decision'].kind != 'out' for r in never)}/{len(never)} | "
              + " | ".join(f"{day[k]}/{n_day[k]}" for k in day) + " | "
              f"{sum(d.kind == 'borderline' for d in fx)}/{len(fx)} | "
              f"{sum(d.kind == 'borderline' for d in cat)}/{len(cat)} |")
    return 0


def scale(n: int, config: SyncConfig, scope: set[str]) -> int:
    """Seconds to index ``n`` papers (seed records, then synthetic ones as bench/run.py
    makes them) and to find the nearest curated papers of a day of 400 more."""
    sys.path.insert(0, str(ROOT / "bench"))
    from run import load_seeds, synthetic_papers

    papers = synthetic_papers(load_seeds(), n + 400)
    catalog, day = papers[:n], papers[n:]
    similarity = config.min_similarity or 0.15
    t0 = time.perf_counter()
    index = CuratedIndex(catalog, scope)
    t1 = time.perf_counter()
    found = index.nearest([(p.title, p.abstract or "") for p in day], similarity,
                          config.neighbours_count)
    t2 = time.perf_counter()
    print(f"{len(index)} curated papers of {n} indexed in {t1 - t0:.2f} s; nearest of "
          f"{len(day)} candidates (title + abstract) in {t2 - t1:.2f} s; "
          f"{sum(bool(f) for f in found)} have one at similarity >= {similarity}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scope", nargs="+", help="topic ids (default: content/sync.yml)")
    parser.add_argument("--taxonomy", type=Path, default=ROOT / "content" / "taxonomy.yml",
                        help="measure another taxonomy file (e.g. an older one from git)")
    parser.add_argument("--sync", type=Path, help="measure another content/sync.yml (e.g. an "
                        "older one from git)")
    parser.add_argument("--borderline", help="override the borderline setting: a score, or "
                        "'null' to list none (the sync before borderline papers)")
    parser.add_argument("--neighbours", help="override neighbours.min_similarity: a number, "
                        "or 'null' for no nearest-curated-paper evidence")
    parser.add_argument("--sweep", nargs="+", type=float, metavar="SIMILARITY",
                        help="one summary line per min_similarity (held out and fixture days)")
    parser.add_argument("--scale", type=int, metavar="N",
                        help="time indexing N papers (seed and synthetic) and finding the "
                        "neighbours of 400 more, then stop")
    parser.add_argument("--misses", action="store_true",
                        help="list the held-out papers in scope that are not shown")
    args = parser.parse_args()
    taxonomy, problems = load_taxonomy(args.taxonomy, args.taxonomy.as_posix())
    if args.sync:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "content").mkdir()
            shutil.copyfile(args.sync, Path(tmp) / "content" / "sync.yml")
            config, more = load_sync_config(Path(tmp), taxonomy)
    else:
        config, more = load_sync_config(ROOT, taxonomy)
    if any(d.is_error for d in problems + more):
        print("\n".join(d.format() for d in problems + more))
        return 1
    config = config or SyncConfig()
    if args.scope:
        config.scope = args.scope
    if args.borderline is not None:
        config.borderline = None if args.borderline == "null" else int(args.borderline)
    if args.neighbours is not None:
        config.min_similarity = None if args.neighbours == "null" else float(args.neighbours)
    scope = config.scope_topics(taxonomy)
    if args.scale:
        return scale(args.scale, config, scope)
    branches = [t.id for t in taxonomy.roots if t.id in scope]
    papers, _ = load_records(ROOT / "content" / "papers", ROOT)

    index = CuratedIndex(papers, scope)

    def decide_all(texts: list[tuple[str, str]], skip: list[str | None] | None = None,
                   categories: list[tuple[str, ...]] | None = None):
        """Decisions for many papers at once (their neighbours in one product); ``skip``:
        the paper's own record, left out of its neighbours."""
        near = (index.nearest(texts, config.min_similarity, config.neighbours_count,
                              skip or []) if config.min_similarity is not None
                else [[] for _ in texts])
        return [classify(taxonomy, config, scope, title, abstract,
                         categories[i] if categories else (), near[i])
                for i, (title, abstract) in enumerate(texts)]

    if args.sweep:
        return sweep(args.sweep, config, scope, papers, decide_all)

    named = ", ".join(config.scope) or f"every topic but the fallback and {config.out_of_scope}"
    how = (f"borderline from score {config.borderline}" if config.borderline is not None
           else "no borderline papers by score")
    how += (f", nearest curated papers from similarity {config.min_similarity}"
            if config.min_similarity is not None else ", no nearest curated papers")
    print(f"scope: {named} ({len(scope)} topics); threshold {config.threshold or 'per topic'}, "
          f"{how}")
    for what, with_abstract in (("title + abstract", True), ("title only", False)):
        print(f"\nseed catalog, {what} (in sample)")
        print("| branch | papers | recall shown | recall added | precision added |")
        print("| --- | ---: | --- | --- | --- |")
        total = Counter()
        per = {b: Counter() for b in branches}
        decisions = decide_all([(p.title, (p.abstract or "") if with_abstract else "")
                                for p in papers], [p.id for p in papers],
                               [(p.primary_class,) if p.primary_class else () for p in papers])
        for p, d in zip(papers, decisions, strict=True):
            curated = {taxonomy.root_of(t) for t in p.topics if t in scope}
            filed = {taxonomy.root_of(t) for t in d.topics} if d.kind == "added" else set()
            label = bool(curated)
            total.update(pos=int(label), shown=label and d.kind != "out",
                         added=label and d.kind == "added", picked=d.kind == "added",
                         right=label and d.kind == "added", borderline=d.kind == "borderline")
            for b in branches:
                per[b].update(pos=int(b in curated), shown=b in curated and d.kind != "out",
                              added=b in curated and d.kind == "added", picked=b in filed,
                              right=b in filed and b in curated)
        for b in branches:
            c = per[b]
            print(f"| {b} | {c['pos']} | {pct(c['shown'], c['pos'])} | "
                  f"{pct(c['added'], c['pos'])} | {pct(c['right'], c['picked'])} |")
        print(f"| **all in scope** | {total['pos']} | {pct(total['shown'], total['pos'])} | "
              f"{pct(total['added'], total['pos'])} | {pct(total['right'], total['picked'])} |")
        print(f"borderline: {total['borderline']} of {len(papers)} papers")

    rows, skipped = held_out(papers, decide_all)
    held_out_table(f"held out, title only ({skipped} already in the catalog left out)", rows,
                   scope, taxonomy)
    held_out_table("held out, title only: only the lists never used to revise the rules",
                   [r for r in rows if not r.get("rules_revised_on")], scope, taxonomy)
    days: dict[str, Counter] = {}
    for row in rows:
        if row["from"].startswith("Daily Papers"):
            days.setdefault(row["from"] + " (titles)", Counter())[row["decision"].kind] += 1
    misses = [f"  missed ({r['branch']}, score {r['decision'].score}"
              f"{'' if r.get('rules_revised_on') else ', never used to revise'}): {r['title']}"
              for r in rows if r["branch"] in scope and r["decision"].kind == "out"]
    wrong = [f"  added outside ({', '.join(r['decision'].topics)}"
             f"{'' if r.get('rules_revised_on') else ', never used to revise'}): {r['title']}"
             for r in rows if r["branch"] not in scope and r["decision"].kind == "added"]
    fixture = json.loads(FIXTURE_DAY.read_text(encoding="utf-8"))
    counts = days.setdefault("Daily Papers 2025-11-03 (tests/fixtures, with abstracts)",
                             Counter())
    for d in decide_all([(e["paper"]["title"], e["paper"].get("summary", "")) for e in fixture]):
        counts[d.kind] += 1
    print("\nper fixture day")
    print("| day | papers | added | borderline | out |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, c in sorted(days.items()):
        print(f"| {name} | {sum(c.values())} | {c['added']} | {c['borderline']} | {c['out']} |")
    if args.misses:
        print("\n".join(misses + wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
