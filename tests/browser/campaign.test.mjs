// One campaign in a real browser (Debian's Chromium through playwright-core), from the labelling
// to the verification of a receipt: the committee labels, a resident votes and cannot vote twice,
// the Mission ESS tallies and publishes, the receipt verifies in the browser and a tampered
// result does not. Each main page is checked with axe-core and photographed at 360 and 1280 px.
//
// budgetd runs three times on the same Redis: vote in an hour (labelling), vote open, vote closed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { budgetdPath, launchBrowser, newContext, outboxCode, outboxCount, voteThroughApi } from './support/harness.mjs';
import { fulfillJson, inspect, watch } from './support/checks.mjs';
import { Campaign, staffUsers } from './support/scenario.mjs';

const labelledByApi = ['ressourcerie-arras', 'epicerie-solidaire-bethune', 'tiers-lieu-saint-omer'];
const labelledInBrowser = 'conserverie-berck';
const resident = { email: 'lea.roussel@exemple.fr', first: 'Léa', last: 'Roussel', day: '14', month: '7', year: '1990' };
const notFoundYet = [/404 .*\/api\/v1\/(results|ballot-definition|log\/head)/];

let campaign;
let browser;
let receipt;          // the resident's receipt, as downloaded

async function loginInBrowser(page, username) {
  const all = [...staffUsers.committee, staffUsers.mission];
  const { password } = all.find((u) => u.username === username);
  await page.goto(`${campaign.base}/connexion.html`);
  await page.getByLabel('Identifiant').fill(username);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/(comite|mission)\//);
}

before(async () => {
  assert.ok(fs.existsSync(budgetdPath), `budgetd not built: ${budgetdPath} (set BUILD_DIR)`);
  campaign = new Campaign();
  await campaign.init();
  await campaign.loadQuestionnaire();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (campaign) await campaign.stop();
});

