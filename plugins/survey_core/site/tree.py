"""The taxonomy tree figure: branches, sub-topics and, at the leaves, papers by
their short names.  Plain Python (no MkDocs import).

:func:`taxonomy_tree` builds the figure's data for a survey's scope or for the
whole taxonomy; the site draws it as nested lists (``taxonomy_tree.html``,
HTML and CSS: keyboard- and screen-reader-usable, light in bytes) and the LaTeX
edition as a ``forest`` tree (:mod:`survey_core.paper.latex`).

A leaf shows at most ``limit`` papers, the most cited first (by the survey's
text, or by all surveys for the whole tree), then the newest; it counts the
rest and links to the papers index filtered by its topic (and survey).  A topic
with sub-topics shows, besides them, the papers filed under it directly and
under none of its sub-topics (its "general" group).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from survey_core.model.catalog import Catalog
from survey_core.model.keys import split_name
from survey_core.model.model import Paper
from survey_core.model.surveys import Survey
from survey_core.model.taxonomy import Topic

#: Papers shown at a leaf of a survey's tree and of the whole tree, by default.
SURVEY_LEAF_PAPERS = 8
TOPICS_LEAF_PAPERS = 4

#: A title's head (before the colon) that names a method: one to three words, at
#: most 30 characters, of which one has a capital after its first letter or a
#: digit ("ZeroQuant-FP", "DB-LLM", "BitNet b1.58"), or a single capitalised word
#: ("Compresso") that is not a common heading word.
_MAX_HEAD = 30
_NAME_WORD = re.compile(r"[A-Za-z0-9]*(?:[a-z0-9][A-Z]|[0-9])|^[A-Z]{2}")
_NOT_NAMES = {"a", "an", "the", "beyond", "survey", "review", "position", "towards", "toward",
              "on", "rethinking", "revisiting", "understanding", "evaluating", "why", "how",
              "what", "when", "less", "more", "tokenization", "quantization", "pruning",
              "distillation", "compression", "efficient", "scaling", "unlocking"}
#: Words that name the field, not a method ("Compressing LLMs" is no method name).
_GENERIC = {"llm", "llms", "lm", "lms", "ai", "nlp", "gpt", "bert", "transformer",
            "transformers"}


def title_name(title: str) -> str | None:
    """The method name a title starts with ("ZeroQuant-FP: ..." -> "ZeroQuant-FP"),
    or None."""
    if ":" not in title:
        return None
    head = " ".join(title.split(":", 1)[0].split())
    words = head.split(" ")
    if not head or len(head) > _MAX_HEAD or len(words) > 3:
        return None
    if words[0].lower() in _NOT_NAMES:
        return None
    if any(_NAME_WORD.search(w) for w in words if w.lower() not in _GENERIC):
        return head
    if len(words) == 1 and head[:1].isupper() and len(head) >= 3:
        return head
    return None


def author_name(paper: Paper) -> str:
    """"Surname et al. 2024", "Surname and Other 2024", "Surname 2024"; without
    authors the first words of the title."""
    year = f" {paper.year}" if paper.year else ""
    if paper.authors:
        first = split_name(paper.authors[0]).family or paper.authors[0]
        if len(paper.authors) == 1 and paper.authors_complete:
            return first + year
        if len(paper.authors) == 2 and paper.authors_complete:
            second = split_name(paper.authors[1]).family or paper.authors[1]
            return f"{first} and {second}{year}"
        return f"{first} et al.{year}"
    words = paper.title.split()
    return " ".join(words[:3]) + (" ..." if len(words) > 3 else "") + year


def short_name(paper: Paper) -> str:
    """The name a figure shows for a paper: its record's ``short_name``, else the
    method name its title starts with, else first author and year."""
    return paper.short_name or title_name(paper.title) or author_name(paper)


@dataclass
class TreeNode:
    topic: Topic
    depth: int
    #: sub-topic nodes, in taxonomy order
    children: list[TreeNode] = field(default_factory=list)
    #: the papers shown here, ranked (a leaf's papers, or a branch's general group)
    shown: list[Paper] = field(default_factory=list)
    #: how many papers this group holds (``shown`` is the first ``limit`` of them)
    group_total: int = 0
    #: papers under the topic or any topic below it (in scope)
    total: int = 0
    #: papers-index query for the whole group (``?topic=...``)
    query: str = ""

    @property
    def more(self) -> int:
        return self.group_total - len(self.shown)

    def walk(self) -> Iterable[TreeNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Tree:
    nodes: list[TreeNode]
    #: papers in the tree (each counted once)
    papers: int
    #: sub-topics (topics below the roots) in the tree
    subtopics: int
    #: links at the leaves
    shown: int
    #: paper id -> the name shown (short names two papers share get a, b, ...)
    names: dict[str, str] = field(default_factory=dict)

    def walk(self) -> Iterable[TreeNode]:
        for node in self.nodes:
            yield from node.walk()


def citation_counts(surveys: Iterable[Survey]) -> Counter:
    """How often each key is cited in the surveys' text."""
    counts: Counter = Counter()
    for survey in surveys:
        for citation in survey.citations:
            counts.update(citation.keys)
    return counts


