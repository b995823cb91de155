"""Check the internal links of a built site: ``python tests/linkcheck.py site``.

Every ``href`` and ``src`` in ``site/**/*.html`` that is not an absolute URL
(``https://...``, ``//host/...``, ``mailto:`` ...) must lead to a file of the
site: ``foo/`` and ``foo`` (a folder) mean ``foo/index.html``; the query and
fragment are ignored.  Root-relative links (``/llm-survey/topics/``, written
by MkDocs on the 404 page) are resolved after removing the site's base path:
the path of ``site_url`` in ``mkdocs.yml`` (or the file given with ``--config``,
or ``--base-path``).

Prints one line per broken link (``file:line: broken link 'href' ...``) and a
summary; exits 1 when a link is broken.  Standard library only.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Attributes holding a URL.
URL_ATTRS = ("href", "src")
#: Schemes that are not files of the site (checked by nobody here).
EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel", "data", "ftp", "irc", "ws", "wss")


@dataclass(frozen=True)
class Broken:
    file: Path
    line: int
    url: str
    reason: str

    def format(self, site: Path) -> str:
        return f"{self.file.relative_to(site).as_posix()}:{self.line}: broken link " \
               f"{self.url!r} ({self.reason})"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str, str]] = []  # (line, tag, url)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRS and value is not None:
                # <link rel=canonical|alternate> may point at the deployed site: absolute.
                self.links.append((self.getpos()[0], tag, value))

    handle_startendtag = handle_starttag


def site_base_path(config: Path) -> str:
    """The path part of ``site_url`` in an mkdocs.yml ("/" when there is none)."""
    if not config.is_file():
        return "/"
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            value = line.split(":", 1)[1].split("#", 1)[0].strip().strip("'\"")
            path = urlsplit(value).path or "/"
            return path if path.endswith("/") else path + "/"
    return "/"


def _target(site: Path, page: Path, url: str, base: str) -> Path | None | str:
    """The file a link points at; None for links outside the site's files; a
    string (the reason) when the link cannot be resolved at all."""
    parts = urlsplit(url)
    if parts.scheme:
        if parts.scheme.lower() in EXTERNAL_SCHEMES:
            return None
        return f"scheme {parts.scheme}: is not allowed"
    if parts.netloc:  # //host/path
        return None
    path = unquote(parts.path)
    if not path:  # "#fragment" or "?query": the page itself
        return page
    if path.startswith("/"):
        if not path.startswith(base) and path + "/" != base:
            return f"outside the site's base path {base}"
        resolved = site / path[len(base):] if path.startswith(base) else site
    else:
        resolved = page.parent / path
    return resolved


def check_site(site: Path, base: str = "/") -> tuple[int, int, list[Broken]]:
    """(pages checked, links checked, broken links)."""
    site = site.resolve()
    broken: list[Broken] = []
    pages = sorted(site.rglob("*.html"))
    count = 0
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        parser.close()
        for line, _tag, url in parser.links:
            url = url.strip()
            count += 1
            target = _target(site, page, url, base)
            if target is None:
                continue
            if isinstance(target, str):
                broken.append(Broken(page, line, url, target))
                continue
            try:
                resolved = target.resolve()
                resolved.relative_to(site)
            except ValueError:
                broken.append(Broken(page, line, url, "points outside the site"))
                continue
            if resolved.is_dir() or urlsplit(url).path.endswith("/"):
                resolved = resolved / "index.html"
            if not resolved.is_file():
                broken.append(Broken(page, line, url, f"no file {resolved.relative_to(site)}"))
    return len(pages), count, broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the internal links of a built site.")
    parser.add_argument("site", type=Path, help="the built site folder (e.g. site)")
    parser.add_argument("--base-path", default=None,
                        help="the path the site is served under, e.g. /llm-survey/ "
                        "(default: the path of site_url in the MkDocs config)")
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"),
                        help="the MkDocs config the site was built with (default: mkdocs.yml)")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        print(f"linkcheck: {args.site} is not a folder (build the site first)", file=sys.stderr)
        return 2
    base = args.base_path or site_base_path(args.config)
    if not base.startswith("/"):
        base = "/" + base
    if not base.endswith("/"):
        base += "/"
    pages, links, broken = check_site(args.site, base)
    site = args.site.resolve()
    for item in broken:
        print(item.format(site))
    print(f"linkcheck: {pages} pages, {links} links, {len(broken)} broken", file=sys.stderr)
    if pages == 0:
        print("linkcheck: no HTML files found", file=sys.stderr)
        return 1
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
