"""Ingest, check and build at growing catalog sizes: is each linear?

For each size N, a project under ``bench/out/scale/n<N>/`` starts with the
repository's taxonomy, surveys and pages and no records; N papers (the seed
records and synthetic ones, as ``bench/run.py`` makes them) are exported to
one ``.bib`` file and then, each timed as its own process:

* ``survey ingest -q big.bib`` (creates the N records: parse, merge, the
  checks ``survey check`` would make, the staged write);
* ``survey check --errors-only`` (no disk cache: every record parsed);
* ``mkdocs build -q`` (cold: the project's ``.survey-cache`` is removed first).

The baseline is the smallest size of the same run: the table shows each
step's seconds per 1,000 entries and that figure divided by the baseline's
(1.0 = linear; a quadratic step would grow with N / N_baseline).

    python bench/scale.py                           # 1k and 10k
    python bench/scale.py --sizes 1000 10000 50000  # with 50k (the build takes minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import ENV, REPO, load_seeds, synthetic_papers  # noqa: E402

from survey_core.formats.bibtex import export_bibtex  # noqa: E402
from survey_core.model.records import ARXIV_RE  # noqa: E402

OUT = HERE / "out" / "scale"
STEPS = ("ingest", "check", "build")


def make_project(project: Path, bib_text: str) -> Path:
    if project.exists():
        shutil.rmtree(project)
    (project / "content" / "papers").mkdir(parents=True)
    (project / "content" / "sources").mkdir()
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "site_templates", project / "site_templates")
    for name in ("pages", "surveys"):
        shutil.copytree(REPO / "content" / name, project / "content" / name)
    for name in ("taxonomy.yml", "paper.schema.json"):
        if (REPO / "content" / name).exists():
            shutil.copy(REPO / "content" / name, project / "content" / name)
    bib = project / "content" / "sources" / "big.bib"
    bib.write_text(bib_text, encoding="utf-8")
    return bib


def timed(cmd: list[str], cwd: Path, timeout: float) -> tuple[float, int, str]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, -1, f"timed out after {timeout:.0f} s"
    return time.perf_counter() - start, proc.returncode, (proc.stdout + proc.stderr)[-1500:]


def valid_ids(papers) -> int:
    """Drop the arXiv ids the synthetic generator makes malformed at large N (a
    six-digit number; ingest rightly refuses the whole source for one), with
    their arXiv links; returns how many were dropped."""
    dropped = 0
    for paper in papers:
        if paper.arxiv_id and not ARXIV_RE.match(paper.arxiv_id):
            paper.arxiv_id = None
            paper.links = {k: v for k, v in paper.links.items() if k not in ("arxiv", "pdf")}
            dropped += 1
    return dropped


def measure(n: int, seeds, timeout: float, skip_build: bool) -> dict:
    papers = synthetic_papers(seeds, n)
    dropped = valid_ids(papers)
    bib_text = export_bibtex(papers)  # the export header: the published keys are kept
    project = OUT / f"n{n}" / "project"
    bib = make_project(project, bib_text)
    res: dict = {"n": n, "bib_bytes": len(bib_text.encode()), "arxiv_ids_dropped": dropped}
    survey = [sys.executable, "-m", "survey_core.cli", "--root", str(project)]
    steps = {
        "ingest": survey + ["ingest", "-q", str(bib)],
        "check": survey + ["check", "--errors-only"],
        "build": [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(project / "site")],
    }
    for step in STEPS:
        if step == "build":
            if skip_build:
                continue
            shutil.rmtree(project / ".survey-cache", ignore_errors=True)
        seconds, rc, tail = timed(steps[step], project, timeout)
        res[step] = {"seconds": round(seconds, 2), "rc": rc}
        print(f"  n={n:>6} {step:<6} {seconds:8.1f} s  rc={rc}", flush=True)
        if rc != 0:
            res[step]["tail"] = tail
            print(tail, flush=True)
            break  # the next steps would measure an empty or broken catalog
    records = len(os.listdir(project / "content" / "papers"))
    res["records"] = records
    return res


def table(results: list[dict]) -> str:
    base = results[0]
    rows = ["| entries | " + " | ".join(f"{s} s (s/1k, x base)" for s in STEPS) + " |",
            "| ---: | " + " | ".join("---:" for _ in STEPS) + " |"]
    for res in results:
        cells = []
        for step in STEPS:
            if step not in res or res[step]["rc"] != 0:
                cells.append("n/a" if step not in res else f"failed (rc {res[step]['rc']})")
                continue
            per_k = res[step]["seconds"] / res["n"] * 1000
            base_k = base[step]["seconds"] / base["n"] * 1000 if step in base else None
            ratio = f", x{per_k / base_k:.2f}" if base_k else ""
            cells.append(f"{res[step]['seconds']:.1f} ({per_k:.2f}{ratio})")
        rows.append(f"| {res['n']:,} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--timeout", type=float, default=3600.0, help="per step, seconds")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    seeds = load_seeds()
    results = []
    for n in sorted(args.sizes):
        print(f"n={n}", flush=True)
        results.append(measure(n, seeds, args.timeout, args.skip_build))
        (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print()
    print(table(results))
    return 0 if all(r.get(s, {"rc": 0})["rc"] == 0 for r in results for s in STEPS) else 1


if __name__ == "__main__":
    sys.exit(main())
