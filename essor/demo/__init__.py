"""Fictional demonstration data: ESS organisations of the Dunkerque area and one account per role."""
