// French typography in every text a resident reads (issue 13): a typographic apostrophe (’),
// a narrow no-break space (U+202F) before ; ! ? and a no-break space (U+00A0) before : and
// inside « », and no keyboard-only wording. Read from the sources: the resident pages (their
// text and front matter), the string literals of their scripts, and the data shown to
// residents. The API's messages are checked by tests/server/api/errors_test.cpp.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { htmlTexts, jsStrings, keyboardOnly, typographyProblems } from './support/french-text.mjs';
import * as privacyWords from '../../web/js/privacy-words.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pages = ['index', 'initiatives', 'voter', 'recu', 'verifier', 'resultats', 'accessibilite',
  'porteurs/index', 'porteurs/dossier',
  // issue 18: the notice pages, and the footer that links them from every page
  'donnees-personnelles', 'mentions-legales', 'templates/partials/footer']
  .map((p) => `web/${p}.html`);
const scripts = [
  ...['home', 'initiatives', 'vote', 'receipt', 'verify', 'results', 'holder-common', 'holder-home',
    'holder-application', 'privacy'].map((p) => `web/js/pages/${p}.js`),
  ...['api', 'combobox', 'state', 'ui', 'verify-core', 'commune-match', 'privacy-words']
    .map((p) => `web/js/${p}.js`),
  'tests/browser/support/dev-campaign.mjs',
];

// Strings of a script that are no French text: selectors, ids, URLs, formats.
const notText = (s) => !/\p{L}{2,}[\s\u00a0\u202f]/u.test(s) && !/\p{L}'\p{L}/u.test(s);

function breaches(file, items) {
  const out = [];
  for (const { text, line } of items) {
    if (notText(text)) continue;
    for (const p of typographyProblems(text)) out.push(`${file}:${line}: ${p} in ${JSON.stringify(text.slice(0, 100))}`);
    if (keyboardOnly(text)) out.push(`${file}:${line}: keyboard-only wording in ${JSON.stringify(text.slice(0, 100))}`);
  }
  return out;
}

const read = (file) => fs.readFileSync(path.join(root, file), 'utf8');

describe('the checks themselves', () => {
  test('each breach is caught', () => {
    assert.ok(typographyProblems("l'adresse").length);
    assert.ok(typographyProblems('Réessayez ; rien').length);
    assert.ok(typographyProblems('Réessayez\u00a0; rien').length, 'a wide no-break space before ;');
    assert.ok(typographyProblems('Vraiment ?').length);
    assert.ok(typographyProblems('Vraiment?').length);
    assert.ok(typographyProblems('Étape 1 sur 5 : vos choix').length);
    assert.ok(typographyProblems('le champ « x »').length);
    assert.ok(keyboardOnly('choisissez avec les flèches et Entrée'));
    assert.deepEqual(typographyProblems('Étape 1\u00a0: «\u00a0x\u00a0» l’adresse\u202f; vraiment\u202f? à 12:30'), []);
  });
  test('string literals are read without regular expressions, comments or code', () => {
    const src = "const a = /[' ]+/g; // l'avis : x\nconst b = x ? 'l’a' : `n ${y ? 'c ; d' : ''} : e`;";
    assert.deepEqual(jsStrings(src).map((s) => s.text), ['l’a', 'n ', 'c ; d', '', ' : e']);
  });
  test('page text is read with its front matter and labels, without tags', () => {
    const texts = htmlTexts('---\ntitle: A : b\nscript: /x.js\n---\n<p class="a b">Texte ?</p><input aria-label="C : d">').map((t) => t.text);
    assert.deepEqual(texts, ['A : b', 'Texte ?', 'C : d']);
  });
});

describe('the resident pages', () => {
  for (const file of pages) {
    test(file, () => assert.deepEqual(breaches(file, htmlTexts(read(file))), []));
  }
});

describe('the scripts of the resident pages', () => {
  for (const file of scripts) {
    test(file, () => assert.deepEqual(breaches(file, jsStrings(read(file))), []));
  }
});

describe('the data shown to residents', () => {
  test('territory, marker and category labels', () => {
    const out = [];
    for (const file of ['config/territories.toml', 'config/questionnaire.toml']) {
      const items = [...read(file).matchAll(/^(?:label|text)\s*=\s*"([^"]*)"/gm)].map((m) => ({ text: m[1], line: 0 }));
      out.push(...breaches(file, items));
    }
    assert.deepEqual(out, []);
  });
  test('the demo initiatives', () => {
    const list = JSON.parse(read('config/demo-initiatives.json'));
    const items = (Array.isArray(list) ? list : list.initiatives)
      .flatMap((i) => [i.title, i.summary, i.holder]).map((text) => ({ text, line: 0 }));
    assert.deepEqual(breaches('config/demo-initiatives.json', items), []);
  });
  test('the demo seeding script', () => {
    const items = [...read('scripts/seed-demo.py').matchAll(/"([^"\n]*)"/g)].map((m) => ({ text: m[1], line: 0 }));
    assert.deepEqual(breaches('scripts/seed-demo.py', items), []);
  });
});

describe('the sentences the notice pages build (web/js/privacy-words.js)', () => {
  // Every figure the configuration may give, written out as the pages write it.
  test('durations, deadlines and dates', () => {
    const built = [
      ...[0, 1, 59, 60, 600, 1800, 3600, 7200, 28800, 43200, 86400, 172800, 1000000].map(privacyWords.duration),
      ...[0, 1, 2, 30, 365, 1000].map(privacyWords.days),
      ...[0, 1, 30, 365].map((n) => privacyWords.afterPublication(n)),
      ...[0, 1, 30].map((n) => privacyWords.afterPublicationDated(n, '2026-11-01T10:00:00+01:00')),
      privacyWords.longDate('2026-10-12T18:30:00+02:00'),
      privacyWords.longDateTime('2026-09-01T00:00:00+02:00'),
      privacyWords.fact(''),
      privacyWords.TO_COMPLETE,
    ];
    const out = [];
    for (const text of built) {
      for (const p of typographyProblems(text)) out.push(`${p} in ${JSON.stringify(text)}`);
    }
    assert.deepEqual(out, []);
  });
});
