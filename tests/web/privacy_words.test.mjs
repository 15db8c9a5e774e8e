// The words of the notice pages (web/js/privacy-words.js): the figures of GET /api/v1/privacy
// written out for residents, and what an unset fact says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  TO_COMPLETE, afterPublication, afterPublicationDated, days, duration, fact, longDate, longDateTime,
} from '../../web/js/privacy-words.js';

const nb = '\u00a0';

describe('durations in words', () => {
  test('in the largest whole unit, singular and plural', () => {
    assert.equal(duration(600), `10${nb}minutes`);
    assert.equal(duration(1800), `30${nb}minutes`);
    assert.equal(duration(60), `1${nb}minute`);
    assert.equal(duration(3600), `1${nb}heure`);
    assert.equal(duration(28800), `8${nb}heures`);
    assert.equal(duration(43200), `12${nb}heures`);
    assert.equal(duration(86400), `1${nb}jour`);
    assert.equal(duration(172800), `2${nb}jours`);
    assert.equal(duration(90), `90${nb}secondes`);
    assert.equal(duration(5400), `90${nb}minutes`);
  });
  test('a figure that is no duration says it is to be completed', () => {
    assert.equal(duration(undefined), TO_COMPLETE);
    assert.equal(duration(-1), TO_COMPLETE);
    assert.equal(duration('dix'), TO_COMPLETE);
    assert.equal(duration(null), TO_COMPLETE);
  });
  test('days', () => {
    assert.equal(days(1), `1${nb}jour`);
    assert.equal(days(365), `365${nb}jours`);
    assert.equal(days(1.5), TO_COMPLETE);
  });
});

describe('deadlines counted from the publication', () => {
  test('written out, and "dès" for none', () => {
    assert.equal(afterPublication(30), `30${nb}jours après la publication des résultats`);
    assert.equal(afterPublication(1), `1${nb}jour après la publication des résultats`);
    assert.equal(afterPublication(0), 'dès la publication des résultats');
    assert.equal(afterPublication(null), TO_COMPLETE);
  });
  test('with their date once the results are published, in Paris', () => {
    assert.equal(afterPublicationDated(30, '2026-11-11T23:30:00Z'),
      `30${nb}jours après la publication des résultats, soit le 12 novembre 2026`);
    assert.equal(afterPublicationDated(30, null), `30${nb}jours après la publication des résultats`);
    assert.equal(afterPublicationDated(30, 'plus tard'), `30${nb}jours après la publication des résultats`);
  });
  test('the first of the month is written "1er"', () => {
    assert.equal(longDate('2026-11-01T10:00:00+01:00'), '1er novembre 2026');
    assert.equal(longDate('2026-11-11T10:00:00+01:00'), '11 novembre 2026');
    assert.equal(longDate(null), null);
  });
  test('the vote\'s opening and closing with their hour, in Paris', () => {
    assert.equal(longDateTime('2026-08-31T22:00:00Z'), '1er septembre 2026 à 00:00');
    assert.equal(longDateTime('2026-09-30T23:59:59+02:00'), '30 septembre 2026 à 23:59');
    assert.equal(longDateTime('demain'), null);
  });
});

describe('facts of [privacy]', () => {
  test('as given, trimmed; empty says it is to be completed', () => {
    assert.equal(fact('  Département du Pas-de-Calais '), 'Département du Pas-de-Calais');
    assert.equal(fact(''), 'à compléter par le Département');
    assert.equal(fact('   '), TO_COMPLETE);
    assert.equal(fact(undefined), TO_COMPLETE);
  });
});
