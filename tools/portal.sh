#!/usr/bin/env bash
# Installs and starts the Cellplane portal: builds the frontend and starts the
# backend serving it on http://localhost:7007 (PORT=... to change), with an
# in-memory database, guest sign-in and the Artemis II example cells.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh --no-browser
exec node tools/portal.mjs "$@"
