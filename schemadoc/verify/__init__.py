"""Verify: applying the statements in a locked-down SQLite and reading the schema back."""
