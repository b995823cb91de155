"""One more plugin (an MkDocs hooks file) for the benchmark: it listens to
``on_post_page`` and marks every page it is handed, so a build pays what a
site-wide post-processing plugin costs."""

from __future__ import annotations

from pathlib import Path

PAGES = 0


def on_pre_build(config) -> None:
    global PAGES
    PAGES = 0


def on_post_page(output: str, page, config) -> str:
    global PAGES
    PAGES += 1
    return output.replace("</body>", "<!-- post_page_hook -->\n</body>", 1)


def on_post_build(config) -> None:
    """The number of pages it was handed, in ``post-page-pages.txt`` beside mkdocs.yml."""
    (Path(config.config_file_path).parent / "post-page-pages.txt").write_text(f"{PAGES}\n")
