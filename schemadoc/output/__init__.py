"""Output: writing documents safely, injected into a file or one per table."""
