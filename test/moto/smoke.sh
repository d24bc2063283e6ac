#!/usr/bin/env bash
# Reproduce the moto end-to-end proof: start the patched moto server, then
# terraform init / apply / plan (must report no changes) / destroy against
# test/moto/fixtures/ecs-env.tf (or $FIXTURE), then stop the server.
#
#   test/moto/smoke.sh            # work dir under /tmp, removed on success
#   KEEP=1 test/moto/smoke.sh     # keep the work dir and moto log
#   WORKDIR=/tmp/x test/moto/smoke.sh
#   FIXTURE=ecs-services.tf test/moto/smoke.sh   # another fixture (see smoke-services.sh)
#   AFTER_DESTROY='cmd' ...       # run cmd (with $ENDPOINT set) after the destroy; must exit 0
#
# Needs: terraform (or tofu), the AWS provider 5.100.0 filesystem mirror
# (default /opt/tf-plugins), python3 with moto 5.2.1, curl.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TERRAFORM="${TERRAFORM:-$(command -v /usr/local/bin/terraform || command -v terraform || command -v tofu)}"
MIRROR="${TF_PROVIDER_MIRROR:-/opt/tf-plugins}"
PYTHON="$(python3 -c 'import sys; print(sys.executable)')"  # real interpreter, not the pyenv shim
WORKDIR="${WORKDIR:-$(mktemp -d /tmp/ecsdeploy-moto-smoke.XXXXXX)}"
mkdir -p "$WORKDIR"

PORT="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
ENDPOINT="http://127.0.0.1:${PORT}"
MOTO_PID=""

cleanup() {
  local rc=$?
  if [[ -n "$MOTO_PID" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill -TERM "$MOTO_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$MOTO_PID" 2>/dev/null || true
  fi
  if [[ $rc -eq 0 && -z "${KEEP:-}" ]]; then rm -rf "$WORKDIR"; else echo "work dir kept: $WORKDIR (moto log: $WORKDIR/moto.log)"; fi
  exit $rc
}
trap cleanup EXIT

now() { date +%s.%N; }
# step NAME LOGFILE CMD... : run CMD with output to LOGFILE, record its duration.
step() {
  local name=$1 log=$2; shift 2
  local t0 rc=0; t0=$(now)
  echo "==> $name"
  timeout "${STEP_TIMEOUT:-900}" "$@" >"$log" 2>&1 || rc=$?
  awk -v a="$t0" -v b="$(now)" -v n="$name" 'BEGIN { printf "    %-8s %6.1fs\n", n, b - a }' | tee -a "$WORKDIR/timings.txt"
  return $rc
}

MOTO_LOG_ERRORS=1 "$PYTHON" "$HERE/server.py" --exit-with-parent -H 127.0.0.1 -p "$PORT" >"$WORKDIR/moto.log" 2>&1 &
MOTO_PID=$!
for i in $(seq 1 100); do
  curl -fsS -o /dev/null "$ENDPOINT/moto-api/" 2>/dev/null && break
  kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORKDIR/moto.log"; echo "moto exited"; exit 1; }
  sleep 0.1
  [[ $i -eq 100 ]] && { cat "$WORKDIR/moto.log"; echo "moto did not answer on $ENDPOINT"; exit 1; }
done
echo "moto on $ENDPOINT (pid $MOTO_PID)"

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
  AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="$ENDPOINT" AWS_EC2_METADATA_DISABLED=true

# State bucket (tiny bootstrap: a path-style PUT is CreateBucket in us-east-1).
curl -fsS -X PUT -o /dev/null "$ENDPOINT/ecsdeploy-tfstate"

cat >"$WORKDIR/terraform.rc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$WORKDIR/terraform.rc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
export TF_VAR_endpoint="$ENDPOINT"
cat >"$WORKDIR/backend.hcl" <<EOF
endpoints = { s3 = "$ENDPOINT" }
EOF
cp "$HERE/fixtures/${FIXTURE:-ecs-env.tf}" "$WORKDIR/main.tf"
cd "$WORKDIR"
: >"$WORKDIR/timings.txt"

step init init.log "$TERRAFORM" init -no-color -backend-config=backend.hcl || { cat init.log; exit 1; }
step apply apply.log "$TERRAFORM" apply -no-color -auto-approve || { tail -60 apply.log; exit 1; }
rc=0
step plan plan.log "$TERRAFORM" plan -no-color -detailed-exitcode || rc=$?
if [[ $rc -ne 0 ]]; then
  cat plan.log
  echo "FAIL: plan after apply exited $rc (2 = changes pending)"
  exit 1
fi
echo "    plan: no changes"
step destroy destroy.log "$TERRAFORM" destroy -no-color -auto-approve || { tail -60 destroy.log; exit 1; }
grep -q "Destroy complete" destroy.log
if [[ -n "${AFTER_DESTROY:-}" ]]; then
  echo "==> after destroy"
  ENDPOINT="$ENDPOINT" bash -c "$AFTER_DESTROY" || { echo "FAIL: after-destroy check"; exit 1; }
fi
echo "PASS: init, apply, plan (no changes), destroy"
cat "$WORKDIR/timings.txt"
