"""Render Mermaid diagrams with the real mermaid library in headless Chromium.

Test helper: ``render_mermaid`` runs ``render.mjs`` (Node + playwright-core + Debian's Chromium)
and returns, per diagram, ``None`` when it rendered or Mermaid's error message.
``make test`` installs the prerequisites (``bash .ci/install-browser.sh``); without them the
browser tests are skipped, naming what is missing and how to install it, or fail in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "BrowserUnavailableError",
    "RenderHarnessError",
    "browser_available",
    "chromium_path",
    "missing_requirements",
    "render_mermaid",
    "require_browser",
    "skip_or_fail_without_browser",
]

HARNESS_DIR = Path(__file__).resolve().parent
RENDER_SCRIPT = HARNESS_DIR / "render.mjs"
# The npm packages of package.json here, installed outside the tests (see install-browser.sh).
PACKAGES_DIR = HARNESS_DIR.parent.parent / ".cache" / "mermaid"
NODE_MODULES = PACKAGES_DIR / "node_modules"
INSTALL_HINT = (
    "bash .ci/install-browser.sh installs them all (`make test` runs it): npm ci of "
    "tests/mermaid/package.json in .cache/mermaid, and apt-get install chromium, which needs root"
)
MIN_NODE = 20
DEFAULT_TIMEOUT = 240.0


class BrowserUnavailableError(RuntimeError):
    """Chromium, Node or the harness's npm packages are not installed."""


class RenderHarnessError(RuntimeError):
    """The renderer itself failed (crash, timeout, bad output), not a diagram."""


def chromium_path() -> Path:
    """Chromium binary used by the harness (``$CHROMIUM_PATH`` or ``/usr/bin/chromium``)."""
    return Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def _node_major(node: str) -> int | None:
    """The major version of the ``node`` binary, None if it does not answer."""
    try:
        done = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    major = done.stdout.strip().lstrip("v").split(".", 1)[0]
    return int(major) if major.isdigit() else None


def missing_requirements() -> list[str]:
    """Each missing prerequisite, with how to install it; an empty list means the harness can
    run."""
    missing = []
    node = shutil.which("node")
    if node is None:
        missing.append(
            f"node is not on PATH (Node.js >= {MIN_NODE} with npm: e.g. apt-get install nodejs npm)"
        )
    else:
        major = _node_major(node)
        if major is None or major < MIN_NODE:
            found = "no version" if major is None else f"version {major}"
            missing.append(f"node at {node} answers {found}: Node.js >= {MIN_NODE} is needed")
    browser = chromium_path()
    if not (browser.is_file() and os.access(browser, os.X_OK)):
        how = (
            "set CHROMIUM_PATH to a Chromium binary"
            if "CHROMIUM_PATH" in os.environ
            else "as root: apt-get install chromium, or set CHROMIUM_PATH to a Chromium binary"
        )
        missing.append(f"chromium not found at {browser} ({how})")
    packages = [
        package
        for package in ("mermaid", "playwright-core")
        if not (NODE_MODULES / package / "package.json").is_file()
    ]
    if packages:
        missing.append(
            f"npm packages {', '.join(packages)} not installed in {NODE_MODULES} "
            f"(npm ci of {HARNESS_DIR / 'package.json'} in {PACKAGES_DIR})"
        )
    return missing


def _unavailable(missing: list[str]) -> str:
    return f"mermaid harness unavailable: {'; '.join(missing)}. {INSTALL_HINT}"


def browser_available() -> bool:
    """True when Chromium, Node and the npm packages are all installed."""
    return not missing_requirements()


def require_browser() -> None:
    """Raise ``BrowserUnavailableError`` naming what is missing."""
    missing = missing_requirements()
    if missing:
        raise BrowserUnavailableError(_unavailable(missing))


def skip_or_fail_without_browser() -> None:
    """For fixtures/tests: skip when the browser is missing, but fail when ``$CI`` is set."""
    import pytest  # only needed when called from a test

    missing = missing_requirements()
    if not missing:
        return
    reason = _unavailable(missing)
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def render_mermaid(
    diagrams: dict[str, str], *, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, str | None]:
    """Render every diagram with mermaid 11 in one headless Chromium session.

    Returns ``name -> None`` for a diagram that rendered, or ``name -> error message``.
    Raises ``BrowserUnavailableError`` if prerequisites are missing and
    ``RenderHarnessError`` if the renderer fails or exceeds ``timeout`` seconds.
    """
    require_browser()
    if not diagrams:
        return {}
    env = {
        **os.environ,
        "CHROMIUM_PATH": str(chromium_path()),
        "MERMAID_PACKAGES_DIR": str(PACKAGES_DIR),
        # Let the script time out first, so it reports cleanly and closes Chromium.
        "MERMAID_GLOBAL_TIMEOUT_MS": str(int(max(timeout - 10, timeout * 0.8) * 1000)),
    }
    with tempfile.TemporaryDirectory(prefix="schemadoc-mermaid-") as tmp:
        source = Path(tmp) / "diagrams.json"
        source.write_text(json.dumps(diagrams), encoding="utf-8")
        try:
            proc = subprocess.run(
                ["node", str(RENDER_SCRIPT), str(source)],
                cwd=HARNESS_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RenderHarnessError(f"render.mjs timed out after {timeout:g}s") from exc
    if proc.returncode != 0:
        raise RenderHarnessError(
            f"render.mjs exited {proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()}"
        )
    try:
        results = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RenderHarnessError(f"render.mjs printed invalid JSON: {proc.stdout[:500]!r}") from exc
    if not isinstance(results, dict) or set(results) != set(diagrams):
        raise RenderHarnessError(f"render.mjs returned unexpected names: {sorted(results)}")
    return results
