// What a resident met on a phone (issue 13), each fixed and checked here at 360 x 740 with the
// page's own measures: the vote button on the first screen, a small selection bar, a commune
// taken only when named exactly, the code checked on its own step with its tries, "already
// voted" said at once, the receipt number in groups, a verification page in plain sentences
// that keeps the ballot number out of addresses, downloads inactive before publication, and
// French typography in what the pages show.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { budgetdPath, launchBrowser, newContext, outboxCode, outboxCount, voteThroughApi } from './support/harness.mjs';
import { inspect, watch } from './support/checks.mjs';
import {
  assertFrenchTypography, box, fillIdentity, phone, toCodeStep, toIdentityStep, votingCampaign, wrongCode,
} from './support/resident.mjs';

const notFoundYet = [/404 .*\/api\/v1\/(results|ballot-definition|log\/head)/];
const maxBar = 0.12 * phone.height;

let campaign;
let browser;
let receipt;            // the receipt of the resident who votes in these tests

before(async () => {
  assert.ok(fs.existsSync(budgetdPath), `budgetd not built: ${budgetdPath} (set BUILD_DIR)`);
  campaign = await votingCampaign();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (campaign) await campaign.stop();
});

describe('the first screens of a phone', () => {
  test('the home page shows the vote button without scrolling', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/`);
    const cta = page.getByRole('link', { name: 'Choisir mes initiatives et voter' });
    await cta.waitFor();
    const b = await box(cta);
    assert.equal(b.scrollY, 0);
    assert.ok(b.top >= 0 && b.bottom <= b.viewport, `the button spans ${b.top}..${b.bottom} px of a ${b.viewport} px screen`);
    assert.match(await page.locator('#campaign-headline').innerText(), /Vote ouvert[\s\S]*Le vote est ouvert jusqu’au/);
    await assertFrenchTypography(page, 'accueil');
    await inspect(page, 'resident-accueil');
    await ctx.close();
  });

  test('the selection bar takes at most 12 % of the screen, also when a choice is refused', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/initiatives.html`);
    const bar = page.locator('#selection-bar');
    await bar.waitFor();
    assert.equal(await bar.evaluate((el) => getComputedStyle(el).position), 'sticky');
    const choose = (name) => page.getByRole('article', { name }).getByLabel('Choisir cette initiative');
    await choose(/Ressourcerie/).check();
    await choose(/Épicerie solidaire/).check();
    await choose(/Tiers-lieu/).check();
    assert.equal(await page.locator('#counter').innerText(), '3 sur 3 initiatives choisies');
    await page.evaluate(() => window.scrollTo(0, 0));
    let b = await box(bar);
    assert.ok(b.height <= maxBar, `the bar is ${b.height} px high, more than ${maxBar} px`);
    assert.ok(Math.abs(b.bottom - b.viewport) <= 1, `the bar sticks to the bottom of the screen (${b.bottom} / ${b.viewport})`);
    await inspect(page, 'resident-initiatives-barre');

    await choose(/Conserverie/).click();
    assert.equal(await choose(/Conserverie/).isChecked(), false);
    assert.match(await page.locator('#selection-message').innerText(), /Déjà 3 choix\s: retirez-en un d’abord\./);
    b = await box(bar);
    assert.ok(b.height <= maxBar, `with its message the bar is ${b.height} px high, more than ${maxBar} px`);
    await assertFrenchTypography(page, 'initiatives');
    await inspect(page, 'resident-initiatives-refus');
    await ctx.close();
  });
});

