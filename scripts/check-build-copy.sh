#!/usr/bin/env bash
# Runs the Dockerfile's build commands (npm ci, build, prune dev dependencies) in a clean copy of the
# repository, then starts the built app as the image would (`serve`, production dependencies only) and
# checks its health endpoint, its authentication and its shutdown on SIGTERM.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
git -C "$repo" archive --format=tar HEAD | tar -x -C "$work"
cd "$work"
npm ci --no-audit --no-fund --silent
npm run build --silent
npm prune --omit=dev --no-audit --no-fund --silent
test ! -e node_modules/vitest || { echo "dev dependencies left after prune"; exit 1; }
port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
token="build-check-token-0123456789"
KEYWARDEN_API_TOKENS="$token" KEYWARDEN_API_PORT="$port" KEYWARDEN_DATA_DIR="$work/data" KEYWARDEN_LOG_LEVEL=warn \
  NODE_ENV=production node dist/cli/main.js serve &
pid=$!
for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"ok"'
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/controls")
[ "$code" = 401 ] || { echo "unauthenticated request answered $code"; exit 1; }
curl -fsS -H "authorization: Bearer $token" "http://127.0.0.1:$port/v1/controls" | grep -q 'KMS.4'
kill -TERM "$pid"
wait "$pid"
echo "build copy: built, pruned, served /healthz, required a token and stopped on SIGTERM"
