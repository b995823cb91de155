"""Incremental rebuilds under ``mkdocs serve`` give the site a fresh build gives.

A real development server runs on the project's own 315 papers.  After each
round of edits (records, topics, a survey, a hand-written page, the taxonomy;
a paper added and one removed; a template broken, then mended), every file of a
fresh ``mkdocs build`` of the edited project (same site URL) is fetched from the
server and compared byte for byte, and no file of a removed page is still served.  The one allowed
difference is the "Related papers" list of paper pages, which rebuilds update
approximately (see :func:`survey_core.site.related.related_ids`); the search index
(``_search/``) must be equal too.
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from project import copy_project, run_build, serving

from survey_core.model.records import read_record, write_record
from survey_core.site.templates import PACKAGED

pytestmark = pytest.mark.slow

RELATED = re.compile(rb'<h2 id="related">.*?</ol>', re.S)


def get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise
    except (urllib.error.URLError, ConnectionError):
        return None  # the server is not listening yet


def strip_livereload(body: bytes) -> bytes:
    end = body.rfind(b"</body>")
    start = body.rfind(b"<script>", 0, end)
    if end > 0 and start >= 0 and b"livereload" in body[start:end]:
        body = body[:start] + body[end:]
    return body


def normalise(name: str, body: bytes) -> bytes:
    if name.endswith(".gz"):
        body = gzip.decompress(body)
    if name.endswith(".html"):
        body = RELATED.sub(b"", strip_livereload(body))
    return body


def wait_until(check, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            pytest.fail(f"mkdocs serve exited with {proc.returncode}:\n{log.read_text()}")
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"the server did not rebuild within {timeout} s:\n{log.read_text()[-3000:]}")


def compare_with_fresh_build(root: Path, served: str, tmp: Path, gone: list[str]) -> None:
    config = root / "fresh.yml"
    config.write_text(f"INHERIT: mkdocs.yml\nsite_url: {served}\n", encoding="utf-8")
    out = tmp / "fresh-site"
    result = run_build(root, "-q", "-f", str(config), "-d", str(out))
    assert result.returncode == 0, result.stderr
    config.unlink()
    differ, missing = [], []
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len(names) > 600
    for name in names:
        body = get(served + name)
        if body is None:
            missing.append(name)
        elif normalise(name, body) != normalise(name, (out / name).read_bytes()):
            differ.append(name)
    assert not missing, f"not served after the rebuild: {missing[:10]}"
    if differ:
        name = differ[0]
        a = normalise(name, get(served + name) or b"").decode(errors="replace").splitlines()
        b = normalise(name, (out / name).read_bytes()).decode(errors="replace").splitlines()
        sample = "\n".join(list(difflib.unified_diff(b, a, "fresh", "served", lineterm=""))[:40])
        pytest.fail(f"{len(differ)} files differ from a fresh build: {differ[:10]}\n{sample}")
    for name in gone:
        assert get(served + name) is None, f"{name} is still served"


def cited_keys(root: Path) -> set[str]:
    return {m for path in (root / "content" / "surveys").glob("*.md")
            for m in re.findall(r"@([\w:.-]+)", path.read_text(encoding="utf-8"))}


def test_incremental_rebuilds_match_a_fresh_build(tmp_path):
    root = copy_project(tmp_path / "project")
    folder = root / "content" / "papers"
    records = {p: read_record(p, f"content/papers/{p.name}")[0]
               for p in sorted(folder.glob("*.yml"))}
    cited = cited_keys(root)
    log = tmp_path / "serve.log"
    with serving(root, log) as (proc, served):
        def shows(page: str, text: str) -> bool:
            return text.encode() in (get(served + page) or b"")

        wait_until(lambda: get(served + "papers/") is not None, 180, proc, log)

        # 1. a title and a year edited, a paper moved to another topic, a survey's prose
        (path_a, a), (path_b, b) = [(p, r) for p, r in records.items()
                                    if r.year and r.topics and "pruning" not in r.topics][:2]
        write_record(path_a, replace(a, title=a.title + " Zyxwvut", year=a.year - 1))
        write_record(path_b, replace(b, title=b.title + " Qwertzu", topics=["pruning"]))
        survey = root / "content" / "surveys" / "tokenization.md"
        survey.write_text(survey.read_text(encoding="utf-8")
                          + "\nA closing paragraph added while serving.\n",
                          encoding="utf-8")
        wait_until(lambda: shows("surveys/tokenization/", "added while serving")
                   and shows(f"topics/{a.topics[0]}/", "Zyxwvut")
                   and shows("topics/pruning/", "Qwertzu"), 60, proc, log)
        time.sleep(1.5)  # a rebuild the watcher has not started yet would be missed
        compare_with_fresh_build(root, served, tmp_path, [])

        # 2. a paper added, one removed, a hand-written page's title changed
        path_c, c = list(records.items())[10]
        write_record(folder / f"{c.id}-again.yml",
                     replace(c, id=f"{c.id}-again", key=f"{c.key}again",
                             title=f"{c.title} Once Again Plover", arxiv_id=None,
                             links={}, path=None))
        path_d, d = next((p, r) for p, r in list(records.items())[20:] if r.key not in cited)
        path_d.unlink()
        about = root / "content" / "pages" / "about.md"
        text = about.read_text(encoding="utf-8")
        about.write_text(re.sub(r"^# .*$", "# About this survey, renamed", text, count=1,
                                flags=re.M), encoding="utf-8")
        wait_until(lambda: get(served + f"papers/{c.id}-again/") is not None
                   and get(served + f"papers/{d.id}/") is None
                   and shows("about/", "renamed"), 60, proc, log)
        time.sleep(1.5)
        compare_with_fresh_build(root, served, tmp_path,
                                 [f"papers/{d.id}/index.html", f"papers/{d.id}/{d.key}.bib"])

        # 3. a topic renamed in the taxonomy (the navigation of every page changes)
        taxonomy = root / "content" / "taxonomy.yml"
        text = taxonomy.read_text(encoding="utf-8")
        assert "name: Tokenization\n" in text
        taxonomy.write_text(text.replace("name: Tokenization\n", "name: Tokenisation\n"),
                            encoding="utf-8")
        wait_until(lambda: shows("about/", "Tokenisation"), 60, proc, log)
        time.sleep(1.5)
        compare_with_fresh_build(root, served, tmp_path, [])
        # 4. a broken template (a new project override of a packaged one) fails a
        # rebuild; after the fix the site is whole again
        template = root / "site_templates" / "paper.html"
        assert not template.exists()
        good = (PACKAGED / "paper.html").read_text(encoding="utf-8")
        template.write_text(good + "\n{{ no_such_value.attribute }}\n", encoding="utf-8")
        wait_until(lambda: "An error happened during the rebuild" in log.read_text(),
                   60, proc, log)
        template.write_text(good, encoding="utf-8")
        path_e, e = list(records.items())[30]
        write_record(path_e, replace(e, title=e.title + " Mended"))
        wait_until(lambda: shows(f"papers/{e.id}/", "Mended"), 60, proc, log)
        time.sleep(1.5)
        compare_with_fresh_build(root, served, tmp_path, [])

        text = log.read_text()
        assert text.count("Traceback") == 1  # the broken template's
        # The rebuilds were incremental: most pages and files were left as they were.
        counts = [tuple(map(int, m)) for m in re.findall(
            r"survey: (\d+) pages rendered, (\d+) unchanged; (\d+) generated files "
            r"written, (\d+) unchanged", text)]
        assert len(counts) >= 4, text[-3000:]
        assert any(pages_kept > 0 for _r, pages_kept, _w, _k in counts)
        assert all(files_kept > 300 for _r, _p, _w, files_kept in counts)


def test_patched_edits_match_a_fresh_build(tmp_path):
    """Edits of records' text and of a survey's prose are patched into the site
    without a build (``survey_mkdocs.patch``); the site is then the one a fresh
    build gives.  An edit that moves a paper is built, and patches resume after.
    The catalog forks from its first record on (``fork_from: 0``): the server's
    first build weighs the related papers in a second process and takes the
    weights back for its edits."""
    root = copy_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\n  - survey\n" in text
    config.write_text(text.replace("\n  - survey\n",
                                   "\n  - survey:\n      catalog: {fork_from: 0}\n"),
                      encoding="utf-8")
    folder = root / "content" / "papers"
    records = {p: read_record(p, f"content/papers/{p.name}")[0]
               for p in sorted(folder.glob("*.yml"))}
    cited = cited_keys(root)
    log = tmp_path / "serve.log"
    with serving(root, log) as (proc, served):
        def shows(page: str, text: str) -> bool:
            return text.encode() in (get(served + page) or b"")

        def builds() -> int:
            return log.read_text().count("Documentation built in")

        wait_until(lambda: get(served + "papers/") is not None, 180, proc, log)
        time.sleep(1.0)
        built = builds()
        assert re.search(r"related papers for \d+ papers computed in [\d.]+s in a second "
                         r"process", log.read_text()), log.read_text()

        # 1. a cited paper's title, another's abstract, a third's authors, venue and code
        in_survey = [(p, r) for p, r in records.items() if r.key in cited and r.topics]
        others = [(p, r) for p, r in records.items() if r.key not in cited and r.topics]
        (path_a, a), (path_b, b), (path_c, c) = in_survey[0], others[0], others[5]
        write_record(path_a, replace(a, title=a.title + " Plovercrest"))
        write_record(path_b, replace(b, abstract=(b.abstract or "") + " Quagmirewort results."))
        write_record(path_c, replace(c, authors=[*c.authors, "Zora Quillfeather"],
                                     venue="NeurIPS 2024",
                                     links={**c.links, "code": "https://example.org/code"}))
        wait_until(lambda: shows(f"papers/{a.id}/", "Plovercrest")
                   and shows(f"papers/{b.id}/", "Quagmirewort")
                   and shows(f"papers/{c.id}/", "Quillfeather")
                   and shows("bib/all.bib", "Quillfeather"), 60, proc, log)
        time.sleep(1.5)
        compare_with_fresh_build(root, served, tmp_path, [])
        assert builds() == built, "a record's text edit went through a build"
        assert "survey: patched" in log.read_text()

        # 2. a survey's prose: a paragraph citing a paper it did not cite before
        survey = root / "content" / "surveys" / "tokenization.md"
        newly = next(r for _p, r in others[10:] if r.key not in cited)
        survey.write_text(survey.read_text(encoding="utf-8")
                          + f"\nA closing paragraph on lapwings [@{newly.key}].\n",
                          encoding="utf-8")
        wait_until(lambda: shows("surveys/tokenization/", "on lapwings"), 60, proc, log)
        time.sleep(1.5)
        compare_with_fresh_build(root, served, tmp_path, [])
        assert builds() == built, "a survey's prose edit went through a build"

        # 3. a paper moved to another topic: built, and said why
        path_d, d = next((p, r) for p, r in others[20:] if "pruning" not in r.topics)
        write_record(path_d, replace(d, topics=["pruning"], title=d.title + " Moved"))
        wait_until(lambda: shows("topics/pruning/", f"{d.title} Moved"), 60, proc, log)
        time.sleep(1.5)
        compare_with_fresh_build(root, served, tmp_path, [])
        assert builds() > built
        assert "rebuilding the site: content/papers/" in log.read_text()

        # 4. after that build, a text edit is patched again
        built = builds()
        facts_file = root / "content" / "sources" / "arxiv-facts.jsonl"
        low = [json.loads(line) for line in facts_file.read_text(encoding="utf-8").splitlines()
               if '"low"' in line] if facts_file.exists() else []
        unsure = {str(row.get("title", "")).casefold() for row in low}
        # (a paper whose title a low-confidence fact names is built: help wanted lists it)
        path_e, e = next((p, r) for p, r in others[30:] if r.title.casefold() not in unsure)
        write_record(path_e, replace(e, title=e.title + " Sandpiperish"))
        wait_until(lambda: shows(f"papers/{e.id}/", "Sandpiperish"), 60, proc, log)
        time.sleep(1.5)
        compare_with_fresh_build(root, served, tmp_path, [])
        assert builds() == built
        text = log.read_text()
        assert "Traceback" not in text and "patching the site failed" not in text
