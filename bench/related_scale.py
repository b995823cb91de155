"""Related papers at growing catalog sizes: every pair against candidate pairs.

For each size N, the synthetic catalog of ``bench/run.py`` (the seed records and
N-315 derived ones) is tokenised once (:func:`survey_core.site.related.term_counts`, in id
order as :func:`survey_core.site.related.related_ids` orders it); then, in the same run,
:func:`survey_core.site.related.nearest_neighbours` (weighing included) computes the top 5
twice: ``exact`` compares every pair (as catalogs up to ``EXACT_MAX`` papers do),
``pruned`` scores candidate pairs only (as larger catalogs do).  Printed per size:
seconds and peak traced memory of each, each one's seconds over its own at the
smallest size (the baseline: 1x per 1x papers is linear, N/N_0 squared is
quadratic), and the quality of the pruned lists against the exact ones: recall
(exact neighbours found), the share of papers whose list is identical (same
papers, same order) and of those whose scores are identical too (the two sum
their float32 terms in a different order: the sixth decimal can differ).

    python bench/related_scale.py                         # 10k, 20k, 50k (about 6 minutes)
    python bench/related_scale.py --sizes 5000 10000      # quicker
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import load_seeds, synthetic_papers  # noqa: E402

from survey_core.site import related  # noqa: E402


def timed(docs: list[dict[str, float]], exact: bool) -> tuple[list, float, float]:
    """(neighbour lists, seconds, peak traced MB) of one method."""
    saved = related.EXACT_MAX
    related.EXACT_MAX = len(docs) if exact else 0
    try:
        tracemalloc.start()
        start = time.perf_counter()
        found = related.nearest_neighbours(docs, 5, 0.05)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    finally:
        related.EXACT_MAX = saved
    return found, seconds, peak


def quality(exact: list, pruned: list) -> tuple[float, float, float]:
    """(recall of the exact neighbours, share of lists with the same papers in the
    same order, share of lists equal scores included)."""
    found = total = same = equal = 0
    for want, got in zip(exact, pruned, strict=True):
        want_ids = [j for j, _s in want]
        found += len(set(want_ids) & {j for j, _s in got})
        total += len(want_ids)
        same += want_ids == [j for j, _s in got]
        equal += want == got
    n = max(len(exact), 1)
    return found / max(total, 1), same / n, equal / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 20000, 50000])
    args = parser.parse_args()
    seeds = load_seeds()
    rows = []
    for n in args.sizes:
        papers = sorted(synthetic_papers(seeds, n), key=lambda p: p.id)
        docs = [related.term_counts(p.title or "", p.abstract or "") for p in papers]
        exact, t_exact, m_exact = timed(docs, exact=True)
        pruned, t_pruned, m_pruned = timed(docs, exact=False)
        recall, identical, equal = quality(exact, pruned)
        rows.append((n, t_exact, m_exact, t_pruned, m_pruned, recall, identical, equal))
        print(f"{n:>7,} papers: exact {t_exact:7.1f} s {m_exact:7.0f} MB   pruned "
              f"{t_pruned:6.1f} s {m_pruned:6.0f} MB   recall {recall:.4f}   "
              f"identical {identical:.4f} (scores too: {equal:.4f})", flush=True)
    n0, e0, _m, p0 = rows[0][:4]
    print(f"\nbaseline: {n0:,} papers, same run; ratios are seconds / baseline seconds")
    print("| papers | x papers | exact s | x | pruned s | x | pruned / exact | peak MB exact"
          " | peak MB pruned | recall | identical lists | scores too |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, te, me, tp, mp, rec, ident, equal in rows:
        print(f"| {n:,} | {n / n0:.1f} | {te:.1f} | {te / e0:.1f} | {tp:.1f} | {tp / p0:.1f} "
              f"| {tp / te:.2f} | {me:.0f} | {mp:.0f} | {rec:.4f} | {ident:.4f} | {equal:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
