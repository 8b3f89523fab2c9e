#!/usr/bin/env bash
# The cells REST API has one contract, plugins/cells-backend/src/schema/openapi.yaml.
# From it Backstage's own generator (@backstage/repo-tools, `package schema
# openapi generate`, which runs openapi-generator on Java) writes:
#   plugins/cells-backend/src/schema/openapi/  the typed server router (validates
#                                               requests against the spec) and models
#   plugins/cells/src/schema/openapi/          the frontend's client and models
#
#   tools/openapi.sh generate   regenerate both (after editing openapi.yaml)
#   tools/openapi.sh check      regenerate and fail when anything differs from the
#                               files in the work tree (npm run check runs this)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-generate}
[[ "$mode" == generate || "$mode" == check ]] || { echo "usage: $0 generate|check" >&2; exit 2; }

if ! command -v java >/dev/null; then
  echo "openapi: the generator needs a Java runtime (Debian: apt-get install default-jre-headless; tools/install.sh does it)" >&2
  exit 1
fi

generated=(plugins/cells-backend/src/schema/openapi plugins/cells/src/schema/openapi)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# repo-tools formats what it writes with `yarn backstage-cli package lint --fix`
# and `yarn prettier`; this repository uses npm, so `yarn <bin>` runs the local bin.
mkdir "$scratch/bin"
cat >"$scratch/bin/yarn" <<'EOF'
#!/bin/sh
if [ "$1" = add ]; then
  echo "openapi: the generated code imports a package the package does not declare: npm install -w <package> ${*#add}" >&2
  exit 1
fi
exec npx --no-install "$@"
EOF
chmod +x "$scratch/bin/yarn"

if [[ "$mode" == check ]]; then
  for dir in "${generated[@]}"; do
    mkdir -p "$scratch/before/$dir"
    [[ -d "$dir" ]] && cp -R "$dir/." "$scratch/before/$dir/"
  done
fi

# The generator's jar (the version repo-tools pins), fetched from Maven Central
# once: repo-tools runs the server and the client generation side by side, and
# both would otherwise race to download it on a fresh install.
(cd node_modules/@backstage/repo-tools && node ../../@openapitools/openapi-generator-cli/main.js version >/dev/null)

# repo-tools reports a failed step and still exits 0: its output decides.
(cd plugins/cells-backend &&
  PATH="$scratch/bin:$PATH" npx --no-install backstage-repo-tools package schema openapi generate \
    --server --client-package plugins/cells) 2>&1 | tee "$scratch/log"
if grep -qi 'failed' "$scratch/log"; then
  echo "openapi: generation failed (see above)" >&2
  exit 1
fi

if [[ "$mode" == check ]]; then
  stale=0
  for dir in "${generated[@]}"; do
    diff -r -u "$scratch/before/$dir" "$dir" || stale=1
  done
  if [[ $stale -ne 0 ]]; then
    echo "openapi: the generated files were stale and are now regenerated (diff above): commit them with openapi.yaml" >&2
    exit 1
  fi
  echo "openapi: the generated router, client and models match openapi.yaml"
fi
