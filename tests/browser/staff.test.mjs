// The committee's and the Mission ESS's pages in every state of a campaign: before the vote,
// during the vote (the ballot sealed), after the close and after publication. Each page in each
// state passes axe-core (no serious or critical violation) at 360 and 1280 px and is
// photographed at both widths; the error pages and the login page too.
//
// What the issue asked of these pages, each checked here: the committee's radar shows the gate's
// thresholds, one's own answers even when they equal the median, and the other reviewers' spread,
// in a drawing whose text is at least 12 px where it is displayed (the public radar too); once the
// ballot is sealed every decision control is disabled with its reason; the list's badges are not
// cut at 1280 px and the list works on a 360 × 740 phone; the Mission's tally and publication are
// disabled until the vote closes, with the reason and the date, the publication until a tally,
// and the downloads until the publication; plurals are right for one ballot and one territory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { budgetdPath, launchBrowser, newContext, voteThroughApi } from './support/harness.mjs';
import { checkPage, watch } from './support/checks.mjs';
import { Campaign } from './support/scenario.mjs';
import {
  cutElements, loginInBrowser, pageScrollsSideways, radarAsDisplayed, radarRendered, smallTapTargets,
} from './support/staff.mjs';

const NBSP = '\u00a0';
const NNBSP = '\u202f';
// Labelled through the API before the vote, so that the ballot has initiatives.
const labelled = ['ressourcerie-arras', 'epicerie-solidaire-bethune'];
// Evaluated by dominique (1 everywhere), eliott (4) and camille (3): camille's scores are the
// median on every marker, and the others spread from 25 to 100.
const reviewed = 'jardins-partages-calais';
const notPublished = [/404 .*\/api\/v1\/(results|ballot-definition|log\/head)/];

let campaign;
let browser;

async function phone(allow = []) {
  const ctx = await newContext(browser, { width: 360, height: 740 });
  const page = await ctx.newPage();
  return { ctx, page, w: watch(page, allow) };
}

async function desktop(allow = []) {
  const ctx = await newContext(browser, { width: 1280, height: 900 });
  const page = await ctx.newPage();
  return { ctx, page, w: watch(page, allow) };
}

async function openInitiative(page, id) {
  await page.goto(`${campaign.base}/comite/initiative.html?id=${id}`);
  await page.locator('#questionnaire fieldset.question').first().waitFor();
  await page.locator('#gate p').first().waitFor();
}

async function openCommitteeList(page) {
  await page.goto(`${campaign.base}/comite/`);
  await page.locator('#committee-table tbody tr').first().waitFor();
}

async function openTally(page) {
  await page.goto(`${campaign.base}/mission/depouillement.html`);
  await page.locator('#campaign-info p').waitFor();
}

/** The committee's list on a 360 × 740 phone: no sideways scroll, tap targets of 24 px at
 *  least, and each initiative's facts readable in its card. */
async function checkListOnPhone(page) {
  assert.equal(await pageScrollsSideways(page), false, 'the list scrolls sideways on a phone');
  assert.deepEqual(await smallTapTargets(page, 'main'), []);
  assert.deepEqual(await smallTapTargets(page, '.site-header'), []);
  const card = page.getByRole('row', { name: /Jardins partagés/ });
  const text = await card.innerText();
  for (const fact of [/Jardins partagés du Beau-Marais/, /\d+ sur 3/, /franchi|non franchi/, /en attente|labellisée|refusée/, /€/]) {
    assert.match(text, fact);
  }
  assert.deepEqual(await cutElements(page, '#committee-table tbody th, #committee-table tbody td, #committee-table .tag'), []);
  const smallest = await page.evaluate(() => Math.min(...[...document.querySelectorAll('#committee-table td, #committee-table th')]
    .map((c) => parseFloat(getComputedStyle(c).fontSize))));
  assert.ok(smallest >= 14, `text of the list at ${smallest} px`);
}

/** Every control of the decision disabled, each described by the sentence that says why. */
async function assertDecisionSealed(page) {
  const reason = page.locator('#decision-sealed');
  await reason.waitFor();
  assert.equal(await reason.innerText(), `Le vote est ouvert${NBSP}: le bulletin de vote est scellé, la décision du comité ne peut plus changer.`);
  const controls = page.locator('#decision-form input, #decision-form select, #decision-form textarea, #decision-form button');
  assert.ok(await controls.count() >= 5);
  for (const control of await controls.all()) {
    assert.equal(await control.isDisabled(), true, await control.evaluate((el) => el.outerHTML.slice(0, 80)));
    assert.match(await control.getAttribute('aria-describedby'), /decision-sealed/);
  }
  assert.equal(await page.locator('#questionnaire input:not([disabled])').count(), 0);
}

