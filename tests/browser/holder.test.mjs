// Initiative holders apply online (issue 17), in a real browser over HTTPS, from the call for
// initiatives to the published results: on a phone, a holder signs in with the code of the
// outbox, fills the form (saved as they type), attaches a real PDF, answers the self-assessment,
// sees their radar and submits; the Mission ESS declares a second holder's file irrecevable with
// a reason, which that holder reads, and admits the first on its page; three committee members
// evaluate it and one labels it; it is on the ballot, a resident votes for it, the Mission tallies
// and publishes, and the holder's page says « Lauréate » or « Non retenue » as the results say.
//
// budgetd runs four times on the same Redis: call open (vote in 2 hours), labelling (call
// closed, vote in an hour), vote open, vote closed. Every page is checked with axe-core and
// photographed at 360 and 1280 px.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { budgetdPath, launchBrowser, newContext, voteThroughApi } from './support/harness.mjs';
import { checkPage, watch } from './support/checks.mjs';
import { HolderClient, minimalPdf, signInInBrowser, siretFrom, wrongSiret } from './support/holder.mjs';
import { Campaign } from './support/scenario.mjs';
import { loginInBrowser, pageScrollsSideways } from './support/staff.mjs';

const phone = { width: 360, height: 740 };
const first = {
  email: 'contact@ressourcerie-lens.fr',
  holder: 'Association La Ressourcerie lensoise',
  title: 'Atelier de réparation de vélos à Lens',
  summary: 'Un atelier ouvert deux soirs par semaine où les habitants apprennent à réparer leur vélo avec des bénévoles.',
  description: 'Le besoin : beaucoup de vélos dorment dans les caves faute de réparation.\n\nL’atelier prête les outils, forme des bénévoles et récupère des pièces détachées.',
  amount: '6 000',
};
const second = {
  email: 'bureau@collectif-arras.fr',
  fields: {
    holder: 'Collectif des jardins d’Arras', legal_form: 'collectif_habitants', contact_name: 'Inès Morel',
    contact_email: 'bureau@collectif-arras.fr', commune: '62041', title: 'Jardin partagé hors département',
    summary: 'Un jardin partagé au cœur du quartier.', description: 'Un jardin partagé, entretenu par les habitants du quartier.',
    requested_eur: 3000,
  },
};
const reason = 'Le projet a lieu hors du Pas-de-Calais : il ne relève pas de cet appel.';
// Signed out, /porteurs/ asks who is there (401); the fake PDF is refused by the server (422).
const holderAllowed = [/401 .*\/api\/v1\/holder\/me$/, /422 .*\/api\/v1\/holder\/applications\/d-[0-9a-f]+\/attachments\?name=faux\.pdf$/];

let campaign;
let browser;
let holderCtx;       // the first holder's phone, kept from the call to the results
let holderPage;
let fileId;          // the first holder's file
let secondId;

before(async () => {
  assert.ok(fs.existsSync(budgetdPath), `budgetd not built: ${budgetdPath} (set BUILD_DIR)`);
  // Every code of this test comes from one client network (127.0.0.1): its limit is raised, as
  // harness.mjs raises the residents' [otp] one.
  campaign = new Campaign({ withCall: true, extraToml: () => '\n[holders]\nmax_codes_per_hour = 20\nmax_requests_per_ip_hour = 1000\nnotify_interval_ms = 300\n' });
  await campaign.init({ phase: 'call' });
  await campaign.loadQuestionnaire();
  browser = await launchBrowser();
});

after(async () => {
  if (holderCtx) await holderCtx.close();
  if (browser) await browser.close();
  if (campaign) await campaign.stop();
});

const questions = () => campaign.questionnaire.markers.flatMap((m) => m.questions);

