/**
 * The provider proxy (src/terraform/provider-proxy.ts) on its own, between a gRPC client of ours
 * (node:http2, as the engine's go-plugin client speaks it: h2c on a unix socket) and a scripted
 * provider that serves like the plugin SDK's debug mode and records every call it gets. Protects:
 * - each client connection gets a provider process of its own, and loses it when it closes; a call
 *   that arrives while its provider is still starting is served;
 * - told how many connections its command opens, it starts no provider beyond them (none at all
 *   for `show -json` once the protocol version is known), and a connection beyond still gets one;
 * - GetSchema and PrepareProviderConfig are asked once, then answered from the cache, the same
 *   bytes, also by the next proxy (the disk cache); a different request or environment is asked;
 * - answers unused for 30 days, and temporary files a killed proxy left, are removed (at most once a
 *   day per folder); answers in use, and files not the cache's, stay;
 * - go-plugin's own services are refused at once, without taking a provider;
 * - a provider that dies in the middle of a call fails that call: the client is not left waiting.
 * The real engine and provider: test/e2e/provider-proxy.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROXY_SOURCE } from '../../src/terraform/provider-proxy';
import { alive, childrenOf } from '../support/processes';

/** A provider: prints its reattach line, answers every call with `<method> <pid> <body>`; records each call in CALLS. */
const PROVIDER = `#!${process.execPath}
const http2 = require('node:http2');
const fs = require('node:fs');
if (process.argv[2] !== '-debug') process.exit(9);
// A folder of its own (in the test's, removed after it): a socket file named by pid alone can be
// left by a killed provider whose pid comes round again.
const socketDir = fs.mkdtempSync(require('node:path').dirname(process.env.CALLS) + '/fake-provider-');
const socket = socketDir + '/provider.sock';
let configured = false;
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  const method = headers[':path'].split('/').pop();
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  stream.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    fs.appendFileSync(process.env.CALLS, method + ' ' + process.pid + '\\n');
    if (method === 'Crash') process.exit(1);
    if (method === 'Configure' && configured) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '2', 'grpc-message': 'configured twice' }, { endStream: true });
      return;
    }
    if (method === 'Configure') configured = true;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(method + ' ' + process.pid + ' ' + body);
  });
});
server.listen(socket, () => {
  process.stdout.write("TF_REATTACH_PROVIDERS='" + JSON.stringify({ 'registry.terraform.io/hashicorp/aws': { Protocol: 'grpc', ProtocolVersion: 5, Pid: process.pid, Test: true, Addr: { Network: 'unix', String: socket } } }) + "'\\n");
});
process.on('SIGTERM', () => process.exit(0));
process.on('exit', () => { try { fs.rmSync(socketDir, { recursive: true, force: true }); } catch {} });
`;

interface Answer {
  readonly status: string;
  readonly body: string;
}

let root: string;
let binary: string;
let calls: string;
let cacheDir: string;
const proxies: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ecsdeploy-proxy-unit-'));
  binary = join(root, 'terraform-provider-aws_v5.100.0_x5');
  writeFileSync(binary, PROVIDER);
  chmodSync(binary, 0o755);
  calls = join(root, 'calls.txt');
  cacheDir = join(root, 'cache');
});
afterEach(() => {
  for (const p of proxies.splice(0)) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(root, { recursive: true, force: true });
});

/** Starts a proxy (as src/terraform/provider-server.ts does); resolves with its socket once it prints its reattach line. */
function startProxy(
  env: NodeJS.ProcessEnv = {},
  connections?: number,
): Promise<{ socket: string; pid: number; log: string; protocol: number }> {
  const log = join(root, `proxy-${proxies.length}.log`);
  const child = spawn(
    process.execPath,
    [
      '-e',
      PROXY_SOURCE,
      binary,
      'registry.terraform.io/hashicorp/aws',
      cacheDir,
      log,
      'test',
      ...(connections === undefined ? [] : [String(connections)]),
    ],
    {
      // Its socket's folder in the test's folder (killed, it cannot remove it).
      env: { ...process.env, CALLS: calls, NODE_OPTIONS: '', TMPDIR: root, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    },
  );
  proxies.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /TF_REATTACH_PROVIDERS='([^'\n]+)'/.exec(out);
      if (!m) return;
      const entry = (
        JSON.parse(m[1]!) as Record<string, { Addr: { String: string }; Pid: number; ProtocolVersion: number }>
      )['registry.terraform.io/hashicorp/aws']!;
      resolve({ socket: entry.Addr.String, pid: entry.Pid, log, protocol: entry.ProtocolVersion });
    });
    child.on('exit', (code) => reject(new Error(`proxy exited ${code}`)));
  });
}

