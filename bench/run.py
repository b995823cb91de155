"""Build benchmark: our site (every plugin ``mkdocs.yml`` configures) against plain
MkDocs + Material over hand-written Markdown with the same content.

    python bench/run.py --papers 1000 [--skip-baseline] [--skip-serve] [--profile]
                        [--repeat 3] [--serve-dirty] [--check yes|no] [--timeout S]
                        [--post-page-plugin]

Everything is written under ``bench/out/`` (git-ignored): the synthetic project
``n<N>/project``, the baseline ``n<N>/baseline``, the built sites, logs,
``results-<N>.json`` and (``--profile``) ``profile-<N>.txt``.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import pstats
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from survey_core.model.catalog import newest_first
from survey_core.model.keys import make_key
from survey_core.model.model import Paper
from survey_core.model.records import read_record, write_record
from survey_core.model.taxonomy import load_taxonomy
from survey_core.model.text import edit_distance, normalise_title, slugify

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
SEED = 20240601
GZIP_LEVEL = 6  # what a typical web server's on-the-fly gzip uses
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}

#: Words of the distinct title suffixes: pairwise edit distance >= 3, so two
#: titles differing only in one suffix word are never "near-identical" (<= 2).
CODE_WORDS = (
    "Amber", "Basalt", "Cobalt", "Dune", "Thistle", "Fjord", "Glacier", "Harbor", "Iris",
    "Juniper", "Kestrel", "Lagoon", "Meadow", "Nebula", "Onyx", "Prairie", "Quartz", "Raven",
    "Sierra", "Tundra", "Umbra", "Violet", "Willow", "Walrus", "Yarrow", "Zephyr", "Saffron",
    "Beacon", "Cedar", "Delta", "Falcon", "Garnet", "Heron", "Indigo", "Jasper", "Kelp",
    "Lotus", "Maple", "Nimbus", "Orchid",
)
LEADS = ("Revisiting", "Towards", "Rethinking", "Scaling", "Efficient", "Understanding",
         "Benchmarking", "Improving", "Learning", "Probing")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")

# The wrapper of each measured build: runs the command as its child and writes
# the child's wall time and peak RSS (RUSAGE_CHILDREN, KiB on Linux) as JSON.
WRAPPER = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.call(sys.argv[2:])
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as fh:
    json.dump({"rc": rc, "wall_s": wall, "maxrss_kb": ru.ru_maxrss,
               "user_s": ru.ru_utime, "sys_s": ru.ru_stime}, fh)
"""


def say(line: str) -> None:
    print(line, flush=True)


# ---------------------------------------------------------------------------
# Synthetic catalog
# ---------------------------------------------------------------------------


def load_seeds() -> list[Paper]:
    papers = []
    for path in sorted((REPO / "content" / "papers").glob("*.yml")):
        paper, _diags = read_record(path, f"content/papers/{path.name}")
        if paper is not None:
            papers.append(paper)
    return papers


class TitleGuard:
    """The near-duplicate rule of ``survey_core.model.catalog._near_duplicates``: titles are
    compared within blocks sharing their first or last 12 normalised characters."""

    def __init__(self) -> None:
        self.blocks: dict[str, list[str]] = defaultdict(list)
        self.seen: set[str] = set()

    def clashes(self, title: str) -> bool:
        norm = normalise_title(title)
        if norm in self.seen:
            return True
        for block in ("p:" + norm[:12], "s:" + norm[-12:]):
            for other in self.blocks.get(block, ()):
                limit = 0 if min(len(norm), len(other)) < 20 else 2
                if edit_distance(norm, other, limit) <= limit:
                    return True
        return False

    def add(self, title: str) -> None:
        norm = normalise_title(title)
        self.seen.add(norm)
        self.blocks["p:" + norm[:12]].append(norm)
        self.blocks["s:" + norm[-12:]].append(norm)


def _check_code_words() -> None:
    words = [w.lower() for w in CODE_WORDS]
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            assert edit_distance(a, b) >= 3, (a, b)


