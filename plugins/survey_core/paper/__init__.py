"""A survey as a paper: its LaTeX edition (:mod:`.latex`), the safe conversion of
its prose (:mod:`.convert`), compilation (:mod:`.compile`) and the project
folder or zip (:mod:`.output`).  Plain Python (no MkDocs import)."""
