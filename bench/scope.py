"""How well the taxonomy's match rules pick a sync scope, on papers they were not written for.

The rules in content/taxonomy.yml were written while filing the seed catalog, so their
recall on it is optimistic.  This script measures them twice, in the same run:

* baseline: the catalog's own records (title and abstract) whose curated topics lie in the
  scope, and those outside it;
* held out: ``bench/data/scope-heldout.jsonl``, papers from two public curated paper
  lists (LLM compression, LLM tokenization) and two days of Hugging Face Daily Papers,
  none of them in the catalog, labelled in or out of scope by hand from the title.  The
  lists give titles only, so the rules see the title alone (``--abstracts`` is not
  possible there): a lower bound for a sync, which also sees the abstract.

The decision is the one ``survey sync`` makes (:func:`survey_core.importers.sync.in_scope`).

    python bench/scope.py                       # scope: tokenization and compression
    python bench/scope.py --scope tokenization  # one branch
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from survey_core.importers.ingest import load_records  # noqa: E402
from survey_core.importers.sync import in_scope  # noqa: E402
from survey_core.importers.sync_config import SyncConfig  # noqa: E402
from survey_core.model.taxonomy import load_taxonomy  # noqa: E402
from survey_core.model.text import normalise_title  # noqa: E402

HELD_OUT = ROOT / "bench" / "data" / "scope-heldout.jsonl"


def rates(rows: list[tuple[bool, bool]]) -> tuple[int, int, int, int]:
    """(true positives, positives, false positives, negatives) of (label, picked) pairs."""
    tp = sum(1 for label, picked in rows if label and picked)
    pos = sum(1 for label, _ in rows if label)
    fp = sum(1 for label, picked in rows if not label and picked)
    return tp, pos, fp, len(rows) - pos


def line(name: str, rows: list[tuple[bool, bool]]) -> str:
    tp, pos, fp, neg = rates(rows)
    recall = tp / pos if pos else float("nan")
    fpr = fp / neg if neg else float("nan")
    return (f"{name:<44} recall {tp:>3}/{pos:<3} = {recall:6.1%}   "
            f"false positives {fp:>3}/{neg:<3} = {fpr:6.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scope", nargs="+", default=["tokenization", "compression"])
    parser.add_argument("--misses", action="store_true", help="list the held-out papers missed")
    args = parser.parse_args()
    taxonomy, problems = load_taxonomy(ROOT / "content" / "taxonomy.yml")
    if any(d.is_error for d in problems):
        print("\n".join(d.format() for d in problems))
        return 1
    config = SyncConfig(scope=args.scope)
    scope = config.scope_topics(taxonomy)
    papers, _ = load_records(ROOT / "content" / "papers", ROOT)

    def picked(title: str, abstract: str) -> bool:
        return bool(in_scope(taxonomy, config, scope, title, abstract)[0])

    catalog_full = [(bool(scope & set(p.topics)), picked(p.title, p.abstract or ""))
                    for p in papers]
    catalog_title = [(bool(scope & set(p.topics)), picked(p.title, "")) for p in papers]
    known = {normalise_title(p.title) for p in papers} | {p.arxiv_id for p in papers}
    held, skipped, by_list, misses = [], 0, {}, []
    for raw in HELD_OUT.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        if normalise_title(row["title"]) in known or row.get("arxiv_id") in known:
            skipped += 1
            continue
        pair = (bool(row["in_scope"]), picked(row["title"], ""))
        held.append(pair)
        by_list.setdefault(row["from"], []).append(pair)
        if pair == (True, False):
            misses.append(f"  missed ({row['from']}): {row['title']}")
    print(f"scope: {', '.join(args.scope)} ({len(scope)} topics)")
    print(line("seed catalog, title + abstract (baseline)", catalog_full))
    print(line("seed catalog, title only", catalog_title))
    print(line(f"held out, title only ({skipped} in catalog left out)", held))
    for name, rows in sorted(by_list.items()):
        print(line(f"  {name}", rows))
    base = rates(catalog_title)
    heldr = rates(held)
    if base[1] and heldr[1]:
        print(f"held-out / catalog recall (title only): "
              f"{(heldr[0] / heldr[1]) / (base[0] / base[1]):.2f}")
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
