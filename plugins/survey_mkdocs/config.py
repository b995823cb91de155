"""The configuration of the ``survey`` plugin: one section per part.

```yaml
plugins:
  - survey:
      catalog: {edit_branch: main}
      exports: {per_topic: true}
      discovery: {related: 5}
      surveys: {url_prefix: surveys}
      serve: {incremental: true}
  - search
```

Every option has a default; an empty ``- survey`` builds the whole site.
"""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class CatalogConfig(base.Config):
    """``catalog:``: where the content is, and the generated home, topic and paper pages."""

    #: Project folder holding ``content/`` (default: the folder of mkdocs.yml).
    root = c.Optional(c.Type(str))
    #: Folder of the project's template overrides (relative to the project folder):
    #: a file there replaces the packaged template, asset (``assets/``) or theme
    #: override (``overrides/``) of the same path; a missing folder uses the
    #: packaged ones only.
    templates = c.Type(str, default="site_templates")
    #: Keep parsed records in ``.survey-cache/`` between runs.
    cache = c.Type(bool, default=True)
    #: Generate the home page (``index.md``) unless the docs folder has one.
    home = c.Type(bool, default=True)
    #: Branch used for "fix this record" links when ``repo_url`` is a GitHub repository.
    edit_branch = c.Type(str, default="main")
    #: Papers listed on a topic page, newest first (0: all).  A topic with more
    #: links to the papers index filtered by the topic, which lists them all, so
    #: a topic page stays light however large the catalog grows.
    topic_papers = c.Type(int, default=200)
    #: From this many records on, ``mkdocs build`` does part of its work in a
    #: second process (forked, where the system can) while the rest goes on:
    #: parsing half the records, scoring the search index's documents, computing
    #: the related papers, and rendering and writing paper pages.  The site is
    #: the same, built sooner on a machine with two cores or more.
    #: 0: always, -1: never.  ``mkdocs serve`` forks once, for the related papers of
    #: its first build.
    fork_from = c.Type(int, default=2000)


class ExportsConfig(base.Config):
    """``exports:``: BibTeX and CSL-JSON files."""

    #: Write ``papers/<id>/<key>.bib`` next to every paper page.
    per_paper = c.Type(bool, default=True)
    #: Write ``bib/topics/<topic-id>.bib`` for every topic.
    per_topic = c.Type(bool, default=True)
    #: Write CSL-JSON (``data/papers.json`` and ``data/surveys/<id>.json``).
    csl = c.Type(bool, default=True)
    #: Keep the BibTeX entries of unchanged records in ``.survey-cache/``.
    cache = c.Type(bool, default=True)


class DiscoveryConfig(base.Config):
    """``discovery:``: the papers index, related papers, feeds, charts, completeness
    report, ``<head>`` tags and paper pages in the search index."""

    #: Generate the papers index page ``papers/`` with its data files
    #: ``data/index/`` (:mod:`survey_core.site.papers_index`) and its script
    #: ``assets/survey/papers-index.js``.
    index = c.Type(bool, default=True)
    #: Papers listed in the papers index page itself, newest first (the rest
    #: are fetched in pieces by the script).
    index_first = c.Type(int, default=500)
    #: Related papers shown on each paper page (0: none).
    related = c.Type(int, default=5)
    #: Keep related-paper results and term counts in ``.survey-cache/``.
    related_cache = c.Type(bool, default=True)
    #: Minimum cosine similarity of a related paper.
    related_min_score = c.Type(float, default=0.05)
    #: Write the Atom feed ``feed.xml`` (and one per survey, see ``survey_feeds``).
    feed = c.Type(bool, default=True)
    #: Papers in each feed (the most recently added).
    feed_size = c.Type(int, default=50)
    #: Write ``surveys/<id>/feed.xml`` for every survey.
    survey_feeds = c.Type(bool, default=True)
    #: Generate the completeness report ``help-wanted/``.
    help_wanted = c.Type(bool, default=True)
    #: Topics with fewer papers than this are listed in the completeness report.
    few_papers = c.Type(int, default=3)
    #: Papers-per-year charts for the home page and the survey pages.
    charts = c.Type(bool, default=True)
    #: ``citation_*`` and Open Graph tags in the ``<head>`` of paper pages.
    scholar = c.Type(bool, default=True)
    #: Write the site's search index ``_search/`` (the header search box): every
    #: paper, topic, survey and ordinary page, in term shards and doc chunks
    #: fetched only as a search needs them.
    search_index = c.Type(bool, default=True)
    #: Add one document per paper page to Material's search index.
    search = c.Type(bool, default=True)
    #: Characters of the abstract in a paper's search document, cut at a word
    #: boundary (0: all of it, -1: none).  Whole abstracts make Material's search
    #: index (loaded whole before the first search) several MB at 10,000 papers.
    search_abstract_chars = c.Type(int, default=-1)
    #: The most distinctive words of each abstract added to its search document
    #: (rarest in the collection first): a paper is found by the words that set
    #: it apart, at a fraction of the index size of whole abstracts.
    search_keywords = c.Type(int, default=16)
    #: Authors named in a paper's search document (0: all).
    search_authors = c.Type(int, default=5)


