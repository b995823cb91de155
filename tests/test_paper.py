"""A survey as a paper: ``survey paper ID`` writes a LaTeX project that compiles
with pdflatex + bibtex (natbib) and with biblatex + biber, citing every paper the
survey's text cites, its taxonomy tree naming every sub-topic; survey prose cannot
read files or run commands during the compilation; the site offers the project
as a zip, and says once in its log when pandoc is missing.

These tests run the real pandoc, pdflatex, bibtex, biber and pdftotext (tests/run.sh
installs them); a missing tool fails them."""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from latex import build_project, pdf_file_text, require
from project import copy_project, run_build

from survey_core.cli import main as survey_main
from survey_core.model.catalog import load_catalog
from survey_core.model.surveys import CITATION_RE
from survey_core.paper import convert
from survey_core.paper.convert import ConversionError, dangerous, markdown_to_latex
from survey_core.site.tree import short_name, taxonomy_tree, title_name

REPO = Path(__file__).resolve().parents[1]
SURVEYS = sorted(p.stem for p in (REPO / "content" / "surveys").glob("*.md"))


def source_keys(survey_id: str) -> set[str]:
    text = (REPO / "content" / "surveys" / f"{survey_id}.md").read_text(encoding="utf-8")
    return {k.strip()[1:] for m in CITATION_RE.finditer(text) for k in m.group(1).split(";")}


def bib_keys(bib: str) -> set[str]:
    return set(re.findall(r"^@\w+\{([^,]+),", bib, re.MULTILINE))


