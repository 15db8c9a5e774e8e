// Helpers of the resident's journeys on a phone (resident.test.mjs): a campaign open for the
// vote, the way to a given step of the vote page, and measures taken in the page.
import assert from 'node:assert/strict';
import { outboxCode, outboxCount } from './harness.mjs';
import { Campaign } from './scenario.mjs';

export const phone = { width: 360, height: 740 };
export const labelled = ['ressourcerie-arras', 'epicerie-solidaire-bethune', 'tiers-lieu-saint-omer', 'conserverie-berck'];

/** A campaign whose vote is open, with four initiatives labelled through the API. */
export async function votingCampaign(options = {}) {
  const c = new Campaign(options);
  await c.init();
  await c.loadQuestionnaire();
  const decide = (category) => ({ decision: 'label', category });
  await c.review(labelled[0], ['camille', 'dominique', 'eliott'], 3, decide('transformation'));
  await c.review(labelled[1], ['camille', 'dominique', 'eliott'], 4, decide('pratique_ess'));
  await c.review(labelled[2], ['camille', 'dominique', 'eliott'], 3, decide('innovation_societale'));
  await c.review(labelled[3], ['camille', 'dominique', 'eliott'], 4, decide('pratique_ess'));
  await c.start('voting');
  return c;
}

/** From the ballot to the code step: one initiative chosen, `email` given, its code read. */
export async function toCodeStep(page, base, outbox, email, initiative = /Ressourcerie/) {
  await page.goto(`${base}/initiatives.html`);
  await page.getByRole('article', { name: initiative }).getByLabel('Choisir cette initiative').check();
  await page.getByRole('link', { name: 'Continuer vers le vote' }).click();
  await page.getByRole('heading', { name: /Étape 1 sur 5/ }).waitFor();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
  const before = outboxCount(outbox, email);
  await page.getByRole('button', { name: 'Recevoir un code' }).click();
  await page.getByRole('heading', { name: /Étape 3 sur 5/ }).waitFor();
  return outboxCode(outbox, email, before);
}

/** Then the right code, up to the identity form. */
export async function toIdentityStep(page, base, outbox, email, initiative) {
  const code = await toCodeStep(page, base, outbox, email, initiative);
  await page.getByLabel('Code à 6 chiffres').fill(code);
  await page.getByRole('button', { name: 'Vérifier le code' }).click();
  await page.getByRole('heading', { name: /Étape 4 sur 5/ }).waitFor();
  return code;
}

/** Fills the identity form (the commune typed, not picked). */
export async function fillIdentity(page, { first, last, day, month, year, commune }) {
  await page.getByLabel('Prénom').fill(first);
  await page.getByLabel('Nom', { exact: true }).fill(last);
  await page.getByLabel('Jour').fill(day);
  await page.getByLabel('Mois').fill(month);
  await page.getByLabel('Année').fill(year);
  await page.getByRole('combobox', { name: 'Commune où vous habitez' }).fill(commune);
}

/** A wrong code for `code`. */
export const wrongCode = (code) => String((Number(code) + 1) % 1000000).padStart(6, '0');

/** The box of an element as the page lays it out now. */
export const box = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, height: r.height, viewport: window.innerHeight, scrollY: window.scrollY };
});

/**
 * French typography of what the page shows in <main> now, data and API messages included: no
 * straight apostrophe between letters, no ordinary space (or none) before ; ! ? : and inside
 * « ». Fails with the lines at fault.
 */
export async function assertFrenchTypography(page, where) {
  // Quotations in another language (lang="en": the signed tie-break rule) keep their own rules.
  const text = await page.locator('main').evaluate((main) => {
    const foreign = [...main.querySelectorAll('[lang]')].filter((el) => !/^fr\b/i.test(el.lang));
    const saved = foreign.map((el) => el.textContent);
    foreign.forEach((el) => { el.textContent = 'x'; });
    const out = main.innerText;
    foreign.forEach((el, i) => { el.textContent = saved[i]; });
    return out;
  });
  const problems = [];
  for (const line of text.split('\n')) {
    if (/\p{L}'\p{L}/u.test(line)) problems.push(`straight apostrophe: ${line}`);
    if (/[ \u00a0][;!?](\s|$)/.test(line) || /\p{L}[;!?](\s|$)/u.test(line)) problems.push(`no U+202F before ; ! ?: ${line}`);
    if (/[ \u202f]:(\s|$)/.test(line) || /\p{L}:(\s|$)/u.test(line)) problems.push(`no U+00A0 before :: ${line}`);
    if (/«[^\u00a0]|[^\u00a0]»/.test(line)) problems.push(`no U+00A0 inside « »: ${line}`);
  }
  assert.deepEqual(problems, [], `French typography on ${where}`);
}
