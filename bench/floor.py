"""The floor of a cold build: the same paper pages and topic pages, from the same
records, with plain Jinja2, no theme, no validation, no exports, one process.

    python bench/floor.py bench/out/n10000/project [--out /tmp/floor-site]

Times three steps: reading the records (libyaml, no checks), writing one page per
paper (``papers/<id>/index.html``: title, authors, facts, links, abstract, topics)
and one page per topic (``topics/<id>/index.html``: every paper filed under it or
below it, newest first).  What our build does beyond this (validation, BibTeX and
CSL exports, related papers, the papers index, the search index, the theme around
every page) is the difference between the two figures.  It only reads the project.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import jinja2
import yaml

PAPER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ p.title }}</title></head>
<body><main>
<h1>{{ p.title }}</h1>
{% if p.authors %}<p class="authors">{{ p.authors | join(", ") }}</p>{% endif %}
<p class="facts">{% if p.year %}{{ p.year }}{% endif %}{% if p.venue %} · {{ p.venue }}{% endif %}
{% if p.arxiv_id %} · arXiv {{ p.arxiv_id }}{% endif %}</p>
{% if p.links %}<ul class="links">{% for name, url in p.links.items() %}
<li><a href="{{ url }}">{{ name }}</a></li>{% endfor %}</ul>{% endif %}
{% if p.abstract %}<h2>Abstract</h2><p>{{ p.abstract }}</p>{% endif %}
<h2>Topics</h2><ul>{% for t in p.topics %}
<li><a href="../../topics/{{ t }}/">{{ names.get(t, t) }}</a></li>{% endfor %}</ul>
</main></body></html>
"""

TOPIC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ topic.name }}</title></head>
<body><main>
<h1>{{ topic.name }}</h1>
<p>{{ topic.description }}</p>
<table><thead><tr><th>Paper</th><th>Year</th></tr></thead><tbody>
{% for p in papers %}<tr><td><a href="../../papers/{{ p.id }}/">{{ p.title }}</a></td>
<td>{{ p.year or "" }}</td></tr>
{% endfor %}</tbody></table>
</main></body></html>
"""


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project", type=Path, help="a project folder (with content/papers/)")
    ap.add_argument("--out", type=Path, help="site folder (default: a temporary one, removed)")
    args = ap.parse_args()
    papers_dir = args.project / "content" / "papers"
    if not papers_dir.is_dir():
        print(f"floor: {papers_dir} is not a folder", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="floor-"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    env = jinja2.Environment(autoescape=True)
    paper_t, topic_t = env.from_string(PAPER), env.from_string(TOPIC)
    total = time.perf_counter()

    started = time.perf_counter()
    papers = []
    for entry in sorted(os.scandir(papers_dir), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            with open(entry.path, "rb") as fh:
                data = yaml.load(fh, Loader=loader)
            if isinstance(data, dict) and data.get("id"):
                papers.append(data)
    tax = yaml.load((args.project / "content" / "taxonomy.yml").read_bytes(), Loader=loader)
    topics = {t["id"]: t for t in tax.get("topics", [])}
    names = {tid: t.get("name", tid) for tid, t in topics.items()}
    read_s = time.perf_counter() - started

    started = time.perf_counter()
    for p in papers:
        _write(os.path.join(out, "papers", p["id"], "index.html"),
               paper_t.render(p=p, names=names))
    paper_s = time.perf_counter() - started

    started = time.perf_counter()
    parents = {tid: t.get("parent") for tid, t in topics.items()}
    under: dict[str, list[dict]] = {tid: [] for tid in topics}
    newest = sorted(papers, key=lambda p: (str(p.get("date") or p.get("year") or ""), p["id"]),
                    reverse=True)
    for p in newest:
        seen: set[str] = set()
        for tid in p.get("topics") or []:
            while tid in topics and tid not in seen:
                seen.add(tid)
                under[tid].append(p)
                tid = parents.get(tid)
    for tid, topic in topics.items():
        _write(os.path.join(out, "topics", tid, "index.html"),
               topic_t.render(topic=topic, papers=under[tid]))
    topic_s = time.perf_counter() - started

    wall = time.perf_counter() - total
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"floor: {len(papers)} paper pages, {len(topics)} topic pages; read records "
          f"{read_s:.2f}s, paper pages {paper_s:.2f}s, topic pages {topic_s:.2f}s; "
          f"total {wall:.2f}s (user {usage.ru_utime:.2f}s, sys {usage.ru_stime:.2f}s, "
          f"peak RSS {usage.ru_maxrss / 1024:.0f} MB)")
    if args.out is None:
        shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
