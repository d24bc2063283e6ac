/**
 * Where an environment's HTTP services answer. An environment on demand on a shared load balancer
 * answers at `<name>.<base domain>` (its listener rules match that host), or, when its base has no
 * domain, at the load balancer's DNS name with an `X-Ecsdeploy-Env: <name>` header. The DNS name is
 * an output of the cluster stack, read from its state (nothing is asked of AWS).
 */
import { ENV_HEADER } from '../../config/ephemeral';
import type { ResolvedEnvironment, ResolvedService } from '../../config/load';
import { hostClusterStack } from '../../synth/stack-order';
import type { StateStore } from './storage';

export interface ServiceUrl {
  readonly service: string;
  /** Absent when the load balancer's DNS name is needed and its cluster stack is not applied yet. */
  readonly url?: string;
  /** A header the request needs to reach this environment, e.g. `X-Ecsdeploy-Env: feature-x`. */
  readonly header?: string;
  /** Why there is no URL, or what else to know. */
  readonly note?: string;
}

/** `/orders/*` → `/orders/`; no paths → `/`. */
function firstPath(svc: ResolvedService): string {
  const path = svc.http?.paths?.[0] ?? '/';
  return path.replace(/\*.*$/, '') || '/';
}

export async function serviceUrls(env: ResolvedEnvironment, state: StateStore): Promise<ServiceUrl[]> {
  const services = env.services.filter((s) => s.http !== undefined);
  if (services.length === 0) return [];
  const lb = env.config.loadBalancer;
  const scheme = lb.certificateArn ? 'https' : 'http';
  const shared = env.ephemeral !== undefined && !env.ephemeral.isolated;
  // The base's domain and hosts point at the base's load balancer: an isolated environment has its own.
  const isolated = env.ephemeral?.isolated === true;
  const cluster = hostClusterStack(env);
  let dns: string | undefined | null = null;
  const albDns = async () => {
    if (dns === null) {
      const value = (await state.read(cluster))?.outputs['alb_dns_name'];
      dns = typeof value === 'string' && value ? value : undefined;
    }
    return dns;
  };
  const out: ServiceUrl[] = [];
  for (const svc of services) {
    const path = firstPath(svc);
    const configuredHost = svc.http!.hosts?.find((h) => !h.includes('*'));
    const host = shared
      ? lb.domain
        ? `${env.name}.${lb.domain}`
        : undefined
      : isolated
        ? undefined
        : (configuredHost ?? lb.domain);
    if (host !== undefined) {
      out.push({ service: svc.name, url: `${scheme}://${host}${path}` });
      continue;
    }
    const name = await albDns();
    const header = shared ? `${ENV_HEADER}: ${env.name}` : configuredHost ? `Host: ${configuredHost}` : undefined;
    out.push(
      name === undefined
        ? {
            service: svc.name,
            ...(header ? { header } : {}),
            note: `the load balancer's DNS name is known once ${cluster} is applied`,
          }
        : { service: svc.name, url: `${scheme}://${name}${path}`, ...(header ? { header } : {}) },
    );
  }
  return out;
}