class SurveysConfig(base.Config):
    """``surveys:``: the topic surveys of ``content/surveys/``."""

    #: URL folder of the survey pages.
    url_prefix = c.Type(str, default="surveys")
    #: Expand the nav entry ``surveys/index.md`` into one entry per survey.
    nav = c.Type(bool, default=True)
    #: Papers listed per year in a survey's ``timeline`` section, the latest of
    #: each year (0: all); a longer year links to the papers index filtered by the
    #: survey and the year.
    timeline_per_year = c.Type(int, default=20)
    #: Papers listed in a survey's reading list (papers in its scope added since
    #: its ``revised:`` day and not cited yet), most recently added first (0: all).
    reading_list = c.Type(int, default=50)
    #: Offer each survey's LaTeX edition (what ``survey paper ID`` writes) as a zip
    #: on its page, at ``<url_prefix>/<id>/<id>-latex.zip``.  Needs pandoc; without
    #: it the build logs one line and the pages offer no zip.
    latex = c.Type(bool, default=True)
    #: Also compile each survey's PDF during the build and offer it beside the zip
    #: (``<url_prefix>/<id>/<id>.pdf``).  Needs pdflatex and bibtex with the LaTeX
    #: packages README.md lists; the deploy workflow turns it on.
    pdf = c.Type(bool, default=False)


class ServeConfig(base.Config):
    """``serve:``: rebuilds under ``mkdocs serve``."""

    #: Rebuild incrementally under ``mkdocs serve``: after an edit the site folder
    #: is kept and only pages and files whose inputs changed are rendered and
    #: written (as with ``--dirty``, but every page that depends on the edit is
    #: rebuilt, and files of removed pages are deleted).  ``false``: every
    #: rebuild empties the site folder and writes everything again.
    incremental = c.Type(bool, default=True)
    #: Under ``mkdocs serve``, notice changes to ``content/`` and the templates
    #: through the operating system's file events (inotify) where available,
    #: instead of polling every file twice a second.  ``false``: poll, as MkDocs
    #: does for the docs folder.
    native_watch = c.Type(bool, default=True)
    #: Under ``mkdocs serve``, an edit that only changes records' text (title,
    #: abstract, authors, venue, links...) or a survey's prose is patched into the
    #: site without a build: the files it is in are made again, nothing else
    #: (see ``survey_mkdocs.patch``; the log says when and why an edit needs a
    #: build instead).  ``false``: every edit goes through a build.
    patch = c.Type(bool, default=True)


class SurveyConfig(base.Config):
    catalog = c.SubConfig(CatalogConfig)
    exports = c.SubConfig(ExportsConfig)
    discovery = c.SubConfig(DiscoveryConfig)
    surveys = c.SubConfig(SurveysConfig)
    serve = c.SubConfig(ServeConfig)
