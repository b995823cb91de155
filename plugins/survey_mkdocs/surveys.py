"""The surveys part of the ``survey`` plugin: renders the topic surveys of
``content/surveys/`` at ``surveys/<id>/``."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from survey_core.model.memo import Carry, key
from survey_core.model.sanitise import clean_html
from survey_core.model.surveys import load_survey
from survey_core.paper.compile import compile_project, missing_tools
from survey_core.paper.convert import ConversionError, find_pandoc
from survey_core.paper.latex import build_project
from survey_core.paper.output import zip_bytes
from survey_core.site.survey_render import expand_survey

from .compat import log
from .config import SurveysConfig
from .files import LedgerFile, add_file
from .nav import replace_nav_entry
from .state import BuildState, Part


class SurveysPart(Part):
    def __init__(self, plugin) -> None:
        super().__init__(plugin)
        #: survey pages (Markdown and stashed blocks) by the key of their inputs,
        #: kept across `mkdocs serve` rebuilds
        self._pages = Carry()
        #: LaTeX editions (zip, PDF) by the key of their inputs
        self._editions = Carry()
        self._told_no_pandoc = False

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
        self._editions.start()
        if self.config.pdf and find_pandoc() is None:
            raise PluginError("surveys: pdf: true needs pandoc, which is not installed; or set "
                              "surveys: {pdf: false}")
        if self.config.pdf and missing_tools():
            raise PluginError(f"surveys: pdf: true needs {' and '.join(missing_tools())}, "
                              "which is not installed (TeX Live: see README.md, A survey as "
                              "a paper); or set surveys: {pdf: false}")
        for survey in surveys:
            chart = st.charts.get(f"survey:{survey.id}")
            edition = self._edition(files, config, st, survey) if self.config.latex else {}
            key = survey_key(cat, survey, chart, "\0".join(
                [self.plugin.catalog.templates_digest, st.renderer.site_name,
                 st.renderer.repo_url or "", st.renderer.edit_branch,
                 str(self.config.timeline_per_year), str(self.config.reading_list),
                 str(sorted(edition.items()))]))
            markdown = st.renderer.kept(self._pages, key, lambda survey=survey, chart=chart,
                                        edition=edition: expand_survey(
                                            cat, st.renderer, survey, chart, edition))
            add_file(files, config, f"{prefix}/{survey.id}.md", markdown)

    def _edition(self, files: Files, config: MkDocsConfig, st: BuildState, survey
                 ) -> dict[str, str]:
        """The survey's LaTeX project as a zip (and its PDF when ``pdf`` is on),
        added to the site: their site paths by kind."""
        cat = st.catalog
        if find_pandoc() is None:
            if not self._told_no_pandoc:
                log.info("survey: pandoc is not installed, so survey pages offer no LaTeX "
                         "edition (install pandoc, or set surveys: {latex: false})")
                self._told_no_pandoc = True
            return {}
        base = f"{self.config.url_prefix}/{survey.id}/{survey.id}"
        key = survey_key(cat, survey, None, f"latex\0{self.config.pdf}")

        def make() -> tuple[bytes, bytes | None, list[str]]:
            try:
                project = build_project(cat, survey.id, entries=st.bibtex)
            except ConversionError as exc:
                return b"", None, [f"{survey.path}: no LaTeX edition: {exc}"]
            problems = [d.format() for d in project.diagnostics]
            pdf = None
            if self.config.pdf:
                with tempfile.TemporaryDirectory(prefix="survey-paper-") as tmp:
                    for name, text in project.files.items():
                        (Path(tmp) / name).write_text(text, encoding="utf-8")
                    compiled = compile_project(Path(tmp))
                    problems += [f"{survey.path}: the PDF: {p}" for p in compiled.problems]
                    if compiled.pdf is not None and not compiled.problems:
                        pdf = compiled.pdf.read_bytes()
                        log.info(f"survey: {base}.pdf compiled in {compiled.seconds:.1f} s")
            return zip_bytes(project, f"{survey.id}-latex"), pdf, problems

        data, pdf, problems = self._editions.get(key, make)
        for problem in problems:
            log.warning(f"survey: {problem}")
        out = {}
        if data:
            add_file(files, config, f"{base}-latex.zip", data, cls=LedgerFile, ledger=st.ledger)
            out["zip"] = f"{base}-latex.zip"
        if pdf:
            add_file(files, config, f"{base}.pdf", pdf, cls=LedgerFile, ledger=st.ledger)
            out["pdf"] = f"{base}.pdf"
        return out

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
