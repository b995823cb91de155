"""Patched edits against a fresh build, at any size.

Builds PROJECT as ``mkdocs serve`` does (in this process, with the stand-in
server of ``bench/rebuild.py``), then makes three record edits (a title, an
abstract, the authors and venue) and three edits of surveys' prose, each
rebuilt as the server would (patched where it can be), and finally builds the
edited project afresh and compares every file of the two sites. The served
pages' livereload script and the "Related papers" lists (updated approximately
by rebuilds, see ``survey_core.site.related.related_ids``) are left out of the
comparison. The project is edited in place: run it on a copy.

    cp -r bench/out/n10000/project /tmp/p10k
    python bench/patch_check.py /tmp/p10k [--seed 5]

Prints each rebuild's time and the plugin's log line of each patch, then the
files that differ; exits 1 if any does.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "bench"))

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from rebuild import StandIn  # noqa: E402

from survey_core.model.records import read_record, write_record  # noqa: E402

URL = "http://127.0.0.1:8000/"
RELATED = re.compile(rb'<h2 id="related">.*?</ol>', re.S)


def comparable(path: str) -> bytes:
    data = Path(path).read_bytes()
    if path.endswith(".html"):
        data = RELATED.sub(b"", data)
        end = data.rfind(b"</body>")
        start = data.rfind(b"<script>", 0, end)
        if end > 0 and start >= 0 and b"livereload" in data[start:end]:
            data = data[:start] + data[end:]
    return data


def listing(site: str) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), site) for d, _, fs in os.walk(site) for f in fs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("mkdocs.plugins.survey").setLevel(logging.INFO)
    project = args.project.resolve()
    served = tempfile.mkdtemp(prefix="patch-served-")

    def config_for(site: str):
        config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=site)
        config.site_url = URL
        return config

    def builder(config=None) -> None:
        build(config or config_for(served), serve_url=URL)

    config = config_for(served)
    config.plugins.on_startup(command="serve", dirty=False)
    builder(config)
    server = config.plugins.on_serve(StandIn(builder), config=config, builder=builder)

    def settle() -> None:
        while server.wait_for_event(timeout=0.3):  # the last rebuild's late events
            pass

    def rebuild(what: str) -> None:
        server.wait_for_event()
        start = time.perf_counter()
        server.builder()
        print(f"{what}: {time.perf_counter() - start:.2f} s")

    rng = random.Random(args.seed)
    records = sorted((project / "content" / "papers").glob("*.yml"))
    for n in range(3):
        path = rng.choice(records)
        paper, _ = read_record(path, f"content/papers/{path.name}")
        if n == 0:
            new = replace(paper, title=f"{paper.title} Edited{n}")
        elif n == 1:
            new = replace(paper, abstract=f"{paper.abstract or ''} Moreover quokka{n} results.")
        else:
            new = replace(paper, authors=[*paper.authors, "Zed Quokka"], venue="NeurIPS 2024")
        settle()
        write_record(path, new)
        rebuild(f"record edit {n + 1} ({path.name})")
    surveys = sorted((project / "content" / "surveys").glob("*.md"))
    for n, path in enumerate([surveys[0], surveys[1 % len(surveys)], surveys[0]]
                             if surveys else []):
        settle()
        path.write_text(path.read_text(encoding="utf-8")
                        + f"\n\nA closing remark on quokkas{n}, citing nothing.\n",
                        encoding="utf-8")
        rebuild(f"survey edit {n + 1} ({path.name})")

    fresh = tempfile.mkdtemp(prefix="patch-fresh-")
    config = config_for(fresh)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    a, b = listing(served), listing(fresh)
    bad = [f"only in the {'served' if f in a else 'fresh'} site: {f}" for f in sorted(a ^ b)]
    bad += [f"differs: {f}" for f in sorted(a & b)
            if comparable(os.path.join(served, f)) != comparable(os.path.join(fresh, f))]
    print("\n".join(bad) or "every file of the served site equals the fresh build's")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