def normalised(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """``survey paper ID -o DIR`` for both surveys of the repository."""
    out = {}
    for sid in SURVEYS:
        folder = tmp_path_factory.mktemp("paper") / sid
        assert survey_main(["--root", str(REPO), "paper", sid, "-o", str(folder)]) == 0
        out[sid] = folder
    return out


@pytest.mark.parametrize("engine", ["natbib", "biblatex"])
@pytest.mark.parametrize("sid", SURVEYS)
def test_both_surveys_compile_and_cite_every_source_key(projects, tmp_path, sid, engine):
    require("pandoc")
    folder = tmp_path / sid
    shutil.copytree(projects[sid], folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        ".survey-paper", "README.md", "main-biblatex.tex", "main.tex", "refs.bib"]
    job = "main" if engine == "natbib" else "main-biblatex"
    run = build_project(folder, job, biblatex=engine == "biblatex")
    assert run.problems == [], run.describe()
    assert (folder / f"{job}.pdf").stat().st_size > 10_000
    aux = (folder / f"{job}.aux").read_text(encoding="utf-8")
    if engine == "natbib":
        cited = {k for m in re.finditer(r"\\citation\{([^}]*)\}", aux)
                 for k in m.group(1).split(",")}
        in_bbl = set(re.findall(r"\\bibitem\[[^\]]*\]\{([^}]+)\}", run.bbl, re.DOTALL))
    else:
        cited = set(re.findall(r"\\abx@aux@cite\{\d+\}\{([^}]+)\}", aux))
        in_bbl = set(re.findall(r"\\entry\{([^}]+)\}", run.bbl))
    keys = source_keys(sid)
    assert keys and keys <= cited  # every [@key] of the source is cited in the PDF
    refs = bib_keys((folder / "refs.bib").read_text(encoding="utf-8"))
    assert refs == cited == in_bbl  # refs.bib holds exactly the cited papers
    # The tree figure names every sub-topic in the survey's scope.
    catalog = load_catalog(REPO, persist_cache=False)
    survey = catalog.surveys[sid]
    subtopics = [t for root in survey.topics for t in catalog.taxonomy.descendants(root)
                 if t != root]
    assert subtopics
    text = normalised(pdf_file_text(folder / f"{job}.pdf"))
    tex = (folder / "main.tex").read_text(encoding="utf-8")
    figure = tex[tex.index("\\begin{forest}"):tex.index("\\end{forest}")]
    for tid in subtopics:
        name = catalog.taxonomy[tid].name
        assert name in text, name
        assert f"[{{{name} (" in figure, name
    # the abstract is the summary, the title and revision date are on the first page
    assert normalised(survey.title) in text
    assert normalised(survey.summary)[:60] in text
    assert "Revised 22 November 2026" in text


def test_the_tree_figure_cites_at_its_leaves(projects):
    tex = (projects["compression"] / "main.tex").read_text(encoding="utf-8")
    figure = tex[tex.index("\\begin{forest}"):tex.index("\\end{forest}")]
    assert "QuaRot~\\citep{ashkboos2024quarot}" in figure
    assert "\\label{fig:taxonomy}" in tex and "Figure~\\ref{fig:taxonomy}" in tex
    # generated sections: the papers tables and the timeline figure
    assert "\\begin{longtable}" in tex and "\\label{tab:quantization}" in tex
    assert "\\label{fig:timeline}" in tex
    # prose: sections, emphasis and citations survive the conversion
    assert "\\section{Quantization}" in tex
    assert "\\citep{kim2023finequant}" in tex


HOSTILE = r"""
Plain words, then \input{/etc/passwd} and \write18{touch MARKER} and
\immediate\write18{touch MARKER} and \openin1=/etc/passwd \read1 to\x and
\catcode`\^=13 and \include{/etc/passwd} and \csname input\endcsname{/etc/passwd} [@ma2024era].

Math: $\input{/etc/passwd}$ and $$\write18{touch MARKER}$$ and \(\input{/etc/passwd}\).

```{=latex}
\input{/etc/passwd}\immediate\write18{touch MARKER}
```

`\input{/etc/passwd}` in code, and a block:

    \input{/etc/passwd}
    \end{verbatim}\input{/etc/passwd}

![\input{/etc/passwd}](/etc/passwd) and [a link](https://example.org/\input{/etc/passwd}).

\newcommand{\x}{\input{/etc/passwd}} \x \def\y{\write18{touch MARKER}}\y

<em>\input{/etc/passwd}</em>
"""


def test_hostile_prose_compiles_without_reading_files_or_running_commands(tmp_path):
    require("pdflatex")
    project = copy_project(tmp_path / "project")
    marker = tmp_path / "MARKER"
    path = project / "content" / "surveys" / "compression.md"
    text = path.read_text(encoding="utf-8").replace("MARKER", str(marker))
    front, body = text.split("\n---\n", 1)
    # front matter is escaped as well
    front = front.replace("curators: [survey-editors]",
                          "curators: ['\\input{/etc/passwd}', 'A & B_{x} %']")
    hostile = HOSTILE.replace("MARKER", str(marker))
    path.write_text(front + "\n---\n" + hostile + body, encoding="utf-8")
    out = tmp_path / "paper"
    cwd = os.getcwd()
    os.chdir(tmp_path)  # a \write18{touch MARKER} with a relative name would land here
    try:
        status = survey_main(["--root", str(project), "paper", "compression", "-o", str(out),
                              "--pdf"])
    finally:
        os.chdir(cwd)
    assert status == 0
    assert not marker.exists() and not (tmp_path / "MARKER").exists()
    tex = (out / "main.tex").read_text(encoding="utf-8")
    start = tex.index("Plain words")
    assert dangerous(tex[start:tex.index("Quantization", start)]) is None
    text = pdf_file_text(out / "compression.pdf")
    assert "root:" not in text  # /etc/passwd's first line is root:x:0:0:...
    assert "\\input{/etc/passwd}" in text  # shown as text
    assert "\\write18{touch" in text
    assert "A & B_{x} %" in text  # a curator's name, as written
    # The compilation opened no file outside TeX's own and the project's.
    run = build_project(out, "main", biblatex=False)
    log = (out / "main.log").read_text(encoding="utf-8", errors="replace")
    assert "(/etc/passwd" not in log  # TeX logs each file it opens as "(path"
    first = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    assert first[:12] not in text
    assert not marker.exists()
    assert [p for p in run.problems if "undefined" in p or p.startswith("pdflatex")] == []


def test_names_from_records_are_escaped_in_both_figures(tmp_path):
    from survey_core.paper.latex import build_project as latex_project
    from survey_core.site.render import Renderer
    from survey_core.site.tree import tree_html

    catalog = load_catalog(REPO, persist_cache=False)
    paper = catalog.by_key["ashkboos2024quarot"]
    paper.short_name = "<b>Q</b> \\input{/etc/passwd} & 50%"
    survey = catalog.surveys["compression"]
    tree = taxonomy_tree(catalog, survey)
    html_text = tree_html(Renderer(catalog), tree, "surveys/compression/", "caption")
    assert "&lt;b&gt;Q&lt;/b&gt; \\input{/etc/passwd} &amp; 50%" in html_text
    assert "<b>Q</b>" not in html_text
    tex = latex_project(catalog, "compression").files["main.tex"]
    figure = tex[tex.index("\\begin{forest}"):tex.index("\\end{forest}")]
    assert "\\textless{}b\\textgreater{}Q\\textless{}/b\\textgreater{} " \
        "\\textbackslash{}input\\{/etc/passwd\\} \\& 50\\%~\\citep{ashkboos2024quarot}" \
        in figure


def test_converted_prose_is_checked_again():
    """Whatever pandoc lets through, a command that reads, writes or runs is refused."""
    assert dangerous("text \\input{/etc/passwd}") == "\\input"
    assert dangerous("\\immediate\\write18{ls}") == "\\immediate"
    assert dangerous("\\begin{verbatim}\n\\input{x}\n\\end{verbatim}\n") is None
    assert dangerous("\\begin{verbatim}\n\\end{verbatim}\\input{x}") == "\\input"
    assert dangerous("\\textbackslash{}input\\{x\\} \\emph{a} \\citep{k}") is None
    latex = markdown_to_latex("A \\input{/etc/passwd} and *b* and é × ≤ 日本")
    assert "\\textbackslash" in latex and "\\emph{b}" in latex
    assert latex.isascii()


def test_without_pandoc_a_clear_message_and_nothing_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(convert, "find_pandoc", lambda pandoc=None: None)
    with pytest.raises(ConversionError, match="pandoc is not installed"):
        markdown_to_latex("text")
    out = tmp_path / "paper"
    assert survey_main(["--root", str(REPO), "paper", "tokenization", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "survey paper: pandoc is not installed" in err and "Traceback" not in err
    assert not out.exists()


def test_pdf_without_tex_says_so(tmp_path, monkeypatch, capsys):
    from survey_core.paper import compile as compile_module

    real = shutil.which
    monkeypatch.setattr(compile_module.shutil, "which",
                        lambda name, *a, **k: None if name in ("pdflatex", "bibtex")
                        else real(name, *a, **k))
    out = tmp_path / "paper"
    assert survey_main(["--root", str(REPO), "paper", "tokenization", "-o", str(out),
                        "--pdf"]) == 1
    err = capsys.readouterr().err
    assert "--pdf needs pdflatex and bibtex, not installed here" in err
    assert (out / "main.tex").is_file() and not (out / "tokenization.pdf").exists()


def test_output_folder_rules(tmp_path, capsys):
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    assert survey_main(["--root", str(REPO), "paper", "tokenization", "-o", str(other)]) == 1
    assert "did not write" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    # a folder survey paper wrote is replaced whole; an unknown survey is an error
    out = tmp_path / "paper"
    for _ in range(2):
        assert survey_main(["--root", str(REPO), "paper", "tokenization", "-o", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "paper"]  # nothing staged left
    assert survey_main(["--root", str(REPO), "paper", "nope", "-o", str(out)]) == 1
    assert "no survey 'nope'" in capsys.readouterr().err


def test_short_names():
    assert title_name("ZeroQuant-FP: A Leap Forward in LLMs Post-Training") == "ZeroQuant-FP"
    assert title_name("DB-LLM: Accurate Dual-Binarization") == "DB-LLM"
    assert title_name("Compresso: Structured Pruning") == "Compresso"
    assert title_name("Compressing LLMs: The Truth is Rarely Pure") is None
    assert title_name("Beyond Size: How Gradients Shape Pruning") is None
    assert title_name("Attention Is All You Need") is None
    catalog = load_catalog(REPO, persist_cache=False)
    paper = catalog.by_key["tao2024scaling"]
    assert short_name(paper) == "Tao et al. 2024"
    paper.short_name = "VocabLaw"
    try:
        assert short_name(paper) == "VocabLaw"
    finally:
        paper.short_name = None


def test_tree_data_of_each_survey_and_of_the_whole_taxonomy():
    catalog = load_catalog(REPO, persist_cache=False)
    for survey in catalog.surveys.values():
        tree = taxonomy_tree(catalog, survey)
        scope = {p.id for p in catalog.survey_papers(survey.id)}
        assert tree.papers == len(scope)
        for node in tree.walk():
            assert len(node.shown) <= 8 and node.more == node.group_total - len(node.shown)
            assert {p.id for p in node.shown} <= scope
        assert len(set(tree.names.values())) == len(tree.names)  # names tell papers apart
    whole = taxonomy_tree(catalog)
    assert {n.topic.id for n in whole.walk()} == set(catalog.taxonomy.topics)


def test_the_site_offers_each_survey_as_a_zip(built_site):
    for sid in SURVEYS:
        page = (built_site.site / "surveys" / sid / "index.html").read_text(encoding="utf-8")
        assert f'href="{sid}-latex.zip"' in page
        assert ">PDF<" not in page  # the PDF only where the deploy build made it
        data = (built_site.site / "surveys" / sid / f"{sid}-latex.zip").read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = sorted(zf.namelist())
            assert names == [f"{sid}-latex/{n}" for n in
                             ("README.md", "main-biblatex.tex", "main.tex", "refs.bib")]
            tex = zf.read(f"{sid}-latex/main.tex").decode()
        assert "\\begin{forest}" in tex


def test_the_site_builds_the_pdf_when_asked_and_says_when_pandoc_is_missing(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "mkdocs.pdf.yml").write_text(
        "INHERIT: mkdocs.yml\nplugins:\n  - survey:\n      surveys: {pdf: true}\n",
        encoding="utf-8")
    result = run_build(project, "--config-file", "mkdocs.pdf.yml")
    assert result.returncode == 0, result.stderr
    for sid in SURVEYS:
        pdf = project / "site" / "surveys" / sid / f"{sid}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        page = (project / "site" / "surveys" / sid / "index.html").read_text(encoding="utf-8")
        assert f'href="{sid}.pdf"' in page
    # Without pandoc on the PATH: one line in the log, no zip, no failure (--strict).
    empty = tmp_path / "bin"
    empty.mkdir()
    env_path = os.environ["PATH"]
    os.environ["PATH"] = str(empty)
    try:
        result = run_build(project)
    finally:
        os.environ["PATH"] = env_path
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("pandoc is not installed") == 1
    assert not list((project / "site" / "surveys").glob("*/*.zip"))


def test_the_tree_marker_places_the_figure(tmp_path):
    from survey_core.paper.latex import build_project as latex_project
    from survey_core.site.render import Renderer
    from survey_core.site.survey_render import expand_survey

    catalog = load_catalog(REPO, persist_cache=False)
    survey = catalog.surveys["tokenization"]
    renderer = Renderer(catalog)
    # Without the marker the figure stands above the text ...
    page = renderer.unstash(expand_survey(catalog, renderer, survey))
    assert page.count('<figure class="survey-taxonomy"') == 1
    assert page.index('<figure class="survey-taxonomy"') < page.index("Every large language model")
    tex = latex_project(catalog, survey.id).files["main.tex"]
    assert tex.count("\\begin{forest}") == 1
    assert tex.index("\\begin{forest}") < tex.index("Every large language model")
    # ... and with it, where the marker stands.
    survey.body = survey.body.replace("<!-- survey:timeline -->", "<!-- survey:tree -->")
    page = renderer.unstash(expand_survey(catalog, renderer, survey))
    assert page.count('<figure class="survey-taxonomy"') == 1
    assert page.index("Every large language model") < page.index('<figure class="survey-taxonomy"')
    tex = latex_project(catalog, survey.id).files["main.tex"]
    assert tex.count("\\begin{forest}") == 1
    assert tex.index("Every large language model") < tex.index("\\begin{forest}")


MARKDOWN = r"""
## A *heading* with `code` and a citation [@ma2024era]

Text &amp; &copy; é, “quotes” -- dashes --- and... 100% $5 #1 _x_ ^ ~ \ { } 日本 ≤ ×.
A footnote[^1], ~~strike~~, super^2^, sub~2~, [small]{.smallcaps},
[a link](https://example.org/a_b%20c#d "title"), an inline note^[with *emphasis*].

[^1]: The note, citing [@ashkboos2024quarot].

> A quote
> > nested

Term
:   Definition

1. one
   i. roman
   ii. numerals
2. two

(@) example

A) upper
B) letters

| a | b |
|:--|--:|
| 1 | [@chen2024bitmod] |

: A caption

::: {.note}
fenced div
:::

[span]{#id .class key=value} and [again]{#id}

| line block
| second

---

- [ ] task
- [x] done

```python
print("\\end{verbatim}")
```

<details><summary>Summary</summary>hidden *text*</details>
"""


def test_every_markdown_feature_compiles(tmp_path):
    require("pdflatex")
    project = copy_project(tmp_path / "project")
    path = project / "content" / "surveys" / "compression.md"
    front, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    path.write_text(front + "\n---\n" + MARKDOWN + body, encoding="utf-8")
    out = tmp_path / "paper"
    assert survey_main(["--root", str(project), "paper", "compression", "-o", str(out),
                        "--pdf"]) == 0
    text = normalised(pdf_file_text(out / "compression.pdf"))
    for shown in ("A heading with code and a citation", "Definition", "line block second",
                  "hidden text", "fenced div", "The note, citing"):
        assert shown in text, shown
