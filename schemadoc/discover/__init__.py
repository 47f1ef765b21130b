"""Discover: the project's files, read safely, decoded and prefiltered for DDL."""
