/** EC2 capacity: launch templates (Checkov's IMDSv1Disabled and EBS encryption checks). */
import { block, blocks, isTrue, type Rule } from '../types';

const LT = ['aws_launch_template', 'aws_instance', 'aws_launch_configuration'] as const;

export const computeRules: readonly Rule[] = [
  {
    id: 'imdsv2-required',
    checkovId: 'CKV_AWS_79',
    title: 'Instance Metadata Service version 1 is not enabled (IMDSv2 required)',
    resourceTypes: LT,
    check: (r) => {
      const m = block(r['metadata_options']);
      if (m === undefined) return ['metadata_options is not set (IMDSv1 stays on)'];
      if (m['http_endpoint'] === 'disabled' || m['http_tokens'] === 'required') return [];
      return [`metadata_options.http_tokens is ${String(m['http_tokens'] ?? 'unset')}, not required`];
    },
  },
  {
    id: 'ebs-encrypted',
    checkovId: 'CKV_AWS_8',
    title: 'EBS volumes of launch templates, configurations and instances are encrypted',
    resourceTypes: LT,
    // CKV_AWS_8 covers launch configurations and instances; launch templates declare their volumes
    // in block_device_mappings[].ebs, which must all be encrypted (and be declared at all).
    check: (r, { type }) => {
      const volumes =
        type === 'aws_launch_template'
          ? blocks(r['block_device_mappings']).map((b) => block(b['ebs']) ?? {})
          : [...blocks(r['root_block_device']), ...blocks(r['ebs_block_device'])];
      if (volumes.length === 0) return ['no volume is declared: the root volume is created unencrypted'];
      return volumes
        .filter((v) => !isTrue(v['encrypted']) && v['snapshot_id'] === undefined)
        .map((v) => `volume ${String(v['device_name'] ?? '')}: encrypted is not true`.replace(' :', ':'));
    },
  },
];
