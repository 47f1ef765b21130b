"""SQL: splitting DDL into statements, parsing them, engines and migrations."""
