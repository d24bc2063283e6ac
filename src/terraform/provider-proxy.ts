/**
 * The provider proxy: one small process per engine command that the engine reattaches to instead of
 * an AWS provider (./provider-server), and that starts real AWS provider processes behind it.
 *
 * Why: nearly all of an engine command's fixed cost is two calls the AWS provider 5.100 answers
 * slowly, the same way every time (measured on this machine: docs/performance.md):
 * - `GetSchema` (~0.5–1 s of provider CPU, ~4.9 MB): the schema of ~1,500 resource types, a
 *   function of the provider binary alone. Every engine command asks for it once.
 * - `PrepareProviderConfig` (~2 s: the plugin SDK validates every resource schema each time): a
 *   function of the provider binary, the provider configuration sent and the provider's
 *   environment. The engine asks for it in every graph walk: validate, plan, then apply, so three
 *   times in a one-step `apply`.
 * The proxy answers both (and their protocol 6 names, GetProviderSchema and ValidateProviderConfig)
 * from a cache (in memory, and on disk for the next command) once a provider has answered them, and
 * passes every other call through to a provider process.
 *
 * Safety: each engine connection gets its own provider process (the engine opens one connection
 * per provider instance, that is per graph walk, as it would start one process per walk without
 * reattach), started ahead and never shared: so no provider process is configured twice (the AWS
 * provider 5.x keeps state from one ConfigureProvider to the next in a process, and fails the
 * second with a custom CA bundle: "unable to add custom RootCAs HTTPClient"), aliased providers and
 * side-by-side walks are kept apart, and what the provider does for the engine is exactly what it
 * does without the proxy. A connection that only reads the schema (`show -json`, the engine's
 * schema load) is answered from the cache without taking a provider. A call never waits for a
 * provider that has ended: the one in progress and every later call of its connection fail
 * (Unavailable; it was configured, no other can take its place), and one started ahead that ended
 * (or failed to start) before it was taken is replaced once. (Before, a later call of such a
 * connection was never answered, and the engine waited for good.)
 *
 * Cache keys (sha256): the binary (real path, size, modification time, inode); for
 * PrepareProviderConfig also the request bytes and the environment the providers run with (all of
 * it except variables that only describe the shell: PWD, SHLVL, ...). Only successful answers are
 * kept, each with its checksum (a damaged file is asked again). Files are written whole and renamed
 * into place (proxies of engine commands side by side share the folder), mode 0600 in a 0700
 * folder: the prepared configuration holds what the provider block says (region, endpoints, role
 * ARN, default tags), no credential (ecsdeploy writes none there).
 *
 * Old answers go: a key changes with the provider binary and with the environment (new temporary
 * credentials are a new key), so the folder would only grow. An answer neither written nor read
 * from disk for CACHE_KEEP_DAYS is removed, and so is a temporary file a killed proxy left (after an
 * hour). A proxy looks at most once a day per folder (the time of its `.pruned` file), after it has
 * printed its reattach line: no engine command waits for it. It also removes the socket folders of
 * proxies that were killed outright (pruneSocketDirs).
 *
 * Plain JavaScript run with `node -e` (no imports of ours: it starts in tens of milliseconds and
 * runs the same from the sources, the bundle and a test). It prints the engine's reattach
 * configuration once its first provider is ready, exits when the provider cannot start, and is
 * stopped with its process group (its providers are in it) by ./provider-server or, after a
 * `kill -9` of ecsdeploy, by the watchdog (./orphans) once the orphaned engine command has ended.
 *
 * Providers started ahead: as many as the engine command will take, when the caller says how many
 * (the sixth argument: its graph walks; a plan takes 2, a destroy plan 3, the apply of a saved plan
 * 1, a one-step apply 3, `show -json` none), else always one more than taken. A provider start
 * costs ~0.22 s of CPU, and the one started ahead that nobody takes was a sixth of a plan's CPU. A
 * connection beyond the count still gets one, started then. The reattach line needs the
 * providers' protocol version: the first provider's, kept in the cache for the binary, so a
 * command that takes none starts none once that is known.
 *
 * argv: the provider binary, the provider address (registry.terraform.io/hashicorp/aws), the
 * cache folder, the run log file ('' for none), the stack name (for the log's lines) and, optional,
 * how many provider connections the command will open.
 */
