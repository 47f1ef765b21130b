"""Model: the schema, the diagnostics and the errors every stage shares."""
