/**
 * A scripted stand-in for terraform (a bash script), for tests of what ecsdeploy does around the
 * engine: which commands it runs, in which folder, and what it makes of exit codes, crashes and
 * interrupts. Real-engine behaviour is covered by test/e2e. Behaviour per run, from the environment:
 *
 *   FAKE_VERSION   first line of `version`           (default: Terraform v1.11.4)
 *   FAKE_PLAN      none | changes | crash | init-once (default: changes)
 *   FAKE_SHOW      file printed by `show -json`
 *   FAKE_APPLY     ok | wait (until SIGINT, then exit 1 like a graceful stop)
 *   FAKE_CALLS     file that receives one line per invocation: `<cwd basename> <args>`
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = `#!/bin/bash
echo "\${PWD##*/} $*" >> "\${FAKE_CALLS:-/dev/null}"
case "$1" in
  version)
    echo "\${FAKE_VERSION:-Terraform v1.11.4}"; echo "on linux_amd64" ;;
  init)
    mkdir -p .terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64
    touch .terraform.lock.hcl
    echo "Terraform has been successfully initialized!" ;;
  plan)
    out=""
    for a in "$@"; do case "$a" in -out=*) out="\${a#-out=}" ;; esac; done
    mode="\${FAKE_PLAN:-changes}"
    if [ "$mode" = init-once ]; then
      if [ -e .needs-init-seen ]; then mode=changes; else
        touch .needs-init-seen
        echo '{"type":"diagnostic","@level":"error","diagnostic":{"severity":"error","summary":"Backend initialization required, please run \\"terraform init\\""}}'
        exit 1
      fi
    fi
    case "$mode" in
      none) echo '{"type":"change_summary","@message":"No changes.","changes":{"add":0,"change":0,"remove":0}}'; exit 0 ;;
      crash) echo "panic: runtime error: invalid memory address or nil pointer dereference" >&2; echo "goroutine 1 [running]:" >&2; exit 2 ;;
      *)
        action=create
        for a in "$@"; do [ "$a" = -destroy ] && action=delete; done
        echo fake-plan > "$out"
        echo '{"type":"planned_change","@message":"aws_s3_bucket.b: Plan to '$action'","change":{"resource":{"addr":"aws_s3_bucket.b","resource_type":"aws_s3_bucket"},"action":"'$action'"}}'
        echo '{"type":"change_summary","@message":"Plan: 1 to '$action'.","changes":{"add":1,"change":0,"remove":0}}'
        exit 2 ;;
    esac ;;
  show)
    cat "$FAKE_SHOW" ;;
  apply)
    echo '{"type":"apply_start","@message":"aws_s3_bucket.b: Creating...","hook":{"action":"create","resource":{"addr":"aws_s3_bucket.b"}}}'
    if [ "\${FAKE_APPLY:-ok}" = wait ]; then
      trap 'echo INT >> "\${FAKE_CALLS:-/dev/null}"; echo "{\\"type\\":\\"diagnostic\\",\\"diagnostic\\":{\\"severity\\":\\"error\\",\\"summary\\":\\"execution halted\\"}}"; exit 1' INT
      while true; do sleep 0.05; done
    fi
    echo '{"type":"apply_complete","@message":"aws_s3_bucket.b: Creation complete after 0s","hook":{"action":"create","resource":{"addr":"aws_s3_bucket.b"}}}'
    echo '{"type":"outputs","outputs":{"url":{"sensitive":false,"value":"http://b"},"token":{"sensitive":true,"value":"s3cr3t"}}}' ;;
  output)
    echo '{"url":{"sensitive":false,"value":"http://b"}}' ;;
esac
`;

/** Writes the fake engine as `<dir>/<name>` (executable) and returns its path. */
export function writeFakeEngine(dir: string, name = 'terraform'): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, SCRIPT);
  chmodSync(file, 0o755);
  return file;
}

/** A JSON plan creating one bucket (what `show -json` prints for FAKE_PLAN=changes). */
export const ONE_BUCKET_PLAN = JSON.stringify({
  format_version: '1.2',
  resource_changes: [
    {
      address: 'aws_s3_bucket.b',
      mode: 'managed',
      type: 'aws_s3_bucket',
      name: 'b',
      change: { actions: ['create'], before: null, after: {}, after_unknown: {} },
    },
  ],
  output_changes: { url: { actions: ['create'], before: null, after: 'http://b' } },
});