def synthetic_papers(seeds: list[Paper], n: int, seed: int = SEED) -> list[Paper]:
    """``n`` papers: the seed records themselves, then synthetic ones derived from them."""
    _check_code_words()
    rng = random.Random(seed)
    if n <= len(seeds):
        return seeds[:n]
    guard = TitleGuard()
    ids = {p.id for p in seeds}
    keys = {p.key for p in seeds}
    for p in seeds:
        guard.add(p.title)
    titles = [p.title.split() for p in seeds]
    vocab = sorted({w for t in titles for w in t if w.isalpha() and len(w) >= 5})
    pool_authors = sorted({a for p in seeds for a in p.authors})
    sentences = [s for p in seeds for s in SENTENCE_RE.split(" ".join(p.abstract.split())) if s]
    k = len(CODE_WORDS)
    want = n - len(seeds)
    # Three code words while they suffice (the titles of smaller catalogs stay as they
    # were), four beyond.
    width = 3 if want <= k ** 3 else 4
    codes = rng.sample(range(k ** width), want)
    out = list(seeds)
    for i, code_n in enumerate(codes):
        src = seeds[rng.randrange(len(seeds))]
        code = " ".join(CODE_WORDS[(code_n // k ** j) % k] for j in range(width - 1, -1, -1))
        for _attempt in range(50):
            words = src.title.split()
            other = rng.choice(titles)
            if len(words) >= 4 and len(other) >= 3 and rng.random() < 0.6:
                words = words[:rng.randint(2, len(words) - 1)] + other[rng.randint(1,
                                                                                len(other) - 1):]
            if len(words) > 2 and rng.random() < 0.7:
                at = rng.randrange(1, len(words))
                word = rng.choice(vocab)
                words[at] = word.capitalize() if words[at][:1].isupper() else word
            if rng.random() < 0.25:
                words.insert(0, rng.choice(LEADS))
            base = " ".join(words)[:160].rstrip(" :,-")
            title = f"{base} ({code})"
            if not guard.clashes(title):
                break
        else:
            raise SystemExit(f"could not make a distinct title from {src.id}")
        guard.add(title)
        pid = f"{slugify(base, max_words=6, max_len=44)}-{slugify(code)}"
        while pid in ids:
            pid += "-x"
        ids.add(pid)

        year = min(2025, max(2015, src.year + rng.choice((-2, -1, 0, 0, 1)))) if src.year else None
        month = rng.randint(1, 12) if src.month else None
        # Five-digit numbers above those real papers have: 60000.. for the first
        # 40,000 synthetic papers, then 30000.. (a valid, unique id up to 70,000);
        # synthetic papers beyond 70,000 have no arXiv id.
        number = 60000 + i if i < 40000 else 30000 + i - 40000
        arxiv_id = f"{(year or 2024) % 100:02d}{month or 1:02d}.{number:05d}" \
            if src.arxiv_id and i < 70000 else None
        links = {}
        if arxiv_id:
            links = {"arxiv": f"https://arxiv.org/abs/{arxiv_id}",
                     "pdf": f"https://arxiv.org/pdf/{arxiv_id}"}
        if src.links.get("code"):
            links["code"] = f"https://github.com/bench-org/{pid[:40]}"
        if src.links.get("project"):
            links["project"] = f"https://bench.example.org/{pid[:40]}/"
        n_auth = len(src.authors)
        authors = rng.sample(pool_authors, n_auth) if n_auth else []
        author_count = src.author_count
        if src.authors_complete and author_count is not None:
            author_count = len(authors)
        date_text = None
        if src.date:
            dy = year or int(src.date[:4])
            date_text = f"{dy:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        own = SENTENCE_RE.split(" ".join(src.abstract.split())) if src.abstract else []
        abstract = ""
        if own:
            mix = rng.sample(own, max(1, len(own) // 2))
            mix += rng.sample(sentences, max(1, len(own) - len(mix)))
            rng.shuffle(mix)
            abstract = " ".join(mix)[:3000]
        key = make_key({"title": title, "authors": authors, "year": year}, keys)
        keys.add(key)
        out.append(replace(
            src, id=pid, key=key, title=title, authors=authors, author_count=author_count,
            year=year, month=month, date=date_text,
            date_precision="day" if date_text else None,
            upvotes=rng.randint(0, 2 * src.upvotes + 5) if src.upvotes is not None else None,
            arxiv_id=arxiv_id, links=links, topics=list(src.topics), abstract=abstract,
            sources=list(src.sources), provenance=dict(src.provenance),
            path=f"content/papers/{pid}.yml", lines={}))
    return out


def make_project(project: Path, papers: list[Paper], n_seeds: int) -> None:
    if project.exists():
        shutil.rmtree(project)
    (project / "content" / "papers").mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "site_templates", project / "site_templates")
    for name in ("pages", "surveys"):
        if (REPO / "content" / name).exists():
            shutil.copytree(REPO / "content" / name, project / "content" / name)
    for name in ("taxonomy.yml", "paper.schema.json"):
        if (REPO / "content" / name).exists():
            shutil.copy(REPO / "content" / name, project / "content" / name)
    dest = project / "content" / "papers"
    for i, paper in enumerate(papers):
        if i < n_seeds:  # the seed records, byte for byte
            shutil.copy(REPO / "content" / "papers" / f"{paper.id}.yml", dest)
        else:
            write_record(dest / f"{paper.id}.yml", paper)


# ---------------------------------------------------------------------------
# Baseline: plain MkDocs + Material over hand-written Markdown
# ---------------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#<>])")


def md(text: str) -> str:
    """Text safe in a Markdown paragraph or table cell."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split())).replace("&", "&amp;")


def make_baseline(base: Path, papers: list[Paper]) -> None:
    from survey_core.formats.bibtex import paper_to_entry

    if base.exists():
        shutil.rmtree(base)
    docs = base / "docs"
    (docs / "papers").mkdir(parents=True)
    cfg = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    tax, _ = load_taxonomy(REPO / "content" / "taxonomy.yml")
    live = set(tax.topics)
    direct: dict[str, list[Paper]] = defaultdict(list)
    deep: dict[str, list[Paper]] = defaultdict(list)
    for p in papers:
        seen: set[str] = set()
        for tid in p.topics:
            if tid not in live:
                continue
            direct[tid].append(p)
            for t in [tid, *tax.ancestors(tid)]:
                if t not in seen:
                    seen.add(t)
                    deep[t].append(p)

    def topic_path(tid: str) -> str:
        names = [tax[a].name for a in reversed(tax.ancestors(tid))] + [tax[tid].name]
        return " › ".join(md(x) for x in names)

    for p in papers:
        lines = [f"# {md(p.title)}", ""]
        if p.authors:
            lines += [md(", ".join(p.authors)) + ("" if p.authors_complete else " et al."), ""]
        facts = []
        if p.year:
            facts.append(f"- **Published** {MONTHS[p.month - 1] + ' ' if p.month else ''}{p.year}")
        if p.date:
            facts.append(f"- **Listed on** {p.date}")
        if p.venue:
            facts.append(f"- **Venue** {md(p.venue)}")
        if p.upvotes is not None:
            facts.append(f"- **Upvotes** {p.upvotes}")
        if p.arxiv_id:
            facts.append(f"- **arXiv** {p.arxiv_id}")
        facts.append(f"- **Citation key** `{p.key}`")
        lines += facts + [""]
        links = [f"[{label}]({p.links[kind]})" for kind, label in
                 (("arxiv", "arXiv"), ("pdf", "PDF"), ("code", "Code"), ("project", "Project"))
                 if p.links.get(kind)]
        if links:
            lines += [" · ".join(links), ""]
        lines += ["## Abstract", ""]
        paras = [x for x in re.split(r"\n\s*\n", p.abstract.strip()) if x.strip()]
        for para in paras or ["*No abstract recorded yet.*"]:
            lines += [md(para) if paras else para, ""]
        lines += ["## Topics", ""]
        lines += [f"- [{topic_path(t)}](../topics/{t}/index.md)" for t in p.topics if t in tax]
        try:
            bib = paper_to_entry(p)
        except ValueError:
            bib = ""
        if bib:
            lines += ["", "## Cite", ""] + ["    " + x for x in bib.rstrip("\n").split("\n")]
        (docs / "papers" / f"{p.id}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")

    for tid in tax.topics:
        topic = tax[tid]
        ps = newest_first(deep.get(tid, []))
        years = sorted({p.year for p in ps if p.year})
        crumbs = " › ".join(["[Topics](../index.md)"] + [
            f"[{md(tax[a].name)}](../{a}/index.md)" for a in reversed(tax.ancestors(tid))])
        lines = [f"# {md(topic.name)}", "", f"{crumbs} › {md(topic.name)}", "",
                 md(topic.description), "",
                 f"**{len(ps)}** papers ({len(direct.get(tid, []))} filed here) · "
                 f"**{sum(1 for p in ps if p.has_code)}** with code"
                 + (f" · {years[0]}–{years[-1]}" if years else ""), ""]
        if topic.children:
            lines += ["## Sub-topics", ""] + [
                f"- [{md(tax[c].name)}](../{c}/index.md) ({len(deep.get(c, []))})"
                for c in topic.children] + [""]
        lines += ["## Papers", "", "| Title | Year | Upvotes | Code |", "| --- | --- | --- | --- |"]
        for p in ps:
            code = f"[code]({p.links['code']})" if p.links.get("code") else ""
            lines.append(f"| [{md(p.title)}](../../papers/{p.id}.md) | {p.year or ''} | "
                         f"{'' if p.upvotes is None else p.upvotes} | {code} |")
        (docs / "topics" / tid).mkdir(parents=True, exist_ok=True)
        (docs / "topics" / tid / "index.md").write_text("\n".join(lines) + "\n",
                                                        encoding="utf-8")

    tree = ["# Topics", ""]
    for topic, depth in tax.walk():
        tree.append("    " * depth + f"- [{md(topic.name)}]({topic.id}/index.md) "
                    f"({len(deep.get(topic.id, []))})")
    (docs / "topics" / "index.md").write_text("\n".join(tree) + "\n", encoding="utf-8")
    recent = sorted(papers, key=lambda p: (p.added or "", p.sort_date, p.id), reverse=True)[:10]
    home = [f"# {md(cfg['site_name'])}", "", md(cfg.get("site_description", "")), "",
            "| figure | papers |", "| --- | --- |", f"| records | {len(papers)} |",
            f"| with an arXiv id | {sum(1 for p in papers if p.arxiv_id)} |",
            f"| with a code link | {sum(1 for p in papers if p.has_code)} |", "",
            "## Topics", ""]
    home += [f"- [{md(t.name)}](topics/{t.id}/index.md) ({len(deep.get(t.id, []))})"
             for t in tax.roots]
    home += ["", "## Recently added", ""]
    home += [f"- [{md(p.title)}](papers/{p.id}.md)" for p in recent]
    (docs / "index.md").write_text("\n".join(home) + "\n", encoding="utf-8")
    for page in (REPO / "content" / "pages").glob("*.md"):
        if page.name != "index.md":
            shutil.copy(page, docs / page.name)

    def section(tid: str):
        t = tax[tid]
        name = html.escape(t.name, quote=False)
        if not t.children:
            return {name: f"topics/{tid}/index.md"}
        return {name: [f"topics/{tid}/index.md", *(section(c) for c in t.children)]}

    nav = [{"Home": "index.md"},
           {"Topics": ["topics/index.md", *(section(t.id) for t in tax.roots)]}]
    nav += [{p.stem.replace("-", " ").capitalize(): p.name} for p in
            sorted((REPO / "content" / "pages").glob("*.md")) if p.name != "index.md"]
    theme = {k: v for k, v in cfg["theme"].items() if k != "custom_dir"}
    out = {"site_name": cfg["site_name"], "site_description": cfg.get("site_description", ""),
           "site_url": cfg.get("site_url"), "docs_dir": "docs", "strict": False,
           "theme": theme, "markdown_extensions": cfg.get("markdown_extensions", []),
           "plugins": ["search"], "nav": nav}
    (base / "mkdocs.yml").write_text(yaml.safe_dump(out, sort_keys=False, allow_unicode=True),
                                     encoding="utf-8")


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def measure_build(cfg: Path, site: Path, log: Path, timeout: float,
                  profile: Path | None = None) -> dict:
    """One ``mkdocs build`` in a fresh process: wall time, peak RSS, exit code."""
    if site.exists():
        shutil.rmtree(site)
    os.sync()  # the previous build's writes are not flushed during this one
    stats_file = log.with_suffix(".json")
    build = [sys.executable]
    if profile is not None:
        build += ["-m", "cProfile", "-o", str(profile)]
    build += ["-m", "mkdocs", "build", "-q", "-f", str(cfg), "-d", str(site)]
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-c", WRAPPER, str(stats_file), *build],
                                cwd=cfg.parent, env=ENV, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
        started = time.perf_counter()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the wrapper's own group: it and its build
            proc.wait()
            html_pages = sum(1 for _ in site.rglob("*.html")) if site.exists() else 0
            return {"rc": None, "timeout": True, "wall_s": time.perf_counter() - started,
                    "pages_written": html_pages}
    result = json.loads(stats_file.read_text())
    result["rss_mb"] = result["maxrss_kb"] / 1024
    result["log"] = str(log)
    return result


def gz_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0))


def site_stats(site: Path) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    out = {"site_bytes": sum(p.stat().st_size for p in files), "site_files": len(files),
           "html_pages": sum(1 for p in files if p.suffix == ".html")}
    own = site / "_search" / "manifest.json"  # the header box (survey_core.site.search_index)
    if own.exists():
        index_files = [p for p in files if p.is_relative_to(own.parent)]
        out["own_search_files"] = len(index_files)
        out["own_search_bytes"] = sum(p.stat().st_size for p in index_files)
        out["own_search_manifest_bytes"] = own.stat().st_size
        out["own_search_shards"] = len(json.loads(own.read_text(encoding="utf-8"))["shards"])
    index = site / "search" / "search_index.json"
    if not index.exists():
        return out
    out["search_index_bytes"] = index.stat().st_size
    out["search_index_gz_bytes"] = gz_size(index)
    data = json.loads(index.read_text(encoding="utf-8"))
    out["search_docs"] = len(data.get("docs", []))
    # What Material's search worker fetches before the first result: the index,
    # the worker, and (non-English only) lunr language support files.
    workers = sorted((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    needed = [index, *workers[:1]]
    lunr = site / "assets" / "javascripts" / "lunr"
    langs = data.get("config", {}).get("lang", ["en"])
    extra = []
    for lang in langs:
        if lang == "ja":
            extra.append(lunr / "tinyseg.js")
        elif lang in ("hi", "th"):
            extra.append(lunr / "wordcut.js")
        if lang != "en":
            extra.append(lunr / "min" / f"lunr.{lang}.min.js")
    if len(langs) > 1:
        extra.append(lunr / "min" / "lunr.multi.min.js")
    if extra:
        extra.insert(0, lunr / "min" / "lunr.stemmer.support.min.js")
    needed += extra
    out["first_search_files"] = [str(p.relative_to(site)) for p in needed]
    out["first_search_gz_bytes"] = sum(gz_size(p) for p in needed if p.exists())
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(url: str, needle: str | None, timeout: float, proc: subprocess.Popen,
             every: float = 0.05) -> float | None:
    """Seconds until ``url`` is served (and contains ``needle``), or None on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"mkdocs serve exited with {proc.returncode}")
        body = fetch(url)
        if body is not None and (needle is None or needle in body):
            return time.monotonic() - start
        time.sleep(every)
    return None


def proc_rss_mb(pid: int, field: str = "VmRSS") -> float | None:
    """Resident (VmRSS) or peak resident (VmHWM) memory of a running process."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def serve_loop(project: Path, papers: list[Paper], n_seeds: int, log: Path,
               edits: int = 3, start_timeout: float = 1200, extra: tuple[str, ...] = (),
               seed: int = SEED + 1, config: str = "mkdocs.yml") -> dict:
    """Edit one record's title under ``mkdocs serve``; seconds until it is served."""
    cfg = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    path = urlsplit(cfg.get("site_url") or "").path or "/"
    port = free_port()
    base = f"http://127.0.0.1:{port}{path if path.endswith('/') else path + '/'}"
    rng = random.Random(seed)
    pool = [p for p in papers[n_seeds:] or papers if p.topics]
    chosen = rng.sample(pool, edits)
    out: dict = {"rebuild_s": [], "topic_ok": [], "bib_ok": [], "topic_lag_s": [],
                 "bib_lag_s": [], "rss_mb": [], "survey_rebuild_s": []}
    survey_files = sorted((project / "content" / "surveys").glob("*.md"))
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}",
             "-f", str(project / config), *extra],
            cwd=project, env=ENV, stdout=fh, stderr=subprocess.STDOUT)
        try:
            first = wait_for(base + f"papers/{chosen[0].id}/", None, start_timeout, proc, 0.2)
            if first is None:
                raise RuntimeError(f"mkdocs serve did not serve a page within {start_timeout} s")
            out["first_build_s"] = first
            out["rss_mb"].append(proc_rss_mb(proc.pid))
            time.sleep(1.0)  # let the watcher settle
            for n, paper in enumerate(chosen, start=1):
                record = project / "content" / "papers" / f"{paper.id}.yml"
                current, _ = read_record(record, f"content/papers/{record.name}")
                # a topic page lists its newest papers: check it only if it lists this one
                topic_page = fetch(base + f"topics/{paper.topics[0]}/") or ""
                listed = f"/{paper.id}/" in topic_page
                token = f"benchedit{n}q{rng.randrange(10**6):06d}"
                new = replace(current, title=f"{current.title} {token}")
                write_record(record, new)
                took = wait_for(base + f"papers/{paper.id}/", token, 120, proc)
                out["rebuild_s"].append(took)
                if took is None:
                    continue
                for what, url in (("topic", f"topics/{paper.topics[0]}/"),
                                  ("bib", "bib/all.bib")):
                    if what == "topic" and not listed:
                        continue
                    lag = wait_for(base + url, token, 10, proc)
                    out[f"{what}_ok"].append(lag is not None)
                    out[f"{what}_lag_s"].append(lag)
                out["rss_mb"].append(proc_rss_mb(proc.pid))
                time.sleep(1.0)
            # Then the prose of a survey: a sentence appended, until its page shows it.
            for n in range(1, edits + 1 if survey_files else 1):
                source = survey_files[(n - 1) % len(survey_files)]
                sid = source.stem
                token = f"benchprose{n}q{rng.randrange(10**6):06d}"
                with source.open("a", encoding="utf-8") as fh:
                    fh.write(f"\n\nA closing remark, {token}.\n")
                took = wait_for(base + f"surveys/{sid}/", token, 120, proc)
                out["survey_rebuild_s"].append(took)
                out["rss_mb"].append(proc_rss_mb(proc.pid))
                time.sleep(1.0)
        finally:
            out["_hwm"] = proc_rss_mb(proc.pid, "VmHWM")
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    out["peak_rss_mb"] = out.pop("_hwm", None)
    out["build_s"] = [float(x) for x in re.findall(r"Documentation built in ([\d.]+) seconds",
                                                   log.read_text(errors="replace"))]
    done = [x for x in out["rebuild_s"] if x is not None]
    out["rebuild_median_s"] = statistics.median(done) if done else None
    done = [x for x in out["survey_rebuild_s"] if x is not None]
    out["survey_rebuild_median_s"] = statistics.median(done) if done else None
    return out


