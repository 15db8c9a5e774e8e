// The commune a resident meant (web/js/commune-match.js): only exact answers are accepted, the
// rest only suggests. Communes taken from the Pas-de-Calais list the engine serves.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exactMatches, label, normalise, resolveCommune, suggestions } from '../../web/js/commune-match.js';

const communes = [
  { code: '62041', name: 'Arras', postal_codes: ['62000'] },
  { code: '62250', name: 'Dainville', postal_codes: ['62000'] },
  { code: '62100', name: 'Beaurainville', postal_codes: ['62990'] },
  { code: '62193', name: 'Calais', postal_codes: ['62100'] },
  { code: '62516', name: 'Lillers', postal_codes: ['62190'] },
  { code: '62633', name: 'Œuf-en-Ternois', postal_codes: ['62130'] },
  { code: '62765', name: 'Saint-Omer', postal_codes: ['62500'] },
  { code: '62766', name: 'Saint-Omer-Capelle', postal_codes: ['62162'] },
  { code: '62826', name: 'Le Touquet-Paris-Plage', postal_codes: ['62520'] },
  { code: '62189', name: "Camblain-l'Abbé", postal_codes: ['62690'] },
];
const named = (text) => resolveCommune(communes, text).commune?.name ?? null;

describe('an exact name is accepted whatever its case, accents, hyphens and apostrophes', () => {
  test('the name as written, and as typed on a phone', () => {
    assert.equal(named('Saint-Omer'), 'Saint-Omer');
    assert.equal(named('saint omer'), 'Saint-Omer');
    assert.equal(named('  SAINT--OMER '), 'Saint-Omer');
    assert.equal(named('oeuf en ternois'), 'Œuf-en-Ternois');
    assert.equal(named('Camblain l’abbe'), "Camblain-l'Abbé");
    assert.equal(named('camblain-l abbé'), "Camblain-l'Abbé");
  });
  test('the label of the list, as a pick fills the field', () => {
    assert.equal(label(communes[6]), 'Saint-Omer (62500)');
    assert.equal(label(communes[9]), 'Camblain-l’Abbé (62690)');
    assert.equal(named('Saint-Omer (62500)'), 'Saint-Omer');
    assert.equal(named('Camblain-l’Abbé (62690)'), "Camblain-l'Abbé");
  });
  test('normalise folds what a keyboard varies', () => {
    assert.equal(normalise(' Le Touquet-Paris-Plage '), 'le touquet paris plage');
    assert.equal(normalise('Saint\u00a0Omer'), 'saint omer');
  });
});

describe('a prefix or a substring is never taken for a commune', () => {
  test('"Lille" is not Lillers', () => {
    const r = resolveCommune(communes, 'Lille');
    assert.equal(r.problem, 'none');
    assert.deepEqual(r.suggestions.map((c) => c.name), ['Lillers']);
  });
  test('"Paris" is not Le Touquet-Paris-Plage', () => {
    const r = resolveCommune(communes, 'Paris');
    assert.equal(r.problem, 'none');
    assert.deepEqual(r.suggestions.map((c) => c.name), ['Le Touquet-Paris-Plage']);
  });
  test('"Saint-Omer" is Saint-Omer, not Saint-Omer-Capelle, which is only suggested after it', () => {
    assert.equal(named('Saint-Omer'), 'Saint-Omer');
    assert.deepEqual(suggestions(communes, 'saint omer').map((c) => c.name), ['Saint-Omer', 'Saint-Omer-Capelle']);
  });
  test('"omer" suggests the Saint-Omer communes but picks none', () => {
    assert.equal(named('omer'), null);
    assert.deepEqual(suggestions(communes, 'omer').map((c) => c.name), ['Saint-Omer', 'Saint-Omer-Capelle']);
  });
  test('nothing typed, or a partial code, names nothing', () => {
    assert.equal(resolveCommune(communes, '  ').problem, 'empty');
    assert.equal(named('620'), null);
    assert.equal(named('6204'), null);
  });
});

describe('codes: INSEE or postal, accepted only when they name one commune', () => {
  test('an INSEE code', () => {
    assert.equal(named('62765'), 'Saint-Omer');
  });
  test('a postal code of one commune', () => {
    assert.equal(named('62500'), 'Saint-Omer');
    assert.equal(named('62 190'), 'Lillers');
  });
  test('a postal code shared by two communes asks to choose', () => {
    const r = resolveCommune(communes, '62000');
    assert.equal(r.problem, 'several');
    assert.deepEqual(r.candidates.map((c) => c.name).sort(), ['Arras', 'Dainville']);
  });
  test('a code that is one commune\'s INSEE code and another\'s postal code asks to choose', () => {
    const r = resolveCommune(communes, '62100');
    assert.equal(r.problem, 'several');
    assert.deepEqual(r.candidates.map((c) => c.name), ['Beaurainville', 'Calais']);
  });
  test('a code of no commune of the list', () => {
    const r = resolveCommune(communes, '59350');
    assert.equal(r.problem, 'none');
    assert.deepEqual(r.suggestions, []);
  });
  test('digits suggest the communes whose codes start with them', () => {
    assert.deepEqual(suggestions(communes, '6200').map((c) => c.name), ['Arras', 'Dainville']);
  });
});