describe('the call for initiatives', () => {
  test('a holder applies on a phone: sign-in by code, the form saved as they type, a PDF, the self-assessment and its radar, then submits', async () => {
    holderCtx = await newContext(browser, phone);
    const page = await holderCtx.newPage();
    holderPage = page;
    watch(page, holderAllowed);

    // Residents find the holders' space from any page.
    await page.goto(`${campaign.base}/`);
    await page.getByRole('contentinfo').getByRole('link', { name: 'Porteurs de projet' }).click();
    await page.waitForURL(/\/porteurs\/$/);
    await page.getByRole('heading', { name: 'Accéder à mon espace' }).waitFor();
    await checkPage(page, 'porteurs-connexion');

    // A code that is not 6 digits is refused in the page.
    await page.getByLabel('Adresse électronique').fill(first.email);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.getByLabel('Code à 6 chiffres').fill('12a');
    await page.getByRole('button', { name: 'Me connecter' }).click();
    await page.locator('#code-error', { hasText: 'Le code comporte 6 chiffres' }).waitFor();
    await page.getByRole('button', { name: 'Changer d’adresse' }).click();
    await signInInBrowser(page, campaign.base, campaign.outbox, first.email);
    // The call's dates and state (from the campaign, or from the holder's list once signed in).
    await page.locator('#call-info', { hasText: 'L’appel à initiatives est ouvert jusqu’au' }).waitFor();
    assert.match(await page.locator('#file-list').innerText(), /Vous n’avez pas encore de dossier/);
    assert.match(await page.locator('#signed-in-as').innerText(), new RegExp(first.email.replace(/\./g, '\\.')));
    await checkPage(page, 'porteurs-dossiers-vide');

    await page.getByRole('button', { name: 'Nouveau dossier' }).click();
    await page.waitForURL(/\/porteurs\/dossier\.html\?id=d-[0-9a-f]{10}$/);
    fileId = new URL(page.url()).searchParams.get('id');
    await page.getByRole('group', { name: 'Votre structure' }).waitFor();
    assert.equal(await page.getByLabel('Adresse électronique de contact').inputValue(), first.email, 'the contact address starts as the holder’s');

    // Votre structure: a SIRET whose key is wrong is said at its field once saved, then fixed.
    await page.getByLabel('Nom de la structure ou du collectif').fill(first.holder);
    await page.getByLabel('Forme juridique').selectOption('association');
    const siret = page.getByLabel('Numéro SIRET');
    await siret.fill(wrongSiret('4823915670001'));
    await page.locator('#f-siret[aria-invalid="true"]').waitFor();
    assert.ok((await page.locator('#f-siret-error').innerText()).length > 5, 'the SIRET’s problem is worded');
    await page.locator('#autosave', { hasText: /Brouillon enregistré à \d{1,2}\u00a0h/ }).waitFor();
    const good = siretFrom('4823915670001');
    await siret.fill(`${good.slice(0, 3)} ${good.slice(3, 6)} ${good.slice(6, 9)} ${good.slice(9)}`);
    await page.locator('#f-siret:not([aria-invalid])').waitFor();

    // Contact.
    await page.getByLabel('Nom de la personne à contacter').fill('Karim Benali');
    await page.getByLabel('Téléphone (facultatif)').fill('03 21 45 67 89');

    // L’initiative: the commune from the official list, and its territory.
    const communes = await (await fetch(`${campaign.base}/api/v1/communes`)).json();
    const lens = communes.communes.find((c) => c.code === '62498');
    const lensTerritory = communes.territories.find((t) => t.id === lens.territory).label;
    await page.getByRole('combobox', { name: 'Commune où l’initiative a lieu' }).fill('Lens');
    await page.getByRole('option', { name: /^Lens \(/ }).click();
    await page.locator('#f-commune-territory', { hasText: `Territoire\u00a0: ${lensTerritory}` }).waitFor();
    await page.getByLabel('Titre de l’initiative').fill(first.title);
    await page.getByLabel('Résumé', { exact: true }).fill(first.summary);
    assert.match(await page.locator('#f-summary-count').innerText(), new RegExp(`^${[...first.summary].length} caractères sur 400`));
    await page.getByLabel('Description', { exact: true }).fill(first.description);
    const caps = await page.locator('#caps-list').innerText();
    for (const c of campaign.questionnaire.categories) assert.match(caps, new RegExp(c.label.replace(/[()]/g, '.')), `the cap of ${c.id} is listed`);
    await page.getByLabel('Montant demandé, en euros').fill(first.amount);

    // Saved 800 ms after the typing stops, with the time said.
    await page.locator('#autosave', { hasText: /Brouillon enregistré à \d{1,2}\u00a0h/ }).waitFor();
    await page.waitForFunction(async (url) => {
      const r = await fetch(url, { credentials: 'same-origin' });
      const a = await r.json();
      return a.requested_eur === 6000 && a.commune === '62498' && a.description.length > 50;
    }, `/api/v1/holder/applications/${fileId}`);

    // Not yet complete: the page says what is left, and the submission lists it.
    assert.match(await page.locator('#submit-check').innerText(), /Il reste \d+ points? à compléter/);

    // The self-assessment, question by question, and the holder's own radar.
    for (const [i, q] of questions().entries()) {
      await page.locator(`label[for="sa-${q.id}-${i % 3 === 0 ? 4 : 3}"]`).click();
    }
    await page.locator('#autosave', { hasText: /Brouillon enregistré à/ }).waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('#self-radar');
      return img && !img.hidden && img.complete && img.naturalWidth > 0 && /radar\.svg\?v=\d+$/.test(img.src);
    });
    const alt = await page.locator('#self-radar').getAttribute('alt');
    for (const m of campaign.questionnaire.markers) assert.match(alt, new RegExp(`${m.label.replace(/[()]/g, '.')} \\d+ sur 100`));
    const radarSvg = await page.evaluate(async () => (await fetch(document.querySelector('#self-radar').src)).text());
    assert.match(radarSvg, /^<svg|<\?xml/, 'the radar is an SVG drawing');

    // Attachments: a text file is refused in the page, a file named .pdf that is none by the
    // server, a real PDF is added with its size in French units.
    const input = page.getByLabel('Ajouter des fichiers PDF');
    await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Bonjour') });
    await page.locator('#attachment-input-error', { hasText: '«\u00a0notes.txt\u00a0» n’est pas un fichier PDF' }).waitFor();
    await input.setInputFiles({ name: 'faux.pdf', mimeType: 'application/pdf', buffer: Buffer.from('Ceci n’est pas un PDF.') });
    await page.locator('#attachment-input-error', { hasText: '«\u00a0faux.pdf\u00a0» n’a pas été ajouté' }).waitFor();
    const pdf = minimalPdf('Statuts de la Ressourcerie');
    await input.setInputFiles({ name: 'statuts.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.locator('#attachment-status', { hasText: '«\u00a0statuts.pdf\u00a0» est ajouté.' }).waitFor();
    const listed = await page.locator('#attachment-list').innerText();
    assert.match(listed, /statuts\.pdf/);
    assert.match(listed, new RegExp(`${pdf.length < 1024 ? `${pdf.length}\u00a0octets` : '\\d+\u00a0ko'}`));
    assert.doesNotMatch(listed, /faux\.pdf/);
    // A second file, removed again.
    await input.setInputFiles({ name: 'annexe.pdf', mimeType: 'application/pdf', buffer: minimalPdf('Annexe') });
    await page.locator('#attachment-list', { hasText: 'annexe.pdf' }).waitFor();
    await page.getByRole('button', { name: 'Retirer «\u00a0annexe.pdf\u00a0»' }).click();
    await page.locator('#attachment-status', { hasText: '«\u00a0annexe.pdf\u00a0» est retiré.' }).waitFor();
    assert.doesNotMatch(await page.locator('#attachment-list').innerText(), /annexe\.pdf/);
    assert.match(await page.locator('#attachment-list').innerText(), /statuts\.pdf/);
    assert.equal(await pageScrollsSideways(page), false, 'the form fits a 360 px screen');
    await page.locator('#submit-check', { hasText: 'Votre dossier est complet' }).waitFor();
    await checkPage(page, 'porteurs-dossier-brouillon');

    await page.getByRole('button', { name: 'Déposer le dossier' }).click();
    await page.locator('#page-status', { hasText: 'Votre dossier est déposé.' }).waitFor();
    assert.match(await page.locator('#file-status-line').innerText(), /Déposée/);
    const timeline = await page.locator('#timeline').innerText();
    assert.match(timeline, /Brouillon[\s\S]*Déposée/);
    assert.match(timeline, /le \d{1,2}(er)?\u00a0\p{L}+ \d{4} à \d{1,2}\u00a0h/u);
    await checkPage(page, 'porteurs-dossier-depose');

    // Still editable while the call is open: a change is saved and the file stays déposée.
    await page.getByLabel('Téléphone (facultatif)').fill('03 21 45 67 80');
    await page.locator('#autosave', { hasText: /Modifications enregistrées à/ }).waitFor();

    await page.getByRole('link', { name: '← Mes dossiers' }).click();
    const item = page.locator('#file-list li', { hasText: first.title });
    await item.waitFor();
    assert.match(await item.innerText(), /Déposée/);
    assert.match(await item.innerText(), /Mis à jour le \d{1,2}(er)?\u00a0\p{L}+ \d{4}/u);
    await checkPage(page, 'porteurs-dossiers');
  });

  test('the Mission declares a second file irrecevable with a reason, which its holder reads, and admits the first', async () => {
    const other = await new HolderClient(campaign.base, campaign.outbox, second.email).signIn();
    const submitted = await other.submitComplete({ ...second.fields, self_assessment: campaign.answersAll(2) },
      { name: 'budget.pdf', bytes: minimalPdf('Budget') });
    secondId = submitted.id;
    assert.equal(submitted.status, 'deposee');

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watch(page);
    await loginInBrowser(page, campaign.base, 'mission');
    await page.getByRole('navigation').getByRole('link', { name: 'Candidatures' }).click();
    await page.waitForURL(/\/mission\/candidatures\.html$/);
    const table = page.locator('#applications-table');
    await table.getByRole('row', { name: new RegExp(first.title) }).waitFor();
    assert.match(await table.innerText(), new RegExp(second.fields.title));
    assert.match(await page.locator('#counts').innerText(), /2\s+Déposées/);
    await checkPage(page, 'mission-candidatures');

    // Filters: by territory (Arras is not Lens), then by status.
    await page.getByLabel('Territoire').selectOption({ label: 'Arrageois' });
    await page.locator('#list-count', { hasText: '1 candidature affichée' }).waitFor();
    assert.match(await table.innerText(), new RegExp(second.fields.title));
    assert.doesNotMatch(await table.innerText(), new RegExp(first.title));
    assert.match(page.url(), /territory=arrageois/);
    await page.getByLabel('Territoire').selectOption('');
    await page.getByLabel('Statut').selectOption({ label: 'Irrecevable' });
    await page.locator('#list-count', { hasText: '0 candidature affichée' }).waitFor();
    await page.getByLabel('Statut').selectOption({ label: 'Déposée' });
    await page.locator('#list-count', { hasText: '2 candidatures affichées' }).waitFor();

    // The second file: irrecevable, the reason required.
    await table.getByRole('link', { name: second.fields.title }).click();
    await page.getByRole('heading', { level: 1, name: second.fields.title }).waitFor();
    assert.match(await page.locator('#detail-facts').innerText(), /Collectif d’habitants/);
    assert.match(await page.locator('#detail-attachments').innerText(), /budget\.pdf/);
    await page.waitForFunction(() => { const i = document.querySelector('#detail-radar'); return i && !i.hidden && i.complete && i.naturalWidth > 0; });
    await checkPage(page, 'mission-candidature');
    await page.getByRole('radio', { name: /^Irrecevable/ }).check();
    await page.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await page.locator('#decision-reason-error', { hasText: 'Indiquez le motif' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'decision-reason');
    await page.getByLabel('Motif').fill(reason);
    await page.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await page.locator('#detail-status', { hasText: 'le dossier est irrecevable' }).waitFor();
    assert.match(await page.locator('#detail-timeline').innerText(), /Irrecevable[\s\S]*Le projet a lieu hors du Pas-de-Calais/);
    assert.equal(await page.locator('#admissibility-form').isHidden(), true);

    // The first file: recevable; its PDF downloads as sent.
    await page.getByRole('link', { name: '← Toutes les candidatures' }).click();
    await table.getByRole('link', { name: first.title }).click();
    await page.getByRole('heading', { level: 1, name: first.title }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'),
      page.locator('#detail-attachments').getByRole('link', { name: /statuts\.pdf/ }).click()]);
    const bytes = fs.readFileSync(await download.path());
    assert.equal(bytes.subarray(0, 8).toString('latin1'), '%PDF-1.4');
    assert.deepEqual(bytes, minimalPdf('Statuts de la Ressourcerie'));
    await page.getByRole('radio', { name: /^Recevable/ }).check();
    await page.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await page.locator('#detail-status', { hasText: 'le dossier est recevable' }).waitFor();
    await checkPage(page, 'mission-candidature-recevable');
    const initiatives = (await (await campaign.staff('mission')).call('GET', '/api/v1/admin/initiatives')).json.initiatives;
    const made = initiatives.find((i) => i.title === first.title);
    assert.ok(made, 'the admissible file is an initiative for the committee');
    assert.equal(made.requested_eur, 6000);
    assert.equal(made.holder, first.holder);
    assert.equal(initiatives.some((i) => i.title === second.fields.title), false, 'an irrecevable file is no initiative');
    w.assertClean();
    await ctx.close();

    // The second holder reads the decision and its reason on their phone.
    const hctx = await newContext(browser, phone);
    const hpage = await hctx.newPage();
    watch(hpage, holderAllowed);
    await signInInBrowser(hpage, campaign.base, campaign.outbox, second.email);
    const item = hpage.locator('#file-list li', { hasText: second.fields.title });
    assert.match(await item.innerText(), /Irrecevable/);
    await item.getByRole('link').click();
    await hpage.locator('#file-status-line', { hasText: 'Irrecevable' }).waitFor();
    assert.match(await hpage.locator('#file-status-line').innerText(), /Motif\u00a0: Le projet a lieu hors du Pas-de-Calais/);
    assert.match(await hpage.locator('#timeline').innerText(), /Irrecevable[\s\S]*Motif\u00a0: Le projet a lieu hors du Pas-de-Calais/);
    assert.equal(await hpage.getByRole('button', { name: 'Déposer le dossier' }).count(), 0);
    assert.equal(await hpage.getByLabel('Titre de l’initiative').isDisabled(), true, 'a decided file is read-only');
    await checkPage(hpage, 'porteurs-dossier-irrecevable');
    await hctx.close();
  });
});

describe('after the call: labelling, vote and results', () => {
  let initiativeId;

  before(async () => { await campaign.start('labelling'); });

  test('once the call is closed, the file is read-only; three members evaluate it and one labels it', async () => {
    const admin = await campaign.staff('mission');
    initiativeId = (await admin.call('GET', '/api/v1/admin/initiatives')).json.initiatives.find((i) => i.title === first.title).id;
    const page = holderPage;
    await page.goto(`${campaign.base}/porteurs/dossier.html?id=${fileId}`);
    await page.locator('#file-status-line', { hasText: 'Recevable' }).waitFor();
    assert.equal(await page.getByLabel('Titre de l’initiative').isDisabled(), true);
    assert.equal(await page.getByLabel('Ajouter des fichiers PDF').isVisible(), false);

    await campaign.review(initiativeId, ['camille', 'dominique', 'eliott'], 3, { decision: 'label', category: 'cooperation' });

    // The committee sees the holder's own radar beside its own, and the file as deposited.
    const committeeCtx = await newContext(browser);
    const committee = await committeeCtx.newPage();
    await loginInBrowser(committee, campaign.base, 'camille');
    await committee.goto(`${campaign.base}/comite/initiative.html?id=${encodeURIComponent(initiativeId)}`);
    await committee.locator('#holder-radar-section').waitFor();
    await committee.waitForFunction(() => {
      const img = document.querySelector('#holder-radar-img');
      return img && img.complete && img.naturalWidth > 0;
    });
    for (const m of campaign.questionnaire.markers) {
      assert.match(await committee.locator('#holder-radar-img').getAttribute('alt'), new RegExp(`${m.label.replace(/[()]/g, '.')} \\d+`));
    }
    const holderFile = committee.locator('#holder-file');
    assert.match(await holderFile.innerText(), new RegExp(first.holder));
    await holderFile.getByRole('link', { name: /statuts\.pdf/ }).waitFor();
    await checkPage(committee, 'comite-initiative-dossier-porteur');
    await committeeCtx.close();

    await page.reload();
    await page.locator('#file-status-line', { hasText: 'Labellisée' }).waitFor();
    assert.match(await page.locator('#timeline').innerText(), /Déposée[\s\S]*Recevable[\s\S]*Labellisée/);
    await checkPage(page, 'porteurs-dossier-labellise');
  });

  test('on the ballot, a resident votes for it; after publication the holder’s page says what the results say', async () => {
    await campaign.start('voting');
    const ballot = await (await fetch(`${campaign.base}/api/v1/initiatives`)).json();
    assert.ok(ballot.some((i) => i.id === initiativeId), 'the admitted and labelled file is on the ballot');
    await holderPage.reload();
    await holderPage.locator('#file-status-line', { hasText: 'Au vote' }).waitFor();
    await voteThroughApi(campaign.base, campaign.outbox,
      { email: 'yasmine@exemple.fr', first_name: 'Yasmine', last_name: 'Haddad', birth_date: '1988-03-02', commune: '62498' }, [initiativeId]);

    await campaign.start('closed');
    const mission = await campaign.staff('mission');
    let r = await mission.call('POST', '/api/v1/admin/tally', { rule: 'greedy' });
    assert.equal(r.status, 200, r.text);
    r = await mission.call('POST', '/api/v1/admin/publish');
    assert.equal(r.status, 200, r.text);
    const results = await (await fetch(`${campaign.base}/api/v1/results`)).json();
    assert.equal(results.document.votes[initiativeId], 1);
    const won = results.document.winners.some((w) => (w.id || w) === initiativeId);

    await holderPage.reload();
    const expected = won ? 'Lauréate' : 'Non retenue';
    await holderPage.locator('#file-status-line', { hasText: expected }).waitFor();
    assert.match(await holderPage.locator('#timeline').innerText(), new RegExp(`Au vote[\\s\\S]*${expected}`));
    await checkPage(holderPage, 'porteurs-dossier-resultat');
    await holderPage.getByRole('link', { name: '← Mes dossiers' }).click();
    await holderPage.locator('#file-list li', { hasText: expected }).waitFor();

    // Each status reached the holder by e-mail too (the outbox): the last one names the result.
    const told = won ? 'est lauréat' : 'n’est pas retenu';
    let subjects = [];
    for (let i = 0; i < 100 && !subjects.some((t) => t.includes(told)); i++) {
      subjects = fs.readFileSync(campaign.outbox, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
        .filter((m) => m.email === first.email && m.subject).map((m) => m.subject);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const part of ['est déposé', 'est recevable', told]) {
      assert.ok(subjects.some((t) => t.includes(part)), `an e-mail says « ${part} » (got ${subjects.join(' | ')})`);
    }
    assert.equal(new Set(subjects).size, subjects.length, 'no status is told twice');
  });
});
