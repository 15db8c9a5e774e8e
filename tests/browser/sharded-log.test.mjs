// The receipt check before publication when the ballot log is split into journals
// ([redis] ballot_shards = 4): the page finds the ballot's journal, checks that journal's signed
// head (whose signed bytes name the journal) and the inclusion proof against it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { budgetdPath, launchBrowser, newContext, voteThroughApi } from './support/harness.mjs';
import { fulfillJson, watch } from './support/checks.mjs';
import { Campaign, staffUsers } from './support/scenario.mjs';

const SHARDS = 4;
const labelled = 'ressourcerie-arras';
const residents = ['Agathe', 'Basile', 'Capucine', 'Dorian', 'Edmée', 'Fulbert', 'Gaspard', 'Héloïse'].map((first, i) => ({
  email: `${first.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}@exemple.fr`,
  first_name: first,
  last_name: 'Lefebvre',
  birth_date: `19${70 + i}-03-1${i}`,
  commune: '62193',
}));

let campaign;
let browser;
const receipts = [];

before(async () => {
  assert.ok(fs.existsSync(budgetdPath), `budgetd not built: ${budgetdPath} (set BUILD_DIR)`);
  campaign = new Campaign({ ballotShards: SHARDS });
  await campaign.init();
  await campaign.loadQuestionnaire();
  await campaign.review(labelled, staffUsers.committee.map((u) => u.username), 3, { decision: 'label', category: 'pratique_ess' });
  await campaign.start('voting');
  for (const person of residents) receipts.push(await voteThroughApi(campaign.base, campaign.outbox, person, [labelled]));
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (campaign) await campaign.stop();
});

/** The journal of each receipt, once every journal's head covers its ballots. */
async function journals() {
  for (let i = 0; i < 100; i++) {
    const found = [];
    for (const r of receipts) {
      const res = await fetch(`${campaign.base}/api/v1/log/inclusion?ballot_id=${r.ballot_id}`);
      if (res.status !== 200) break;
      found.push((await res.json()).shard);
    }
    if (found.length === receipts.length) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the journals’ signed heads never covered every ballot');
}

describe('a ballot log in several journals', () => {
  test('a resident finds their ballot in the signed head of its own journal', async () => {
    const shards = await journals();
    assert.ok(shards.every((s) => Number.isInteger(s) && s >= 0 && s < SHARDS), shards.join(','));
    const i = shards.findIndex((s) => s > 0);
    assert.ok(i >= 0, `every ballot landed in journal 0: ${shards.join(',')}`);
    const shard = shards[i];
    const head = await (await fetch(`${campaign.base}/api/v1/log/head?shard=${shard}`)).json();
    assert.equal(head.shards, SHARDS);
    assert.equal(head.head.shard, shard);

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watch(page, [/404 .*\/api\/v1\/(results|ballot-definition)/]);
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Votre reçu').fill(JSON.stringify(receipts[i]));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#verify-result').waitFor();
    const checks = await page.locator('#checks').innerText();
    assert.equal(await page.locator('#verify-result').getAttribute('data-outcome'), 'recorded', checks);
    assert.match(checks, new RegExp(`Le journal des bulletins n°\\s${shard} est signé par la Mission ESS\\.`));
    assert.match(checks, new RegExp(`(fait partie des \\d+ bulletins enregistrés|est le seul bulletin enregistré) dans le journal signé n°\\s${shard}\\.`));
    assert.doesNotMatch(checks, /Échec/);
    w.assertClean();
    await ctx.close();
  });

  test('a head whose journal number was changed no longer verifies in the browser', async () => {
    const shards = await journals();
    const i = shards.findIndex((s) => s > 0);
    const shard = shards[i];
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    // The server (or someone in between) presents another journal's number in the head.
    await page.route(`**/api/v1/log/head?shard=${shard}`, async (route) => {
      const response = await route.fetch();
      const head = await response.json();
      head.head.shard = (shard + 1) % SHARDS;
      await fulfillJson(route, response, head);
    });
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Votre reçu').fill(JSON.stringify(receipts[i]));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#verify-result').waitFor();
    assert.equal(await page.locator('#verify-result').getAttribute('data-outcome'), 'failed');
    assert.match(await page.locator('#checks').innerText(), /La signature de la tête d’arbre est invalide/);
    await ctx.close();
  });
});