/** One client connection (one provider instance of the engine). */
function connect(socket: string): http2.ClientHttp2Session {
  const session = http2.connect('http://localhost', { createConnection: () => net.connect(socket) });
  session.on('error', () => undefined);
  return session;
}

/** One unary call: its grpc-status and body, or the stream's error. */
function call(session: http2.ClientHttp2Session, method: string, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({
      ':method': 'POST',
      ':path': method.startsWith('/') ? method : `/tfplugin5.Provider/${method}`,
      'content-type': 'application/grpc',
      'te': 'trailers',
    });
    let status = '';
    let text = '';
    req.on('response', (h) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    });
    req.on('trailers', (t) => (status = String(t['grpc-status'])));
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => resolve({ status, body: text }));
    req.on('error', reject);
    req.end(body);
  });
}

const recorded = () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []);
const pidOf = (a: Answer) => Number(a.body.split(' ')[1]);

it('gives each connection a provider process of its own, and stops it when the connection closes', async () => {
  const { socket } = await startProxy();
  const a = connect(socket);
  const b = connect(socket);
  const configuredA = await call(a, 'Configure', 'x');
  const configuredB = await call(b, 'Configure', 'x');
  expect([configuredA.status, configuredB.status]).toEqual(['0', '0']);
  expect(pidOf(configuredA)).not.toBe(pidOf(configuredB));
  // Later calls of a connection go to its own provider.
  expect(pidOf(await call(a, 'ReadResource'))).toBe(pidOf(configuredA));
  a.close();
  for (let i = 0; i < 50 && alive(pidOf(configuredA)); i++) await new Promise((r) => setTimeout(r, 100));
  expect(alive(pidOf(configuredA))).toBe(false);
  expect(alive(pidOf(configuredB))).toBe(true);
  b.close();
});

it('serves connections that arrive while their provider is still starting (their request is read at once)', async () => {
  const { socket } = await startProxy();
  const sessions = [connect(socket), connect(socket), connect(socket)];
  const answers = await Promise.all(sessions.map((s) => call(s, 'ReadResource')));
  expect(answers.map((a) => a.status)).toEqual(['0', '0', '0']);
  expect(new Set(answers.map(pidOf)).size).toBe(3);
  for (const s of sessions) s.close();
}, 20_000);

/** The providers a proxy has running once those it is starting are up (each takes ~0.1 s here). */
const providersOf = async (pid: number) => {
  await new Promise((r) => setTimeout(r, 600));
  return childrenOf(pid).length;
};

it('told how many connections its command opens (a plan: 2), starts no provider beyond them; a third still gets one', async () => {
  const { socket, pid } = await startProxy({}, 2);
  expect(await providersOf(pid)).toBe(1); // ahead, for the first
  const a = connect(socket);
  const first = await call(a, 'ReadResource');
  expect(await providersOf(pid)).toBe(2); // the first taken, one ahead for the second
  const b = connect(socket);
  const second = await call(b, 'ReadResource');
  expect(await providersOf(pid)).toBe(2); // both taken, none ahead
  const c = connect(socket);
  const third = await call(c, 'ReadResource');
  expect([first.status, second.status, third.status]).toEqual(['0', '0', '0']);
  expect(new Set([first, second, third].map(pidOf)).size).toBe(3);
  expect(await providersOf(pid)).toBe(3); // started then, none ahead after it
  for (const s of [a, b, c]) s.close();
}, 20_000);

it('starts no provider for a command that takes none (show -json) once the protocol is known, and answers the schema', async () => {
  // Unknown protocol (an empty cache): the first provider is started to learn it, and it answers the schema.
  const learn = await startProxy({}, 0);
  expect(learn.protocol).toBe(5);
  const l = connect(learn.socket);
  const schema = await call(l, 'GetSchema');
  l.close();
  // Known: none started; the schema from the cache; a connection that needs one anyway gets one.
  const show = await startProxy({}, 0);
  expect(show.protocol).toBe(5);
  expect(await providersOf(show.pid)).toBe(0);
  const s = connect(show.socket);
  expect(await call(s, 'GetSchema')).toEqual(schema);
  expect(await providersOf(show.pid)).toBe(0);
  expect((await call(s, 'ReadResource')).status).toBe('0');
  expect(await providersOf(show.pid)).toBe(1);
  s.close();
  expect(recorded().filter((x) => x.startsWith('GetSchema ')).length).toBe(1);
}, 20_000);

