"""A survey as a self-contained LaTeX project: ``main.tex`` (natbib + bibtex),
``main-biblatex.tex`` (the same document with biblatex + biber), ``refs.bib``
holding exactly the papers the document cites, and a ``README.md``.

The document: the survey's title, curators and revision date; its summary as
the abstract; its prose converted by pandoc (:mod:`survey_core.paper.convert`)
with ``[@key]`` citations as ``\\citep``; the generated sections (markers) as
LaTeX: ``counts`` and ``papers TOPIC`` as tables, ``timeline`` as a TikZ bar
chart, ``shared`` as a paragraph, ``references`` as the bibliography, and the
taxonomy tree (at ``tree``, or before the text) as a ``forest`` figure with
``\\citep`` at the leaves.  Everything taken from records, the taxonomy or the
front matter goes through the BibTeX exporter's escaping (pure ASCII LaTeX).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from survey_core.formats.bibtex import (
    bib_file_text,
    export_bibtex,
    latex_escape_text,
    paper_to_entry,
)
from survey_core.model.catalog import Catalog
from survey_core.model.diagnostics import WARNING, Diagnostic
from survey_core.model.model import Paper
from survey_core.model.surveys import CITATION_RE, MARKER_RE, Survey
from survey_core.model.text import LineIndex, contribution_line
from survey_core.paper.convert import markdown_to_latex, new_token
from survey_core.site.survey_render import scope_papers, shared_with
from survey_core.site.tree import Tree, TreeNode, distinct_names, taxonomy_tree

#: Papers named at a leaf of the LaTeX tree figure, and rows of a papers table.
LEAF_PAPERS = 12
TABLE_ROWS = 100
#: Written into every project folder: ``survey paper`` replaces only folders it wrote.
MARK_FILE = ".survey-paper"

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}
\usepackage[margin=2.2cm]{geometry}
\usepackage{array,calc,booktabs,longtable,amssymb}
\IfFileExists{ulem.sty}{\usepackage[normalem]{ulem}}{}
\providecommand{\sout}[1]{#1}
\usepackage{tikz}
\usepackage[edges]{forest}
\usepackage{xcolor}
\ifdefined\surveybiblatex
  \usepackage[backend=biber,natbib=true,style=numeric-comp,sorting=none]{biblatex}
  \addbibresource{refs.bib}
  \newcommand{\surveybibliography}{\printbibliography}
\else
  \usepackage[numbers,sort&compress]{natbib}
  \newcommand{\surveybibliography}{\bibliographystyle{plainnat}\bibliography{refs}}
\fi
\usepackage[hidelinks]{hyperref}
\providecommand{\tightlist}{\setlength{\itemsep}{0pt}\setlength{\parskip}{0pt}}
% pandoc's code blocks (a block holding "\end{verbatim}" is written this way)
\usepackage{fancyvrb}
\DefineVerbatimEnvironment{Highlighting}{Verbatim}{commandchars=\\\{\}}
\newenvironment{Shaded}{}{}
\newcommand{\AlertTok}[1]{#1}
\newcommand{\AnnotationTok}[1]{#1}
\newcommand{\AttributeTok}[1]{#1}
\newcommand{\BaseNTok}[1]{#1}
\newcommand{\BuiltInTok}[1]{#1}
\newcommand{\CharTok}[1]{#1}
\newcommand{\CommentTok}[1]{#1}
\newcommand{\CommentVarTok}[1]{#1}
\newcommand{\ConstantTok}[1]{#1}
\newcommand{\ControlFlowTok}[1]{#1}
\newcommand{\DataTypeTok}[1]{#1}
\newcommand{\DecValTok}[1]{#1}
\newcommand{\DocumentationTok}[1]{#1}
\newcommand{\ErrorTok}[1]{#1}
\newcommand{\ExtensionTok}[1]{#1}
\newcommand{\FloatTok}[1]{#1}
\newcommand{\FunctionTok}[1]{#1}
\newcommand{\ImportTok}[1]{#1}
\newcommand{\InformationTok}[1]{#1}
\newcommand{\KeywordTok}[1]{#1}
\newcommand{\NormalTok}[1]{#1}
\newcommand{\OperatorTok}[1]{#1}
\newcommand{\OtherTok}[1]{#1}
\newcommand{\PreprocessorTok}[1]{#1}
\newcommand{\RegionMarkerTok}[1]{#1}
\newcommand{\SpecialCharTok}[1]{#1}
\newcommand{\SpecialStringTok}[1]{#1}
\newcommand{\StringTok}[1]{#1}
\newcommand{\VariableTok}[1]{#1}
\newcommand{\VerbatimStringTok}[1]{#1}
\newcommand{\WarningTok}[1]{#1}
\setlength{\emergencystretch}{3em}
\newcommand{\surveynohyphens}{\hyphenpenalty=10000\exhyphenpenalty=10000\relax}
\renewcommand{\arraystretch}{1.15}
"""


