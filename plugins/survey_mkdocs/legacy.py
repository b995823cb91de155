"""The four plugins the ``survey`` plugin replaced: listing one stops the build
with what to write instead."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin


class _Removed(BasePlugin):
    name = ""
    section = ""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        raise PluginError(
            f"the '{self.name}' plugin was replaced by the single 'survey' plugin: list "
            f"'- survey' once in mkdocs.yml instead of the survey-* plugins, and move this "
            f"plugin's options under its '{self.section}:' section (see README.md)")


class CatalogRemoved(_Removed):
    name, section = "survey-catalog", "catalog"


class ExportsRemoved(_Removed):
    name, section = "survey-exports", "exports"


class DiscoveryRemoved(_Removed):
    name, section = "survey-discovery", "discovery"


class SurveysRemoved(_Removed):
    name, section = "survey-surveys", "surveys"