export const PROXY_SOURCE = String.raw`
'use strict';
const http2 = require('node:http2');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const [binary, address, cacheDir, logFile, stack, expectedArg] = process.argv.slice(1);
const expected = expectedArg === undefined || expectedArg === '' ? Infinity : Number(expectedArg);
const log = (text) => {
  if (!logFile) return;
  try { fs.appendFileSync(logFile, new Date().toISOString().slice(11, 23) + ' [' + stack + '] (provider proxy: ' + text + ')\n'); } catch {}
};
const sha = (...parts) => { const h = crypto.createHash('sha256'); for (const p of parts) h.update(p).update('\0'); return h.digest('hex'); };
const st = fs.statSync(binary);
const binaryKey = sha(fs.realpathSync(binary), String(st.size), String(st.mtimeMs), String(st.ino));
const SHELL_ONLY = new Set(['_', 'PWD', 'OLDPWD', 'SHLVL', 'TERM', 'COLUMNS', 'LINES', 'NODE_OPTIONS']);
const envKey = sha(JSON.stringify(Object.entries(process.env).filter(([k]) => !SHELL_ONLY.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
const schemaKey = (body) => sha('schema', binaryKey, body);
const checkKey = (body) => sha('prepare', binaryKey, envKey, body);
const protocolKey = sha('protocol', binaryKey);
const CACHED = {
  '/tfplugin5.Provider/GetSchema': schemaKey,
  '/tfplugin5.Provider/PrepareProviderConfig': checkKey,
  '/tfplugin6.Provider/GetProviderSchema': schemaKey,
  '/tfplugin6.Provider/ValidateProviderConfig': checkKey,
};
const memory = new Map();
function cacheGet(key) {
  if (memory.has(key)) return memory.get(key);
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(cacheDir, key + '.json'), 'utf8'));
    const answer = { headers: meta.headers, trailers: meta.trailers, data: fs.readFileSync(path.join(cacheDir, key + '.bin')) };
    if (sha(answer.data) !== meta.sha256) return undefined; // damaged: asked again, and written again
    memory.set(key, answer);
    const now = new Date();
    for (const ext of ['.json', '.bin']) { try { fs.utimesSync(path.join(cacheDir, key + ext), now, now); } catch {} } // in use: kept
    return answer;
  } catch { return undefined; }
}
function cachePut(key, answer) {
  memory.set(key, answer);
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(cacheDir, key + '.' + process.pid + '.tmp');
    fs.writeFileSync(tmp, answer.data, { mode: 0o600 });
    fs.renameSync(tmp, path.join(cacheDir, key + '.bin'));
    fs.writeFileSync(tmp, JSON.stringify({ headers: answer.headers, trailers: answer.trailers, sha256: sha(answer.data) }), { mode: 0o600 });
    fs.renameSync(tmp, path.join(cacheDir, key + '.json'));
  } catch {}
}
const DAY_MS = 86400000;
const CACHE_KEEP_DAYS = 30;
function prune() {
  try {
    const marker = path.join(cacheDir, '.pruned');
    const now = Date.now();
    try { if (now - fs.statSync(marker).mtimeMs < DAY_MS) return; } catch {}
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(marker, '', { mode: 0o600 });
    fs.utimesSync(marker, new Date(now), new Date(now));
    let removed = 0;
    for (const name of fs.readdirSync(cacheDir)) {
      const m = /^[0-9a-f]{64}\.(json|bin|\d+\.tmp)$/.exec(name);
      if (!m) continue; // not ours: left alone
      const file = path.join(cacheDir, name);
      try {
        const limit = m[1].endsWith('.tmp') ? DAY_MS / 24 : CACHE_KEEP_DAYS * DAY_MS;
        if (now - fs.statSync(file).mtimeMs > limit) { fs.rmSync(file, { force: true }); removed++; }
      } catch {}
    }
    if (removed) log('cache: removed ' + removed + ' files unused for ' + CACHE_KEEP_DAYS + ' days (or left by a killed proxy) from ' + cacheDir);
  } catch {}
  pruneSocketDirs();
}
/**
 * Socket folders of proxies killed outright (after a kill -9 of ecsdeploy, or by versions that left
 * one per engine command): an ecsdeploy-provider-* folder in the temporary folder, more than a day
 * old, whose socket nobody listens on (a proxy still serving answers: kept). One at a time, after
 * the reattach line.
 */
function pruneSocketDirs() {
  const tmp = os.tmpdir();
  let names;
  try { names = fs.readdirSync(tmp).filter((n) => /^ecsdeploy-provider-[A-Za-z0-9]+$/.test(n)); } catch { return; }
  const now = Date.now();
  let removed = 0;
  const remove = (dir) => { try { fs.rmSync(dir, { recursive: true, force: true }); removed++; } catch {} };
  const next = (i) => {
    if (i >= names.length) {
      if (removed) log('removed ' + removed + ' socket folders of proxies that no longer run from ' + tmp);
      return;
    }
    const dir = path.join(tmp, names[i]);
    try { if (dir === socketDir || now - fs.statSync(dir).mtimeMs < DAY_MS) return void setImmediate(next, i + 1); } catch { return void setImmediate(next, i + 1); }
    const c = net.connect(path.join(dir, 'proxy.sock'));
    c.on('connect', () => { c.destroy(); next(i + 1); }); // in use
    c.on('error', () => { remove(dir); next(i + 1); });
  };
  next(0);
}
// Response headers a server sends again: the status and gRPC's own, never the connection's.
const kept = (h) => { const o = {}; for (const [k, v] of Object.entries(h || {})) if (k === ':status' || !k.startsWith(':')) o[k] = v; return o; };

// The schema alone is 4.9 MB: node's default of 10 MB per HTTP/2 session is too close (past it,
// new calls are refused).
const SESSION_MEMORY_MB = 512;

// Provider processes: started ahead (see the header), taken by the next connection that needs one.
const providers = new Set();
let started = 0;
function startProvider() {
  started++;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-debug'], { stdio: ['ignore', 'pipe', 'ignore'] });
    providers.add(child);
    let out = '';
    child.on('error', (e) => reject(e));
    child.on('exit', (code, signal) => {
      if (providers.delete(child) && !child.stopping) log('provider ' + child.pid + ' exited (' + (code === null ? signal : code) + ')');
      reject(new Error('it exited (' + (code === null ? signal : code) + ')'));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const m = /TF_REATTACH_PROVIDERS='([^'\n]+)'/.exec(out);
      if (!m) return;
      try {
        const entry = Object.values(JSON.parse(m[1]))[0];
        const socket = entry.Addr.String;
        const session = http2.connect('http://localhost', { maxSessionMemory: SESSION_MEMORY_MB, createConnection: () => (entry.Addr.Network === 'unix' ? net.connect(socket) : net.connect(Number(socket.split(':').pop()), socket.split(':').slice(0, -1).join(':'))) });
        session.on('error', () => {});
        resolve({ child, session, protocol: entry.ProtocolVersion, stop: () => { child.stopping = true; session.destroy(); child.kill('SIGKILL'); } });
      } catch (e) { reject(e); }
    });
  });
}
function startSpare() {
  if (started >= expected) return undefined;
  const p = startProvider();
  p.catch(() => {});
  return p;
}
const knownProtocol = cacheGet(protocolKey);
// The first provider tells the protocol version, unless the cache knows it.
let spare = knownProtocol && expected === 0 ? undefined : startProvider();
if (spare) spare.catch(() => {});
function takeProvider() {
  if (!spare) log('a connection beyond the ' + expected + ' expected: its provider started now');
  const p = spare || startProvider();
  spare = startSpare();
  return p;
}

function fail(stream, status, message) {
  log('call failed: ' + message);
  if (stream.destroyed) return;
  if (stream.headersSent) return void stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) }, { endStream: true });
}
function answerWith(stream, answer) {
  if (stream.destroyed) return;
  if (answer.trailers === undefined) { stream.respond(kept(answer.headers), { endStream: true }); return; }
  stream.respond(kept(answer.headers), { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers(kept(answer.trailers)));
  stream.end(answer.data);
}
/** The provider process has ended, or its connection has (it cannot answer another call). */
const ended = (provider) => provider.child.exitCode !== null || provider.child.signalCode !== null || provider.session.closed || provider.session.destroyed;
/** Passes one call to the connection's provider; its answer streams back, trailers included. */
function pass(provider, stream, headers, body, onAnswer) {
  // A provider that died between two calls of its connection (it was configured: no other can
  // take its place): the call fails, it does not wait for an answer that cannot come.
  if (ended(provider)) return fail(stream, 14, 'the AWS provider process ' + provider.child.pid + ' of this connection has ended');
  const out = {};
  for (const [k, v] of Object.entries(headers)) if (k === ':path' || k === ':method' || !k.startsWith(':')) out[k] = v;
  let req;
  try { req = provider.session.request(out); } catch (e) { return fail(stream, 14, 'provider call failed: ' + e.message); }
  req.on('error', (e) => fail(stream, 14, 'provider call failed: ' + e.message));
  stream.on('close', () => { if (!req.destroyed) req.close(); });
  req.end(body);
  const chunks = [];
  let trailers;
  let done = false;
  // A provider that died in the middle of a call: the engine's call fails, it does not hang.
  req.on('close', () => { if (!done) fail(stream, 14, 'the AWS provider process ended in the middle of the call'); });
  req.on('response', (h, flags) => {
    if (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) {
      done = true;
      req.resume();
      if (!stream.destroyed) stream.respond(kept(h), { endStream: true });
      return;
    }
    if (stream.destroyed) return void req.close(); // the engine gave up on the call
    stream.respond(kept(h), { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(kept(trailers || { 'grpc-status': '0' })));
    req.on('data', (c) => { if (onAnswer) chunks.push(c); if (!stream.destroyed) stream.write(c); });
    req.on('trailers', (t) => { trailers = t; });
    req.on('end', () => {
      done = true;
      if (onAnswer && trailers && String(trailers['grpc-status']) === '0') onAnswer({ headers: kept(h), trailers: kept(trailers), data: Buffer.concat(chunks) });
      if (!stream.destroyed) stream.end();
    });
  });
}

const server = http2.createServer({ maxSessionMemory: SESSION_MEMORY_MB });
let connections = 0;
server.on('session', (session) => {
  const id = ++connections;
  let provider;
  session.on('error', () => {});
  session.on('close', () => { if (provider) provider.then((p) => { p.stop(); log('connection ' + id + ' closed: provider ' + p.child.pid + ' stopped'); }, () => {}); });
  session.provider = () => {
    if (!provider) {
      // One started ahead that ended, or failed to start, before it was taken (nothing of this
      // connection's is in it yet): another, once.
      provider = takeProvider().then(
        (p) => {
          if (!ended(p)) return p;
          log('provider ' + p.child.pid + ', started ahead, ended before connection ' + id + ' took it: another started');
          return startProvider();
        },
        (e) => {
          log('a provider started ahead did not start (' + e.message + '): another started for connection ' + id);
          return startProvider();
        },
      );
      provider.then((p) => log('connection ' + id + ': provider ' + p.child.pid), () => {});
    }
    return provider;
  };
});
server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  const method = headers[':path'] || '';
  // go-plugin's own services (the broker, stdio streaming, the controller): not for a reattached provider.
  if (!method.startsWith('/tfplugin')) return fail(stream, 12, method + ' is not served through the provider proxy');
  // Every tfplugin call sends one request message (only answers may stream): read it whole at once,
  // before the connection's provider is ready (a request body not read right away can be lost).
  const keyOf = CACHED[method];
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  stream.on('end', () => {
    const body = Buffer.concat(chunks);
    const key = keyOf && keyOf(body);
    const hit = key && cacheGet(key);
    if (key) log(method.split('/').pop() + (hit ? ' from the cache' : ' asked of a provider'));
    if (hit) return answerWith(stream, hit);
    stream.session.provider().then(
      (p) => pass(p, stream, headers, body, key && ((answer) => cachePut(key, answer))),
      (e) => fail(stream, 14, 'the AWS provider did not start: ' + e.message),
    ).catch((e) => fail(stream, 13, 'internal error of the provider proxy: ' + (e && e.message)));
  });
});

const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecsdeploy-provider-'));
const socket = path.join(socketDir, 'proxy.sock');
const stopAll = () => { for (const c of providers) { try { c.kill('SIGKILL'); } catch {} } try { fs.rmSync(socketDir, { recursive: true, force: true }); } catch {} };
process.on('exit', stopAll);
// A bug of ours must not end the engine command it serves: the call it concerned fails, the rest go on.
process.on('uncaughtException', (e) => log('internal error: ' + (e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e)));
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => process.exit(0));
const protocol = spare
  ? spare.then((first) => {
      if (!knownProtocol) cachePut(protocolKey, { headers: {}, trailers: {}, data: Buffer.from(String(first.protocol)) });
      return first.protocol;
    })
  : Promise.resolve(Number(knownProtocol.data.toString()));
protocol.then((version) => server.listen(socket, () => {
  const entry = { Protocol: 'grpc', ProtocolVersion: version, Pid: process.pid, Test: true, Addr: { Network: 'unix', String: socket } };
  process.stdout.write("TF_REATTACH_PROVIDERS='" + JSON.stringify({ [address]: entry }) + "'\n");
  setImmediate(prune);
}), (e) => { process.stderr.write('the AWS provider did not start: ' + e.message + '\n'); process.exit(3); });
`;
