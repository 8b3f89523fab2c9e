#!/usr/bin/env bash
# Installs what the tests need, then runs every test (npm test): lint and the
# type check of all packages (npm run check, first, to fail fast), the unit and
# integration tests of all packages (backstage-cli repo test) and the
# end-to-end test that builds and starts the portal and drives it in headless
# Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh
npm test
