"""Output is byte-for-byte the same whatever the discovery order, hash seed or separator."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from schemadoc import pipeline
from schemadoc.config import Settings
from schemadoc.discover.files import discover
from schemadoc.incremental import survey as survey_stage
from schemadoc.render.formats import render

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def markdown(folder: Path) -> str:
    settings = Settings(root=str(folder), cache=False)
    return render(pipeline.scan([folder], settings).schema, settings)


@pytest.mark.parametrize("project", ["rich_project", "shapes"])
def test_shuffled_discovery_gives_identical_bytes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = FIXTURES / project
    expected = markdown(folder)
    for seed in (1, 2, 3):

        def shuffled(*args: object, _seed: int = seed, **kwargs: object) -> list:
            found = discover(*args, **kwargs)  # type: ignore[arg-type]
            random.Random(_seed).shuffle(found)
            return found

        monkeypatch.setattr(survey_stage, "discover", shuffled)
        assert markdown(folder) == expected


def test_hash_seed_does_not_change_the_output(tmp_path: Path) -> None:
    folder = FIXTURES / "rich_project"
    outputs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-m", "schemadoc", "generate", "--no-cache", "--output", "-", "."],
            cwd=folder,
            env=env,
            check=True,
            capture_output=True,
        )
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert b"## Mermaid ER Diagram" in outputs[0]


def test_no_timestamps_or_absolute_paths(tmp_path: Path) -> None:
    folder = FIXTURES / "rich_project"
    doc = markdown(folder)
    assert str(FIXTURES) not in doc
    assert "\\" not in "".join(line for line in doc.splitlines() if "Source" in line)
    assert not any(str(year) in doc for year in range(2020, 2040))


NESTED_LOOPS = """def create(conn):
    for prefix in ("a", "ab"):
        for suffix in ("c", "bc"):
            conn.execute(f"CREATE TABLE IF NOT EXISTS {prefix}{suffix} (from_{prefix} TEXT)")
"""


def test_nested_loops_expand_in_the_order_their_variables_are_read(tmp_path: Path) -> None:
    """``a`` + ``bc`` and ``ab`` + ``c`` both make table ``abc``; which comes first decides
    the definition documented. The loop read first varies slowest, in every process."""
    (tmp_path / "tables.py").write_text(NESTED_LOOPS, encoding="utf-8")
    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-m", "schemadoc", "generate", "--no-cache", "--format"]
        command += ["json", "--output", "-", str(tmp_path)]
        run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, check=False)
        outputs.add(run.stdout)
    assert len(outputs) == 1
    tables = {t["name"]: t for t in json.loads(outputs.pop())["tables"]}
    assert sorted(tables) == ["abbc", "abc", "ac"]
    assert [c["name"] for c in tables["abc"]["columns"]] == ["from_a"]


@pytest.mark.parametrize("project", ["rich_project", "shapes"])
def test_the_order_files_are_extracted_in_does_not_change_the_output(
    project: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are extracted largest first (for memory); by name, or in reverse, the
    document is the same."""
    folder = FIXTURES / project
    expected = markdown(folder)
    for order in (sorted, lambda todo: sorted(todo, reverse=True)):
        monkeypatch.setattr(pipeline, "_extraction_order", lambda todo, _files, o=order: o(todo))
        assert markdown(folder) == expected
