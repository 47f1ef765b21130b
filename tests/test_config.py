"""``[tool.schemadoc]`` settings: found by walking up, validated, overridden by the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemadoc.config import ConfigError, Settings, load


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(body)
    return path


def test_found_by_walking_up(tmp_path: Path) -> None:
    write(tmp_path, '[tool.schemadoc]\npaths = ["src"]\ntitle = "Shop"\ninfer_relations = false\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    settings, lint = load(cwd=nested)
    assert settings.paths == ("src",)
    assert settings.title == "Shop"
    assert settings.infer_relations is False
    assert settings.root == str(tmp_path)
    assert lint == {}


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    settings, _ = load(cwd=tmp_path)
    assert settings == Settings()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tool.schemadoc]\ntitel = 'x'\n", "unknown key(s) in [tool.schemadoc]: titel"),
        ("[tool.schemadoc]\npaths = 3\n", "paths must be a list of strings"),
        ("[tool.schemadoc]\ninfer_relations = 'no'\n", "infer_relations must be a bool, not str"),
        ("[tool.schemadoc]\nformat = 'html'\n", "format must be one of markdown, mermaid"),
        ("[tool.schemadoc\n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load(cwd=tmp_path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_explicit_config_file_wins(tmp_path: Path) -> None:
    write(tmp_path, '[tool.schemadoc]\ntitle = "From pyproject"\n')
    other = tmp_path / "other.toml"
    other.write_text('[tool.schemadoc]\ntitle = "From other"\n')
    settings, _ = load(config=other, cwd=tmp_path)
    assert settings.title == "From other"


def test_command_line_overrides() -> None:
    merged = Settings(title="a", output="x.md").merged(title="b", output=None)
    assert (merged.title, merged.output) == ("b", "x.md")