@dataclass
class Project:
    """The files of one survey's LaTeX project (name -> text)."""

    survey: Survey
    files: dict[str, str] = field(default_factory=dict)
    #: keys the document cites, in order of first citation
    cited: list[str] = field(default_factory=list)
    #: problems met (unknown citation keys ...), with the survey file and line
    diagnostics: list[Diagnostic] = field(default_factory=list)
    tree: Tree | None = None


@functools.lru_cache(maxsize=65536)
def tex(text: str) -> str:
    """Text (a title, a name, a topic) as LaTeX."""
    return latex_escape_text(" ".join(str(text).split()))


def _date(iso: str | None) -> str:
    if not iso:
        return ""
    day = _dt.date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')} {day.year}"


class _Writer:
    def __init__(self, catalog: Catalog, survey: Survey):
        self.catalog = catalog
        self.survey = survey
        self.cited: dict[str, None] = {}
        self.diagnostics: list[Diagnostic] = []

    def cite(self, keys: list[str]) -> str:
        for key in keys:
            self.cited.setdefault(key, None)
        return "\\citep{" + ",".join(keys) + "}"

    def cite_paper(self, paper: Paper) -> str:
        return self.cite([paper.key])

    # -- generated sections ------------------------------------------------
    def counts(self) -> str:
        cat, survey = self.catalog, self.survey
        papers = cat.survey_papers(survey.id)
        years = sorted({p.year for p in papers if p.year})
        rows = [("Papers in scope", str(len(papers))),
                ("Cited in the text", str(len(survey.cited_keys))),
                ("With code", str(sum(1 for p in papers if p.has_code)))]
        if years:
            rows.append(("Years", f"{years[0]}--{years[-1]}"))
        for root in survey.topics:
            if root in cat.taxonomy:
                for t in cat.taxonomy[root].children:
                    rows.append((f"\\quad {tex(cat.taxonomy[t].name)}",
                                 str(len(scope_papers(cat, survey, t)))))
        body = "\n".join(f"{a} & {b} \\\\" for a, b in rows)
        return ("\\begin{table}[htbp]\n\\centering\n\\begin{tabular}{@{}lr@{}}\n\\toprule\n"
                f"{body}\n\\bottomrule\n\\end{{tabular}}\n"
                f"\\caption{{The survey in figures.}}\\label{{tab:counts}}\n\\end{{table}}\n")

    def papers_table(self, topic_id: str | None) -> str:
        cat, survey = self.catalog, self.survey
        topic = cat.taxonomy.topics.get(topic_id or "")
        if topic is None:
            return f"\\emph{{Unknown topic {tex(topic_id or '')}.}}\n"
        rows = scope_papers(cat, survey, topic.id)
        names = distinct_names(rows[:TABLE_ROWS])
        lines = []
        for p in rows[:TABLE_ROWS]:
            lines.append(f"{tex(names[p.id])}~{self.cite_paper(p)} & {p.year or ''} & "
                         f"{tex(contribution_line(p.abstract))} \\\\")
        more = (f" ({TABLE_ROWS} of {len(rows)} shown)" if len(rows) > TABLE_ROWS else "")
        caption = f"{tex(topic.name)}: {len(rows)} papers{more}."
        return ("\\begin{longtable}{@{}>{\\raggedright\\arraybackslash}p{0.22\\linewidth}"
                "l>{\\raggedright\\arraybackslash}p{0.62\\linewidth}@{}}\n"
                f"\\caption{{{caption}}}\\label{{tab:{topic.id}}}\\\\\n\\toprule\n"
                "Paper & Year & Contribution \\\\\n\\midrule\n\\endfirsthead\n"
                "\\toprule\nPaper & Year & Contribution \\\\\n\\midrule\n\\endhead\n"
                "\\bottomrule\n\\endfoot\n" + "\n".join(lines) + "\n\\end{longtable}\n")

    def timeline(self) -> str:
        papers = self.catalog.survey_papers(self.survey.id)
        years = Counter(p.year for p in papers if p.year)
        if not years:
            return ""
        first, last = min(years), max(years)
        top = max(years.values())
        bars = []
        for i, year in enumerate(range(first, last + 1)):
            n = years.get(year, 0)
            h = 4.0 * n / top
            if n:
                bars.append(f"\\fill[gray!55] ({i * 0.9:.2f},0) rectangle "
                            f"({i * 0.9 + 0.7:.2f},{h:.2f});")
                bars.append(f"\\node[above,font=\\scriptsize] at ({i * 0.9 + 0.35:.2f},"
                            f"{h:.2f}) {{{n}}};")
            bars.append(f"\\node[below,font=\\scriptsize] at ({i * 0.9 + 0.35:.2f},0) "
                        f"{{{year}}};")
        return ("\\begin{figure}[htbp]\n\\centering\n\\begin{tikzpicture}\n"
                f"\\draw[gray] (-0.1,0) -- ({(last - first + 1) * 0.9:.2f},0);\n"
                + "\n".join(bars) + "\n\\end{tikzpicture}\n"
                "\\caption{Papers in the survey's scope per year.}\\label{fig:timeline}\n"
                "\\end{figure}\n")

    def shared(self) -> str:
        parts = [f"\\emph{{{tex(other.title)}}} ({len(items)} papers)"
                 for other, items in shared_with(self.catalog, self.survey)]
        if not parts:
            return ""
        return "This survey shares papers with " + ", ".join(parts) + ".\n"

    def tree(self, tree: Tree) -> str:
        width = {0: 2.4, 1: 3.0}

        def node(n: TreeNode, level: int) -> str:
            label = f"{tex(n.topic.name)} ({n.total})"
            opts = f"text width={width.get(level, 2.6)}cm"
            if level == 0:
                opts += ", font=\\footnotesize\\bfseries\\surveynohyphens"
            children = [node(c, level + 1) for c in n.children]
            if n.shown:
                leaf = self.leaf(n, tree)
                if n.children:
                    children.append(f"[{{General}}, text width={width.get(level + 1, 2.6)}cm "
                                    f"{leaf}]")
                else:
                    children.append(leaf)
            return f"[{{{label}}}, {opts} " + " ".join(children) + "]"

        depth = max((m.depth for m in tree.walk()), default=0)
        depth += len(tree.nodes) > 1  # several roots hang from the survey's title
        self.leaf_width = max(4.0, 16.2 - 2.4 - 3.0 * depth - 0.7 * (depth + 1))
        if len(tree.nodes) == 1:
            forest = node(tree.nodes[0], 0)
        else:
            forest = (f"[{{{tex(self.survey.title)}}}, text width=2.4cm, "
                      "font=\\footnotesize\\bfseries "
                      + " ".join(node(n, 1) for n in tree.nodes) + "]")
        names = ", ".join(tex(n.topic.name) for n in tree.walk() if n.depth > 0)
        return ("\\begin{figure}[htbp]\n\\centering\n\\begin{forest}\n"
                "for tree={grow'=east, forked edges, draw, rounded corners=2pt, "
                "node options={align=left}, anchor=west, parent anchor=east, child anchor=west, "
                "inner sep=2pt, l sep=6pt, s sep=2pt, "
                "font=\\footnotesize\\surveynohyphens, "
                "edge={gray}},\n"
                f"{forest}\n\\end{{forest}}\n"
                f"\\caption{{Taxonomy of the survey: {tree.subtopics} sub-topics ({names}) and "
                f"{tree.papers} papers; each leaf names its most cited and newest "
                "papers.}\\label{fig:taxonomy}\n\\end{figure}\n")

    def leaf(self, n: TreeNode, tree: Tree) -> str:
        items = [f"{tex(tree.names[p.id])}~{self.cite_paper(p)}" for p in n.shown]
        if n.more > 0:
            items.append(f"and {n.more} more")
        return (f"[{{{', '.join(items)}}}, text width={self.leaf_width:.1f}cm, "
                "font=\\scriptsize, draw=gray]")