def run_check(project: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "survey_core.cli", "--root", str(project), "check",
                           "--errors-only"], cwd=project, env=ENV, capture_output=True,
                          text=True)
    m = re.search(r"check: (\d+) error\(s\), (\d+) warning\(s\)", proc.stderr)
    return {"rc": proc.returncode, "errors": int(m.group(1)) if m else None,
            "warnings": int(m.group(2)) if m else None, "first": proc.stdout[:2000]}


#: (label, file substring, function) whose cumulative time the profile report shows.
PROFILE_SPOTS = (
    ("whole build", "mkdocs/commands/build.py", "build"),
    ("load_catalog (records, validation, near-duplicates)", "survey/catalog.py", "load_catalog"),
    ("  read_record (YAML parse + validate)", "survey/records.py", "read_record"),
    ("    parse_yaml", "survey/records.py", "parse_yaml"),
    ("  RecordCache.read (hash; parse on a miss)", "survey/catalog.py", "read"),
    ("  _near_duplicates (title edit distances)", "survey/catalog.py", "_near_duplicates"),
    ("topic pages (Renderer.topic_page, Jinja)", "survey/render.py", "topic_page"),
    ("exports (build_exports)", "survey/exports.py", "build_exports"),
    ("DiskMemo.get (memoised per-record values: records, BibTeX, ...)", "survey/memo.py",
     "get"),
    ("  paper_to_entry (BibTeX entries)", "survey/bibtex.py", "paper_to_entry"),
    ("  csl_json_text (CSL-JSON)", "survey/csl.py", "csl_json_text"),
    ("related papers (related_ids)", "survey/related.py", "related_ids"),
    ("papers index data (index_files)", "survey/papers_index.py", "index_files"),
    ("surveys (expand_survey)", "survey/survey_render.py", "expand_survey"),
    ("paper pages: on_env (shell, splice)", "survey_mkdocs/catalog.py", "on_env"),
    ("paper pages rendered as written (RenderedFile._text)", "survey_mkdocs/files.py",
     "_text"),
    ("  paper.html renders (Renderer.paper_body)", "survey/render.py", "paper_body"),
    ("  other plugins' page events of paper pages (PageEvents.run)", "survey_mkdocs/pages.py",
     "run"),
    ("  theme shell render (once)", "survey_mkdocs/catalog.py", "_render_shell"),
    ("Markdown -> HTML of Markdown pages (_populate_page)", "mkdocs/commands/build.py",
     "_populate_page"),
    ("  html.parser over raw-HTML blocks (md_in_html)", "html/parser.py", "feed"),
    ("theme render + write of Markdown pages (_build_page)", "mkdocs/commands/build.py",
     "_build_page"),
    ("  search plugin on_page_context (page HTML -> index)", "plugins/search/plugin.py",
     "on_page_context"),
    ("writing generated and static files (copy_static_files)", "mkdocs/structure/files.py",
     "copy_static_files"),
    ("search plugin on_post_build", "plugins/search/plugin.py", "on_post_build"),
    ("search index rewrite (survey discovery on_post_build)", "survey_mkdocs/discovery.py",
     "on_post_build"),
    ("all Jinja renders (Template.render)", "jinja2/environment.py", "render"),
    ("all json.dumps", "json/__init__.py", "dumps"),
    ("all copy.deepcopy", "copy.py", "deepcopy"),
)