def taxonomy_tree(catalog: Catalog, survey: Survey | None = None, limit: int | None = None
                  ) -> Tree:
    """The tree of a survey's scope (its topics and all below them, with its
    papers) or, without a survey, of the whole taxonomy (every paper); at most
    ``limit`` papers shown per leaf (0: all)."""
    tax = catalog.taxonomy
    if survey is not None:
        roots = [t for t in survey.topics if t in tax]
        scope = {p.id for p in catalog.survey_papers(survey.id)}
        cites = citation_counts([survey])
        limit = SURVEY_LEAF_PAPERS if limit is None else limit
        base = f"survey={survey.id}&"
    else:
        roots = [t.id for t in tax.roots]
        scope = None
        cites = citation_counts(catalog.surveys.values())
        limit = TOPICS_LEAF_PAPERS if limit is None else limit
        base = ""
    # Roots inside another root's branch are drawn there only.
    covered = {d for r in roots for d in tax.descendants(r) if d != r}
    roots = [r for r in dict.fromkeys(roots) if r not in covered]

    def keep(p: Paper) -> bool:
        return scope is None or p.id in scope

    def ranked(papers: list[Paper]) -> list[Paper]:
        # topic lists are newest first already: a stable sort by citations keeps it
        return sorted(papers, key=lambda p: -cites.get(p.key, 0))

    shown_total = 0

    def build(tid: str, depth: int) -> TreeNode:
        nonlocal shown_total
        topic = tax[tid]
        node = TreeNode(topic=topic, depth=depth, query=f"{base}topic={tid}")
        node.total = sum(1 for p in catalog.topic_papers.get(tid, []) if keep(p))
        node.children = [build(c, depth + 1) for c in topic.children]
        if topic.children:
            below = {d for c in topic.children for d in tax.descendants(c)}
            group = [p for p in catalog.topic_direct.get(tid, [])
                     if keep(p) and not below & set(p.topics)]
        else:
            group = [p for p in catalog.topic_papers.get(tid, []) if keep(p)]
        node.group_total = len(group)
        node.shown = ranked(group)[:limit] if limit > 0 else ranked(group)
        shown_total += len(node.shown)
        return node

    nodes = [build(r, 0) for r in roots]
    ids = set()
    for r in roots:
        ids.update(p.id for p in catalog.topic_papers.get(r, []) if keep(p))
    subtopics = sum(1 for n in nodes for m in n.walk() if m.depth > 0)
    tree = Tree(nodes=nodes, papers=len(ids), subtopics=subtopics, shown=shown_total)
    tree.names = distinct_names(p for n in tree.walk() for p in n.shown)
    return tree


def distinct_names(papers: Iterable[Paper]) -> dict[str, str]:
    """paper id -> short name, a letter added where papers share one ("Bayram et
    al. 2025a", "... 2025b", by key)."""
    unique = {p.id: p for p in papers}
    by_name: dict[str, list[Paper]] = {}
    for p in unique.values():
        by_name.setdefault(short_name(p), []).append(p)
    out = {}
    for name, group in by_name.items():
        if len(group) == 1:
            out[group[0].id] = name
        else:
            for n, p in enumerate(sorted(group, key=lambda p: p.key)):
                out[p.id] = name + (chr(ord("a") + n) if n < 26 else f" ({n + 1})")
    return out


def tree_html(renderer, tree: Tree, page: str, caption: str, figure_id: str = "taxonomy"
              ) -> str:
    """The figure as HTML (``taxonomy_tree.html``) for the page at ``page``."""
    return renderer.render("taxonomy_tree.html", tree=tree, page=page, caption=caption,
                           names=tree.names, figure_id=figure_id)


def caption_text(tree: Tree, what: str) -> str:
    """"Taxonomy of <what>: 5 sub-topics, 48 papers; at each leaf the most cited
    and newest papers." """
    return (f"Taxonomy of {what}: {tree.subtopics} sub-topic{'s' if tree.subtopics != 1 else ''}"
            f", {tree.papers} paper{'s' if tree.papers != 1 else ''}. Each leaf names its most "
            "cited and newest papers; a count links to the rest.")
