// The bytes a first visit of each page costs over the network, as Chromium counts them (headers
// and encoded bodies of every response), and how many requests a second page then makes:
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

/** Loads `path` in `page` and sums what crossed the network until it is idle. */
async function visit(page, path) {
  const seen = [];
  const onFinished = async (req) => {
    const sizes = await req.sizes().catch(() => null);
    if (!sizes) return;
    const api = new URL(req.url()).pathname.startsWith('/api/');
    seen.push({ api, bytes: sizes.responseBodySize + sizes.responseHeadersSize, url: req.url() });
  };
  page.on('requestfinished', onFinished);
  await page.goto(`${c.base}${path}`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(200);
  page.off('requestfinished', onFinished);
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
    + ` then ${next}: ${second.static_requests} static requests, ${second.static_bytes} B`);
  await ctx.close();
}
if (process.argv[2]) fs.writeFileSync(process.argv[2], JSON.stringify(rows, null, 2));
await browser.close();
await c.stop();
