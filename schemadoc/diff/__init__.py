"""Diff: what a change between two revisions does to the verified schema."""