before(async () => {
  assert.ok(fs.existsSync(budgetdPath), `budgetd not built: ${budgetdPath} (set BUILD_DIR)`);
  campaign = new Campaign();
  await campaign.init();
  await campaign.loadQuestionnaire();
  for (const id of labelled) {
    await campaign.review(id, ['camille', 'dominique', 'eliott'], 3, { decision: 'label', category: 'pratique_ess' });
  }
  await campaign.review(reviewed, ['dominique'], 1, null);
  await campaign.review(reviewed, ['eliott'], 4, null);
  await campaign.review(reviewed, ['camille'], 3, null);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (campaign) await campaign.stop();
});

describe('pages outside the spaces', () => {
  test('the error pages and the login page pass axe-core at both widths', async () => {
    const { ctx, page, w } = await phone([/404 .*\/nope$/, /500 .*\/500\.html$/, /401 .*\/api\/v1\/admin\/login$/]);
    const missing = await page.goto(`${campaign.base}/nope`);
    assert.equal(missing.status(), 404);
    assert.match(await page.locator('h1').innerText(), /\S/);
    await checkPage(page, 'erreur-404');
    await page.goto(`${campaign.base}/500.html`);
    assert.match(await page.locator('h1').innerText(), /\S/);
    await checkPage(page, 'erreur-500');

    await page.goto(`${campaign.base}/connexion.html`);
    await checkPage(page, 'connexion-vide');
    await page.getByLabel('Identifiant').fill('camille');
    await page.getByLabel('Mot de passe').fill('pas-le-bon');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('#login-status [tabindex="-1"]').waitFor();
    await checkPage(page, 'connexion-refusee');
    w.assertClean();
    await ctx.close();
  });
});

