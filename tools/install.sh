#!/usr/bin/env bash
# Installs what Cellplane needs on a Debian/Ubuntu machine with Node.js >= 20:
# the npm workspaces (npm install, only when package-lock.json changed since
# the last install), PostgreSQL's server for the storage tests, and, unless
# --no-browser, Chromium for the end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=1
[[ "${1:-}" == "--no-browser" ]] && want_browser=0

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

apt_packages=()
if [[ $want_browser -eq 1 && ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  apt_packages+=(chromium)
fi
# The storage tests start a throwaway PostgreSQL from the server binaries,
# which Debian keeps off PATH in /usr/lib/postgresql/<major>/bin.
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null &&
  [[ ! -x "${CELLPLANE_POSTGRES_BINDIR:-/nonexistent}/postgres" ]]; then
  apt_packages+=(postgresql)
fi
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
command -v make >/dev/null || apt_packages+=(make)
command -v g++ >/dev/null || apt_packages+=(g++)
command -v python3 >/dev/null || apt_packages+=(python3)
if [[ ${#apt_packages[@]} -gt 0 ]]; then
  echo "Installing ${apt_packages[*]} with apt-get ..."
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${apt_packages[@]}"
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing npm packages ..."
  # npm install, not npm ci: npm ci rejects a lock file that lacks optional
  # packages of other platforms (@swc/core-*, @rollup/rollup-*), which npm 11
  # sometimes leaves out.
  npm install --no-audit --no-fund
fi
