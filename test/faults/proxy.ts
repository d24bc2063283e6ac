/**
 * A fault-injecting reverse proxy between the code under test (the CLI, the ops functions, the
 * engine's provider and S3 backend) and moto. Loopback only. Every request names an operation
 * (X-Amz-Target, the query or form `Action=`, or for S3 the method and the shape of the path);
 * whether that request gets a fault, and which, is decided by a PRNG seeded with
 * (seed, operation, nth call of that operation), so one seed replays the same faults whatever the
 * interleaving of other operations. The proxy closes by itself after `lifetimeMs`.
 *
 * Faults: an HTTP 500 or 503, a throttling error in the protocol's own shape (`ThrottlingException`
 * for JSON APIs, `Throttling` for the query APIs, `RequestLimitExceeded` for EC2, `SlowDown` for S3),
 * added latency, a connection dropped before or after moto handled the request, and a body cut
 * short (the request took effect, the answer did not arrive whole).
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const FAULT_KINDS = [
  'http500',
  'http503',
  'throttle',
  'latency',
  'dropBefore',
  'dropAfter',
  'truncate',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ProxyOptions {
  /** Where moto listens, e.g. http://127.0.0.1:41234 */
  readonly target: string;
  readonly seed: number;
  /** Probability that one request gets a fault (0..1). */
  readonly rate: number;
  /** Which faults may be drawn. @default all */
  readonly kinds?: readonly FaultKind[];
  /** The proxy stops by itself after this long. @default 120 s */
  readonly lifetimeMs?: number;
  /** Operations never faulted (e.g. the test's own reads). Matched against the operation name. */
  readonly spare?: RegExp;
  /** Added latency of a `latency` fault. @default 50..800 ms */
  readonly maxLatencyMs?: number;
}

export interface InjectedFault {
  readonly operation: string;
  readonly nth: number;
  readonly kind: FaultKind;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Faults injected so far, in order. */
  readonly injected: readonly InjectedFault[];
  /** Requests seen per operation. */
  readonly calls: ReadonlyMap<string, number>;
  /** Turn faults on or off (off: a plain pass-through, for the invariant checks and clean re-runs). */
  setRate(rate: number): void;
  /** The next run on the same port (an engine's working folder keeps its endpoint): new seed, counts from zero. */
  reseed(seed: number, rate: number, kinds?: readonly FaultKind[]): void;
  close(): Promise<void>;
}

/** 0..1, from (seed, operation, nth, salt): stable whatever else runs concurrently. */
export function draw(seed: number, operation: string, nth: number, salt: string): number {
  const h = createHash('sha256').update(`${seed}\0${operation}\0${nth}\0${salt}`).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

/** The operation a request is: `ecs:UpdateService`, `ec2:RunInstances`, `s3:PutObject`, ... */
export function operationOf(method: string, url: string, headers: http.IncomingHttpHeaders, body: string): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.replace(/^.*\./, `${serviceOf(headers)}:`);
  const u = new URL(url, 'http://x');
  const action =
    u.searchParams.get('Action') ??
    (String(headers['content-type'] ?? '').includes('x-www-form-urlencoded')
      ? new URLSearchParams(body).get('Action')
      : null);
  if (action) return `${serviceOf(headers)}:${action}`;
  // S3 (path style: /bucket/key): the method and whether a key is named, plus sub-resources.
  const parts = u.pathname.split('/').filter(Boolean);
  const sub = [...u.searchParams.keys()].filter((k) => !k.startsWith('x-') && k !== 'prefix').sort();
  const what = parts.length <= 1 ? 'Bucket' : 'Object';
  return `${serviceOf(headers)}:${method}${what}${sub.length ? `?${sub.join('&')}` : ''}`;
}

/** The signing name in the Authorization header's credential scope (`.../us-east-1/ecs/aws4_request`). */
function serviceOf(headers: http.IncomingHttpHeaders): string {
  const m = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''));
  return m?.[1] ?? 'unknown';
}

function throttleAnswer(
  operation: string,
  headers: http.IncomingHttpHeaders,
): { type: string; body: string; status: number } {
  const service = operation.split(':')[0];
  if (service === 's3')
    return {
      status: 503,
      type: 'application/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate (fault proxy).</Message><RequestId>fault</RequestId></Error>',
    };
  if (service === 'ec2')
    return {
      status: 503,
      type: 'text/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded (fault proxy).</Message></Error></Errors><RequestID>fault</RequestID></Response>',
    };
  if (typeof headers['x-amz-target'] === 'string' || String(headers['content-type'] ?? '').includes('json'))
    return {
      status: 400,
      type: 'application/x-amz-json-1.1',
      body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded (fault proxy)' }),
    };
  return {
    status: 400,
    type: 'text/xml',
    body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded (fault proxy)</Message></Error><RequestId>fault</RequestId></ErrorResponse>',
  };
}

export async function startFaultProxy(options: ProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  let kinds = options.kinds ?? FAULT_KINDS;
  const maxLatency = options.maxLatencyMs ?? 800;
  let rate = options.rate;
  let seed = options.seed;
  const injected: InjectedFault[] = [];
  const calls = new Map<string, number>();
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = operationOf(req.method ?? 'GET', req.url ?? '/', req.headers, body.toString('utf8'));
      const nth = (calls.get(operation) ?? 0) + 1;
      calls.set(operation, nth);
      let kind: FaultKind | undefined;
      if (rate > 0 && !options.spare?.test(operation) && draw(seed, operation, nth, 'hit') < rate) {
        kind = kinds[Math.floor(draw(seed, operation, nth, 'kind') * kinds.length)]!;
        injected.push({ operation, nth, kind });
      }
      const plain = (status: number, type: string, text: string) => {
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      switch (kind) {
        case 'http500':
          return plain(500, 'text/plain', 'Internal Server Error (fault proxy)');
        case 'http503':
          return plain(503, 'text/plain', 'Service Unavailable (fault proxy)');
        case 'throttle': {
          const t = throttleAnswer(operation, req.headers);
          return plain(t.status, t.type, t.body);
        }
        case 'dropBefore':
          return req.socket.destroy();
        default:
      }
      const forward = () => {
        const up = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: req.headers.host ?? target.host },
          },
          (upRes) => {
            const parts: Buffer[] = [];
            upRes.on('data', (c: Buffer) => parts.push(c));
            upRes.on('end', () => {
              const answer = Buffer.concat(parts);
              if (kind === 'dropAfter') return req.socket.destroy();
              const headers = { ...upRes.headers };
              delete headers['transfer-encoding'];
              headers['content-length'] = String(answer.length);
              res.writeHead(upRes.statusCode ?? 502, headers);
              if (kind === 'truncate' && answer.length > 1) {
                // Promise the whole length, send part of it, hang up: the client sees a short body.
                res.write(answer.subarray(0, Math.floor(answer.length / 2)), () => req.socket.destroy());
                return;
              }
              res.end(answer);
            });
            upRes.on('error', () => req.socket.destroy());
          },
        );
        up.on('error', () => req.socket.destroy());
        up.end(body);
      };
      if (kind === 'latency') setTimeout(forward, 50 + Math.floor(draw(seed, operation, nth, 'ms') * maxLatency));
      else forward();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }));
  const timer = setTimeout(() => void close(), options.lifetimeMs ?? 120_000);
  timer.unref();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected,
    calls,
    setRate: (r) => (rate = r),
    reseed: (s, r, k) => {
      seed = s;
      rate = r;
      kinds = k ?? options.kinds ?? FAULT_KINDS;
      injected.length = 0;
      calls.clear();
    },
    close,
  };
}
