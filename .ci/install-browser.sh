#!/usr/bin/env bash
# Install what tests/mermaid/harness.py needs: the pinned npm packages (no root needed) and
# Debian's Chromium (apt-get: as root, or through sudo without a password).
# Idempotent and fast when everything is already present; `make test` runs it once.
# Exits 1, naming what is still missing and how to install it, when it cannot install it all.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mermaid_dir="$repo_root/tests/mermaid"        # package.json and the lockfile
packages_dir="$repo_root/.cache/mermaid"      # where they are installed: outside the tests
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()

say() { echo "install-browser: $*" >&2; }

# Node.js >= 20 and npm: the npm packages go into .cache/mermaid/node_modules (third-party
# code stays out of tests/).
node_major="$(node --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p' || true)"
if [[ -z "$node_major" ]]; then
    missing+=("Node.js >= 20 with npm (not on PATH): install it, e.g. as root: apt-get install nodejs npm")
elif ((node_major < 20)); then
    missing+=("Node.js >= 20 (found $(node --version)): install a newer Node.js")
elif ! command -v npm >/dev/null 2>&1; then
    missing+=("npm (not on PATH): install it, e.g. as root: apt-get install npm")
else
    # Reinstall when node_modules is missing or older than the lockfile.
    marker="$packages_dir/node_modules/.package-lock.json"
    if [[ ! -f "$marker" || "$mermaid_dir/package-lock.json" -nt "$marker" ]]; then
        say "npm ci of tests/mermaid/package.json in .cache/mermaid"
        mkdir -p "$packages_dir"
        cp "$mermaid_dir/package.json" "$mermaid_dir/package-lock.json" "$packages_dir/"
        if ! (cd "$packages_dir" && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error); then
            missing+=("the npm packages of tests/mermaid: npm ci failed in .cache/mermaid (see above)")
        fi
    fi
fi

# Chromium from Debian's packages.
if [[ ! -x "$chromium" ]]; then
    as_root=()
    if [[ "$(id -u)" -ne 0 ]] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root=(sudo -n)
    fi
    if [[ -n "${CHROMIUM_PATH:-}" ]]; then
        missing+=("Chromium at CHROMIUM_PATH=$chromium: no executable there")
    elif ! command -v apt-get >/dev/null 2>&1; then
        missing+=("Chromium at $chromium: install it from your system's packages, or set CHROMIUM_PATH to a Chromium binary")
    elif [[ "$(id -u)" -ne 0 && ${#as_root[@]} -eq 0 ]]; then
        missing+=("Chromium at $chromium: installing it needs root; run as root: apt-get install chromium fonts-dejavu-core (or set CHROMIUM_PATH to a Chromium binary)")
    else
        say "installing chromium via apt"
        export DEBIAN_FRONTEND=noninteractive
        if ! { "${as_root[@]}" apt-get update -qq &&
            "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }; then
            missing+=("Chromium at $chromium: apt-get install chromium failed (see above)")
        fi
    fi
fi

if ((${#missing[@]})); then
    for item in "${missing[@]}"; do say "missing: $item"; done
    say "the tests that render diagrams in Chromium are skipped until these are installed (in CI they fail)"
    exit 1
fi
say "ok ($("$chromium" --version 2>/dev/null || echo chromium), node $(node --version))"
