"""SQL: splitting DDL into statements, reading their heads, parsing them, engines and
migrations."""