describe('the commune', () => {
  test('only an exact name or code is taken: Lille is not Lillers, Paris not Le Touquet-Paris-Plage', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    const verifications = [];
    page.on('request', (r) => { if (r.url().endsWith('/api/v1/auth/verify')) verifications.push(r.postDataJSON()); });
    await toIdentityStep(page, campaign.base, campaign.outbox, 'camille.commune@exemple.fr');
    const identity = { first: 'Camille', last: 'Fournier', day: '3', month: '4', year: '1985' };
    const submit = () => page.getByRole('button', { name: 'Vérifier mon identité' }).click();
    const error = page.locator('#commune-error');

    await fillIdentity(page, { ...identity, commune: 'Lille' });
    await submit();
    await error.filter({ hasText: /Aucune commune du Pas-de-Calais ne s’appelle exactement «\sLille\s»/ }).waitFor();
    // The list opens after the message: waited for, not sampled.
    await page.getByRole('option', { name: 'Lillers (62190)' }).waitFor();
    assert.ok(await page.getByRole('heading', { name: /Étape 4 sur 5/ }).isVisible());
    await assertFrenchTypography(page, 'commune Lille');
    await inspect(page, 'resident-commune-lille');

    await fillIdentity(page, { ...identity, commune: 'Paris' });
    await submit();
    await error.filter({ hasText: /ne s’appelle exactement «\sParis\s»/ }).waitFor();
    // The list opens after the message: waited for, not sampled.
    await page.getByRole('option', { name: 'Le Touquet-Paris-Plage (62520)' }).waitFor();

    await fillIdentity(page, { ...identity, commune: '62000' });
    await submit();
    await error.filter({ hasText: /Plusieurs communes ont le code «\s62000\s»\s: choisissez la vôtre dans la liste\./ }).waitFor();
    assert.deepEqual((await page.getByRole('option').allInnerTexts()).slice(0, 2).sort(), ['Arras (62000)', 'Dainville (62000)']);
    await inspect(page, 'resident-commune-code-partage');
    assert.equal(verifications.length, 0, 'nothing was sent for a commune that is not exact');

    // Typed as on a phone, without capitals nor hyphen: Saint-Omer itself, not Saint-Omer-Capelle.
    await fillIdentity(page, { ...identity, commune: 'saint omer' });
    await submit();
    await page.getByRole('heading', { name: /Étape 5 sur 5/ }).waitFor();
    assert.equal(verifications.length, 1);
    assert.equal(verifications[0].commune, '62765');
    assert.equal(await page.locator('#confirm-commune').innerText(), 'Saint-Omer (62500)');
    await assertFrenchTypography(page, 'confirmation');
    await inspect(page, 'resident-confirmation-commune');

    // The vote goes through; the receipt is for the tests below.
    await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
    await page.waitForURL(/\/recu\.html$/);
    await page.locator('#receipt-ballot-id').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Télécharger le reçu/ }).click()]);
    receipt = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    await ctx.close();
  });
});

