/** Application Load Balancers and their listeners (Checkov's ALB / ELBv2 checks). */
import { block, isTrue, ref, type Rule, type TfJson } from '../types';

const LB = ['aws_lb', 'aws_alb'] as const;
const LISTENER = ['aws_lb_listener', 'aws_alb_listener'] as const;

/** A listener that only redirects to HTTPS. */
function redirectsToHttps(l: Record<string, unknown>): boolean {
  const action = block(l['default_action']);
  return action?.['type'] === 'redirect' && block(action['redirect'])?.['protocol'] === 'HTTPS';
}

/** The listeners of a load balancer of this document. */
function listenersOf(json: TfJson, type: string, id: string): Array<Record<string, unknown>> {
  const arn = ref(type, id, 'arn');
  return LISTENER.flatMap((t) => Object.values(json.resource?.[t] ?? {})).filter((l) => l['load_balancer_arn'] === arn);
}

const isGateway = (lb: Record<string, unknown>) => lb['load_balancer_type'] === 'gateway';

export const albRules: readonly Rule[] = [
  {
    id: 'alb-drop-invalid-headers',
    checkovId: 'CKV_AWS_131',
    title: 'Application Load Balancers drop invalid HTTP headers',
    resourceTypes: LB,
    check: (lb) =>
      (lb['load_balancer_type'] ?? 'application') !== 'application' || isTrue(lb['drop_invalid_header_fields'])
        ? []
        : ['drop_invalid_header_fields is not true'],
  },
  {
    id: 'lb-deletion-protection',
    checkovId: 'CKV_AWS_150',
    title: 'Load balancers have deletion protection enabled',
    resourceTypes: LB,
    check: (lb) => (isTrue(lb['enable_deletion_protection']) ? [] : ['enable_deletion_protection is not true']),
  },
  {
    id: 'lb-access-logs',
    checkovId: 'CKV_AWS_91',
    title: 'Load balancers have access logging enabled',
    resourceTypes: LB,
    check: (lb) =>
      isGateway(lb) || isTrue(block(lb['access_logs'])?.['enabled']) ? [] : ['access_logs.enabled is not true'],
  },
  {
    id: 'alb-redirects-http',
    checkovId: 'CKV2_AWS_20',
    title: 'Application Load Balancers redirect HTTP requests to HTTPS',
    resourceTypes: LB,
    check: (_lb, { json, type, id }) =>
      listenersOf(json, type, id)
        .filter((l) => Number(l['port']) === 80 && l['protocol'] === 'HTTP')
        .filter((l) => {
          const action = block(l['default_action']);
          const redirect = block(action?.['redirect']);
          return !(action?.['type'] === 'redirect' && redirect?.['protocol'] === 'HTTPS' && redirect['port'] === '443');
        })
        .map(() => 'its HTTP listener on port 80 does not redirect to HTTPS on 443'),
  },
  {
    id: 'alb-listener-https',
    checkovId: 'CKV_AWS_2',
    title: 'Load balancer listeners use HTTPS (or redirect to it)',
    resourceTypes: LISTENER,
    check: (l) => {
      const protocol = l['protocol'];
      if (['HTTPS', 'TLS', 'TCP', 'UDP', 'TCP_UDP'].includes(String(protocol))) return [];
      if (protocol === 'HTTP' && redirectsToHttps(l)) return [];
      return [`protocol is ${String(protocol ?? 'unset')} and the listener does not redirect to HTTPS`];
    },
  },
  {
    id: 'alb-listener-tls12',
    checkovId: 'CKV_AWS_103',
    title: 'Load balancer listeners use at least TLS 1.2',
    resourceTypes: LISTENER,
    check: (l) => {
      const protocol = String(l['protocol'] ?? '');
      if (['TCP', 'UDP', 'TCP_UDP'].includes(protocol) || redirectsToHttps(l)) return [];
      if (['HTTPS', 'TLS'].includes(protocol)) {
        const policy = String(l['ssl_policy'] ?? '');
        return ['ELBSecurityPolicy-FS-1-2', 'ELBSecurityPolicy-TLS-1-2', 'ELBSecurityPolicy-TLS13'].some((p) =>
          policy.startsWith(p),
        )
          ? []
          : [`ssl_policy ${policy || '(default)'} allows TLS older than 1.2`];
      }
      return [`protocol ${protocol || 'unset'} carries no TLS`];
    },
  },
];
