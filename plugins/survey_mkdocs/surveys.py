"""The surveys part of the ``survey`` plugin: renders the topic surveys of
``content/surveys/`` at ``surveys/<id>/``."""

from __future__ import annotations

import html
import tempfile
from functools import partial
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

        def index() -> str:
            surveys = sorted(cat.surveys.values(), key=lambda s: (s.order, s.id))
            return st.renderer.render("surveys.md", page=f"{prefix}/", surveys=surveys)

        st.makers[f"{prefix}/index.md"] = index
        add_file(files, config, f"{prefix}/index.md", index())
        surveys = sorted(cat.surveys.values(), key=lambda s: (s.order, s.id))
        self._pages.start()
        self._editions.start()
        if self.config.pdf and find_pandoc() is None:
            raise PluginError("surveys: pdf: true needs pandoc, which is not installed; or set "
                              "surveys: {pdf: false}")
        if self.config.pdf and missing_tools():
            raise PluginError(f"surveys: pdf: true needs {' and '.join(missing_tools())}, "
                              "which is not installed (TeX Live: see README.md, A survey as "
                              "a paper); or set surveys: {pdf: false}")
        self._edition_paths: dict[str, dict[str, str]] = {}
        for survey in surveys:
            edition = self._edition(files, config, st, survey) if self.config.latex else {}
            self._edition_paths[survey.id] = edition
            uri = f"{prefix}/{survey.id}.md"
            st.makers[uri] = partial(self._page, st, survey.id)
            add_file(files, config, uri, st.makers[uri]())

    def _page(self, st: BuildState, sid: str) -> str:
        """A survey page's Markdown (kept while its inputs are unchanged)."""
        cat = st.catalog
        survey = cat.surveys[sid]
        chart = st.charts.get(f"survey:{sid}")
        edition = self._edition_paths.get(sid, {})
        key = survey_key(cat, survey, chart, "\0".join(
            [self.plugin.catalog.templates_digest, st.renderer.site_name,
             st.renderer.repo_url or "", st.renderer.edit_branch,
             str(self.config.timeline_per_year), str(self.config.reading_list),
             str(sorted(edition.items()))]))
        return st.renderer.kept(self._pages, key, lambda: expand_survey(
            cat, st.renderer, survey, chart, edition))

    # -- patches under `mkdocs serve` (see .patch) -----------------------------------
    def _touched(self, st: BuildState, changed: list, survey_ids: list[str]) -> list[str]:
        cat = st.catalog
        ids = {p.id for p in changed}
        keys = {p.key for p in changed}
        return [sid for sid, s in cat.surveys.items()
                if sid in survey_ids or ids & set(s.paper_ids)
                or keys & set(s.cited_keys)]

    def patch_uris(self, st: BuildState, changed: list, survey_ids: list[str]) -> list[str]:
        prefix = self.config.url_prefix
        return [f"{prefix}/index.md"] + [f"{prefix}/{sid}.md"
                                         for sid in self._touched(st, changed, survey_ids)]

    def patch_editions(self, st: BuildState, changed: list, survey_ids: list[str]
                       ) -> dict[str, bytes]:
        """The LaTeX editions of the surveys the edit is in."""
        if not self.config.latex or find_pandoc() is None:
            return {}
        out: dict[str, bytes] = {}
        for sid in self._touched(st, changed, survey_ids):
            data, pdf, _problems = self._edition_data(st, st.catalog.surveys[sid])
            paths = self._edition_paths.get(sid, {})
            if bool(data) != ("zip" in paths) or bool(pdf) != ("pdf" in paths):
                raise RuntimeError(f"the LaTeX edition of {sid} appeared or went")
            if data:
                out[paths["zip"]] = data
            if pdf:
                out[paths["pdf"]] = pdf
        return out

    def _edition(self, files: Files, config: MkDocsConfig, st: BuildState, survey
                 ) -> dict[str, str]:
        """The survey's LaTeX project as a zip (and its PDF when ``pdf`` is on),
        added to the site: their site paths by kind."""
        if find_pandoc() is None:
            if not self._told_no_pandoc:
                log.info("survey: pandoc is not installed, so survey pages offer no LaTeX "
                         "edition (install pandoc, or set surveys: {latex: false})")
                self._told_no_pandoc = True
            return {}
        base = f"{self.config.url_prefix}/{survey.id}/{survey.id}"
        data, pdf, problems = self._edition_data(st, survey)
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

    def _edition_data(self, st: BuildState, survey) -> tuple[bytes, bytes | None, list[str]]:
        """The zip of a survey's LaTeX project, its PDF (``pdf``), and problems."""
        cat = st.catalog
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

        return self._editions.get(key, make)

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
