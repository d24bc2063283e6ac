/**
 * The outbound rules of the security groups our stacks create for tasks (awsvpc services and jobs)
 * and container instances: all traffic to anywhere unless the environment's `network.egress` lists
 * the rules, one Terraform rule resource each.
 */
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import type { Construct } from 'constructs';
import type { EgressRuleProps } from './props';

/**
 * The construct id of a listed rule: `<id>-<protocol>-<ports>-<destination>`, from what the rule
 * says, so that adding or reordering rules leaves the others' Terraform addresses as they are.
 */
export function egressRuleId(id: string, r: EgressRuleProps): string {
  const protocol = r.ipProtocol === '-1' ? 'all' : r.ipProtocol;
  const to = r.toPort ?? r.fromPort;
  const ports = r.fromPort === undefined ? '' : r.fromPort === to ? `-${r.fromPort}` : `-${r.fromPort}-${to}`;
  const destination = r.cidrIpv4 ?? r.cidrIpv6 ?? r.prefixListId ?? r.referencedGroupId ?? 'none';
  return `${id}-${protocol}${ports}-${destination}`.replace(/[^A-Za-z0-9-]/g, '_');
}

/**
 * Adds the egress of `securityGroupId`: `rules` when given (the environment's `network.egress`),
 * else the one all-traffic rule with construct id `id` (the address it always had).
 */
export function addEgress(
  scope: Construct,
  id: string,
  securityGroupId: string,
  rules: readonly EgressRuleProps[] | undefined,
  description: string,
): void {
  if (rules === undefined) {
    new VpcSecurityGroupEgressRule(scope, id, {
      securityGroupId,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: '-1',
      description,
    });
    return;
  }
  for (const r of rules) {
    const ports = r.ipProtocol === '-1' ? {} : { fromPort: r.fromPort ?? -1, toPort: r.toPort ?? r.fromPort ?? -1 };
    new VpcSecurityGroupEgressRule(scope, egressRuleId(id, r), {
      securityGroupId,
      ipProtocol: r.ipProtocol,
      ...ports,
      ...(r.cidrIpv4 !== undefined ? { cidrIpv4: r.cidrIpv4 } : {}),
      ...(r.cidrIpv6 !== undefined ? { cidrIpv6: r.cidrIpv6 } : {}),
      ...(r.prefixListId !== undefined ? { prefixListId: r.prefixListId } : {}),
      ...(r.referencedGroupId !== undefined ? { referencedSecurityGroupId: r.referencedGroupId } : {}),
      ...(r.description !== undefined ? { description: r.description } : {}),
    });
  }
}
