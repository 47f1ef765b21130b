"""Memory that libcst's native parser frees goes back to the system; the cyclic collector
runs less often during a run, and as before after it."""

from __future__ import annotations

import ctypes
import gc
import sys

import pytest

from schemadoc.extract.heap import (
    GC_THRESHOLDS,
    _malloc_trim,
    fewer_collections,
    give_back,
    resident,
)


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or _malloc_trim() is None, reason="glibc only"
)
def test_freed_c_heap_memory_is_given_back() -> None:
    """80 MB freed below a block still in use stays mapped until it is given back."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    blocks = [libc.malloc(4000) for _ in range(20_000)]
    for block in blocks:
        libc.memset(block, 1, 4000)
    for block in blocks[:-1]:
        libc.free(block)
    held = resident()
    give_back()
    assert held is not None and resident() < held - 50 * 2**20  # type: ignore[operator]
    libc.free(blocks[-1])


def test_fewer_collections_raises_the_thresholds_and_restores_them() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_threshold() == before
    with pytest.raises(KeyError), fewer_collections():
        raise KeyError("x")
    assert gc.get_threshold() == before


def test_a_run_collects_less_often_and_leaves_the_thresholds_as_they_were(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemadoc import pipeline
    from schemadoc.config import Settings

    (tmp_path / "db.py").write_text('DDL = "CREATE TABLE t (id INTEGER)"\n')
    during: list[tuple[int, ...]] = []
    analyse = pipeline.analyse

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        during.append(gc.get_threshold())
        return analyse(*args, **kwargs)

    monkeypatch.setattr(pipeline, "analyse", spy)
    before = gc.get_threshold()
    settings = Settings(root=str(tmp_path), cache=False, format="json")
    assert pipeline.scan([tmp_path], settings).schema.table("t") is not None
    assert pipeline.document([tmp_path], settings).content
    assert during == [GC_THRESHOLDS, GC_THRESHOLDS]
    assert gc.get_threshold() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="read from /proc")
def test_the_resident_size_follows_what_the_process_holds() -> None:
    """It grows by about what is allocated and touched (what the extractor's memory budget
    compares against)."""
    before = resident()
    block = b"x" * (64 * 2**20)  # written, so resident
    after = resident()
    assert before is not None and after is not None
    assert 60 * 2**20 <= after - before <= 80 * 2**20
    del block