describe('before the vote', () => {
  test('the committee’s radar: thresholds, the others’ spread, one’s own outline on the median', async () => {
    const { ctx, page, w } = await phone();
    await loginInBrowser(page, campaign.base, 'camille');
    await openInitiative(page, reviewed);
    const radar = await radarAsDisplayed(page, '#radar-img');
    const { svg } = radar;
    // Drawn in this order: band, median, gate, one's own outline last (over the median).
    const at = (needle) => { const i = svg.indexOf(needle); assert.ok(i >= 0, `missing ${needle}`); return i; };
    assert.ok(at('<path class="spread"') < at('<polygon class="aggregate"'));
    assert.ok(at('<polygon class="aggregate"') < at('<polygon class="threshold"'));
    assert.ok(at('<polygon class="threshold"') < at('<polygon class="own"'));
    const points = (cls) => svg.match(new RegExp(`<polygon class="${cls}" points="([^"]+)"`))[1];
    assert.equal(points('own'), points('aggregate'), 'camille’s scores are the median');
    const desc = svg.match(/<desc[^>]*>([^<]*)<\/desc>/)[1];
    assert.match(desc, new RegExp(`Médiane du comité${NBSP}: Gouvernance démocratique 75${NNBSP}; Utilité sociale 75`));
    assert.match(desc, new RegExp(`Écart des autres évaluations \\(de la plus basse à la plus haute\\)${NBSP}: Gouvernance démocratique de 25 à 100`));
    assert.match(desc, new RegExp(`Seuil du comité${NBSP}: 40${NBSP}sur 100 pour chaque marqueur\\.`));
    assert.match(desc, new RegExp(`Votre évaluation${NBSP}: Gouvernance démocratique 75`));
    for (const legend of ['Médiane du comité', 'Votre évaluation', 'Seuil du comité']) assert.ok(svg.includes(`>${legend}`), legend);

    // At least 12 px on a 360 px phone: computed from the viewBox and the displayed width, then
    // measured in the browser on the same SVG laid out at that width.
    assert.ok(radar.displayed >= 280 && radar.displayed <= 360, `radar shown ${radar.displayed} px wide`);
    assert.ok(radar.min >= 12, `smallest radar text ${radar.min.toFixed(2)} px at ${radar.displayed} px`);
    const drawn = await radarRendered(browser, svg, radar.displayed);
    assert.ok(Math.min(...drawn.sizes) >= 12, `smallest text drawn at ${Math.min(...drawn.sizes).toFixed(2)} px`);
    assert.deepEqual(drawn.cut, []);

    // The page's own table and text alternative say the same.
    const alt = await page.locator('#radar-img').getAttribute('alt');
    assert.match(alt, /Écart des 2 autres évaluations/);
    assert.match(alt, /Seuil du comité\u00a0: 40 sur 100 pour chaque marqueur\./);
    const row = page.locator('#scores-table').getByRole('row', { name: /Gouvernance démocratique/ });
    assert.match(await row.innerText(), /75\s+25–100\s+75/);
    assert.match(await page.locator('#scores-caption').innerText(), /seuil du comité\u00a0: 40 sur chaque marqueur/);
    const scoresFrame = await page.evaluate(() => {
      const f = document.querySelector('#scores-table').closest('.table-wrap');
      return { scroll: f.scrollWidth, client: f.clientWidth, cells: [...document.querySelectorAll('#scores-table thead th')].map((c) => Math.round(c.getBoundingClientRect().width)) };
    });
    assert.ok(scoresFrame.scroll <= scoresFrame.client, `the scores table is wider than its frame on a phone: ${JSON.stringify(scoresFrame)}`);
    assert.deepEqual(await smallTapTargets(page, 'main'), []);
    await checkPage(page, 'comite-initiative-avant-vote');
    assert.equal(await page.locator('#decision-submit').isDisabled(), false);
    assert.equal(await page.locator('#decision-sealed').isHidden(), true);
    w.assertClean();
    await ctx.close();
  });

  test('the committee’s list: on a phone, and its badges whole at 1280 px', async () => {
    const { ctx, page, w } = await phone();
    await loginInBrowser(page, campaign.base, 'camille');
    await openCommitteeList(page);
    await checkListOnPhone(page);
    // Camille evaluated it (through the API): the list says so.
    assert.match(await page.getByRole('row', { name: /Jardins partagés/ }).innerText(), /faite/);
    assert.match(await page.locator('#gate-summary').innerText(), new RegExp(`Seuil de labellisation${NBSP}: au moins 3`));
    await checkPage(page, 'comite-liste-avant-vote');

    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(await cutElements(page, '#committee-table .tag, #committee-table .cell-note'), []);
    const frame = await page.evaluate(() => { const f = document.querySelector('#committee-table').closest('.table-wrap'); return f.scrollWidth - f.clientWidth; });
    assert.ok(frame <= 1, `the table is ${frame} px wider than its frame at 1280 px`);
    assert.match(await page.getByRole('row', { name: /Ressourcerie/ }).innerText(), /labellisée\s+Pratique/);

    await page.getByRole('link', { name: 'Journal d’audit' }).click();
    await page.locator('#audit-table tbody tr').first().waitFor();
    await checkPage(page, 'comite-journal-avant-vote');
    w.assertClean();
    await ctx.close();
  });

  test('the Mission ESS cannot tally or publish before the vote, and says why and when', async () => {
    const { ctx, page, w } = await desktop(notPublished);
    await loginInBrowser(page, campaign.base, 'mission');
    await page.locator('#stats-total').waitFor();
    await checkPage(page, 'mission-participation-avant-vote');
    await page.getByRole('link', { name: 'Import des initiatives' }).click();
    await page.getByLabel('Contenu JSON').waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getByRole('button', { name: 'Importer' }).isDisabled(), false);
    assert.equal(await page.locator('#import-reason').isHidden(), true);
    await checkPage(page, 'mission-import-avant-vote');

    await openTally(page);
    const campaignInfo = await (await fetch(`${campaign.base}/api/v1/campaign`)).json();
    const reason = page.locator('#tally-reason');
    await reason.waitFor();
    assert.match(await reason.innerText(), /^Le dépouillement sera possible après la clôture du vote, le \d{1,2}(er)?\u00a0\S+ \d{4} à \d{1,2}\u00a0h(\u00a0\d\d)?\.$/);
    const parts = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', hour: 'numeric', hourCycle: 'h23', timeZone: 'Europe/Paris' })
      .formatToParts(new Date(campaignInfo.vote_closes));
    const part = (type) => Number(parts.find((p) => p.type === type).value);
    assert.match(await reason.innerText(), new RegExp(`le ${part('day')}(er)?\u00a0\\S+ \\d{4} à ${part('hour')}\u00a0h`));
    for (const name of ['Comparer les règles', 'Lancer le dépouillement', 'Publier les résultats']) {
      const button = page.getByRole('button', { name });
      assert.equal(await button.isDisabled(), true, name);
      assert.ok((await button.getAttribute('aria-describedby')).endsWith('-reason'));
    }
    assert.match(await page.locator('#publish-reason').innerText(), /après la clôture du vote et le dépouillement/);
    await assertDownloadsInactive(page);
    await checkPage(page, 'mission-depouillement-avant-vote');
    w.assertClean();
    await ctx.close();
  });
});

