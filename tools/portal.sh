#!/usr/bin/env bash
# Installs and starts the Cellplane portal: builds the frontend and starts the
# backend serving it on http://localhost:7007 (PORT=... to change), with an
# in-memory database, guest sign-in and the Artemis II example cells.
set -euo pipefail
# --config FILE paths are relative to where you ran this
export CELLPLANE_CALLER_CWD="${CELLPLANE_CALLER_CWD:-$PWD}"
cd "$(dirname "$0")/.."
tools/install.sh --no-browser
source tools/node-env.sh
exec node tools/portal.mjs "$@"
