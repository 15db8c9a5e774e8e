// The bytes a first visit of each page costs over the network, as Chromium counts them (headers
// and encoded bodies of every response), and what a second page of the site then costs:
//   BUDGET_TEST_TLS_DIR=DIR NODE_EXTRA_CA_CERTS=DIR/cert.pem BUILD_DIR=build \
//     node tests/browser/support/measure-transfer.mjs [OUT.json]
// (DIR from scripts/demo-certificate.sh DIR). A campaign in its vote, three initiatives labelled;
// each page is opened in a fresh context (empty cache), staff pages with a session already open.
// Prints one line per page and writes the numbers as JSON when OUT.json is given.
import fs from 'node:fs';
import { launchBrowser, voteThroughApi } from './harness.mjs';
import { Campaign } from './scenario.mjs';

const resident = ['/', '/initiatives.html', '/voter.html', '/recu.html', '/verifier.html',
  '/resultats.html', '/accessibilite.html', '/connexion.html'];
const committee = ['/comite/', '/comite/initiative.html?id=ressourcerie-arras', '/comite/journal.html'];
const mission = ['/mission/', '/mission/import.html', '/mission/depouillement.html'];

const c = new Campaign();
await c.init();
await c.loadQuestionnaire();
for (const id of ['ressourcerie-arras', 'epicerie-solidaire-bethune', 'tiers-lieu-saint-omer']) {
  await c.review(id, ['camille', 'dominique', 'eliott'], 3, { decision: 'label', category: 'pratique_ess' });
}
await c.start('voting');
await voteThroughApi(c.base, c.outbox, { email: 'alice@exemple.fr', first_name: 'Alice', last_name: 'Martin', birth_date: '1980-03-02', commune: '62041' }, ['ressourcerie-arras']);
const browser = await launchBrowser();

async function contextFor(path) {
  const ctx = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const user = committee.includes(path) ? 'camille' : mission.includes(path) ? 'mission' : null;
  if (user) {
    const staff = await c.staff(user);
    const [name, value] = staff.cookie.split(/=(.*)/s);
    await ctx.addCookies([{ name, value, url: c.base }]);
    // The CSRF token lives in the tab's sessionStorage: the pages ask /admin/me for it.
  }
  return ctx;
}

/**
 * Loads `path` in `page` and sums what crossed the network until it is idle, as DevTools'
 * "transferred" column counts it (Network.loadingFinished's encodedDataLength: header and
 * encoded body bytes received); answers from the browser's cache cost nothing and are not
 * counted as requests, a 304 costs its headers.
 */
async function visit(page, path) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  const cached = new Set();
  const seen = [];
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.requestServedFromCache', (e) => cached.add(e.requestId));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) cached.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    if (cached.has(e.requestId) || e.encodedDataLength === 0) return;
    const url = urls.get(e.requestId) || '';
    const api = url.startsWith(c.base) && new URL(url).pathname.startsWith('/api/');
    seen.push({ api, bytes: e.encodedDataLength, url });
  });
  await page.goto(`${c.base}${path}`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
  await cdp.detach();
  const sum = (list) => list.reduce((n, r) => n + r.bytes, 0);
  return {
    requests: seen.length,
    static_requests: seen.filter((r) => !r.api).length,
    static_bytes: sum(seen.filter((r) => !r.api)),
    api_bytes: sum(seen.filter((r) => r.api)),
  };
}

const rows = [];
for (const path of [...resident, ...committee, ...mission]) {
  const ctx = await contextFor(path);
  const page = await ctx.newPage();
  const first = await visit(page, path);
  // The same site, one page later: what its cache spares. Home for the residents' pages, the
  // space's first page for the staff's.
  const next = resident.includes(path) ? (path === '/' ? '/initiatives.html' : '/')
    : committee.includes(path) ? (path === '/comite/' ? '/comite/journal.html' : '/comite/')
      : (path === '/mission/' ? '/mission/import.html' : '/mission/');
  const second = await visit(page, next);
  rows.push({ path, first, next, second });
  console.log(`${path.padEnd(48)} first visit ${String(first.static_bytes).padStart(7)} B static (${first.static_requests} requests) + ${String(first.api_bytes).padStart(6)} B API;`
    + ` then ${next}: ${second.static_requests} static requests, ${second.static_bytes} B static + ${second.api_bytes} B API`);
  await ctx.close();
}
// The commune list, which the vote form fetches when the resident picks their commune: as
// Chromium asks for it (Accept-Encoding: gzip, deflate, br), in a fresh context.
{
  const ctx = await contextFor('/api/v1/communes');
  const list = await visit(await ctx.newPage(), '/api/v1/communes');
  rows.push({ path: '/api/v1/communes', first: list });
  console.log(`${'/api/v1/communes'.padEnd(48)} ${list.api_bytes} B`);
  await ctx.close();
}
if (process.argv[2]) fs.writeFileSync(process.argv[2], JSON.stringify(rows, null, 2));
await browser.close();
await c.stop();
