// Processes and helpers for the browser tests: a private redis-server, budgetd restarted on the
// same data with other vote dates, budgetctl as an operator would run it, the OTP outbox, an API
// client for the steps that are not under test, and Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const buildDir = path.resolve(repoRoot, process.env.BUILD_DIR || 'build-test');
export const budgetdPath = path.join(buildDir, 'server/budgetd');
export const budgetctlPath = path.join(buildDir, 'server/budgetctl');
export const artifactsDir = path.join(repoRoot, 'artifacts');
export const screenshotsDir = path.join(artifactsDir, 'screenshots');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The engine is served as the README's first command serves it: HTTPS with a self-signed
 * certificate (scripts/demo-certificate.sh, made by scripts/browser-tests.sh for the whole run)
 * and its own embedded redis-server. Node's fetch trusts that certificate through
 * NODE_EXTRA_CA_CERTS; Chromium trusts its key, and only its key, through
 * --ignore-certificate-errors-spki-list: certificate errors are never ignored wholesale.
 */
export const tlsDir = process.env.BUDGET_TEST_TLS_DIR;
if (!tlsDir || !fs.existsSync(path.join(tlsDir, 'cert.pem'))) {
  throw new Error('BUDGET_TEST_TLS_DIR must hold cert.pem and key.pem: run scripts/browser-tests.sh');
}
const certificate = new crypto.X509Certificate(fs.readFileSync(path.join(tlsDir, 'cert.pem')));
export const certificateSpki = crypto.createHash('sha256')
  .update(certificate.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

// Below the kernel's range for outgoing connections (32768-60999 by default), where any client
// could take the port between this check and the server's bind; never twice in one process.
const handedOut = new Set();
function bindable(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort() {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = 28000 + crypto.randomInt(4000);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port below the ephemeral range');
}

export function tempDir(prefix = 'budget-browser-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function redisPing(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.setTimeout(500);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      data += d;
      if (data.includes('\r\n')) {
        sock.destroy();
        resolve(data.startsWith('+PONG'));
      }
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => { sock.destroy(); resolve(false); });
  });
}

