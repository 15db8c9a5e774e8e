// FranceConnect in a resident's browser (issue 15), on a phone, as scripts/run.sh serves the
// site (HTTPS with the demo certificate, an embedded redis-server), with a real OpenID Provider
// on loopback standing for FranceConnect: npm oidc-provider as tests/support/oidc-provider
// configures it. Chromium follows every redirect itself: budgetd -> the provider -> budgetd's
// callback -> the vote page. The provider logs the fixture account in without a form of its own
// (the test names the account before the click): what is tested is our side of the flow.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, launchBrowser, newContext, outboxCode, outboxCount, repoRoot, stopProcess } from './support/harness.mjs';
import { inspect } from './support/checks.mjs';
import { assertFrenchTypography, fillIdentity, phone, votingCampaign } from './support/resident.mjs';

const notFoundYet = [/404 .*\/api\/v1\/(results|ballot-definition|log\/head)/];
const clientSecret = 'test-client-secret-of-32-characters';

let campaign;
let browser;
let provider;
let providerPort;

/** The tests' OpenID Provider, answering once it listens. */
async function startProvider(port, redirectUri) {
  const proc = spawn(process.execPath, [
    path.join(repoRoot, 'tests/support/oidc-provider/provider.mjs'),
    '--port', String(port), '--redirect-uri', redirectUri, '--client-secret', clientSecret,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      if (/listening \d+/.test(out)) resolve();
    });
    proc.on('exit', (code) => reject(new Error(`the provider exited (${code}) before listening`)));
  });
  return proc;
}

/** Who the provider logs in at the next authorization (or a refusal: the resident cancels). */
async function nextLogin(body) {
  const r = await fetch(`http://127.0.0.1:${providerPort}/_test/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, `the provider's test control answered ${r.status}`);
}

before(async () => {
  providerPort = await freePort();
  campaign = await votingCampaign({
    extraToml: (c) => {
      const secretFile = path.join(c.dir, 'franceconnect.secret');
      fs.writeFileSync(secretFile, `${clientSecret}\n`, { mode: 0o600 });
      return `
[identity]
methods = ["franceconnect", "email"]

[franceconnect]
issuer = "http://127.0.0.1:${providerPort}"
client_id = "budget-citoyen"
client_secret_file = ${JSON.stringify(secretFile)}
redirect_uri = "https://127.0.0.1:${c.port}/api/v1/auth/franceconnect/callback"
`;
    },
  });
  provider = await startProvider(providerPort, `https://127.0.0.1:${campaign.port}/api/v1/auth/franceconnect/callback`);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (provider) await stopProcess(provider);
  if (campaign) await campaign.stop();
});

/** From the ballot to the identification step, one initiative chosen. */
async function toIdentification(page) {
  await page.goto(`${campaign.base}/initiatives.html`);
  await page.getByRole('article', { name: /Ressourcerie/ }).getByLabel('Choisir cette initiative').check();
  await page.getByRole('link', { name: 'Continuer vers le vote' }).click();
  await page.getByRole('heading', { name: /Étape 1 sur 5/ }).waitFor();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByRole('heading', { name: 'Étape 2 sur 5\u00a0: vous identifier' }).waitFor();
}

describe('a resident identified by FranceConnect', () => {
  test('is offered FranceConnect beside the e-mail code, then declares a commune and votes', async () => {
    const ctx = await newContext(browser, phone, { allow: notFoundYet });
    const page = await ctx.newPage();
    await toIdentification(page);
    const button = page.getByRole('link', { name: 'S’identifier avec FranceConnect' });
    assert.equal(await button.isVisible(), true);
    const about = page.getByRole('link', { name: 'Qu’est-ce que FranceConnect\u202f?' });
    assert.equal(await about.getAttribute('target'), '_blank');
    assert.equal(await page.getByLabel('Adresse électronique', { exact: true }).isVisible(), true);
    assert.deepEqual(await page.locator('#stepper li:not([hidden])').allInnerTexts(),
      ['Vos choix', 'Identification', 'Code reçu', 'Identité', 'Confirmation']);
    await assertFrenchTypography(page, 'identification');
    await inspect(page, 'resident-franceconnect-choix');

    await nextLogin({ account: 'angela' });
    await button.click();
    await page.getByRole('heading', { name: 'Étape 3 sur 4\u00a0: votre commune' }).waitFor();
    // The outcome is said once: the address no longer carries it.
    assert.equal(new URL(page.url()).search, '');
    assert.deepEqual(await page.locator('#stepper li:not([hidden])').allInnerTexts(),
      ['Vos choix', 'Identification', 'Commune', 'Confirmation']);
    await assertFrenchTypography(page, 'commune après FranceConnect');
    await inspect(page, 'resident-franceconnect-commune');

    await page.getByRole('combobox', { name: 'Commune où vous habitez' }).fill('Arras');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByRole('heading', { name: 'Étape 4 sur 4\u00a0: confirmez votre vote' }).waitFor();
    assert.match(await page.locator('#confirm-commune').innerText(), /Arras/);
    await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
    await page.waitForURL(/\/recu\.html$/);
    await page.getByRole('heading', { name: /reçu/i }).first().waitFor();
    await inspect(page, 'resident-franceconnect-recu');
    await ctx.close();
  });

  test('cannot vote again by e-mail under the same identity: told at once', async () => {
    const ctx = await newContext(browser, phone, { allow: notFoundYet });
    const page = await ctx.newPage();
    await toIdentification(page);
    const email = 'angela.dubois@example.org';
    await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
    const before = outboxCount(campaign.outbox, email);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.getByRole('heading', { name: /Étape 3 sur 5/ }).waitFor();
    const code = await outboxCode(campaign.outbox, email, before);
    await page.getByLabel('Code à 6 chiffres').fill(code);
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await page.getByRole('heading', { name: /Étape 4 sur 5/ }).waitFor();
    // Her usual first name only, her name in lower case: the same person for the ballot box.
    await fillIdentity(page, { first: 'Angela', last: 'dubois', day: '24', month: '8', year: '1962', commune: 'Arras' });
    await page.getByRole('button', { name: 'Vérifier mon identité' }).click();
    await page.getByRole('heading', { name: 'Vous avez déjà voté' }).waitFor();
    await inspect(page, 'resident-franceconnect-puis-courriel');
    await ctx.close();
  });
});

describe('when FranceConnect does not lead to a vote', () => {
  test('a resident who cancels comes back to the choice of a way in, told so', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await toIdentification(page);
    await nextLogin({ cancel: true });
    await page.getByRole('link', { name: 'S’identifier avec FranceConnect' }).click();
    // In the page's status; the live region repeats it for screen readers a moment later.
    await page.locator('#vote-status').getByText('Vous avez annulé l’identification avec FranceConnect.').waitFor();
    assert.equal(new URL(page.url()).search, '');
    assert.equal(await page.getByLabel('Adresse électronique', { exact: true }).isVisible(), true);
    await assertFrenchTypography(page, 'FranceConnect annulé');
    await inspect(page, 'resident-franceconnect-annule');
    await ctx.close();
  });

  test('a child is told the minimum age, and no session is opened', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await toIdentification(page);
    await nextLogin({ account: 'child' });
    await page.getByRole('link', { name: 'S’identifier avec FranceConnect' }).click();
    await page.locator('#vote-status').getByText('Il faut avoir au moins 11 ans pour voter au Budget citoyen.').waitFor();
    const cookies = await ctx.cookies(campaign.base);
    assert.deepEqual(cookies.filter((c) => c.name === 'budget_voter'), []);
    await ctx.close();
  });
});
