// The resident's report (issue 18) on a phone: a resident votes, then opens /mes-donnees.html,
// asks with the code the outbox received, and reads in plain French that a ballot was cast for
// their identity, on which day and by e-mail, with what the engine keeps and until when, and
// none of their choices. Errors are said at their field; the page is axe clean and its text
// follows French typography.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { budgetdPath, launchBrowser, newContext, outboxCode, outboxCount } from './support/harness.mjs';
import { checkPage } from './support/checks.mjs';
import { htmlTexts, jsStrings, keyboardOnly, typographyProblems } from '../web/support/french-text.mjs';
import {
  assertFrenchTypography, fillIdentity, phone, toIdentityStep, votingCampaign, wrongCode,
} from './support/resident.mjs';

let campaign;
let browser;

before(async () => {
  assert.ok(fs.existsSync(budgetdPath), `budgetd not built: ${budgetdPath} (set BUILD_DIR)`);
  campaign = await votingCampaign();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (campaign) await campaign.stop();
});

const parisToday = () => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(new Date());

/** On /mes-donnees.html: the address, its code from the outbox; returns the code. */
async function askCode(page, email) {
  await page.goto(`${campaign.base}/mes-donnees.html`);
  await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
  const before = outboxCount(campaign.outbox, email);
  await page.getByRole('button', { name: 'Recevoir un code' }).click();
  await page.getByRole('heading', { name: 'Le code reçu par courriel' }).waitFor();
  return outboxCode(campaign.outbox, email, before);
}

describe('what the engine holds about me', () => {
  test('a resident who voted reads the day and "par courriel", and none of their choices', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    const email = 'claude.donnees@exemple.fr';
    await toIdentityStep(page, campaign.base, campaign.outbox, email, /Ressourcerie/);
    await fillIdentity(page, { first: 'Claude', last: 'Lefebvre', day: '12', month: '6', year: '1990', commune: 'Arras' });
    await page.getByRole('button', { name: 'Vérifier mon identité' }).click();
    await page.getByRole('heading', { name: /Étape 5 sur 5/ }).waitFor();
    await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
    await page.waitForURL(/\/recu\.html$/);
    const ballotId = (await page.locator('#receipt-ballot-id').innerText()).replace(/\s+/g, '');

    const code = await askCode(page, email);
    await checkPage(page, 'mes-donnees-code');
    await page.getByLabel('Code à 6 chiffres').fill(code);
    await page.getByRole('button', { name: 'Voir mes données' }).click();
    const title = page.getByRole('heading', { name: 'Ce que le Budget citoyen garde sur vous' });
    await title.waitFor();
    // Focus on the result, for a screen reader and a keyboard.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'report-title');
    assert.equal(await page.locator('#ballot-sentence').innerText(),
      `Un bulletin a été déposé pour votre identité le ${parisToday()}, par courriel.`);
    const main = await page.locator('main').innerText();
    assert.match(main, /Le lien entre votre adresse électronique et l’identité que vous avez déclarée/);
    assert.match(main, /Conservé jusqu’à la purge, 30 jours après la publication des résultats, et au plus tard le /);
    assert.match(main, /Vos choix ne sont pas indiqués/);
    // Nothing of the ballot: no initiative, no ballot number.
    assert.doesNotMatch(main, /Ressourcerie|ressourcerie-arras/);
    assert.ok(!main.replace(/\s+/g, '').includes(ballotId), 'the ballot number is not shown');
    await assertFrenchTypography(page, 'mes données, rapport');
    await checkPage(page, 'mes-donnees-rapport');
    await ctx.close();
  });

  test('a wrong code is said at its field with the tries left; an address bound to no one says so', async () => {
    const ctx = await newContext(browser, phone, { allow: [/401 .*\/api\/v1\/my-data$/] });
    const page = await ctx.newPage();
    const email = 'personne.inconnue@exemple.fr';
    const code = await askCode(page, email);
    const field = page.getByLabel('Code à 6 chiffres');
    await field.fill(wrongCode(code));
    await page.getByRole('button', { name: 'Voir mes données' }).click();
    await page.locator('#code-error', { hasText: 'Il vous reste 4 essais.' }).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
    await assertFrenchTypography(page, 'mes données, code faux');
    await checkPage(page, 'mes-donnees-code-faux');

    await field.fill(code);
    await page.getByRole('button', { name: 'Voir mes données' }).click();
    await page.locator('#ballot-sentence').waitFor();
    assert.match(await page.locator('#ballot-sentence').innerText(), /Cette adresse n’est liée à aucune identité/);
    assert.match(await page.locator('#held-list').innerText(), /Le nombre de codes envoyés à cette adresse depuis moins d’une heure\u00a0: 1 code/);
    await assertFrenchTypography(page, 'mes données, adresse inconnue');
    await ctx.close();
  });

  test('an address that is not one is refused at its field, before any request', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/mes-donnees.html`);
    await page.getByLabel('Adresse électronique', { exact: true }).fill('pas une adresse');
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.locator('#email-error', { hasText: 'L’adresse électronique doit ressembler à prenom.nom@exemple.fr.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
    await checkPage(page, 'mes-donnees-adresse');
    await ctx.close();
  });
});

// The page's and its script's own text, read from the sources as tests/web/typography.test.mjs
// reads the other resident pages (that list is another file's; these two are checked here).
describe('the French typography of the sources', () => {
  const notText = (t) => !/\p{L}{2,}[\s\u00a0\u202f]/u.test(t) && !/\p{L}'\p{L}/u.test(t);
  const breaches = (file, items) => items.filter(({ text }) => !notText(text)).flatMap(({ text, line }) => [
    ...typographyProblems(text).map((p) => `${file}:${line}: ${p} in ${JSON.stringify(text.slice(0, 100))}`),
    ...(keyboardOnly(text) ? [`${file}:${line}: keyboard-only wording`] : []),
  ]);
  const read = (file) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  test('web/mes-donnees.html', () => {
    assert.deepEqual(breaches('web/mes-donnees.html', htmlTexts(read('web/mes-donnees.html'))), []);
  });
  test('web/js/pages/my-data.js', () => {
    assert.deepEqual(breaches('web/js/pages/my-data.js', jsStrings(read('web/js/pages/my-data.js'))), []);
  });
});
