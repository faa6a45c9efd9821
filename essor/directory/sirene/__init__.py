"""Import of INSEE's SIRENE stock files for one territory (see README.md)."""
