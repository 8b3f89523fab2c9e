#!/usr/bin/env bash
# Starts the portal on a synthetic catalog of N cells (10 components each):
#   npm run portal:synthetic -- --cells 500 [--port 7007] [--no-build] [--config FILE ...]
# Generates the catalog and its app-config into examples/synthetic/generated/
# (git-ignored), then runs tools/portal.sh with that config. Other options go
# to tools/portal.sh.
set -euo pipefail
export CELLPLANE_CALLER_CWD="${CELLPLANE_CALLER_CWD:-$PWD}"
cd "$(dirname "$0")/../.."

cells=50
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cells) cells="${2:?--cells needs a number}"; shift 2 ;;
    --cells=*) cells="${1#*=}"; shift ;;
    *) rest+=("$1"); shift ;;
  esac
done

# The generator runs on the repository's TypeScript setup: install first (no-op when up to date).
tools/install.sh --no-browser
source tools/node-env.sh
config=$(node -r @backstage/cli/config/nodeTransform.cjs examples/synthetic/generate.ts --cells "$cells")
exec tools/portal.sh --config "$config" ${rest[@]+"${rest[@]}"}