def profile_report(prof: Path, dest: Path, n: int, wall: float | None,
                   tree: str | None = None, kind: str = "cold") -> list[str]:
    import io

    stats = pstats.Stats(str(prof))
    total = stats.total_tt
    spots = []
    for label, where, func in PROFILE_SPOTS:
        cum = None
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            if name == func and where in filename.replace(os.sep, "/"):
                cum = max(cum or 0.0, ct)  # listed once; max guards duplicates
        if cum is None:
            continue  # not in this version of the code
        spots.append(f"{cum:8.2f}s {100 * cum / total:5.1f}%  {label}")
    events = []
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        f = filename.replace(os.sep, "/")
        owner = next((m for m in ("survey_mkdocs/", "plugins/search/", "mkdocs/contrib/search/")
                      if m in f), None)
        # A plugin may split an event into handlers (``_on_files_related``, ...).
        if owner and name.lstrip("_").startswith("on_") and ct >= 0.01:
            events.append((ct, f"{f.split(owner, 1)[1]}:{name}" if owner == "survey_mkdocs/"
                           else f"search:{name}"))
    event_lines = [f"{ct:8.2f}s {100 * ct / total:5.1f}%  {label}"
                   for ct, label in sorted(events, reverse=True)]
    by_pkg: dict[str, float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        f = filename.replace(os.sep, "/")
        if f.endswith((".html", ".md", ".xml")):
            pkg = "compiled Jinja templates (theme and site_templates)"
        elif "site-packages/" in f:
            pkg = f.split("site-packages/", 1)[1].split("/", 1)[0]
        elif "/plugins/" in f:
            pkg = f.split("/plugins/", 1)[1].split("/", 1)[0]
        elif f == "~":
            pkg = "builtins: " + name.split(" of ")[0].strip("<>{}")[:60]
        else:
            pkg = "stdlib: " + "/".join(Path(f).parts[-2:]).replace(".py", "")
        by_pkg[pkg] += tt
    pkg_lines = [f"{t:8.2f}s {100 * t / total:5.1f}%  {k}"
                 for k, t in sorted(by_pkg.items(), key=lambda kv: -kv[1])[:25]]
    buf = io.StringIO()
    stats.stream = buf
    stats.sort_stats("cumulative").print_stats(40)
    cumulative = buf.getvalue()
    buf = io.StringIO()
    stats.stream = buf
    stats.sort_stats("tottime").print_stats(25)
    tottime = buf.getvalue()
    text = (f"cProfile of a {kind} build of our site, {n} papers, tree {tree or tree_state()} "
            f"(profiled wall {wall:.1f}s; profiled total {total:.1f}s)\n\n"
            "== Where the time goes (cumulative, overlapping) ==\n" + "\n".join(spots)
            + "\n\n== Plugin events (cumulative) ==\n" + "\n".join(event_lines)
            + "\n\n== Own time by package (exclusive, sums to the total) ==\n"
            + "\n".join(pkg_lines)
            + "\n\n== Top 40 by cumulative time ==\n" + cumulative
            + "\n== Top 25 by own time ==\n" + tottime)
    dest.write_text(text, encoding="utf-8")
    return spots


# ---------------------------------------------------------------------------


STAT_KEYS = ("site_bytes", "site_files", "html_pages", "search_docs", "search_index_bytes",
             "search_index_gz_bytes", "first_search_gz_bytes")


def summarise(runs: list[dict]) -> dict:
    """Repeated builds: the fastest wall time (least disturbed by other load), the median,
    CPU time of the fastest, and the median peak RSS."""
    done = [r for r in runs if r.get("rc") == 0]
    out: dict = {"runs": runs, "ok": bool(done) and len(done) == len(runs)}
    if any(r.get("timeout") for r in runs):
        out["timeout"] = True
        out["timeout_s"] = max(r["wall_s"] for r in runs if r.get("timeout"))
        out["pages_written"] = max(r.get("pages_written", 0) for r in runs)
    if not done:
        return out
    best = min(done, key=lambda r: r["wall_s"])
    out.update(wall_s=best["wall_s"], wall_median_s=statistics.median(r["wall_s"] for r in done),
               walls=[round(r["wall_s"], 2) for r in done], cpu_s=best["user_s"] + best["sys_s"],
               user_s=best["user_s"], sys_s=best["sys_s"],
               rss_mb=statistics.median(r["rss_mb"] for r in done))
    return out


def report(who: str, label: str, res: dict, work: Path, total_pages: int | None = None) -> None:
    if res.get("timeout"):
        say(f"{who} {label}_build_timeout_s={res['timeout_s']:.0f} "
            f"pages_written={res['pages_written']}"
            + (f" of {total_pages} paper pages" if total_pages else ""))
    elif not res.get("ok"):
        say(f"{who} {label}_build_failed (see the logs in {work})")
    say(f"{who} {label}_build_s={fmt(res.get('wall_s'))}")
    if len(res.get("walls", [])) > 1:
        say(f"{who} {label}_build_each_s=" + ",".join(str(w) for w in res["walls"]))
    say(f"{who} {label}_build_cpu_s={fmt(res.get('cpu_s'))}")
    say(f"{who} {label}_build_user_s={fmt(res.get('user_s'))}")
    say(f"{who} {label}_build_sys_s={fmt(res.get('sys_s'))}")
    say(f"{who} {label + '_' if label != 'cold' else ''}rss_mb={fmt(res.get('rss_mb'), 0)}")


def code_fingerprint() -> str:
    """Changes whenever the project's code, templates or configuration change on disk, so a
    run can tell that someone edited the tree while it was measuring."""
    import hashlib

    h = hashlib.sha1()
    paths = [REPO / "mkdocs.yml", REPO / "content" / "taxonomy.yml"]
    for folder in ("plugins", "site_templates", "content/pages", "content/surveys"):
        paths += sorted(p for p in (REPO / folder).rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts
                        and ".egg-info" not in str(p))
    for path in paths:
        if path.exists():
            st = path.stat()
            h.update(f"{path}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
    return h.hexdigest()[:12]


def tree_state() -> str:
    """The commit the project tree is at, and whether it has local changes outside bench/
    (read-only git: no optional locks, so not even the index is refreshed)."""
    git = ["git", "--no-optional-locks"]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], cwd=REPO, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)bench"], cwd=REPO, text=True,
                               capture_output=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+local-changes" if dirty else "")


