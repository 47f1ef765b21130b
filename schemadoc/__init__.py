"""schemadoc: document the SQLite schema held in a Python codebase's SQL string literals."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
