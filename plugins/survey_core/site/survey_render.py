"""Expanding a survey's Markdown: citations become numbered links, markers
become generated sections.  Plain Python; the surveys plugin hands the result
to MkDocs as the page ``surveys/<id>/``."""

from __future__ import annotations

from collections import Counter

from markupsafe import escape

from survey_core.model.catalog import Catalog
from survey_core.model.model import Paper
from survey_core.site.render import Renderer, paper_url, rel, survey_url
from survey_core.model.surveys import CITATION_RE, MARKER_RE, Survey
from survey_core.site.tree import caption_text, taxonomy_tree, tree_html


def reference_numbers(survey: Survey) -> dict[str, int]:
    """Reference number of each cited key, in order of first citation."""
    return {key: n for n, key in enumerate(survey.cited_keys, start=1)}


def citation_html(keys: list[str], numbers: dict[str, int], catalog: Catalog, page: str) -> str:
    links = []
    for key in keys:
        paper = catalog.by_key.get(key)
        if paper is None:
            links.append(f'<span class="survey-cite-missing">?{escape(key)}</span>')
            continue
        links.append(f'<a href="{rel(paper_url(paper), page)}" title="{escape(paper.title)}" '
                     f'data-cite="{escape(key)}">{numbers[key]}</a>')
    return '<span class="survey-cite">[' + ", ".join(links) + "]</span>"


def replace_citations(body: str, survey: Survey, catalog: Catalog, page: str) -> str:
    numbers = reference_numbers(survey)
    return CITATION_RE.sub(
        lambda m: citation_html([k.strip()[1:] for k in m.group(1).split(";")], numbers,
                                catalog, page), body)


def scope_papers(catalog: Catalog, survey: Survey, topic_id: str | None = None) -> list[Paper]:
    """The survey's papers, optionally only those filed under ``topic_id`` (or below)."""
    if topic_id is None:
        return catalog.survey_papers(survey.id)
    return catalog.survey_topic_papers(survey.id, topic_id)


def shared_with(catalog: Catalog, survey: Survey) -> list[tuple[Survey, list[Paper]]]:
    out = []
    for other in sorted(catalog.surveys.values(), key=lambda s: (s.order, s.id)):
        if other.id == survey.id:
            continue
        shared = catalog.shared_papers(survey.id, other.id)
        if shared:
            out.append((other, shared))
    return out


#: Shared papers listed per other survey (the newest).
SHARED_LISTED = 50


def expand_survey(catalog: Catalog, renderer: Renderer, survey: Survey,
                  chart: str | None = None, edition: dict[str, str] | None = None) -> str:
    """The Markdown of the survey page, citations and markers expanded.

    ``edition`` names the site paths of the survey's LaTeX edition (``zip``,
    ``pdf``) the page offers, when the build made them."""
    page = survey_url(survey.id)
    body = replace_citations(survey.body, survey, catalog, page)
    papers = catalog.survey_papers(survey.id)
    numbers = reference_numbers(survey)

    def figure() -> str:
        tree = taxonomy_tree(catalog, survey)
        return renderer.stash(tree_html(renderer, tree, page, caption_text(
            tree, f"this survey's scope ({survey.title})")))

    def section(name: str, arg: str | None) -> str:
        ctx = dict(survey=survey, page=page, papers=papers, numbers=numbers)
        if name == "tree":
            return figure()
        if name == "papers":
            topic = catalog.taxonomy.topics.get(arg or "")
            if topic is None:
                return f'<p class="survey-error">Unknown topic {escape(arg or "")}</p>'
            # Tables of hundreds of papers: kept out of Markdown and the search
            # indexer (Renderer.stash), as on topic pages.
            return renderer.stash(renderer.render(
                "survey_papers.html", topic=topic, rows=scope_papers(catalog, survey, topic.id),
                **ctx))
        if name == "timeline":
            by_year: dict[int | None, list[Paper]] = {}
            for p in sorted(papers, key=lambda p: (p.sort_date, p.id)):
                by_year.setdefault(p.year, []).append(p)
            years = sorted((y for y in by_year if y is not None), reverse=True)
            limit = renderer.timeline_per_year  # a long year lists its latest papers
            return renderer.stash(renderer.render("survey_timeline.html", by_year=by_year,
                                                  years=years, chart=chart, limit=limit, **ctx))
        if name == "counts":
            topics = Counter(t for p in papers for t in p.topics)
            return renderer.render(
                "survey_counts.html", cited=len(survey.cited_keys),
                with_code=sum(1 for p in papers if p.has_code),
                years=sorted({p.year for p in papers if p.year}),
                subtopics=[(catalog.taxonomy[t], len(scope_papers(catalog, survey, t)))
                           for root in survey.topics if root in catalog.taxonomy
                           for t in catalog.taxonomy[root].children],
                direct_topics=topics, **ctx)
        if name == "shared":
            return renderer.render("survey_shared.html", shared=shared_with(catalog, survey),
                                   shared_limit=SHARED_LISTED, **ctx)
        if name == "references":
            cited = [catalog.by_key[k] for k in survey.cited_keys if k in catalog.by_key]
            return renderer.render("survey_references.html", cited=cited, **ctx)
        return ""

    placed = any(m.group("name") == "tree" for m in MARKER_RE.finditer(body))
    body = MARKER_RE.sub(lambda m: "\n" + section(m.group("name"), m.group("arg")) + "\n", body)
    unread = sorted((catalog.by_id[i] for i in survey.unread_ids if i in catalog.by_id),
                    key=lambda p: (p.added or "", p.id), reverse=True)
    limit = renderer.reading_list
    return renderer.render("survey.md", survey=survey, page=page, papers=papers, body=body,
                           shared=shared_with(catalog, survey), unread=unread,
                           tree="" if placed else figure(), edition=edition or {},
                           unread_shown=unread[:limit] if limit > 0 else unread)