it('asks the schema and the configuration check once, then answers from the cache, here and in the next proxy', async () => {
  const first = await startProxy();
  const a = connect(first.socket);
  const schema = await call(a, 'GetSchema');
  const check = await call(a, 'PrepareProviderConfig', 'config-1');
  a.close();
  const b = connect(first.socket);
  expect(await call(b, 'GetSchema')).toEqual(schema);
  expect(await call(b, 'PrepareProviderConfig', 'config-1')).toEqual(check);
  // A different request is asked.
  expect((await call(b, 'PrepareProviderConfig', 'config-2')).body).toContain('config-2');
  b.close();
  const asked = (what: string) => recorded().filter((l) => l.startsWith(`${what} `)).length;
  expect([asked('GetSchema'), asked('PrepareProviderConfig')]).toEqual([1, 2]);

  // The next proxy answers both from the disk cache; another environment asks the check again.
  const next = await startProxy();
  const c = connect(next.socket);
  expect(await call(c, 'GetSchema')).toEqual(schema);
  expect(await call(c, 'PrepareProviderConfig', 'config-1')).toEqual(check);
  c.close();
  expect([asked('GetSchema'), asked('PrepareProviderConfig')]).toEqual([1, 2]);
  const other = await startProxy({ AWS_PROFILE: 'another' });
  const d = connect(other.socket);
  expect(await call(d, 'GetSchema')).toEqual(schema);
  expect((await call(d, 'PrepareProviderConfig', 'config-1')).status).toBe('0');
  d.close();
  expect([asked('GetSchema'), asked('PrepareProviderConfig')]).toEqual([1, 3]);
  expect(readFileSync(next.log, 'utf8')).toContain('GetSchema from the cache');
});