async function assertDownloadsInactive(page) {
  const links = page.locator('#downloads a');
  assert.equal(await links.count(), 3);
  for (const link of await links.all()) {
    assert.equal(await link.getAttribute('href'), null);
    assert.equal(await link.getAttribute('aria-disabled'), 'true');
  }
  assert.match(await page.locator('#downloads-note').innerText(), /disponibles après la publication/);
}

describe('during the vote, the ballot sealed', () => {
  before(async () => {
    await campaign.start('voting');
    await voteThroughApi(campaign.base, campaign.outbox,
      { email: 'unique@exemple.fr', first_name: 'Ugo', last_name: 'Nique', birth_date: '1980-03-03', commune: '62041' }, [labelled[0]]);
  });

  test('every decision control is disabled, with the reason, on a labelled and an undecided initiative', async () => {
    const { ctx, page, w } = await phone(notPublished);
    await loginInBrowser(page, campaign.base, 'camille');
    await openCommitteeList(page);
    assert.match(await page.locator('#page-status').innerText(), /Le vote est ouvert\u00a0: les évaluations et les décisions sont scellées/);
    await checkListOnPhone(page);
    await checkPage(page, 'comite-liste-scelle');

    await openInitiative(page, labelled[0]);
    await assertDecisionSealed(page);
    await checkPage(page, 'comite-initiative-labellisee-scelle');
    await openInitiative(page, reviewed);
    await assertDecisionSealed(page);
    assert.match(await page.locator('#autosave').innerText(), /Le vote est ouvert\u00a0: les évaluations sont scellées/);
    await checkPage(page, 'comite-initiative-scelle');
    await page.getByRole('link', { name: 'Journal d’audit' }).click();
    await page.locator('#audit-table tbody tr').first().waitFor();
    await checkPage(page, 'comite-journal-scelle');
    w.assertClean();
    await ctx.close();
  });

  test('the public radar’s text is at least 12 px on a phone', async () => {
    const { ctx, page, w } = await phone(notPublished);
    await page.goto(`${campaign.base}/initiatives.html`);
    const card = page.getByRole('article', { name: /Ressourcerie/ });
    await card.waitFor();
    const radar = await radarAsDisplayed(page, 'article img.radar');
    assert.ok(radar.displayed >= 200 && radar.displayed <= 272, `public radar shown ${radar.displayed} px wide`);
    assert.ok(radar.min >= 12, `smallest public radar text ${radar.min.toFixed(2)} px at ${radar.displayed} px`);
    const drawn = await radarRendered(browser, radar.svg, radar.displayed);
    assert.ok(Math.min(...drawn.sizes) >= 12, `smallest text drawn at ${Math.min(...drawn.sizes).toFixed(2)} px`);
    assert.deepEqual(drawn.cut, []);
    // The public radar has no committee overlay.
    assert.doesNotMatch(radar.svg, /class="(own|spread|threshold)"/);
    w.assertClean();
    await ctx.close();
  });

  test('the Mission ESS still cannot tally: the vote is open', async () => {
    const { ctx, page, w } = await desktop(notPublished);
    await loginInBrowser(page, campaign.base, 'mission');
    await page.locator('#stats-total', { hasText: '1' }).waitFor();
    const figures = await page.locator('#stats-figures').innerText();
    assert.match(figures, /1\s+bulletin au total/);
    assert.match(figures, /1\s+territoire sur \d+ a voté/);
    await checkPage(page, 'mission-participation-vote-ouvert');
    await openTally(page);
    await page.locator('#tally-reason').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Lancer le dépouillement' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Publier les résultats' }).isDisabled(), true);
    assert.equal(await page.getByRole('radio', { name: /Les plus votées d’abord/ }).isDisabled(), true);
    await assertDownloadsInactive(page);
    await checkPage(page, 'mission-depouillement-vote-ouvert');
    await page.getByRole('link', { name: 'Import des initiatives' }).click();
    const importReason = page.locator('#import-reason');
    await importReason.waitFor();
    assert.match(await importReason.innerText(), /^Le vote s’est ouvert le \d{1,2}(er)?\u00a0\S+ \d{4} à \d{1,2}\u00a0h(\u00a0\d\d)?\u00a0: le bulletin de vote est scellé, aucune initiative ne peut plus être importée\.$/);
    for (const name of ['Importer']) assert.equal(await page.getByRole('button', { name }).isDisabled(), true);
    assert.equal(await page.getByLabel('Contenu JSON').isDisabled(), true);
    await checkPage(page, 'mission-import-vote-ouvert');
    w.assertClean();
    await ctx.close();
  });
});

