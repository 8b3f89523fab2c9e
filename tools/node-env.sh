# Sourced by the tools after tools/install.sh: when it brought the project-local
# Node (the machine's is older than 22.18), put it first on PATH, so `node` and
# npm itself run on it, as npm scripts do through node_modules/.bin/node.
if [[ -L node_modules/.bin/node ]]; then
  PATH="$(cd "$(dirname "$(readlink -f node_modules/.bin/node)")" && pwd):$PATH"
  export PATH
fi