describe('the one-time code', () => {
  test('a wrong code is refused on its own step with the tries left, then a new code is offered', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    watch(page, [/401 .*\/api\/v1\/auth\/code$/]);
    const email = 'dominique.essais@exemple.fr';
    const code = await toCodeStep(page, campaign.base, campaign.outbox, email);
    const field = page.getByLabel('Code à 6 chiffres');
    const check = () => page.getByRole('button', { name: 'Vérifier le code' }).click();
    for (const left of [4, 3, 2]) {
      await field.fill(wrongCode(code));
      await check();
      await page.locator('#code-error', { hasText: `Il vous reste ${left} essais.` }).waitFor();
    }
    assert.ok(await page.getByRole('heading', { name: /Étape 3 sur 5/ }).isVisible(), 'the identity form is not offered');
    await field.fill(wrongCode(code));
    await check();
    await page.locator('#code-error', { hasText: /Il vous reste 1 essai\s; après, il faudra demander un nouveau code\./ }).waitFor();
    await assertFrenchTypography(page, 'code, dernier essai');
    await inspect(page, 'resident-code-dernier-essai');

    // The fifth wrong try kills the code, even for the right one afterwards.
    await field.fill(wrongCode(code));
    await check();
    await page.locator('#code-error', { hasText: /Ce code n’est plus valable .*\s: demandez un nouveau code\./ }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code-resend');
    assert.match(await page.getByRole('alert').innerText(), /Le bouton «\sRecevoir un nouveau code\s» en envoie un autre/);
    await inspect(page, 'resident-code-mort');
    await field.fill(code);
    await check();
    await page.locator('#code-error', { hasText: 'Ce code n’est plus valable' }).waitFor();

    // A new code, right at once.
    const before = outboxCount(campaign.outbox, email);
    await page.getByRole('button', { name: 'Recevoir un nouveau code' }).click();
    const fresh = await outboxCode(campaign.outbox, email, before);
    await field.fill(fresh);
    await check();
    await page.getByRole('heading', { name: /Étape 4 sur 5/ }).waitFor();
    await ctx.close();
  });

  test('"already voted" is said right after the identity, before any choice is confirmed', async () => {
    const person = { first_name: 'Eliott', last_name: 'Garnier', birth_date: '1972-09-08', commune: '62193' };
    await voteThroughApi(campaign.base, campaign.outbox, { ...person, email: 'eliott@exemple.fr' }, ['tiers-lieu-saint-omer']);
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    const ballots = [];
    page.on('request', (r) => { if (r.url().endsWith('/api/v1/ballots')) ballots.push(r.url()); });
    // Another address: the code step cannot know who it is, the identity tells.
    await toIdentityStep(page, campaign.base, campaign.outbox, 'eliott.autre@exemple.fr');
    await fillIdentity(page, { first: 'Eliott', last: 'Garnier', day: '8', month: '9', year: '1972', commune: 'Calais' });
    await page.getByRole('button', { name: 'Vérifier mon identité' }).click();
    await page.getByRole('heading', { name: 'Vous avez déjà voté' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Confirmer mon vote' }).isVisible(), false);
    assert.equal(await page.locator('#stepper').isVisible(), false);
    assert.deepEqual(ballots, [], 'no ballot was sent');
    await assertFrenchTypography(page, 'déjà voté');
    await inspect(page, 'resident-deja-vote-identite');
    await ctx.close();
  });
});

describe('the receipt and its verification', () => {
  test('the receipt number reads in groups of 4 that never break, and stays out of addresses', async () => {
    assert.ok(receipt, 'the vote of the commune test gave a receipt');
    const ctx = await newContext(browser, phone);
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/`);
    await page.evaluate((r) => sessionStorage.setItem('budget.receipt', JSON.stringify(r)), receipt);
    await page.goto(`${campaign.base}/recu.html`);
    const id = page.locator('#receipt-ballot-id');
    await id.waitFor();
    const groups = await id.locator('.group').evaluateAll((spans) => spans.map((s) => ({ text: s.textContent, lines: s.getClientRects().length })));
    assert.deepEqual(groups.map((g) => g.text).join(''), receipt.ballot_id);
    assert.deepEqual(groups.map((g) => g.text.length), [4, 4, 4, 4, 4, 4, 4, 4]);
    assert.ok(groups.every((g) => g.lines === 1), `a group is broken across lines: ${JSON.stringify(groups)}`);
    const hash = await page.locator('#receipt-ballot-hash .group').evaluateAll((spans) => spans.map((s) => ({ n: s.textContent.length, lines: s.getClientRects().length })));
    assert.equal(hash.length, 16);
    assert.ok(hash.every((g) => g.n === 4 && g.lines === 1));
    assert.equal(await page.locator('#receipt-ballot-hash').evaluate((el) => getComputedStyle(el.querySelector('.group')).whiteSpace), 'nowrap');
    const hrefs = await page.locator('main a').evaluateAll((as) => as.map((a) => a.href));
    assert.ok(hrefs.every((h) => !h.includes(receipt.ballot_id)), `a link carries the ballot number: ${hrefs}`);
    await assertFrenchTypography(page, 'reçu');
    await inspect(page, 'resident-recu');

    // A link only when asked for, the number after '#', gone from the address once read.
    await page.getByRole('button', { name: 'Copier un lien de vérification' }).click();
    await page.locator('#receipt-status', { hasText: 'Le lien est copié' }).waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(link, `${campaign.base}/verifier.html#bulletin=${receipt.ballot_id}`);
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(link);
    await page.waitForFunction(() => document.getElementById('receipt-input').value.length > 0);
    assert.equal(await page.getByLabel('Votre reçu').inputValue(), receipt.ballot_id);
    assert.equal(page.url(), `${campaign.base}/verifier.html`);
    await ctx.close();
  });

  test('the verification page says one plain sentence per check, details folded', async () => {
    // A signed tree head covering the ballot is published within a second or two.
    for (let i = 0; i < 50; i++) {
      const head = await (await fetch(`${campaign.base}/api/v1/log/head`)).json().catch(() => null);
      if (head && head.head && head.head.tree_size >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    const w = watch(page, notFoundYet);
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Votre reçu').fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#verify-result').waitFor();
    assert.equal(await page.locator('#verify-result').getAttribute('data-outcome'), 'recorded', await page.locator('#checks').textContent());
    const sentences = await page.locator('#checks .check-title').allInnerTexts();
    assert.ok(sentences.includes('Votre reçu correspond bien à vos choix.'), sentences.join('\n'));
    assert.ok(sentences.includes('Le journal des bulletins est signé par la Mission ESS.'), sentences.join('\n'));
    assert.ok(sentences.includes('Le serveur a gardé votre bulletin tel que vous l’avez envoyé.'), sentences.join('\n'));
    assert.ok(sentences.some((s) => /^Votre bulletin fait partie des \d+ bulletins enregistrés dans le journal signé\.$/.test(s)), sentences.join('\n'));
    for (const s of sentences) assert.doesNotMatch(s, /[0-9a-f]{16}/, `a hash in a sentence: ${s}`);
    // Hashes and the audit path are there, folded.
    const folded = page.locator('#checks details');
    assert.ok(await folded.count() >= 3);
    assert.equal(await folded.evaluateAll((ds) => ds.some((d) => d.open)), false);
    assert.doesNotMatch(await page.locator('#checks').innerText(), /[0-9a-f]{64}/);
    assert.match(await page.locator('#checks').textContent(), new RegExp(receipt.ballot_hash));
    assert.ok(!page.url().includes(receipt.ballot_id));
    await assertFrenchTypography(page, 'vérification');
    await inspect(page, 'resident-verification');
    await folded.first().locator('summary').click();
    assert.equal(await folded.first().evaluate((d) => d.open), true);
    await inspect(page, 'resident-verification-details');
    w.assertClean();
    await ctx.close();
  });
});

describe('the results page', () => {
  test('before publication the downloads are no links, and the page says why', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/resultats.html`);
    await page.locator('#results-status', { hasText: 'Les résultats ne sont pas encore publiés.' }).waitFor();
    const downloads = page.locator('#downloads');
    assert.ok(await downloads.isVisible());
    assert.equal(await downloads.locator('a[href^="/api/"]').count(), 0);
    assert.equal(await downloads.locator('.download-off').count(), 3);
    assert.match(await page.locator('#downloads-note').innerText(), /téléchargeables ici dès la publication des résultats\s: avant, ils n’existent pas encore\./);
    await assertFrenchTypography(page, 'résultats avant publication');
    await inspect(page, 'resident-resultats-avant');
    await ctx.close();
  });

  test('after publication they are links, and plurals are right', async () => {
    await campaign.start('closed');
    const m = await campaign.staff('mission');
    assert.equal((await m.call('POST', '/api/v1/admin/tally', { rule: 'greedy' })).status, 200);
    assert.equal((await m.call('POST', '/api/v1/admin/publish')).status, 200);
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/resultats.html`);
    await page.locator('main').getByText('Signature vérifiée par votre navigateur.').waitFor();
    const links = page.locator('#downloads a[href^="/api/"]');
    assert.deepEqual(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      ['/api/v1/results', '/api/v1/results.csv', '/api/v1/ballots/export']);
    assert.equal(await page.locator('.download-off').count(), 0);
    // Two ballots: "2 bulletins comptés"; one funded initiative or more, worded to match.
    const figures = await page.locator('#key-figures').innerText();
    assert.match(figures, /2\s+bulletins comptés/);
    assert.match(figures, /(^|\n)1\s+initiative financée|[2-9]\s+initiatives financées/);
    await assertFrenchTypography(page, 'résultats publiés');
    await inspect(page, 'resident-resultats-publies');

    // The receipt verifies: the sentence of the published results.
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Votre reçu').fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#verify-result[data-outcome="verified"]').waitFor();
    const sentences = await page.locator('#checks .check-title').allInnerTexts();
    assert.ok(sentences.includes('Votre bulletin fait partie des 2 bulletins comptés.'), sentences.join('\n'));
    assert.ok(sentences.includes('Les résultats sont signés par la Mission ESS.'), sentences.join('\n'));
    await assertFrenchTypography(page, 'vérification publiée');
    await ctx.close();
  });
});
