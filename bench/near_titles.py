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
* ``middle``: "Large Language Models 1234 Times Over: A Report" (the number inside);
* ``word``: "A Comprehensive Survey of Qzkfmrta Methods for Large Language Models"
  (no number: a made-up word in the middle, the first and last 12 characters
  shared by all; such a block is split again by the next 12 characters).

``--ingest N ...`` also times ``survey ingest -q`` of N CSL-JSON items of the
``suffix`` shape (no identifiers) into an empty project under
``bench/out/near_titles/`` (as the issue's 10,000 items were: 94.6 s, then
refused), and checks that every item became a record.

``--previous`` also times the previous blocking (the first and last 12
characters only, no split) at the given sizes (keep them small: it is quadratic).

    python bench/near_titles.py                        # 10,000 and 50,000 (about 10 s)
    python bench/near_titles.py --sizes 2000 4000 --previous
    python bench/near_titles.py --sizes 10000 --ingest 10000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import make_project  # noqa: E402

from survey_core.model import catalog as catalog_module  # noqa: E402
from survey_core.model.catalog import Catalog, _near_duplicates  # noqa: E402
from survey_core.model.model import Paper  # noqa: E402
from survey_core.model.taxonomy import Taxonomy  # noqa: E402

SHAPES = {
    "suffix": "A Study of Scaling Behaviour in Model Family {n}",
    "prefix": "Qwen{n} Technical Report",
    "middle": "Large Language Models {n} Times Over: A Report",
    "word": "A Comprehensive Survey of {w} Methods for Large Language Models",
}


def word(n: int) -> str:
    """A made-up eight-letter word, different for each n (no number in the title)."""
    rng = random.Random(n)
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(8)).capitalize()


def papers(shape: str, size: int) -> list[Paper]:
    template = SHAPES[shape]
    return [Paper(id=f"p{n:06d}", key=f"k{n}", title=template.format(n=n, w=word(n)),
                  path=f"content/papers/p{n:06d}.yml") for n in range(size)]


def check(items: list[Paper]) -> tuple[float, int]:
    catalog_module._BLOCK_PAIRS.start()  # no pairs kept from an earlier run
    cat = Catalog(root=None, taxonomy=Taxonomy({}), papers=items, surveys={})  # type: ignore
    diags: list = []
    start = time.perf_counter()
    _near_duplicates(cat, diags)
    return time.perf_counter() - start, len(diags)


def previous_blocking(enabled: bool) -> None:
    """Block by the first and last 12 characters only, without splitting (the check
    before)."""
    catalog_module.title_numbers = (lambda norm: ()) if enabled else _numbers
    catalog_module.BLOCK_MAX = 10**9 if enabled else _block_max


_numbers = catalog_module.title_numbers
_block_max = catalog_module.BLOCK_MAX


def ingest(size: int) -> tuple[float, int, int]:
    """(seconds, exit code, records written) of ``survey ingest`` of ``size`` CSL items."""
    project = HERE / "out" / "near_titles" / f"n{size}"
    make_project(project, "")
    (project / "content" / "sources" / "big.bib").unlink()
    items = [{"id": f"i{n}", "type": "article-journal", "title": SHAPES["suffix"].format(n=n),
              "issued": {"date-parts": [[2024]]}} for n in range(size)]
    source = project / "items.json"
    source.write_text(json.dumps(items, indent=1) + "\n", encoding="utf-8")
    survey = str(Path(sys.executable).with_name("survey"))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    done = subprocess.run([survey, "ingest", "-q", str(source)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    written = len(list((project / "content" / "papers").glob("*.yml")))
    return seconds, done.returncode, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--ingest", type=int, nargs="*", default=[],
                        help="also time `survey ingest` of this many CSL items")
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
    for size in args.ingest:
        seconds, code, written = ingest(size)
        print(f"survey ingest of {size:,} CSL items: {seconds:.1f} s, exit {code}, "
              f"{written:,} records written")


if __name__ == "__main__":
    main()
