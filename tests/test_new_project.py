"""Start your own survey: the generator as a curator of another field meets it.

The wheel and sdist are built from this repository and checked with twine; the wheel
is installed in a fresh virtual environment outside the repository (no path to it
anywhere: not the working folder, not PYTHONPATH, no system site-packages); there
``survey init`` makes a project in an empty folder, a BibTeX file of another field
(retrieval-augmented generation) is ingested, and the project is checked and built
with MkDocs and with ProperDocs.  The README's "Start your own survey" commands run
as written.  A bare project (only ``mkdocs.yml``) gets one clear message, never a
traceback.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import latex
import pytest
import yaml
from project import base_path, free_port

from survey_core.model.contentformat import FORMAT, check_format
from survey_core.project.init import InitError, init_project

REPO = Path(__file__).resolve().parents[1]
RAG_BIB = REPO / "tests" / "fixtures" / "new-project" / "rag.bib"
#: Words of this repository's own survey that a new project must not show.
FOREIGN = ["LLM Survey", "Tokenization for language models", "Compressing large language models",
           "tokenization", "quantization"]

pytestmark = pytest.mark.slow


def clean_env(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "NO_MKDOCS_2_WARNING",
                        "DISABLE_MKDOCS_2_WARNING")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def sh(cmd: list[str] | str, cwd: Path, env: dict[str, str], timeout: int = 900,
       check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, shell=isinstance(cmd, str),
                          stdin=subprocess.DEVNULL)
    if check:
        assert proc.returncode == 0, (f"{cmd} exited {proc.returncode}:\n"
                                      f"{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and wheel built from a copy of the repository's tracked files."""
    out = tmp_path_factory.mktemp("dist")
    src = tmp_path_factory.mktemp("src")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        if (REPO / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, src / rel)
    for rel in ("plugins/survey_core/cli/init.py", "plugins/survey_core/project"):
        assert (src / rel).exists(), f"{rel} is not tracked by git"
    sh([sys.executable, "-m", "build", "--outdir", str(out), str(src)], cwd=src,
       env=dict(os.environ), timeout=600)
    return out


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel (and ProperDocs) installed."""
    folder = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    wheel = next(dist.glob("*.whl"))
    env = clean_env(folder)
    sh([str(folder / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel),
        "properdocs>=1.6.7"], cwd=folder, env=env, timeout=1200)
    return folder


def test_wheel_and_sdist_are_complete_and_pass_twine(dist):
    wheel, sdist = next(dist.glob("*.whl")), next(dist.glob("*.tar.gz"))
    assert wheel.name.startswith("mkdocs_survey-")
    proc = sh([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
              cwd=dist, env=dict(os.environ))
    assert proc.stdout.count("PASSED") == 2
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("survey_core/templates/paper.html", "survey_core/templates/assets/survey.css",
                   "survey_core/templates/overrides/main.html",
                   "survey_core/model/paper.schema.json",
                   "survey_core/project/starter/content/taxonomy.yml",
                   "survey_core/project/starter/dot-github/workflows/deploy.yml",
                   "survey_mkdocs/plugin.py", "survey_core/cli/init.py"):
        assert needed in names, needed
    # only our own top-level import names
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"survey_core", "survey_mkdocs"}
    meta = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(meta).decode()
    for group in ("[mkdocs.plugins]", "[properdocs.plugins]", "[console_scripts]"):
        assert group in entry_points


def test_a_new_survey_from_the_installed_wheel(venv, tmp_path):
    env = clean_env(venv)
    work = tmp_path / "work"
    work.mkdir()
    # The generator is the installed one, not this repository's.
    where = sh([str(venv / "bin" / "python"), "-c",
                "import survey_core, survey_mkdocs; print(survey_core.__file__); "
                "print(survey_mkdocs.__file__)"], cwd=work, env=env).stdout.split()
    for path in where:
        assert path.startswith(str(venv)) and not path.startswith(str(REPO)), path

    project = work / "rag-survey"
    project.mkdir()  # an empty folder is accepted
    shutil.copy(RAG_BIB, work / "rag.bib")
    out = sh(["survey", "init", "rag-survey", "--name", "Retrieval-Augmented Generation Survey",
              "--url", "https://example.org/rag/"], cwd=work, env=env)
    assert "a new survey in rag-survey" in out.stdout
    out = sh(["survey", "ingest", "../rag.bib"], cwd=project, env=env)
    assert "created 8" in out.stdout, out.stdout
    check = sh(["survey", "check"], cwd=project, env=env)
    assert "0 error(s), 0 warning(s)" in check.stdout + check.stderr

    build = sh(["mkdocs", "build", "--strict"], cwd=project, env=env)
    assert "Traceback" not in build.stderr
    site = project / "site"
    records = sorted((project / "content" / "papers").glob("*.yml"))
    assert len(records) == 8
    for record in records:
        page = site / "papers" / record.stem / "index.html"
        assert page.is_file(), page
        title = yaml.safe_load(record.read_text(encoding="utf-8"))["title"]
        assert html.escape(title, quote=False) in page.read_text(encoding="utf-8")
    taxonomy = yaml.safe_load((project / "content" / "taxonomy.yml").read_text())
    for topic in taxonomy["topics"]:
        assert (site / "topics" / topic["id"] / "index.html").is_file(), topic["id"]
    # no rule matched these papers: they wait in the fallback topic, listed as help wanted
    unfiled = (site / "topics" / "unfiled" / "index.html").read_text(encoding="utf-8")
    help_wanted = (site / "help-wanted" / "index.html").read_text(encoding="utf-8")
    for record in records:
        assert f"papers/{record.stem}/" in unfiled
        assert f"papers/{record.stem}/" in help_wanted

    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>Retrieval-Augmented Generation Survey" in home
    assert "An example survey" in home
    for foreign in FOREIGN:
        for page in (site / "index.html", site / "about" / "index.html",
                     site / "surveys" / "index.html"):
            assert foreign not in page.read_text(encoding="utf-8"), (foreign, page)

    bib = (site / "bib" / "all.bib").read_text(encoding="utf-8")
    assert bib.count("\n@") + bib.startswith("@") == 8
    for run in (latex.build_bibtex(bib, tmp_path / "plainnat", "plainnat"),
                latex.build_biblatex(bib, tmp_path / "biber")):
        assert not run.problems, run.describe()

    # The same project under ProperDocs: no MkDocs 2 notice, the same pages.
    proper = sh(["properdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", "site-proper"],
                cwd=project, env=env)
    assert "MkDocs may break" not in proper.stdout + proper.stderr
    assert "Traceback" not in proper.stderr
    for record in records:
        assert (project / "site-proper" / "papers" / record.stem / "index.html").is_file()

    # the workflows the project got are actionlint-clean
    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is installed by tests/install-actionlint.sh"
    sh([actionlint, *map(str, sorted((project / ".github" / "workflows").glob("*.yml")))],
       cwd=project, env=env)


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Start your own survey", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_start_commands_run_as_written(venv, tmp_path):
    commands = readme_commands()
    assert commands[0] == "python3 -m pip install mkdocs-survey"
    assert commands[-1] == "mkdocs serve"
    env = clean_env(venv)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(RAG_BIB, work / "references.bib")
    cwd = work
    # the package is already installed from the wheel (it is not fetched from an index here)
    for command in commands[1:-1]:
        if command.startswith("cd "):
            cwd = cwd / command[3:]
            continue
        proc = sh(command, cwd=cwd, env=env)
        assert "Traceback" not in proc.stderr
    assert len(list((cwd / "content" / "papers").glob("*.yml"))) == 8
    assert (cwd / "content" / "sources" / "references.bib").is_file()
    port = free_port()
    server = subprocess.Popen(["mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=cwd,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                url = f"http://127.0.0.1:{port}{base_path(cwd)}"
                with urllib.request.urlopen(url) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert "Retrieval-augmented generation" in body
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InitError, match="not empty"):
        init_project(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    # a source that cannot be ingested: nothing is written, no staging left behind
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{x, title = {Unclosed\n", encoding="utf-8")
    with pytest.raises(InitError):
        init_project(tmp_path / "new", sources=[bad])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.bib", "busy"]
    # --force writes into it and keeps the other files
    result = init_project(folder, force=True, name="Busy <b>survey</b>")
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (folder / "mkdocs.yml").is_file() and "content/taxonomy.yml" in result.files
    config = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == "Busy <b>survey</b>"
    assert "<b>" not in (folder / "content" / "pages" / "about.md").read_text(encoding="utf-8")


def test_init_from_the_command_line_with_sources(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "survey_core.cli", "init", str(tmp_path / "p"),
                           "--from", str(RAG_BIB), "--repo", "https://github.com/someone/rag"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "8 papers from 1 source(s)" in proc.stdout
    config = yaml.safe_load((tmp_path / "p" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["repo_url"] == "https://github.com/someone/rag"
    assert config["site_name"] == "P"
    again = subprocess.run([sys.executable, "-m", "survey_core.cli", "init", str(tmp_path / "p")],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert "Traceback" not in again.stderr


def test_a_project_with_only_mkdocs_yml_gets_a_clear_message(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: Bare\ntheme:\n  name: material\n"
                                         "plugins:\n  - survey\n", encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr
    assert proc.returncode != 0 and "docs_dir" in proc.stderr  # MkDocs' own message
    (tmp_path / "docs").mkdir()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "content/taxonomy.yml:1:1: error: taxonomy file is missing" in proc.stderr
    assert "0 papers" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    strict = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    check = subprocess.run([sys.executable, "-m", "survey_core.cli", "check"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert "create content/taxonomy.yml" in check.stdout


def test_the_content_format_version(tmp_path):
    assert check_format(tmp_path)[0].severity == "info"  # no file: read as format 1
    (tmp_path / "content").mkdir()
    project = tmp_path / "content" / "project.yml"
    project.write_text(f"format: {FORMAT + 1}\n", encoding="utf-8")
    [newer] = check_format(tmp_path)
    assert newer.is_error and "pip install -U mkdocs-survey" in newer.hint
    project.write_text("format: 1\n", encoding="utf-8")
    assert check_format(tmp_path) == []
    steps = check_format(tmp_path, current=3, migrations={
        1: ["rename content/venues.yml to content/venue-table.yml"],
        2: ["give every survey a curators: list"]})
    assert [d.hint for d in steps[:2]] == ["rename content/venues.yml to content/venue-table.yml",
                                            "give every survey a curators: list"]
    assert all(d.is_error and d.file == "content/project.yml" for d in steps)
    assert "set format: 3" in steps[-1].message
    project.write_text("format: [1\n", encoding="utf-8")
    [broken] = check_format(tmp_path)
    assert broken.is_error and broken.line >= 1


def test_the_repository_records_its_content_format_and_schema():
    assert check_format(REPO) == []
    packaged = REPO / "plugins" / "survey_core" / "model" / "paper.schema.json"
    assert (REPO / "content" / "paper.schema.json").read_bytes() == packaged.read_bytes()
