"""Python evaluation: scopes, name resolution and the value of string expressions."""
