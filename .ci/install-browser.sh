#!/usr/bin/env bash
# Install what tests/mermaid/harness.py needs: Debian's Chromium and the pinned npm packages.
# Idempotent and fast when everything is already present. Run as root on Debian.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mermaid_dir="$repo_root/tests/mermaid"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [[ ! -x "$chromium" ]]; then
    echo "install-browser: installing chromium via apt" >&2
    sudo_cmd=()
    if [[ "$(id -u)" -ne 0 ]]; then sudo_cmd=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "install-browser: npm not found (Node.js >= 20 required)" >&2
    exit 1
fi

# Reinstall when node_modules is missing or older than the lockfile.
marker="$mermaid_dir/node_modules/.package-lock.json"
if [[ ! -f "$marker" || "$mermaid_dir/package-lock.json" -nt "$marker" ]]; then
    echo "install-browser: npm ci in tests/mermaid" >&2
    (cd "$mermaid_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "install-browser: ok ($("$chromium" --version 2>/dev/null || echo chromium), node $(node --version))" >&2
