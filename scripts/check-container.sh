#!/usr/bin/env bash
# Builds the real Dockerfile with podman and proves the image starts as a non-root user on a read-only
# root file system and answers its health check. Needs podman and a node:24-slim image (on a machine
# without a registry, ../shared/tools/node-base-image.sh builds a local stand-in first).
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-/etc/containers/local-node.conf}
base_tool=../shared/tools/node-base-image.sh
if [ -f "$base_tool" ] && [ "$(id -u)" = 0 ]; then bash "$base_tool" 24 >/dev/null; fi
podman build --pull=never --format docker -t keywarden:check . >/dev/null
name="keywarden-check-$$"
trap 'podman rm -f "$name" >/dev/null 2>&1 || true' EXIT
podman run -d --name "$name" --read-only -e KEYWARDEN_API_TOKENS=container-check-token-0123456789 keywarden:check >/dev/null
for _ in $(seq 1 60); do
  if podman exec "$name" node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then break; fi
  sleep 0.5
done
uid=$(podman exec "$name" id -u)
[ "$uid" != 0 ] || { echo "the container runs as root"; exit 1; }
podman healthcheck run "$name"
code=$(podman exec "$name" node -e "fetch('http://127.0.0.1:3000/v1/controls').then(r=>console.log(r.status))")
[ "$code" = 401 ] || { echo "unauthenticated request answered $code"; exit 1; }
podman stop -t 10 "$name" >/dev/null
echo "container: built, ran as uid $uid on a read-only root, healthy, required a token, stopped"

# The same image as a scale-out worker, against a redis-server on the host.
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis_pid=$!
worker="keywarden-worker-check-$$"
trap 'podman rm -f "$name" "$worker" >/dev/null 2>&1 || true; kill "$redis_pid" 2>/dev/null || true' EXIT
worker_port=$(free_port)
podman run -d --name "$worker" --network host --read-only -e KEYWARDEN_API_PORT="$worker_port" \
  -e KEYWARDEN_EXECUTOR=bullmq -e KEYWARDEN_REDIS_URL="redis://127.0.0.1:$redis_port" keywarden:check worker >/dev/null
for _ in $(seq 1 60); do
  if podman logs "$worker" 2>&1 | grep -q 'taking jobs'; then break; fi
  sleep 0.5
done
podman logs "$worker" 2>&1 | grep -q 'taking jobs' || { podman logs "$worker"; echo "the worker did not start"; exit 1; }
worker_uid=$(podman exec "$worker" id -u)
[ "$worker_uid" != 0 ] || { echo "the worker runs as root"; exit 1; }
podman healthcheck run "$worker"
podman stop -t 10 "$worker" >/dev/null
status=$(podman inspect -f '{{.State.ExitCode}}' "$worker")
[ "$status" = 0 ] || { podman logs "$worker"; echo "the worker exited with $status on SIGTERM"; exit 1; }
echo "container: worker took jobs from Redis as uid $worker_uid, healthy, stopped cleanly on SIGTERM"
