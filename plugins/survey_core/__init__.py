"""survey: a generator of websites for curated surveys of research papers.

The core is plain Python with no MkDocs import; ``survey_mkdocs`` adapts it to
MkDocs and ProperDocs.  Its parts, in the order they build on one another (no import
cycle; the sync's nearest-paper evidence reuses the site's term weighting):

``model``
    the catalog and its store: records, taxonomy, venues, surveys, the loaded
    and validated :class:`~survey_core.model.catalog.Catalog`, caches, safe writes.
``formats``
    BibTeX and CSL-JSON, read and written.
``importers``
    sources into records: ``survey ingest`` (listings, awesome lists, BibTeX,
    CSL-JSON, RIS), the arXiv client, enrichment and the daily sync.
``site``
    pages and exports rendered from the templates (``templates/``, packaged,
    overridable per project), the papers index, search index, related papers,
    feeds and charts.
``paper``
    a survey's LaTeX edition (``survey paper``).
``project``
    a new survey project (``survey init``); the content format's version is
    ``model/contentformat.py``.
``cli``
    the ``survey`` command, one module per subcommand.
"""

__version__ = "0.2.0"
