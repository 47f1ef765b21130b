"""Extract: the DDL fragments of each Python file, serially or in worker processes."""
