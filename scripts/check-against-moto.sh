#!/usr/bin/env bash
# Independent check of issue 16 against moto (an AWS emulator no one here wrote), by hand: moto is not
# installable on CI's machine (neither Debian nor npm ships it). Needs `moto_server` and boto3 in a Python.
# Expect the locked key (moto refuses it DescribeKey) to have KMS.3 WARNING (CRITICAL) and KMS.4 WARNING
# (MEDIUM) with KEY_UNREADABLE_BY_AUDIT_ROLE, and the unit to complete.
set -euo pipefail
PYTHON=${PYTHON:-python3}
PORT=${PORT:-5077}
MOTO_SERVER=${MOTO_SERVER:-moto_server}
work=$(mktemp -d)
"$MOTO_SERVER" -p "$PORT" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/moto-api/" >/dev/null && break; sleep 0.2; done
MOTO_PORT=$PORT "$PYTHON" "$(dirname "$0")/moto-locked-key-setup.py"
cat >"$work/config.yaml" <<YAML
accounts: { source: list, list: ['123456789012'] }
regions: { mode: list, list: [us-east-1] }
homeRegion: us-east-1
YAML
AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
  npx tsx src/cli/main.ts scan --config "$work/config.yaml" --dry-run --controls KMS.3,KMS.4,KMS.5 \
  --output "$work/findings.json"
"$PYTHON" - "$work/findings.json" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1])):
    reasons = [r['ReasonCode'] for r in f['Compliance'].get('StatusReasons', [])]
    print(f['Compliance']['SecurityControlId'], f['Resources'][0]['Id'], f['Compliance']['Status'], f['Severity']['Label'], reasons)
PY