/** A redis-server of our own on a free loopback port, durable like production. */
export async function startRedis(dir) {
  const port = await freePort();
  const log = fs.openSync(path.join(dir, 'redis.log'), 'a');
  const proc = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'always', '--save', '',
    '--daemonize', 'no', '--protected-mode', 'yes',
  ], { stdio: ['ignore', log, log] });
  for (let i = 0; i < 100; i++) {
    if (await redisPing(port)) return { port, proc, stop: () => stopProcess(proc) };
    if (proc.exitCode !== null) break;
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server did not start (see ${dir}/redis.log)`);
}

export function stopProcess(proc, signal = 'SIGTERM', timeoutMs = 10000) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); }, timeoutMs);
    proc.once('exit', () => { clearTimeout(timer); resolve(); });
    proc.kill(signal);
  });
}

/** RFC 3339 in UTC for `Date.now() + offsetMs` (seconds precision). */
export function isoFromNow(offsetMs) {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Writes the TOML configuration for one budgetd run and returns its path: HTTPS on
 *  `listenPort`, plain HTTP redirecting to it on `redirectPort`, an embedded redis-server;
 *  `callOpens`/`callCloses`, when given, the call for initiatives of [campaign]; `extraToml`
 *  is appended (sections of a test's own, such as [identity]). */
export function writeConfig(dir, { listenPort, redirectPort, voteOpens, voteCloses, callOpens = '', callCloses = '', name = 'budget.toml', ballotShards = 1, extraToml = '' }) {
  const toml = `# browser tests: as scripts/run.sh serves the demo
[server]
listen = "127.0.0.1:${listenPort}"
threads = 2

[tls]
cert_file = ${JSON.stringify(path.join(tlsDir, 'cert.pem'))}
key_file = ${JSON.stringify(path.join(tlsDir, 'key.pem'))}
redirect_listen = "127.0.0.1:${redirectPort}"

[redis]
embedded = true
${ballotShards > 1 ? `ballot_shards = ${ballotShards}\n` : ''}
[storage]
data_dir = ${JSON.stringify(path.join(dir, 'data'))}

[campaign]
id = "2026"
title = "Budget citoyen 2026"
vote_opens = "${voteOpens}"
vote_closes = "${voteCloses}"
${callOpens ? `call_opens = "${callOpens}"\ncall_closes = "${callCloses}"\n` : ''}max_choices = 3
min_age = 11
envelope_eur = 20000
tree_head_interval_s = 1

[otp]
delivery = "outbox"
outbox = ${JSON.stringify(path.join(dir, 'outbox.jsonl'))}
max_codes_per_hour = 20
max_requests_per_ip_hour = 100000

[privacy]
controller = "Département du Pas-de-Calais"
controller_address = "Hôtel du Département, rue Ferdinand Buisson, 62018 Arras Cedex 9"
contact_email = "donnees-personnelles@test.invalid"
dpo_contact = "dpd@test.invalid"
publication_director = "Le président du Conseil départemental"
host = "Hébergeur de test, 1 rue du Test, 62000 Arras"
mail_relay = "Relais de test (codes écrits dans un fichier)"
${extraToml}`;
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, toml);
  return file;
}

/** Runs budgetctl; throws with its stderr when it fails. */
export function budgetctl(config, args, input) {
  const r = spawnSync(budgetctlPath, ['--config', config, ...args], { input, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`budgetctl ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** Starts budgetd and waits until /api/v1/health answers 200. */
export async function startBudgetd(config, port, logFile) {
  const log = fs.openSync(logFile, 'a');
  const proc = spawn(budgetdPath, ['--config', config], { stdio: ['ignore', log, log] });
  const base = `https://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) break;
    try {
      const r = await fetch(`${base}/api/v1/health`);
      if (r.status === 200) return { proc, base, stop: () => stopProcess(proc) };
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  await stopProcess(proc, 'SIGKILL');
  throw new Error(`budgetd did not start: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

/** The newest one-time code sent to `email` (outbox delivery). */
export async function outboxCode(outbox, email, after = 0) {
  for (let i = 0; i < 100; i++) {
    if (fs.existsSync(outbox)) {
      const lines = fs.readFileSync(outbox, 'utf8').trim().split('\n').filter(Boolean);
      const mine = lines.map((l) => JSON.parse(l)).filter((m) => m.email === email && m.code);
      if (mine.length > after) return mine[mine.length - 1].code;
    }
    await sleep(50);
  }
  throw new Error(`no code for ${email} in ${outbox}`);
}

export function outboxCount(outbox, email) {
  if (!fs.existsSync(outbox)) return 0;
  return fs.readFileSync(outbox, 'utf8').trim().split('\n').filter(Boolean)
    .map((l) => JSON.parse(l)).filter((m) => m.email === email && m.code).length;
}

/** A tiny API client keeping one staff session (cookie + CSRF token). */
export class StaffClient {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = ''; }

  async login(username, password) {
    const r = await fetch(`${this.base}/api/v1/admin/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    this.cookie = r.headers.get('set-cookie').split(';')[0];
    this.csrf = (await r.json()).csrf_token;
    return this;
  }

  async call(method, p, body) {
    const headers = { Cookie: this.cookie };
    if (method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${this.base}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text };
  }
}

/** Casts a ballot through the API (for the other residents of the scenario). */
export async function voteThroughApi(base, outbox, person, choices) {
  const before = outboxCount(outbox, person.email);
  let r = await fetch(`${base}/api/v1/auth/challenge`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: person.email }),
  });
  if (r.status !== 202) throw new Error(`challenge: ${r.status}`);
  const code = await outboxCode(outbox, person.email, before);
  r = await fetch(`${base}/api/v1/auth/verify`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...person, code }),
  });
  if (r.status !== 200) throw new Error(`verify: ${r.status} ${await r.text()}`);
  const { token } = await r.json();
  r = await fetch(`${base}/api/v1/ballots`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ choices }),
  });
  if (r.status !== 201) throw new Error(`ballot: ${r.status} ${await r.text()}`);
  return (await r.json()).receipt;
}

export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  `--ignore-certificate-errors-spki-list=${certificateSpki}`,
];

/** Debian's Chromium, headless; each test opens its own isolated contexts (Playwright gives the
 *  browser a fresh temporary profile and removes it on close). */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
}

/**
 * A resident's or staff member's own browser window: French, Paris time, no shared cookies.
 * Every page of it is watched (support/checks.mjs): a failed request, an error answer not
 * allowed by the test, a console or script error, or a body whose length is not its
 * Content-Length fails the test when the context is closed (or checked with assertClean()).
 */
export async function newContext(browser, viewport = { width: 1280, height: 900 }, { allow = [] } = {}) {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport, acceptDownloads: true });
  context.setDefaultTimeout(10000);
  const { watchContext } = await import('./checks.mjs');
  watchContext(context, allow);
  return context;
}
