#!/usr/bin/env bash
# Reproduce the moto proof for production-style ECS services: smoke.sh (start
# the patched moto, init / apply / plan -detailed-exitcode must be 0 / destroy)
# over test/moto/fixtures/ecs-services.tf, then check that the task definition
# with skip_destroy = true is still registered (ACTIVE) after the destroy and
# that Service Connect left no Cloud Map service behind.
#
#   test/moto/smoke-services.sh
#   KEEP=1 WORKDIR=/tmp/x test/moto/smoke-services.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="$(python3 -c 'import sys; print(sys.executable)')"

export FIXTURE=ecs-services.tf
export AFTER_DESTROY="\"$PYTHON\" - <<'PY'
import os, boto3
kw = dict(endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1')
ecs = boto3.client('ecs', **kw)
td = ecs.describe_task_definition(taskDefinition='svc-orders')['taskDefinition']
assert td['status'] == 'ACTIVE', td['status']
print(f\"    skip_destroy: {td['taskDefinitionArn'].split('/')[-1]} still ACTIVE\")
left = boto3.client('servicediscovery', **kw).list_services()['Services']
assert not left, f'Cloud Map services left: {left}'
gone = [c['status'] for c in ecs.describe_clusters(clusters=['svc'])['clusters']]
assert gone in ([], ['INACTIVE']), gone
PY"
exec "$HERE/smoke.sh"
