"""Mermaid render harness for tests: see ``harness.py``."""
