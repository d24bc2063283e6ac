/**
 * Security groups (Checkov's SecurityGroupUnrestrictedIngress and Egress checks), over the rule
 * resources our stacks write (aws_vpc_security_group_ingress_rule / _egress_rule) and the inline
 * and aws_security_group_rule forms. The load balancer's own listener ports are the exception the
 * brief names: the public listeners must be reachable from anywhere.
 */
import { blocks, allResources, ref, type Rule, type RuleContext, type TfJson } from '../types';

const WORLD = new Set(['0.0.0.0/0', '::/0']);

interface Flow {
  readonly sg: string;
  readonly cidrs: string[];
  readonly from: number;
  readonly to: number;
  readonly protocol: string;
}

/** The flows of one resource in a direction, whatever form it is written in. */
function flows(r: Record<string, unknown>, type: string, direction: 'ingress' | 'egress', sgRef: string): Flow[] {
  const num = (v: unknown, d: number) => (v === undefined || v === null ? d : Number(v));
  if (type === `aws_vpc_security_group_${direction}_rule`)
    return [
      {
        sg: String(r['security_group_id']),
        cidrs: [r['cidr_ipv4'], r['cidr_ipv6']].filter((c): c is string => typeof c === 'string'),
        from: num(r['from_port'], -1),
        to: num(r['to_port'], -1),
        protocol: String(r['ip_protocol']),
      },
    ];
  if (type === 'aws_security_group_rule')
    return r['type'] === direction
      ? [
          {
            sg: String(r['security_group_id']),
            cidrs: [
              ...((r['cidr_blocks'] as string[] | undefined) ?? []),
              ...((r['ipv6_cidr_blocks'] as string[] | undefined) ?? []),
            ],
            from: num(r['from_port'], -1),
            to: num(r['to_port'], -1),
            protocol: String(r['protocol']),
          },
        ]
      : [];
  if (type === 'aws_security_group')
    return blocks(r[direction]).map((b) => ({
      sg: sgRef,
      cidrs: [
        ...((b['cidr_blocks'] as string[] | undefined) ?? []),
        ...((b['ipv6_cidr_blocks'] as string[] | undefined) ?? []),
      ],
      from: num(b['from_port'], -1),
      to: num(b['to_port'], -1),
      protocol: String(b['protocol']),
    }));
  return [];
}

const allPorts = (f: Flow) =>
  f.protocol === '-1' || f.protocol === 'all' || (f.from <= 0 && f.to >= 65535) || (f.from === -1 && f.to === -1);
const covers = (f: Flow, port: number) => allPorts(f) || (f.from <= port && port <= f.to);

/** Ports of the public listeners of the document's load balancers, by the load balancers' security groups. */
function listenerPorts(json: TfJson): Map<string, Set<number>> {
  const bySg = new Map<string, Set<number>>();
  for (const [type, id, lb] of allResources(json)) {
    if (type !== 'aws_lb' && type !== 'aws_alb') continue;
    const arn = ref(type, id, 'arn');
    const ports = allResources(json)
      .filter(([t, , l]) => (t === 'aws_lb_listener' || t === 'aws_alb_listener') && l['load_balancer_arn'] === arn)
      .map(([, , l]) => Number(l['port']));
    for (const sg of (lb['security_groups'] as string[] | undefined) ?? [])
      bySg.set(sg, new Set([...(bySg.get(sg) ?? []), ...ports]));
  }
  return bySg;
}

/** A world-open ingress that is exactly a public listener's port on its load balancer's group. */
function isListener(f: Flow, ctx: RuleContext): boolean {
  return !allPorts(f) && f.from === f.to && (listenerPorts(ctx.json).get(f.sg)?.has(f.from) ?? false);
}

const TYPES = {
  ingress: ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'],
  egress: ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_egress_rule'],
} as const;

function ingressRule(checkovId: string, port: number | 'any'): Rule {
  return {
    id: port === 'any' ? 'sg-no-open-ingress-all-ports' : `sg-no-open-ingress-${port}`,
    checkovId,
    title:
      port === 'any'
        ? 'No security group allows ingress from 0.0.0.0/0 to all ports'
        : `No security group allows ingress from 0.0.0.0/0 to port ${port}, except a public listener's`,
    resourceTypes: TYPES.ingress,
    check: (r, ctx) =>
      flows(r, ctx.type, 'ingress', ref('aws_security_group', ctx.id, 'id'))
        .filter((f) => f.cidrs.some((c) => WORLD.has(c)))
        .filter((f) => (port === 'any' ? allPorts(f) : covers(f, port) && !isListener(f, ctx)))
        .map((f) => `ingress from ${f.cidrs.join(', ')} to ports ${f.from}-${f.to} (${f.protocol})`),
  };
}

export const networkRules: readonly Rule[] = [
  ingressRule('CKV_AWS_24', 22),
  ingressRule('CKV_AWS_25', 3389),
  {
    // CKV_AWS_260 is port 80; ours is every port but the public listeners' (which includes 80 when
    // it is not one), the brief's "no 0.0.0.0/0 ingress except the public listener ports".
    id: 'sg-open-ingress-listeners-only',
    checkovId: 'CKV_AWS_260',
    title: "No security group allows ingress from 0.0.0.0/0 except to a public listener's port",
    resourceTypes: TYPES.ingress,
    check: (r, ctx) =>
      flows(r, ctx.type, 'ingress', ref('aws_security_group', ctx.id, 'id'))
        .filter((f) => f.cidrs.some((c) => WORLD.has(c)) && !isListener(f, ctx))
        .map(
          (f) =>
            `ingress from ${f.cidrs.join(', ')} to ports ${f.from}-${f.to} (${f.protocol}) is not a public listener's`,
        ),
  },
  ingressRule('CKV_AWS_277', 'any'),
  {
    id: 'sg-no-open-egress',
    checkovId: 'CKV_AWS_382',
    title: 'No security group allows egress to 0.0.0.0/0 on all ports',
    resourceTypes: TYPES.egress,
    check: (r, ctx) =>
      flows(r, ctx.type, 'egress', ref('aws_security_group', ctx.id, 'id'))
        .filter((f) => f.cidrs.some((c) => WORLD.has(c)) && allPorts(f))
        .map((f) => `egress to ${f.cidrs.join(', ')} on every port (${f.protocol})`),
  },
];
