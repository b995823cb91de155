"""The site navigation: the survey plugin expands nav entries into trees."""

from __future__ import annotations


def shallow_nav(nav):
    """The site navigation with nested sections folded into their index pages,
    for paper pages: they show the top of the tree, not all of it."""
    import copy

    from mkdocs.structure.nav import Navigation, Section

    def fold(items, depth):
        out = []
        for item in items:
            if isinstance(item, Section):
                children = item.children
                if depth >= 1 and children and getattr(children[0], "is_index", False):
                    out.append(children[0])
                    continue
                section = copy.copy(item)
                section.children = fold(children, depth + 1)
                out.append(section)
            else:
                out.append(item)
        return out

    return Navigation(fold(nav.items, 0), nav.pages)


def replace_nav_entry(nav, target: str, replacement: list, title: str = "Topics"):
    """Replace the nav entry pointing at ``target`` with a section of ``replacement``."""
    if not nav:
        return nav
    out = []
    for item in nav:
        if isinstance(item, dict):
            (name, value), = item.items()
            if value == target:
                out.append({name: replacement})
            elif isinstance(value, list):
                out.append({name: replace_nav_entry(value, target, replacement, title)})
            else:
                out.append(item)
        elif item == target:
            out.append({title: replacement})
        else:
            out.append(item)
    return out
