"""The catalog's near-identical title check on titles that differ only by a number.

A catalog (or an import) of a model family's reports, a benchmark's yearly
editions or a series' parts has many titles that differ only by a number
("Qwen2 Technical Report", "Qwen2.5 Technical Report", "Qwen3 Technical Report").
Titles whose numbers differ name different papers
(:mod:`survey_core.model.identity`), and the check blocks candidates by a
title's numbers with its first and its last 12 characters, so such titles
never meet in one block.  Before, they shared one block and every pair of it
was compared: quadratic time (10,000 such titles took 94.6 s).

For each size N, N titles of each shape are checked with
:func:`survey_core.model.catalog._near_duplicates` as ``survey check`` and ingest
run it; printed: seconds, seconds per 1,000 titles (flat is linear), and the
diagnostics found.  Shapes:

* ``suffix``: "A Study of Scaling Behaviour in Model Family 1234" (the number last);
* ``prefix``: "Qwen1234 Technical Report" (the number inside the first word);
* ``middle``: "Large Language Models 1234 Times Over: A Report" (the number inside).

``--previous`` also times the previous blocking (prefix and suffix only) at the
given sizes (keep them small: it is quadratic).

    python bench/near_titles.py                        # 10,000 and 50,000 (about 10 s)
    python bench/near_titles.py --sizes 2000 4000 --previous
"""

from __future__ import annotations

import argparse
import time

from survey_core.model import catalog as catalog_module
from survey_core.model.catalog import Catalog, _near_duplicates
from survey_core.model.model import Paper
from survey_core.model.taxonomy import Taxonomy

SHAPES = {
    "suffix": "A Study of Scaling Behaviour in Model Family {n}",
    "prefix": "Qwen{n} Technical Report",
    "middle": "Large Language Models {n} Times Over: A Report",
}


def papers(shape: str, size: int) -> list[Paper]:
    template = SHAPES[shape]
    return [Paper(id=f"p{n:06d}", key=f"k{n}", title=template.format(n=n),
                  path=f"content/papers/p{n:06d}.yml") for n in range(size)]


def check(items: list[Paper]) -> tuple[float, int]:
    catalog_module._BLOCK_PAIRS.start()  # no pairs kept from an earlier run
    cat = Catalog(root=None, taxonomy=Taxonomy({}), papers=items, surveys={})  # type: ignore
    diags: list = []
    start = time.perf_counter()
    _near_duplicates(cat, diags)
    return time.perf_counter() - start, len(diags)


def previous_blocking(enabled: bool) -> None:
    """Block by the first and last 12 characters only (the check before numbers)."""
    catalog_module.title_numbers = (lambda norm: ()) if enabled else _numbers


_numbers = catalog_module.title_numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--previous", action="store_true",
                        help="also time the previous blocking (quadratic: small sizes only)")
    args = parser.parse_args()
    check(papers("suffix", 100))  # imports and first calls out of the timings
    print(f"{'shape':8} {'titles':>8} {'blocking':>9} {'seconds':>8} {'s/1k':>7} {'found':>6}")
    for shape in SHAPES:
        for size in args.sizes:
            items = papers(shape, size)
            runs = [("numbers", False)] + ([("previous", True)] if args.previous else [])
            for name, previous in runs:
                previous_blocking(previous)
                try:
                    seconds, found = check(items)
                finally:
                    previous_blocking(False)
                print(f"{shape:8} {size:>8,} {name:>9} {seconds:>8.2f} "
                      f"{seconds / size * 1000:>7.4f} {found:>6}")


if __name__ == "__main__":
    main()
