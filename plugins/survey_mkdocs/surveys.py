"""The surveys part of the ``survey`` plugin: renders the topic surveys of
``content/surveys/`` at ``surveys/<id>/``."""

from __future__ import annotations

import html
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from survey_core.model.memo import Carry, key
from survey_core.model.sanitise import clean_html
from survey_core.model.surveys import load_survey
from survey_core.site.survey_render import expand_survey

from .config import SurveysConfig
from .files import add_file
from .nav import replace_nav_entry
from .state import BuildState, Part


class SurveysPart(Part):
    def __init__(self, plugin) -> None:
        super().__init__(plugin)
        #: survey pages (Markdown and stashed blocks) by the key of their inputs,
        #: kept across `mkdocs serve` rebuilds
        self._pages = Carry()

    @property
    def config(self) -> SurveysConfig:
        return self.plugin.config.surveys

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.nav:
            root = Path(config.config_file_path or ".").resolve().parent
            plugin_root = self.plugin.config.catalog.root
            if plugin_root:
                root = (root / plugin_root).resolve()
            entries = []
            for path in sorted((root / "content" / "surveys").glob("*.md")):
                survey, _ = load_survey(path, path.name)
                if survey is not None:
                    entries.append((survey.order, survey.id, survey.title))
            prefix = self.config.url_prefix
            # The theme renders nav titles as HTML: escape the survey titles.
            tree = [f"{prefix}/index.md"] + [{html.escape(title, quote=False): f"{prefix}/{sid}.md"}
                                             for _o, sid, title in sorted(entries)]
            config.nav = replace_nav_entry(config.nav, f"{prefix}/index.md", tree, "Surveys")
        return config

    def on_files(self, files: Files, st: BuildState, config: MkDocsConfig) -> None:
        cat = st.catalog
        prefix = self.config.url_prefix
        st.renderer.timeline_per_year = self.config.timeline_per_year
        st.renderer.reading_list = self.config.reading_list
        surveys = sorted(cat.surveys.values(), key=lambda s: (s.order, s.id))
        add_file(files, config, f"{prefix}/index.md",
                 st.renderer.render("surveys.md", page=f"{prefix}/", surveys=surveys))
        self._pages.start()
        for survey in surveys:
            chart = st.charts.get(f"survey:{survey.id}")
            key = survey_key(cat, survey, chart, "\0".join(
                [self.plugin.catalog.templates_digest, st.renderer.site_name,
                 st.renderer.repo_url or "", st.renderer.edit_branch,
                 str(self.config.timeline_per_year), str(self.config.reading_list)]))
            markdown = st.renderer.kept(self._pages, key, lambda survey=survey, chart=chart:
                                        expand_survey(cat, st.renderer, survey, chart))
            add_file(files, config, f"{prefix}/{survey.id}.md", markdown)

    def on_page_content(self, html: str, *, page, config: MkDocsConfig, files: Files) -> str:
        """Survey prose is untrusted: its page keeps only allow-listed HTML (the
        large generated blocks are still placeholders here, and are left alone)."""
        prefix = self.config.url_prefix
        src = page.file.src_uri
        if src.startswith(f"{prefix}/") and src != f"{prefix}/index.md":
            return clean_html(html)
        return html


def survey_key(cat, survey, chart, templates: str) -> str:
    """Everything a survey page is made from: the survey, its papers, the
    records its citations resolve to, the other surveys (shared papers), the
    taxonomy, its chart and the templates."""
    return key(survey, str(chart), templates,
               [(t.id, t.name, t.parent, t.children) for t in cat.taxonomy.topics.values()],
               [(p.id, p.digest or repr(p)) for p in cat.survey_papers(survey.id)],
               [(k, (cat.by_key[k].id, cat.by_key[k].digest or repr(cat.by_key[k]))
                 if k in cat.by_key else None) for k in survey.cited_keys],
               [(o.id, o.title, o.order, o.paper_ids) for o in cat.surveys.values()])
