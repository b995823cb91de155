"""Generated pages are pages: other plugins see every paper, topic, survey and
index page in ``on_page_context`` and ``on_post_page``.

The project is built with two more plugins: a recording plugin (the hooks file
``tests/hooks/record_pages.py``) and the third-party ``mkdocs-minify-plugin``.
Every generated page must be seen by both, with its title and canonical URL,
and be minified exactly as the minifier minifies a page it is handed."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import htmlmin
import pytest
import yaml
from project import copy_project, run_build

pytestmark = pytest.mark.slow

HOOK = Path(__file__).resolve().parent / "hooks" / "record_pages.py"
SITE_URL = "https://example.org/llm-survey/"
#: mkdocs-minify-plugin's htmlmin options (its defaults)
MINIFY = dict(remove_comments=False, remove_empty_space=False, remove_all_empty_space=False,
              reduce_empty_attributes=True, reduce_boolean_attributes=False,
              remove_optional_attribute_quotes=True, convert_charrefs=True, keep_pre=False,
              pre_tags=("pre", "textarea"), pre_attr="pre")


@pytest.fixture(scope="module")
def with_plugins(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("page-events") / "project")
    shutil.copy(HOOK, root / "record_pages.py")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_url"] == SITE_URL
    config["plugins"] = [*config["plugins"], {"minify": {"minify_html": True}}]
    config["hooks"] = ["record_pages.py"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads((root / "pages-seen.json").read_text(encoding="utf-8"))
    return root, seen, result.stderr


def generated_urls(catalog) -> list[str]:
    return ([f"papers/{p.id}/" for p in catalog.papers]
            + [f"topics/{t}/" for t in catalog.taxonomy.topics]
            + [f"surveys/{s}/" for s in catalog.surveys]
            + ["", "papers/", "topics/", "surveys/", "help-wanted/"])


def test_every_generated_page_is_seen_by_other_plugins(with_plugins, built_site):
    _root, seen, log = with_plugins
    catalog = built_site.catalog
    urls = generated_urls(catalog)
    assert len(urls) > 370
    for event in ("page_context", "post_page"):
        missing = [u for u in urls if u not in seen[event]]
        assert not missing, f"{event} did not see {missing[:5]}"
    for paper in catalog.papers:
        url = f"papers/{paper.id}/"
        for event in ("page_context", "post_page"):
            page = seen[event][url]
            assert page["title"] == paper.title
            assert page["canonical_url"] == SITE_URL + url
            assert "description" in page["meta"]
    topic_id, topic = next(iter(catalog.taxonomy.topics.items()))
    assert seen["post_page"][f"topics/{topic_id}/"]["canonical_url"] == (
        f"{SITE_URL}topics/{topic_id}/")
    # said once in the build log, naming who listens
    said = [line for line in log.splitlines() if "paper pages went through" in line]
    assert len(said) == 1, log
    assert f"survey: {len(catalog.papers)} paper pages went through" in said[0]
    assert "minify" in said[0] and "record_pages" in said[0]


def test_every_generated_page_is_minified(with_plugins, built_site):
    root, _seen, _log = with_plugins
    catalog = built_site.catalog
    for url in generated_urls(catalog):
        plain = (built_site.site / url / "index.html").read_text(encoding="utf-8")
        minified = (root / "site" / url / "index.html").read_text(encoding="utf-8")
        assert minified == htmlmin.minify(plain, **MINIFY), url
        assert len(minified) < len(plain), url
    # still the right page
    paper = catalog.papers[0]
    text = html.unescape((root / "site" / "papers" / paper.id / "index.html").read_text())
    assert f"<h1 id=title>{paper.title}</h1>" in text


def test_without_other_listeners_paper_pages_skip_the_events(built_site):
    assert "paper pages went through" not in built_site.log