def fmt(x, digits: int = 2) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=1000, help="catalog size (default 1000)")
    ap.add_argument("--skip-warm", action="store_true",
                    help="do not time a warm build of ours (after the cold one)")
    ap.add_argument("--skip-baseline", action="store_true", help="do not build the baseline")
    ap.add_argument("--skip-serve", action="store_true", help="skip the mkdocs serve edit loop")
    ap.add_argument("--profile", action="store_true",
                    help=f"profile a cold build of ours into {OUT.name}/profile-<N>.txt")
    ap.add_argument("--check", choices=("auto", "yes", "no"), default="auto",
                    help="run `survey check` on the synthetic catalog (auto: when N <= 1000)")
    ap.add_argument("--serve-dirty", action="store_true",
                    help="also time the edit loop under `mkdocs serve --dirty`")
    ap.add_argument("--repeat", type=int, default=1,
                    help="build each site this many times (interleaved); report the fastest")
    ap.add_argument("--edits", type=int, default=3, help="record edits timed under serve")
    ap.add_argument("--skip-reader", action="store_true",
                    help="skip the reader benchmark (bench/reader.py) of the built sites")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds allowed per build before it is stopped (default 1800)")
    ap.add_argument("--post-page-plugin", action="store_true",
                    help="also build both sites (and run the serve loop) with one more plugin "
                         "listening to on_post_page (bench/post_page_hook.py)")
    args = ap.parse_args(argv)
    n = args.papers
    work = OUT / f"n{n}"
    work.mkdir(parents=True, exist_ok=True)
    project, baseline = work / "project", work / "baseline"
    results: dict = {"papers": n, "date": date.today().isoformat(),
                     "loadavg_start": os.getloadavg(), "tree": tree_state()}
    say(f"setup tree={results['tree']}")
    fingerprint = code_fingerprint()

    t = time.perf_counter()
    seeds = load_seeds()
    papers = synthetic_papers(seeds, n)
    n_seeds = min(len(seeds), n)
    make_project(project, papers, n_seeds)
    results["gen_s"] = time.perf_counter() - t
    say(f"setup papers={len(papers)} seeds={n_seeds} synthetic={len(papers) - n_seeds} "
        f"gen_s={results['gen_s']:.1f}")
    if not args.skip_baseline:
        t = time.perf_counter()
        make_baseline(baseline, papers)
        say(f"setup baseline_markdown_s={time.perf_counter() - t:.1f}")

    if args.check == "yes" or (args.check == "auto" and n <= 1000):
        chk = run_check(project)
        results["check"] = chk
        say(f"ours check_errors={chk['errors']}")
        say(f"ours check_warnings={chk['warnings']}")
        if chk["errors"]:
            say(chk["first"])

    # (a) ours cold and warm, (b) the baseline cold; interleaved when repeated
    runs: dict[str, list[dict]] = {"ours_cold": [], "ours_warm": [], "baseline": []}
    for i in range(args.repeat):
        shutil.rmtree(project / ".survey-cache", ignore_errors=True)
        runs["ours_cold"].append(measure_build(
            project / "mkdocs.yml", work / "site-ours", work / f"ours-cold-{i}.log",
            args.timeout))
        if not args.skip_warm:
            runs["ours_warm"].append(measure_build(
                project / "mkdocs.yml", work / "site-ours-warm", work / f"ours-warm-{i}.log",
                args.timeout))
        if not args.skip_baseline:
            runs["baseline"].append(measure_build(
                baseline / "mkdocs.yml", work / "site-baseline", work / f"baseline-{i}.log",
                args.timeout))
        if any(r and r[-1].get("timeout") for r in runs.values()):
            break
    cold, warm = summarise(runs["ours_cold"]), summarise(runs["ours_warm"])
    stats = site_stats(work / "site-ours") if cold.get("ok") else {}
    shutil.rmtree(work / "site-ours-warm", ignore_errors=True)  # same files as site-ours
    results["ours"] = {"cold": cold, "warm": warm, **stats}
    report("ours", "cold", cold, work)
    report("ours", "warm", warm, work)
    for k in STAT_KEYS:
        say(f"ours {k}={fmt(stats.get(k))}")
    base: dict = {}
    if not args.skip_baseline:
        b = summarise(runs["baseline"])
        bstats = site_stats(work / "site-baseline") if b.get("ok") else {}
        base = {"cold": b, **bstats}
        results["baseline"] = base
        report("baseline", "cold", b, work, total_pages=len(papers))
        for k in STAT_KEYS:
            say(f"baseline {k}={fmt(bstats.get(k))}")

    if not args.skip_reader and cold.get("ok"):  # bench/reader.py: the site as a reader gets it
        import reader

        site_base = work / "site-baseline"
        res = reader.run(work / "site-ours", project, site_base if base.get("cold", {}).get(
            "ok") else None)
        results["reader"] = res
        for who in ("ours", "baseline"):
            for view, r in res[who].items():
                say(f"{who} reader_{view}_kb={r['bytes'] / 1000:.1f} requests={r['requests']} "
                    f"usable_s={reader._secs(r['usable_s'])}")
        for line in reader.over_budget(res):
            say(f"ours over_budget {line}")

    if args.profile:  # cold (cache removed), then warm (the cache the cold one left)
        shutil.rmtree(project / ".survey-cache", ignore_errors=True)
        for kind in ("cold", "warm"):
            prof = work / f"ours-{kind}.prof"
            p = measure_build(project / "mkdocs.yml", work / "site-ours-prof",
                              work / f"prof-{kind}.log", args.timeout * 2, profile=prof)
            dest = OUT / (f"profile-{n}.txt" if kind == "cold" else f"profile-{n}-warm.txt")
            if p.get("rc") == 0:
                profile_report(prof, dest, n, p.get("wall_s"), results["tree"], kind)
                say(f"ours profile_{kind}={dest.relative_to(REPO)} "
                    f"profiled_build_s={p['wall_s']:.1f}")
            else:
                say(f"ours profile_{kind}_failed (see {work / f'prof-{kind}.log'})")
        shutil.rmtree(work / "site-ours-prof", ignore_errors=True)

    serve: dict = {}
    loops = [] if args.skip_serve else [("", ())]
    if args.serve_dirty and not args.skip_serve:
        loops.append(("dirty_", ("--dirty",)))
    for i, (tag, extra) in enumerate(loops):
        log = work / f"serve{'-' + tag.rstrip('_') if tag else ''}.log"
        try:
            res = serve_loop(project, papers, n_seeds, log, edits=args.edits, extra=extra,
                             seed=SEED + 1 + i)
        except RuntimeError as exc:
            say(f"ours {tag}serve_failed ({exc}; see {log})")
            res = {"rebuild_s": [], "rebuild_median_s": None, "topic_ok": [], "bib_ok": []}
        results[f"{tag}serve"] = res
        if not tag:
            serve = res
        say(f"ours {tag}serve_first_build_s={fmt(res.get('first_build_s'))}")
        say(f"ours {tag}rebuild_one_each_s=" + ",".join(fmt(x) for x in res["rebuild_s"]))
        say(f"ours rebuild_one_{tag}s={fmt(res['rebuild_median_s'])}")
        say(f"ours survey_prose_{tag}each_s=" + ",".join(
            fmt(x) for x in res.get("survey_rebuild_s", [])))
        say(f"ours survey_prose_{tag}s={fmt(res.get('survey_rebuild_median_s'))}")
        say(f"ours {tag}serve_logged_build_s=" + ",".join(fmt(x) for x in res.get("build_s", [])))
        say(f"ours {tag}serve_rss_each_mb=" + ",".join(fmt(x, 0) for x in res.get("rss_mb", [])))
        say(f"ours {tag}serve_peak_rss_mb={fmt(res.get('peak_rss_mb'), 0)}")
        say(f"ours {tag}rebuild_topic_page_ok="
            f"{all(res['topic_ok']) if res['topic_ok'] else 'none of the edited papers listed'}")
        say(f"ours {tag}rebuild_all_bib_ok={all(res['bib_ok']) and bool(res['bib_ok'])}")

    def ratio(a, b):
        return a / b if a is not None and b else None

    bc = base.get("cold", {})
    r_build = ratio(cold.get("wall_s"), bc.get("wall_s"))
    r_rss = ratio(cold.get("rss_mb"), bc.get("rss_mb"))
    r_search = ratio(stats.get("first_search_gz_bytes"), base.get("first_search_gz_bytes"))
    results["ratio"] = {"cold_build": r_build, "rss": r_rss, "first_search": r_search,
                        "rebuild_one_s": serve.get("rebuild_median_s")}
    if args.post_page_plugin:
        results["post_page"] = post_page_runs(args, project, baseline, work, papers, n_seeds,
                                              ratio)
    results["loadavg_end"] = os.getloadavg()
    results["tree_end"] = tree_state()
    if code_fingerprint() != fingerprint:
        results["tree_changed_during_run"] = True
        say("setup warning=the project code changed during this run; its figures mix versions "
            f"(tree now {results['tree_end']})")
    say("machine loadavg_start={:.2f} loadavg_end={:.2f}".format(
        results["loadavg_start"][0], results["loadavg_end"][0]))
    (OUT / f"results-{n}.json").write_text(json.dumps(results, indent=1, default=str))
    say(f"ratio first_search={fmt(r_search)}")
    say(f"ratio cold_build={fmt(r_build)} rebuild_one={fmt(serve.get('rebuild_median_s'))} "
        f"rss={fmt(r_rss)}")
    if args.post_page_plugin:
        pp = results["post_page"]["ratio"]
        say(f"ratio post_page cold_build={fmt(pp['cold_build'])} "
            f"rebuild_one={fmt(pp['rebuild_one_s'])} rss={fmt(pp['rss'])}")
    return 0


