"""Hooks file that makes the MkDocs internals the survey plugin's incremental
serve relies on look different, as a future MkDocs might: the ``build`` that
``mkdocs serve`` calls is wrapped (no longer MkDocs' own function), and
``_populate_page`` takes other arguments.  MkDocs itself keeps working."""

from __future__ import annotations

import functools

import mkdocs.commands.build as build_module
import mkdocs.commands.serve as serve_module

_build = build_module.build
_populate_page = build_module._populate_page


@functools.wraps(_build, assigned=("__doc__",))
def wrapped_build(config, **kwargs):
    return _build(config, **kwargs)


def populate_page(*args, **kwargs):
    return _populate_page(*args, **kwargs)


serve_module.build = wrapped_build
build_module._populate_page = populate_page
