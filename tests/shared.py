"""Fixture work done once per test run, also when the suite runs in parallel."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import TypeVar

import pytest
from filelock import FileLock

T = TypeVar("T")


def once_per_run(factory: pytest.TempPathFactory, name: str, make: Callable[[], T]) -> T:
    """``make()``, made once per test run: when the suite runs in parallel, the first worker
    that needs it makes it and the others read it back (pickled), so a costly fixture's work
    is not repeated on each worker its tests land on. ``name`` names it within the run."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return make()
    shared = factory.getbasetemp().parent  # the run's folder, holding each worker's own
    with FileLock(str(shared / f"{name}.lock")):
        saved = shared / f"{name}.pickle"
        if saved.is_file():
            return pickle.loads(saved.read_bytes())
        value = make()
        saved.write_bytes(pickle.dumps(value))
        return value
