#!/usr/bin/env bash
# Installs what the tests need, then runs every test (npm test): lint and the
# type check of all packages (npm run check, first, to fail fast), the unit and
# integration tests of all packages (backstage-cli repo test) and the
# end-to-end test that builds and starts the portal and drives it in headless
# Chromium. On a machine with Node older than 22.18 it all runs on the
# project-local Node 24 that tools/install.sh brings.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh
source tools/node-env.sh
npm test