def build_project(catalog: Catalog, survey_id: str, pandoc: str | None = None,
                  leaf_papers: int = LEAF_PAPERS,
                  entries: Mapping[str, str] | None = None) -> Project:
    """The LaTeX project of one survey.  ``entries``: BibTeX entries already made for
    the site (paper id -> :func:`survey_core.formats.bibtex.paper_to_entry` text), reused
    for ``refs.bib``.  Raises KeyError for an unknown survey and
    :class:`survey_core.paper.convert.ConversionError` when pandoc is missing or fails."""
    survey = catalog.surveys[survey_id]
    w = _Writer(catalog, survey)
    project = Project(survey=survey)
    body = survey.body
    index = LineIndex(body, survey.body_line)
    # Placeholders for the citations and the markers (see convert.py).
    cite_token, marker_token = new_token(body, "cite"), new_token(body, "marker")
    groups: list[list[str]] = []

    def citation(m) -> str:
        groups.append([k.strip()[1:] for k in m.group(1).split(";")])
        line, column = index.where(m.start())
        for key in groups[-1]:
            if key not in catalog.by_key:
                w.diagnostics.append(Diagnostic(survey.path, line, f"unknown citation key "
                                                f"'{key}': left out of the LaTeX edition",
                                                "cite a record's key", WARNING, column))
        return f"{cite_token}{_letters(len(groups) - 1)}{cite_token}"

    markers: list[tuple[str, str | None]] = []

    def marker(m) -> str:
        markers.append((m.group("name"), m.group("arg")))
        return f"\n{marker_token}{_letters(len(markers) - 1)}{marker_token}\n"

    text = CITATION_RE.sub(citation, body)
    text = MARKER_RE.sub(marker, text)
    latex = markdown_to_latex(text, pandoc)

    tree = taxonomy_tree(catalog, survey, limit=leaf_papers)
    project.tree = tree
    has_tree = any(name == "tree" for name, _ in markers)
    has_refs = any(name == "references" for name, _ in markers)
    # The citations in the order they appear in the text come first.
    out = _replace(latex, cite_token, lambda i: w.cite(
        [k for k in groups[i] if k in catalog.by_key]) if any(
            k in catalog.by_key for k in groups[i]) else "{[}?{]}")

    def section(i: int) -> str:
        name, arg = markers[i]
        if name == "counts":
            return w.counts()
        if name == "papers":
            return w.papers_table(arg)
        if name == "timeline":
            return w.timeline()
        if name == "shared":
            return w.shared()
        if name == "references":
            return "\\surveybibliography\n"
        if name == "tree":
            return w.tree(tree)
        return ""

    out = _replace(out, marker_token, section)
    intro = ("The taxonomy of the papers this survey covers is drawn in "
             "Figure~\\ref{fig:taxonomy}.\n\n")
    if not has_tree:
        intro += w.tree(tree) + "\n"
    curators = " \\and ".join(tex(c) for c in survey.curators) or "The survey's curators"
    revised = _date(survey.revised)
    doc = (PREAMBLE
           + f"\\title{{{tex(survey.title)}}}\n\\author{{{curators}}}\n"
           + f"\\date{{{'Revised ' + revised if revised else ''}}}\n"
           + f"\\hypersetup{{pdftitle={{{tex(survey.title)}}}}}\n"
           + "\\begin{document}\n\\maketitle\n"
           + (f"\\begin{{abstract}}\n{tex(survey.summary)}\n\\end{{abstract}}\n\n"
              if survey.summary.strip() else "")
           + intro + out.strip() + "\n\n"
           + ("" if has_refs else "\\surveybibliography\n")
           + "\\end{document}\n")
    project.cited = list(w.cited)
    project.diagnostics = w.diagnostics
    papers = [catalog.by_key[k] for k in project.cited]
    project.files = {
        "main.tex": doc,
        "main-biblatex.tex": "% The same document with biblatex and biber:\n"
                             "% pdflatex main-biblatex, biber main-biblatex, pdflatex twice.\n"
                             "\\def\\surveybiblatex{}\n\\input{main.tex}\n",
        "refs.bib": (bib_file_text([(p.key, entries.get(p.id) or paper_to_entry(p))
                                    for p in papers]) if entries is not None
                     else export_bibtex(papers)),
        "README.md": readme(survey, len(papers)),
        MARK_FILE: f"survey paper {survey.id}\n",
    }
    return project


def _letters(n: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "ba" ...: a placeholder's number as letters."""
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n //= 26
        if n == 0:
            return out


def _number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord("a")
    return n


def _replace(latex: str, token: str, make) -> str:
    return re.sub(re.escape(token) + "([a-z]+)" + re.escape(token),
                  lambda m: make(_number(m.group(1))), latex)


def readme(survey: Survey, n: int) -> str:
    return f"""# {survey.title}

The LaTeX edition of the survey `{survey.id}`, written by `survey paper {survey.id}`.

- `main.tex`: the document (natbib; upload the folder to Overleaf, or compile it):

      pdflatex -no-shell-escape main && bibtex main && pdflatex main && pdflatex main

  (and `pdflatex main` once more if LaTeX asks to rerun; `latexmk -pdf main` does it all).

- `main-biblatex.tex`: the same document with biblatex and biber:

      pdflatex main-biblatex && biber main-biblatex
      pdflatex main-biblatex && pdflatex main-biblatex

- `refs.bib`: the {n} papers the document cites.

It needs the LaTeX packages natbib (or biblatex and biber), booktabs, longtable, tikz
and forest (TeX Live: texlive-latex-recommended, texlive-latex-extra, texlive-pictures,
texlive-bibtex-extra and biber).
"""
