"""A plugin (an MkDocs hooks file) that notes every page it sees in
``on_page_context`` and ``on_post_page``: URL, title, canonical URL and meta keys,
written to ``pages-seen.json`` beside mkdocs.yml when the build ends."""

from __future__ import annotations

import json
from pathlib import Path

SEEN: dict[str, dict[str, dict]] = {"page_context": {}, "post_page": {}}


def _note(event: str, page) -> None:
    SEEN[event][page.url] = {"title": page.title, "canonical_url": page.canonical_url,
                             "meta": sorted(page.meta), "src_uri": page.file.src_uri}


def on_pre_build(config) -> None:
    for pages in SEEN.values():
        pages.clear()


def on_page_context(context, page, config, nav):
    assert context["page"] is page
    _note("page_context", page)
    return context


def on_post_page(output, page, config):
    _note("post_page", page)
    return output


def on_post_build(config) -> None:
    out = Path(config.config_file_path).parent / "pages-seen.json"
    out.write_text(json.dumps(SEEN, indent=1), encoding="utf-8")