POST_PAGE_HOOK = REPO / "bench" / "post_page_hook.py"
POST_PAGE_CONFIG = "mkdocs-post-page.yml"


def with_post_page_hook(folder: Path) -> Path:
    """``folder/mkdocs-post-page.yml``: its mkdocs.yml plus one more plugin (a hooks
    file) listening to ``on_post_page``."""
    shutil.copy(POST_PAGE_HOOK, folder / POST_PAGE_HOOK.name)
    cfg = folder / POST_PAGE_CONFIG
    cfg.write_text(f"INHERIT: mkdocs.yml\nhooks:\n  - {POST_PAGE_HOOK.name}\n",
                   encoding="utf-8")
    return cfg


def post_page_runs(args, project: Path, baseline: Path, work: Path, papers, n_seeds: int,
                   ratio) -> dict:
    """Cold builds of both sites and the serve loop with one more ``on_post_page`` plugin."""
    out: dict = {}
    shutil.rmtree(project / ".survey-cache", ignore_errors=True)
    run = measure_build(with_post_page_hook(project), work / "site-ours-pp",
                        work / "ours-cold-pp.log", args.timeout)
    cold = summarise([run])
    counted = project / "post-page-pages.txt"
    seen = counted.read_text().split() if counted.exists() else []
    out["cold"] = cold
    report("ours", "post_page_cold", cold, work)
    say(f"ours post_page_pages_seen={seen[0] if seen else None} (of "
        f"{sum(1 for _ in (work / 'site-ours-pp').rglob('*.html'))} HTML files)")
    shutil.rmtree(work / "site-ours-pp", ignore_errors=True)
    base: dict = {}
    if not args.skip_baseline:
        base = summarise([measure_build(with_post_page_hook(baseline), work / "site-baseline-pp",
                                        work / "baseline-pp.log", args.timeout)])
        out["baseline"] = base
        report("baseline", "post_page_cold", base, work, total_pages=len(papers))
        shutil.rmtree(work / "site-baseline-pp", ignore_errors=True)
    serve: dict = {}
    if not args.skip_serve:
        log = work / "serve-pp.log"
        try:
            serve = serve_loop(project, papers, n_seeds, log, edits=args.edits,
                               seed=SEED + 7, config=POST_PAGE_CONFIG)
        except RuntimeError as exc:
            say(f"ours post_page_serve_failed ({exc}; see {log})")
        out["serve"] = serve
        say("ours post_page_rebuild_one_each_s=" + ",".join(
            fmt(x) for x in serve.get("rebuild_s", [])))
        say(f"ours post_page_serve_peak_rss_mb={fmt(serve.get('peak_rss_mb'), 0)}")
    out["ratio"] = {"cold_build": ratio(cold.get("wall_s"), base.get("wall_s")),
                    "rss": ratio(cold.get("rss_mb"), base.get("rss_mb")),
                    "rebuild_one_s": serve.get("rebuild_median_s")}
    return out


if __name__ == "__main__":
    sys.exit(main())