describe('after the close, then after publication', () => {
  before(async () => { await campaign.start('closed'); });

  test('the tally is enabled, the publication only after it, the downloads only after publication', async () => {
    const { ctx, page, w } = await desktop(notPublished);
    await loginInBrowser(page, campaign.base, 'mission');
    await page.locator('#stats-total').waitFor();
    await checkPage(page, 'mission-participation-clos-avant-depouillement');
    await openTally(page);
    await page.locator('#publish-reason').waitFor();
    assert.equal(await page.locator('#tally-reason').isHidden(), true);
    assert.equal(await page.getByRole('button', { name: 'Lancer le dépouillement' }).isDisabled(), false);
    assert.equal(await page.getByRole('button', { name: 'Comparer les règles' }).isDisabled(), false);
    assert.equal(await page.getByRole('button', { name: 'Publier les résultats' }).isDisabled(), true);
    assert.match(await page.locator('#publish-reason').innerText(), /Lancez d’abord le dépouillement/);
    await assertDownloadsInactive(page);
    await checkPage(page, 'mission-depouillement-clos');
    // The Mission sees the committee's list too: sealed, after the close.
    await page.getByRole('link', { name: 'Initiatives', exact: true }).click();
    await page.locator('#committee-table tbody tr').first().waitFor();
    assert.match(await page.locator('#page-status').innerText(), /scellées/);
    await checkPage(page, 'comite-liste-clos-vue-mission');
    await openTally(page);
    await page.locator('#publish-reason').waitFor();

    await page.getByRole('button', { name: 'Lancer le dépouillement' }).click();
    await page.locator('#draft-summary', { hasText: '1 bulletin compté' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Publier les résultats' }).isDisabled(), false);
    assert.equal(await page.locator('#publish-reason').isHidden(), true);
    await assertDownloadsInactive(page);
    await checkPage(page, 'mission-depouillement-brouillon');

    await page.getByLabel('J’ai relu le brouillon').check();
    await page.getByRole('button', { name: 'Publier les résultats' }).click();
    await page.locator('main').getByText('Les résultats sont publiés.').waitFor();
    for (const name of ['Comparer les règles', 'Lancer le dépouillement', 'Publier les résultats']) {
      assert.equal(await page.getByRole('button', { name }).isDisabled(), true, name);
    }
    for (const link of await page.locator('#downloads a').all()) {
      assert.match(await link.getAttribute('href'), /^\/api\/v1\//);
      assert.equal(await link.getAttribute('aria-disabled'), null);
    }
    await checkPage(page, 'mission-depouillement-apres-publication');

    // A page opened after publication knows it at once.
    await openTally(page);
    await page.locator('#publish-reason', { hasText: 'publiés' }).waitFor();
    assert.match(await page.locator('#downloads a').first().getAttribute('href'), /^\/api\/v1\/results$/);
    await page.getByRole('link', { name: 'Participation' }).click();
    await page.locator('#stats-total').waitFor();
    await checkPage(page, 'mission-participation-apres-publication');
    await page.getByRole('link', { name: 'Import des initiatives' }).click();
    await page.locator('#import-reason').waitFor();
    await checkPage(page, 'mission-import-apres-publication');
    w.assertClean();
    await ctx.close();
  });

  test('the committee’s pages after publication', async () => {
    const { ctx, page, w } = await phone();
    await loginInBrowser(page, campaign.base, 'dominique');
    await openCommitteeList(page);
    await checkListOnPhone(page);
    await checkPage(page, 'comite-liste-apres-publication');
    await openInitiative(page, reviewed);
    await assertDecisionSealed(page);
    await checkPage(page, 'comite-initiative-apres-publication');
    await page.getByRole('link', { name: 'Journal d’audit' }).click();
    await page.locator('#audit-table tbody tr').first().waitFor();
    await checkPage(page, 'comite-journal-apres-publication');
    w.assertClean();
    await ctx.close();
  });
});
