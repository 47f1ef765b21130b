"""Render: the schema as Markdown, Mermaid, JSON, SQL or tbls JSON."""
