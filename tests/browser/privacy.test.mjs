// The notice pages of issue 18 on a phone: "Données personnelles" reached from the footer of the
// home page and from the identity step of the vote (in a new tab, the vote keeping its step),
// with the controller's facts and the retention figures of the [privacy] configuration budgetd
// runs with, and the short version for 11-15-year-olds at the top; "Mentions légales" from the
// footer, with the host and the publication director. axe-clean, French typography.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { budgetdPath, launchBrowser, newContext } from './support/harness.mjs';
import { checkPage } from './support/checks.mjs';
import { assertFrenchTypography, phone, toIdentityStep, votingCampaign } from './support/resident.mjs';

let campaign;
let browser;
let privacy;   // the [privacy] texts of the configuration budgetd runs with

/** The `key = "value"` lines of a TOML section (the harness writes them one a line). */
function tomlSection(file, name) {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(`[${name}]\n`);
  assert.ok(start >= 0, `no [${name}] in ${file}`);
  const body = text.slice(start + name.length + 3).split(/^\[/m)[0];
  return Object.fromEntries([...body.matchAll(/^(\w+)\s*=\s*"([^"]*)"\s*$/gm)].map((m) => [m[1], m[2]]));
}

// What the page shows, with its no-break spaces as plain spaces.
const shown = async (page, selector = 'main') =>
  (await page.locator(selector).innerText()).replace(/[\u00a0\u202f]/g, ' ');

/** Waits until privacy.js has written the facts of GET /api/v1/privacy into the page. */
const factsLoaded = (page) => page.waitForFunction(
  () => [...document.querySelectorAll('[data-fact]')].every((el) => el.textContent !== '…'));

/** The page's width fits the phone's: nothing to scroll sideways. */
async function assertNoSidewaysScroll(page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `the page is ${scroll} px wide on a ${client} px screen`);
}

before(async () => {
  assert.ok(fs.existsSync(budgetdPath), `budgetd not built: ${budgetdPath} (set BUILD_DIR)`);
  campaign = await votingCampaign();
  privacy = tomlSection(campaign.config, 'privacy');
  for (const key of ['controller', 'controller_address', 'contact_email', 'dpo_contact', 'publication_director', 'host', 'mail_relay']) {
    assert.ok(privacy[key], `the harness's [privacy] gives ${key}`);
  }
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (campaign) await campaign.stop();
});

describe('the "Données personnelles" page', () => {
  test('from the footer of the home page, on a phone: the controller, the contacts and the retention figures', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/`);
    await page.locator('footer').getByRole('link', { name: 'Données personnelles' }).click();
    await page.waitForURL(/\/donnees-personnelles\.html$/);
    await page.getByRole('heading', { level: 1, name: 'Vos données personnelles' }).waitFor();
    await factsLoaded(page);

    const text = await shown(page);
    for (const key of ['controller', 'controller_address', 'contact_email', 'dpo_contact', 'host', 'mail_relay']) {
      assert.ok(text.includes(privacy[key]), `the page shows ${key}: ${privacy[key]}`);
    }
    assert.ok(!text.includes('à compléter'), 'every fact is given by the configuration');
    // Addresses one can write to are links.
    const contact = page.getByRole('region', { name: 'Qui est responsable de vos données' }).getByRole('link', { name: privacy.contact_email });
    assert.equal(await contact.getAttribute('href'), `mailto:${privacy.contact_email}`);
    // The retention figures, in words: the harness keeps budgetd's defaults (code 600 s, voter
    // session 1,800 s, holder session 43,200 s, purge 30 days, holders 365 days) and the
    // constants of the code (counters an hour, staff sessions 8 hours, retry copies a day).
    const retention = (await (await fetch(`${campaign.base}/api/v1/privacy`)).json()).retention;
    assert.equal(retention.code_s, 600);
    assert.equal(retention.purge_after_days, 30);
    for (const words of ['10 minutes', '30 minutes', '12 heures', '8 heures', '1 heure', '1 jour',
      '30 jours après la publication des résultats', '365 jours après la publication des résultats']) {
      assert.ok(text.includes(words), `the page says "${words}"`);
    }
    // The vote is open, the results not published yet.
    const calendar = await shown(page, '#calendrier + table');
    assert.match(calendar, /Publication des résultats\s+pas encore faite/);
    assert.match(calendar, /Ouverture du vote\s+\d+(er)? \S+ \d{4} à \d\d:\d\d/);

    // The short version for 11-15-year-olds comes first, in plain words.
    const headings = await page.locator('main h2').allInnerTexts();
    assert.equal(headings[0], 'En bref, si tu as entre 11 et 15 ans');
    const young = await shown(page, '#en-bref');
    assert.match(young, /Ton vote est secret/);
    assert.match(young, /Un de tes parents, ou un autre adulte de confiance, peut t’aider/);
    assert.match(young, /pas besoin de l’accord de tes parents/);
    assert.ok(young.includes('10 minutes') && young.includes(privacy.contact_email));

    // The resident's report, the rights, the CNIL.
    assert.ok(await page.getByRole('link', { name: 'Ce que le service détient sur vous' }).count() >= 1);
    assert.equal(await page.getByRole('link', { name: /Ce que le service détient sur vous/ }).first().getAttribute('href'), '/mes-donnees.html');
    assert.equal(await page.getByRole('link', { name: 'www.cnil.fr/fr/plaintes' }).getAttribute('href'), 'https://www.cnil.fr/fr/plaintes');
    assert.match(text, /CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07/);
    assert.match(text, /article 6, paragraphe 1, point e\)/);

    await assertNoSidewaysScroll(page);
    await assertFrenchTypography(page, 'données personnelles');
    await checkPage(page, 'privacy-donnees-personnelles');
    await ctx.close();
  });

  test('from the identity step of the vote, in a new tab: the vote keeps its step', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await toIdentityStep(page, campaign.base, campaign.outbox, 'lou.donnees@exemple.fr');
    await page.getByLabel('Prénom').fill('Lou');
    const link = page.getByRole('link', { name: 'Comment ces informations sont utilisées (s’ouvre dans un nouvel onglet)' });
    assert.equal(await link.getAttribute('target'), '_blank');
    await checkPage(page, 'privacy-etape-identite');

    const [notice] = await Promise.all([ctx.waitForEvent('page'), link.click()]);
    await notice.waitForLoadState();
    assert.match(notice.url(), /\/donnees-personnelles\.html$/);
    await notice.getByRole('heading', { level: 1, name: 'Vos données personnelles' }).waitFor();
    await factsLoaded(notice);
    assert.ok((await shown(notice)).includes(privacy.controller));
    assert.ok(await notice.getByRole('heading', { name: 'En bref, si tu as entre 11 et 15 ans' }).isVisible());
    await checkPage(notice, 'privacy-depuis-etape-identite');
    await notice.close();

    // The vote page is where it was, with what was typed.
    assert.ok(await page.getByRole('heading', { name: /Étape 4 sur 5/ }).isVisible());
    assert.equal(await page.getByLabel('Prénom').inputValue(), 'Lou');
    await ctx.close();
  });
});

describe('the "Mentions légales" page', () => {
  test('from the footer: the publisher, the publication director, the host, the contacts', async () => {
    const ctx = await newContext(browser, phone);
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/`);
    await page.locator('footer').getByRole('link', { name: 'Mentions légales' }).click();
    await page.waitForURL(/\/mentions-legales\.html$/);
    await page.getByRole('heading', { level: 1, name: 'Mentions légales' }).waitFor();
    await factsLoaded(page);

    const text = await shown(page);
    for (const key of ['controller', 'controller_address', 'contact_email', 'dpo_contact', 'publication_director', 'host']) {
      assert.ok(text.includes(privacy[key]), `the page shows ${key}: ${privacy[key]}`);
    }
    assert.match(await shown(page, 'main table'), new RegExp(`Directeur de la publication\\s+${privacy.publication_director}`));
    assert.equal(await page.locator('main').getByRole('link', { name: 'Données personnelles' }).getAttribute('href'), '/donnees-personnelles.html');
    assert.equal(await page.getByRole('link', { name: 'déclaration d’accessibilité' }).getAttribute('href'), '/accessibilite.html');

    await assertNoSidewaysScroll(page);
    await assertFrenchTypography(page, 'mentions légales');
    await checkPage(page, 'privacy-mentions-legales');
    await ctx.close();
  });
});