it('removes answers unused for 30 days and files a killed proxy left, keeps those in use, at most once a day', async () => {
  const day = 86_400_000;
  const age = (file: string, ms: number) =>
    utimesSync(join(cacheDir, file), (Date.now() - ms) / 1000, (Date.now() - ms) / 1000);
  const marker = join(cacheDir, '.pruned');
  // A proxy writes GetSchema's answer and the protocol version (and, finding no `.pruned`, looks for old files first: none).
  const writer = await startProxy();
  const w = connect(writer.socket);
  const schema = await call(w, 'GetSchema');
  w.close();
  const written = readdirSync(cacheDir).filter((f) => /\.(json|bin)$/.test(f));
  expect(written).toHaveLength(4); // the schema's answer and the providers' protocol version, each .json and .bin
  expect(existsSync(marker)).toBe(true);

  // 31 days later another proxy reads them from the disk (within a day of the last look: no look now): in use again.
  for (const f of written) age(f, 31 * day);
  const reader = await startProxy();
  const r = connect(reader.socket);
  expect(await call(r, 'GetSchema')).toEqual(schema);
  r.close();
  expect(recorded().filter((l) => l.startsWith('GetSchema ')).length).toBe(1);
  for (const f of written) expect(statSync(join(cacheDir, f)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);

  const key = (c: string) => c.repeat(64);
  const files = {
    old: [`${key('a')}.json`, `${key('a')}.bin`], // 31 days unused: removed
    recent: [`${key('b')}.json`, `${key('b')}.bin`], // 29 days: kept
    leftTmp: [`${key('c')}.4242.tmp`], // a killed proxy's, two hours old: removed
    freshTmp: [`${key('d')}.4243.tmp`], // another proxy writing right now: kept
    foreign: ['notes.txt'], // not the cache's: kept, however old
  };
  for (const f of Object.values(files).flat()) writeFileSync(join(cacheDir, f), 'x');
  for (const f of [...files.old, ...files.foreign]) age(f, 31 * day);
  for (const f of files.recent) age(f, 29 * day);
  for (const f of files.leftTmp) age(f, 2 * 3_600_000);

  // The last look was more than a day ago: the next proxy looks, after its reattach line.
  utimesSync(marker, (Date.now() - 2 * day) / 1000, (Date.now() - 2 * day) / 1000);
  const pruner = await startProxy();
  for (let i = 0; i < 50 && existsSync(join(cacheDir, files.old[0]!)); i++)
    await new Promise((x) => setTimeout(x, 100));
  expect(readdirSync(cacheDir).sort()).toEqual(
    [...written, ...files.recent, ...files.freshTmp, ...files.foreign, '.pruned'].sort(),
  );
  expect(readFileSync(pruner.log, 'utf8')).toContain('cache: removed 3 files unused for 30 days');

  // Within a day of that look, the next proxy does not look again.
  for (const f of files.recent) age(f, 31 * day);
  const again = await startProxy();
  connect(again.socket).close();
  await new Promise((x) => setTimeout(x, 500));
  expect(readdirSync(cacheDir)).toEqual(expect.arrayContaining(files.recent));
  expect(existsSync(again.log) ? readFileSync(again.log, 'utf8') : '').not.toContain('cache: removed');
});

it('removes socket folders of proxies that no longer run (a day old, nobody listening), keeps those still served', async () => {
  const day = 86_400_000;
  const tmp = join(root, 'tmp'); // the proxies' temporary folder (TMPDIR), not the machine's
  mkdirSync(tmp);
  const folder = (name: string, ageMs: number, socketFile = false) => {
    const dir = join(tmp, name);
    mkdirSync(dir);
    if (socketFile) writeFileSync(join(dir, 'proxy.sock'), ''); // its proxy killed: nobody listens
    utimesSync(dir, (Date.now() - ageMs) / 1000, (Date.now() - ageMs) / 1000);
    return dir;
  };
  const killed = folder('ecsdeploy-provider-Killed', 2 * day, true);
  const empty = folder('ecsdeploy-provider-Empty1', 2 * day);
  const recent = folder('ecsdeploy-provider-Recent', 3_600_000, true); // an hour: a proxy may still be starting
  const foreign = folder('ecsdeploy-something', 2 * day);
  const waitGone = async (dir: string) => {
    for (let i = 0; i < 50 && existsSync(dir); i++) await new Promise((x) => setTimeout(x, 100));
  };

  // The first proxy of the day looks, after its reattach line.
  const serving = await startProxy({ TMPDIR: tmp });
  const servingDir = dirname(serving.socket);
  expect(dirname(servingDir)).toBe(tmp);
  await waitGone(killed);
  expect(readdirSync(tmp).sort()).toEqual(
    ['ecsdeploy-provider-Recent', 'ecsdeploy-something', servingDir.split('/').pop()!].sort(),
  );
  expect([existsSync(killed), existsSync(empty), existsSync(recent), existsSync(foreign)]).toEqual([
    false,
    false,
    true,
    true,
  ]);
  expect(readFileSync(serving.log, 'utf8')).toContain(
    `removed 2 socket folders of proxies that no longer run from ${tmp}`,
  );

  // A day later: the serving proxy's folder is old, but it answers on its socket: kept.
  utimesSync(servingDir, (Date.now() - 2 * day) / 1000, (Date.now() - 2 * day) / 1000);
  utimesSync(join(cacheDir, '.pruned'), (Date.now() - 2 * day) / 1000, (Date.now() - 2 * day) / 1000);
  const killedToo = folder('ecsdeploy-provider-Killed2', 2 * day, true);
  await startProxy({ TMPDIR: tmp });
  await waitGone(killedToo);
  expect(existsSync(killedToo)).toBe(false);
  expect(existsSync(servingDir)).toBe(true);
}, 20_000);

it("refuses go-plugin's own services at once, without taking a provider", async () => {
  const { socket } = await startProxy();
  const a = connect(socket);
  expect((await call(a, '/plugin.GRPCBroker/StartStream')).status).toBe('12');
  expect((await call(a, '/plugin.GRPCStdio/StreamStdio')).status).toBe('12');
  a.close();
  expect(recorded()).toEqual([]);
});

/** The answer, or what the client saw, within 10 s: a call through the proxy never waits for good. */
const within10s = (p: Promise<Answer>) =>
  Promise.race([
    p.then(
      (x) => `status ${x.status}`,
      (e: Error) => `error ${e.message}`,
    ),
    new Promise<string>((r) => setTimeout(() => r('still waiting after 10 s'), 10_000)),
  ]);
const killed = async (pid: number) => {
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
};

it('fails a call whose provider dies in the middle of it: the client is not left waiting', async () => {
  const { socket } = await startProxy();
  const a = connect(socket);
  expect(await within10s(call(a, 'Crash'))).toMatch(/^status 14$|^error /);
  a.close();
  // The next connection gets a provider of its own and works.
  const b = connect(socket);
  expect((await call(b, 'ReadResource')).status).toBe('0');
  b.close();
}, 20_000);

it('fails the next call of a connection whose provider died between calls: the client is not left waiting', async () => {
  const { socket } = await startProxy();
  const a = connect(socket);
  const first = await call(a, 'ReadResource');
  await killed(pidOf(first));
  expect(await within10s(call(a, 'ReadResource'))).toMatch(/^status 14$|^error /);
  a.close();
}, 20_000);

it('replaces a provider started ahead that died before a connection took it', async () => {
  const { socket, pid, log } = await startProxy({}, 2);
  const [ahead] = childrenOf(pid);
  await killed(ahead!);
  // Once the proxy has seen it end (a death it has not seen yet is the case above: that call fails).
  const seen = () => existsSync(log) && readFileSync(log, 'utf8').includes(`provider ${ahead} exited`);
  for (let i = 0; i < 50 && !seen(); i++) await new Promise((r) => setTimeout(r, 100));
  const a = connect(socket);
  expect(await within10s(call(a, 'ReadResource'))).toBe('status 0');
  a.close();
}, 20_000);
