"""MkDocs adapters over the ``survey`` core: each plugin is a thin layer that
hands what the core renders to the MkDocs build."""
