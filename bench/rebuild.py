"""Time the ``mkdocs serve`` edit loop in one process, without the server or its
file watcher: the first build, then K times "edit one record, rebuild".

    python bench/rebuild.py bench/out/n10000/project [--edits 3] [--profile]

The rebuilds go through the same path as under ``mkdocs serve``: the plugins
get ``on_startup(command="serve")`` and ``on_serve`` (with a stand-in server),
and each rebuild calls the builder the server would call.  Each record edit
appends a word to a title (``survey_core.model.records.write_record``); after each
rebuild the script checks that the paper page, its first topic's page (if it
lists the paper),
``bib/all.bib``, ``data/papers.json`` and the papers index rows show it.
``--profile`` writes ``<project>/../rebuild-profile.txt`` (cProfile of the
last rebuild).  The project is edited in place; run it on a copy.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import io
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402

from survey_core.model.records import read_record, write_record  # noqa: E402


def time_events() -> None:
    """Print how long each plugin event (summed over pages) took, per build."""
    from mkdocs import plugins

    run = plugins.PluginCollection.run_event
    spent: dict[str, float] = {}

    def timed(self, name, item=None, **kwargs):
        started = time.perf_counter()
        try:
            return run(self, name, item, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
            if name == "post_build":
                print("  events: " + ", ".join(f"{k} {v:.2f}s" for k, v in spent.items()
                                               if v >= 0.01), flush=True)
                spent.clear()

    plugins.PluginCollection.run_event = timed


def print_patch(config) -> None:
    """How the survey plugin handled the last edit (see survey_mkdocs.patch)."""
    patcher = getattr(config.plugins.get("survey"), "patcher", None)
    if patcher is None:
        return
    if patcher.steps:
        print("  patched: " + ", ".join(f"{k} {v:.2f}s" for k, v in patcher.steps.items()),
              flush=True)
    elif patcher.why:
        print(f"  built: {patcher.why}", flush=True)


class StandIn:
    """What ``on_serve`` sees of MkDocs' LiveReloadServer: its rebuild flag (which
    the survey plugin's file watcher sets) and its ``watch``."""

    def __init__(self, builder) -> None:
        self.builder = builder
        self.watched: list[str] = []
        self._rebuild_cond = threading.Condition()
        self._want_rebuild = False

    def wait_for_event(self, timeout: float = 5.0) -> bool:
        """Wait until a file event asked for a rebuild (as the server does)."""
        with self._rebuild_cond:
            self._rebuild_cond.wait_for(lambda: self._want_rebuild, timeout)
            asked, self._want_rebuild = self._want_rebuild, False
        return asked

    def watch(self, path: str, func=None, *, recursive: bool = True) -> None:
        self.watched.append(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("project", type=Path)
    ap.add_argument("--edits", type=int, default=3)
    ap.add_argument("--survey-edits", type=int, default=0,
                    help="then append a sentence to a survey's prose this many times")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--dirty", action="store_true", help="as `mkdocs serve --dirty`")
    ap.add_argument("--events", action="store_true",
                    help="print the time of each plugin event of each rebuild")
    args = ap.parse_args(argv)
    if args.events:
        time_events()
    project = args.project.resolve()
    cfg_file = str(project / "mkdocs.yml")
    site = tempfile.mkdtemp(prefix="survey-rebuild-")
    atexit.register(shutil.rmtree, site, True)  # a 50,000-paper site is 2 GB
    url = "http://127.0.0.1:8000/"

    def get_config():
        config = load_config(config_file=cfg_file, site_dir=site)
        config.site_url = url
        return config

    # The builder MkDocs' `serve` command hands to its server, built the same way.
    def builder(config=None):
        if config is None:
            config = get_config()
        build(config, serve_url=url, dirty=args.dirty)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=args.dirty)
    started = time.perf_counter()
    builder(config)
    first = time.perf_counter() - started
    server = config.plugins.on_serve(StandIn(builder), config=config, builder=builder)
    print(f"first build {first:.2f}s", flush=True)

    papers = sorted((project / "content" / "papers").glob("*.yml"))
    rng = random.Random(7)
    times = []
    for n in range(1, args.edits + 1):
        path = rng.choice(papers)
        paper, _ = read_record(path, f"content/papers/{path.name}")
        topic_page = Path(site, "topics", paper.topics[0], "index.html") if paper.topics else None
        if topic_page is not None and f"/{paper.id}/" not in topic_page.read_text("utf-8"):
            topic_page = None  # a topic page lists its newest papers only
        token = f"rebuildedit{n}x{rng.randrange(10**6):06d}"
        started = time.perf_counter()
        write_record(path, replace(paper, title=f"{paper.title} {token}"))
        if server.watched == []:
            server.wait_for_event()  # the file event, as `mkdocs serve` waits for it
        prof = cProfile.Profile() if args.profile and n == args.edits else None
        if prof:
            prof.enable()
        server.builder()
        if prof:
            prof.disable()
        took = time.perf_counter() - started
        times.append(took)
        checks = {
            "page": Path(site, "papers", paper.id, "index.html"),
            "topic": topic_page,
            "all.bib": Path(site, "bib", "all.bib"),
            "papers.json": Path(site, "data", "papers.json"),
        }
        shown = {name: (p is None or token in p.read_text(encoding="utf-8"))
                 for name, p in checks.items()}
        shown["index-rows"] = any(token in p.read_text(encoding="utf-8")
                                  for p in Path(site, "data", "index", "rows").glob("*.json"))
        print(f"rebuild {n}: {took:.2f}s  {paper.id}  "
              + " ".join(f"{k}={'ok' if v else 'STALE'}" for k, v in shown.items()), flush=True)
        print_patch(config)
        if prof:
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
            stats.print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
            dest = project.parent / "rebuild-profile.txt"
            dest.write_text(out.getvalue(), encoding="utf-8")
            print(f"profile: {dest}")
    surveys = sorted((project / "content" / "surveys").glob("*.md"))
    prose = []
    for n in range(1, (args.survey_edits if surveys else 0) + 1):
        source = surveys[(n - 1) % len(surveys)]
        token = f"proseedit{n}x{rng.randrange(10**6):06d}"
        started = time.perf_counter()
        with source.open("a", encoding="utf-8") as fh:
            fh.write(f"\n\nA closing remark, {token}.\n")
        if server.watched == []:
            server.wait_for_event()
        server.builder()
        took = time.perf_counter() - started
        prose.append(took)
        page = Path(site, "surveys", source.stem, "index.html")
        shown = page.exists() and token in page.read_text(encoding="utf-8")
        print(f"survey edit {n}: {took:.2f}s  {source.stem}  page={'ok' if shown else 'STALE'}",
              flush=True)
        print_patch(config)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rebuild_median={sorted(times)[len(times) // 2]:.2f}s "
          + (f"survey_median={sorted(prose)[len(prose) // 2]:.2f}s " if prose else "")
          + f"peak_rss={rss:.0f}MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
