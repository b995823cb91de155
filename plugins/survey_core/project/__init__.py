"""A survey project: ``survey init`` makes a new one that builds at once."""