describe('labelling, before the vote opens', () => {
  test('the Mission ESS imports initiatives and sees every refused row', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watch(page, [/422 .*\/api\/v1\/admin\/initiatives$/, /401 .*\/api\/v1\/admin\/(me|login)$/]);
    // A staff page without a session leads to the login page, and back after it.
    await page.goto(`${campaign.base}/mission/import.html`);
    await page.waitForURL(/\/connexion\.html\?retour=/);
    await inspect(page, 'connexion');
    await page.getByLabel('Identifiant').fill('mission');
    await page.getByLabel('Mot de passe').fill('mauvais-mot-de-passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('#login-status', { hasText: 'Identifiant ou mot de passe incorrect.' }).waitFor();
    await page.getByLabel('Mot de passe').fill(staffUsers.mission.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/mission\/import\.html$/);
    await page.getByRole('link', { name: 'Participation' }).click();
    await page.waitForURL(/\/mission\/$/);
    await page.locator('#stats-total').waitFor();
    await inspect(page, 'mission-participation');

    await page.getByRole('link', { name: 'Import des initiatives' }).click();
    const bad = {
      initiatives: [
        { id: 'fablab-lens', title: 'Fablab solidaire de Lens', summary: 'Un atelier de fabrication ouvert à tous.', holder: 'Association Fab Lens', commune: '62498', requested_eur: 5000 },
        { id: 'Mauvais ID', title: 'Projet hors département', summary: 'Un projet à Lille.', holder: 'Quelqu’un', commune: '59350', requested_eur: -5 },
      ],
    };
    await page.getByLabel('Contenu JSON').fill(JSON.stringify(bad, null, 2));
    await page.getByRole('button', { name: 'Importer' }).click();
    const refused = page.getByRole('list', { name: 'Lignes refusées' });
    await refused.waitFor();
    const text = await refused.innerText();
    assert.match(text, /Ligne 2/);
    assert.match(text, /L’identifiant doit compter 1 à 64 caractères/);
    assert.match(text, /La commune «\u00a059350\u00a0» n’est pas un code INSEE de commune du département/);
    assert.match(text, /Le montant demandé doit être positif/);
    assert.doesNotMatch(text, /Ligne 1/);
    assert.match(await page.getByRole('alert').innerText(), /rien n’a été enregistré/);
    await inspect(page, 'mission-import-errors');

    await page.getByLabel('Contenu JSON').fill(JSON.stringify([bad.initiatives[0]]));
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.locator('main').getByText('1 initiative importée').waitFor();
    const admin = await campaign.staff('mission');
    const listed = (await admin.call('GET', '/api/v1/admin/initiatives')).json.initiatives.map((i) => i.id);
    assert.ok(listed.includes('fablab-lens'));
    w.assertClean();
    await ctx.close();
  });

  test('a committee member evaluates and labels an initiative, which then appears on the ballot', async () => {
    // Two other members have already evaluated it; three evaluations are needed for the gate.
    await campaign.review(labelledInBrowser, ['dominique', 'eliott'], 4, null);
    for (const id of labelledByApi) {
      await campaign.review(id, ['camille', 'dominique', 'eliott'], 3, { decision: 'label', category: 'pratique_ess' });
    }
    await campaign.review('velos-boulonnais', ['dominique'], 1, null);

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watch(page, [/422 .*\/decision$/]);
    await loginInBrowser(page, 'camille');
    assert.match(page.url(), /\/comite\/$/);
    await page.getByRole('table').waitFor();
    const row = page.getByRole('row', { name: /Conserverie coopérative/ });
    assert.match(await row.innerText(), /2 sur 3/);
    assert.match(await row.innerText(), /à faire/);
    await inspect(page, 'comite-initiatives');

    await page.getByRole('link', { name: /Conserverie coopérative/ }).click();
    await page.getByRole('heading', { level: 1, name: /Conserverie coopérative/ }).waitFor();
    await page.locator('#questionnaire fieldset.question').first().waitFor();
    const gate = page.locator('#gate');
    assert.match(await gate.innerText(), /Le seuil n’est pas franchi/);
    assert.match(await gate.innerText(), /évaluée que par 2 membres/);

    // Answer every question with the keyboard-reachable radio buttons; the last answer triggers
    // the autosave on the server.
    const questions = campaign.questionnaire.markers.flatMap((m) => m.questions);
    for (const [i, q] of questions.entries()) {
      await page.locator(`label[for="${q.id}-${i === 0 ? 3 : 4}"]`).click();
      if (i === 2) assert.match(await page.locator('#autosave').innerText(), /Brouillon enregistré sur cet appareil\u00a0: 3 réponses sur/);
    }
    await page.locator('#autosave', { hasText: 'Évaluation enregistrée sur le serveur' }).waitFor();
    await page.locator('#gate', { hasText: 'Le seuil est franchi' }).waitFor();
    const mine = await (await campaign.staff('camille')).call('GET', `/api/v1/admin/initiatives/${labelledInBrowser}/evaluation`);
    assert.equal(mine.json.answers[questions[0].id], 3);
    assert.equal(mine.json.answers[questions[1].id], 4);
    assert.match(await page.locator('#radar-img').getAttribute('alt'), /Médiane du comité \(3 évaluations\)/);
    await inspect(page, 'comite-evaluation');

    await page.getByLabel('Labelliser l’initiative').check();
    await page.getByLabel('Catégorie de labellisation').selectOption('cooperation');
    await page.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await page.locator('main').getByText('La décision est enregistrée\u00a0: l’initiative est labellisée').waitFor();
    await page.locator('#history-table', { hasText: 'Décision' }).waitFor();

    // A decision against the gate without justification is refused with the API's message.
    await page.goto(`${campaign.base}/comite/initiative.html?id=velos-boulonnais`);
    await page.locator('#gate', { hasText: 'Le seuil n’est pas franchi' }).waitFor();
    await page.getByLabel('Labelliser l’initiative').check();
    await page.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await page.locator('#justification-error', { hasText: 'la labelliser exige une justification écrite' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'justification');

    await page.getByRole('link', { name: 'Journal d’audit' }).click();
    await page.getByRole('table').waitFor();
    assert.match(await page.getByRole('table').innerText(), /conserverie-berck/);
    await inspect(page, 'comite-journal');
    w.assertClean();
    await ctx.close();

    // The public list, before the vote, already shows it with its radar.
    const pub = await (await newContext(browser)).newPage();
    await pub.goto(`${campaign.base}/initiatives.html`);
    const card = pub.getByRole('article', { name: /Conserverie coopérative/ });
    await card.waitFor();
    assert.match(await card.innerText(), /Coopération/);
    assert.match(await card.getByRole('img').getAttribute('alt'), /Gouvernance démocratique \d+ sur 100/);
    await pub.context().close();
  });
});

describe('the vote', () => {
  before(async () => {
    await campaign.start('voting');
    const others = [
      [{ email: 'bruno@exemple.fr', first_name: 'Bruno', last_name: 'Lefebvre', birth_date: '1975-11-20', commune: '62119' }, [labelledByApi[1], labelledInBrowser]],
      [{ email: 'chloe@exemple.fr', first_name: 'Chloé', last_name: 'Dubois', birth_date: '2001-06-15', commune: '62765' }, [labelledByApi[2], labelledInBrowser, labelledByApi[1]]],
      [{ email: 'denis@exemple.fr', first_name: 'Denis', last_name: 'Caron', birth_date: '1960-01-31', commune: '62193' }, [labelledInBrowser]],
    ];
    for (const [person, choices] of others) await voteThroughApi(campaign.base, campaign.outbox, person, choices);
  });

  test('a resident votes from the home page to the receipt, on a phone', async () => {
    const ctx = await newContext(browser, { width: 360, height: 740 });
    const page = await ctx.newPage();
    const w = watch(page, notFoundYet);
    await page.goto(`${campaign.base}/`);
    await page.locator('main').getByText('Vote ouvert').waitFor();
    assert.match(await page.locator('#campaign-headline').innerText(), /Le vote est ouvert jusqu’au/);
    await inspect(page, 'accueil');

    await page.getByRole('link', { name: 'Choisir mes initiatives et voter' }).click();
    await page.getByRole('article', { name: /Conserverie coopérative/ }).waitFor();
    const ballot = await (await fetch(`${campaign.base}/api/v1/initiatives`)).json();
    assert.deepEqual(ballot.map((i) => i.id).sort(), [...labelledByApi, labelledInBrowser].sort());

    // Search and filters.
    await page.getByLabel('Rechercher', { exact: true }).fill('conserves');
    await page.locator('#result-count', { hasText: '1 initiative affichée sur 4' }).waitFor();
    await page.getByLabel('Rechercher', { exact: true }).fill('');
    await page.getByLabel('Territoire').selectOption({ label: 'Artois' });
    await page.locator('#result-count', { hasText: '1 initiative affichée sur 4' }).waitFor();
    await page.getByLabel('Territoire').selectOption('');
    await inspect(page, 'initiatives');

    // Three choices, a fourth refused, then a change of mind.
    const choose = (name) => page.getByRole('article', { name }).getByLabel('Choisir cette initiative');
    await choose(/Ressourcerie/).check();
    await choose(/Épicerie solidaire/).check();
    await choose(/Tiers-lieu/).check();
    assert.equal(await page.locator('#counter').innerText(), '3 sur 3 initiatives choisies');
    await choose(/Conserverie/).click();
    assert.equal(await choose(/Conserverie/).isChecked(), false);
    assert.match(await page.locator('#selection-message').innerText(), /Déjà 3 choix\s: retirez-en un d’abord/);
    await choose(/Tiers-lieu/).uncheck();
    await choose(/Conserverie/).check();
    assert.equal(await page.locator('#counter').innerText(), '3 sur 3 initiatives choisies');
    await page.getByRole('link', { name: 'Continuer vers le vote' }).click();

    // Step 1: the choices again; one removed and the list still right.
    await page.getByRole('heading', { name: 'Étape 1 sur 5 : vos choix' }).waitFor();
    assert.equal(await page.locator('#choices-list li').count(), 3);
    await page.getByRole('button', { name: 'Retirer « Épicerie solidaire et cuisine partagée »' }).click();
    assert.equal(await page.locator('#choices-list li').count(), 2);
    await page.getByRole('button', { name: 'Continuer' }).click();

    // Step 2: email.
    await page.getByRole('heading', { name: /Étape 2 sur 5/ }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'step-email-title');
    await page.getByLabel('Adresse électronique', { exact: true }).fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    assert.match(await page.locator('#email-error').innerText(), /doit ressembler/);
    await page.getByLabel('Adresse électronique', { exact: true }).fill(resident.email);
    await inspect(page, 'voter-adresse');
    await page.getByRole('button', { name: 'Recevoir un code' }).click();

    // Step 3: the code from the email (the outbox in tests).
    await page.getByRole('heading', { name: /Étape 3 sur 5/ }).waitFor();
    const code = await outboxCode(campaign.outbox, resident.email);
    await page.getByLabel('Code à 6 chiffres').fill(code);
    await page.getByRole('button', { name: 'Vérifier le code' }).click();

    // Step 4: identity, with the commune picked from the autocomplete by keyboard.
    await page.getByRole('heading', { name: /Étape 4 sur 5/ }).waitFor();
    await page.getByLabel('Prénom').fill(resident.first);
    await page.getByLabel('Nom', { exact: true }).fill(resident.last);
    await page.getByLabel('Jour').fill(resident.day);
    await page.getByLabel('Mois').fill(resident.month);
    await page.getByLabel('Année').fill(resident.year);
    const commune = page.getByRole('combobox', { name: 'Commune où vous habitez' });
    await commune.click();
    await commune.pressSequentially('arra', { delay: 20 });
    await page.getByRole('option', { name: 'Arras (62000)' }).waitFor();
    assert.equal(await commune.getAttribute('aria-expanded'), 'true');
    await inspect(page, 'voter-identite');
    await commune.press('ArrowDown');
    assert.equal(await commune.getAttribute('aria-activedescendant'), 'commune-options-62041');
    await commune.press('Enter');
    assert.equal(await commune.inputValue(), 'Arras (62000)');
    await page.getByRole('button', { name: 'Vérifier mon identité' }).click();

    // Step 5: confirm; the receipt page follows.
    await page.getByRole('heading', { name: /Étape 5 sur 5/ }).waitFor();
    assert.match(await page.locator('#confirm-list').innerText(), /Ressourcerie[\s\S]*Conserverie/);
    assert.equal(await page.locator('#confirm-commune').innerText(), 'Arras (62000)');
    await inspect(page, 'voter-confirmation');
    await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
    await page.waitForURL(/\/recu\.html$/);
    await page.locator('main').getByText('Merci, votre vote est enregistré.').waitFor();
    const ballotId = await page.locator('#receipt-ballot-id').getAttribute('data-value');
    assert.match(ballotId, /^[0-9a-f]{32}$/);
    await inspect(page, 'recu');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Télécharger le reçu/ }).click()]);
    receipt = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(receipt.ballot_id, ballotId);
    assert.deepEqual(receipt.choices, [labelledInBrowser, labelledByApi[0]].sort());
    const recorded = await (await fetch(`${campaign.base}/api/v1/receipts/${ballotId}`)).json();
    assert.equal(recorded.status, 'recorded');
    w.assertClean();
    await ctx.close();
  });

  test('a second attempt is refused with the French message, as soon as the code is right', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watch(page, [...notFoundYet, /401 .*\/auth\/code$/]);
    await page.goto(`${campaign.base}/initiatives.html`);
    await page.getByRole('article', { name: /Tiers-lieu/ }).getByLabel('Choisir cette initiative').check();
    await page.getByRole('link', { name: 'Continuer vers le vote' }).click();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByLabel('Adresse électronique', { exact: true }).fill(resident.email);
    const before = outboxCount(campaign.outbox, resident.email);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.getByRole('heading', { name: /Étape 3 sur 5/ }).waitFor();
    const code = await outboxCode(campaign.outbox, resident.email, before);

    // A wrong code first: refused on its own step, with the tries left.
    const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
    await page.getByLabel('Code à 6 chiffres').fill(wrong);
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await page.locator('#code-error', { hasText: /Code incorrect\s: vérifiez le code reçu par courriel\. Il vous reste 4 essais\./ }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
    assert.ok(await page.getByRole('heading', { name: /Étape 3 sur 5/ }).isVisible());

    // The right code: this address voted already, and the page says so at once.
    await page.getByLabel('Code à 6 chiffres').fill(code);
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await page.getByRole('heading', { name: 'Vous avez déjà voté' }).waitFor();
    assert.match(await page.locator('#voted-notice').innerText(), /Vous avez déjà voté pour ce budget citoyen\s: une seule participation par personne est possible\./);
    assert.equal(await page.getByRole('button', { name: 'Confirmer mon vote' }).isVisible(), false);
    assert.match(page.url(), /\/voter\.html$/);
    await inspect(page, 'voter-deja-vote');
    w.assertClean();
    await ctx.close();
  });

  test('before publication, the receipt is found in the signed log', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watch(page, notFoundYet);
    // A signed tree head covering the resident's ballot is published within a second.
    for (let i = 0; i < 50; i++) {
      const head = await (await fetch(`${campaign.base}/api/v1/log/head`)).json().catch(() => null);
      if (head && head.head && head.head.tree_size >= 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Votre reçu').fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#verify-result').waitFor();
    assert.equal(await page.locator('#verify-result').getAttribute('data-outcome'), 'recorded', await page.locator('#checks').innerText());
    assert.match(await page.locator('#checks').innerText(), /Votre bulletin fait partie des 4 bulletins enregistrés dans le journal signé/);
    w.assertClean();
    await ctx.close();
  });

  test('a network failure is explained in French, and nothing is claimed', async () => {
    const ctx = await newContext(browser, undefined, {
      allow: [/failed .*\/api\/v1\/auth\/challenge: net::ERR_INTERNET_DISCONNECTED/],
    });
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/initiatives.html`);
    await page.getByRole('article', { name: /Ressourcerie/ }).getByLabel('Choisir cette initiative').check();
    await page.getByRole('link', { name: 'Continuer vers le vote' }).click();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.route('**/api/v1/auth/challenge', (route) => route.abort('internetdisconnected'));
    await page.getByLabel('Adresse électronique', { exact: true }).fill('hors-ligne@exemple.fr');
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Impossible de joindre le service du Budget citoyen\s: vérifiez votre connexion à Internet/);
    assert.ok(await page.getByRole('heading', { name: /Étape 2 sur 5/ }).isVisible());
    await ctx.close();
  });
});

describe('tally, publication and verification', () => {
  before(async () => { await campaign.start('closed'); });

  test('the Mission ESS compares the rules, tallies and publishes', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watch(page, notFoundYet);
    await loginInBrowser(page, 'mission');
    await page.locator('#stats-total', { hasText: '4' }).waitFor();
    assert.match(await page.locator('#by-territory').innerText(), /Arrageois\s+1/);
    await inspect(page, 'mission-participation-clos');

    await page.getByRole('link', { name: 'Dépouillement et publication' }).click();
    await page.getByRole('button', { name: 'Comparer les règles' }).click();
    const table = page.locator('#compare-table');
    await table.waitFor({ timeout: 60000 });
    const header = await table.locator('thead').innerText();
    for (const r of ['greedy', 'greedy-territorial', 'mes', 'mes-add1', 'mes-completed']) assert.match(header, new RegExp(r));
    assert.match(await table.getByRole('row', { name: /Conserverie/ }).innerText(), /^Conserverie[^\n]*\s+4\s/);
    await inspect(page, 'mission-depouillement-comparaison');

    // Publishing right after the comparison is refused: the draft is the last compared rule.
    await page.getByLabel('J’ai relu le brouillon').check();
    await page.getByRole('button', { name: 'Publier les résultats' }).click();
    await page.locator('#publish-status', { hasText: 'pas avec la règle choisie' }).waitFor();

    await page.getByLabel('Les plus votées d’abord').check();
    await page.getByRole('button', { name: 'Lancer le dépouillement' }).click();
    await page.locator('#draft-summary', { hasText: '4 bulletins comptés' }).waitFor();
    await page.getByRole('button', { name: 'Publier les résultats' }).click();
    await page.locator('main').getByText('Les résultats sont publiés.').waitFor();
    await inspect(page, 'mission-depouillement-publie');

    // The three downloads, through the page's own links.
    const downloads = page.locator('#downloads');
    const fetched = {};
    for (const name of ['Résultats signés (JSON)', 'Résultats pour un tableur (CSV)', 'Bulletins anonymes (JSON)']) {
      const [download] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name }).click()]);
      fetched[name] = fs.readFileSync(await download.path(), 'utf8');
    }
    const results = JSON.parse(fetched['Résultats signés (JSON)']);
    assert.equal(results.document.rule, 'greedy');
    assert.equal(results.document.votes[labelledInBrowser], 4);
    assert.match(fetched['Résultats pour un tableur (CSV)'], /^\uFEFFidentifiant;titre;territoire/);
    assert.match(fetched['Résultats pour un tableur (CSV)'], /conserverie-berck;[^\n]*;4;oui;/);
    assert.equal(JSON.parse(fetched['Bulletins anonymes (JSON)']).ballots.length, 4);
    w.assertClean();
    await ctx.close();
  });

  test('the results page shows winners, chart and rule, with the signature checked', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(`${campaign.base}/resultats.html`);
    await page.locator('main').getByText('Signature vérifiée par votre navigateur.').waitFor();
    assert.match(await page.locator('#winners-table').innerText(), /Conserverie coopérative[\s\S]*4/);
    assert.match(await page.locator('#rule').innerText(), /Les plus votées d’abord/);
    await inspect(page, 'resultats');
    w.assertClean();
    await ctx.close();
  });

  test('the resident’s receipt verifies in the browser', async () => {
    const ctx = await newContext(browser, { width: 360, height: 740 });
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Ou choisissez le fichier du reçu').setInputFiles({
      name: 'recu.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(receipt, null, 2)),
    });
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    const result = page.locator('#verify-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-outcome'), 'verified', await page.locator('#checks').innerText());
    const checks = await page.locator('#checks').textContent();
    assert.match(checks, /Votre reçu correspond bien à vos choix/);
    assert.match(checks, /Les résultats sont signés par la Mission ESS\.[\s\S]*WebCrypto \(Ed25519\)/);
    assert.match(checks, /Votre bulletin fait partie des 4 bulletins comptés\./);
    assert.match(checks, /La même clé a scellé le bulletin de vote à l’ouverture et signé les résultats/);
    assert.equal(await page.locator('.check--bad').count(), 0);
    await inspect(page, 'verifier');

    await page.getByRole('button', { name: 'Recompter dans mon navigateur' }).click();
    await page.locator('#recount-summary', { hasText: 'Le recompte confirme les résultats publiés' }).waitFor();
    w.assertClean();
    await ctx.close();
  });

  test('a tampered result is reported as such', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    // A man in the middle (or a compromised server) adds one vote to an initiative.
    await page.route('**/api/v1/results', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.document.votes[labelledByApi[2]] += 1;
      await fulfillJson(route, response, body);
    });
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Votre reçu').fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    const result = page.locator('#verify-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-outcome'), 'failed');
    assert.match(await result.innerText(), /la vérification a échoué/);
    assert.match(await page.locator('#checks').innerText(), /La signature des résultats est invalide/);

    await page.goto(`${campaign.base}/resultats.html`);
    await page.locator('main').getByText('Attention : la signature de ces résultats est invalide.').waitFor();
    await ctx.close();
  });

  test('a forged inclusion proof and a doctored receipt are caught', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.route(`**/api/v1/receipts/${receipt.ballot_id}`, async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.audit_path[0] = body.audit_path[0].replace(/^./, (c) => (c === '0' ? '1' : '0'));
      await fulfillJson(route, response, body);
    });
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Votre reçu').fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#verify-result').waitFor();
    assert.equal(await page.locator('#verify-result').getAttribute('data-outcome'), 'failed');
    assert.match(await page.locator('#checks').innerText(), /La racine recalculée ne correspond pas à la racine signée/);
    await page.unroute(`**/api/v1/receipts/${receipt.ballot_id}`);

    // The receipt claims other choices than those hashed into it.
    await page.getByLabel('Votre reçu').fill(JSON.stringify({ ...receipt, choices: [labelledByApi[2]] }));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#checks', { hasText: 'Le reçu ne correspond pas aux choix qu’il indique' }).waitFor();
    assert.equal(await page.locator('#verify-result').getAttribute('data-outcome'), 'failed');
    await ctx.close();
  });

  test('without WebCrypto Ed25519, the vendored verifier gives the same answers', async () => {
    const ctx = await newContext(browser);
    await ctx.addInitScript(() => {
      if (typeof SubtleCrypto === 'undefined') return;  // about:blank is no secure context
      const original = SubtleCrypto.prototype.importKey;
      SubtleCrypto.prototype.importKey = function importKey(format, key, algorithm, ...rest) {
        const name = typeof algorithm === 'string' ? algorithm : algorithm && algorithm.name;
        if (name === 'Ed25519') return Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError'));
        return original.call(this, format, key, algorithm, ...rest);
      };
    });
    const page = await ctx.newPage();
    await page.goto(`${campaign.base}/verifier.html`);
    await page.getByLabel('Votre reçu').fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#verify-result').waitFor();
    assert.equal(await page.locator('#verify-result').getAttribute('data-outcome'), 'verified');
    assert.match(await page.locator('#checks').textContent(), /@noble\/ed25519/);
    await page.route('**/api/v1/results', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.document.winners[0].amount_eur += 1000;
      await fulfillJson(route, response, body);
    });
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.locator('#verify-result[data-outcome="failed"]').waitFor();
    await ctx.close();
  });

  test('pages explain themselves without JavaScript', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'fr-FR' });
    const page = await ctx.newPage();
    for (const p of ['/', '/initiatives.html', '/voter.html', '/verifier.html', '/resultats.html']) {
      await page.goto(`${campaign.base}${p}`);
      const text = await page.locator('main').innerText();
      assert.match(text, /JavaScript est désactivé/, p);
    }
    await page.goto(`${campaign.base}/`);
    assert.match(await page.locator('main').innerText(), /Comment ça marche/);
    await ctx.close();
  });
});
