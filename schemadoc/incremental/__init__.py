"""Incremental runs: the cache, what changed, and what can be reused."""
