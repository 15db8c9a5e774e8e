// The receipt's numbers as a resident reads them (web/js/verify-core.js): groups of 4, never a
// lone last character; and a ballot number pasted with its spaces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ballotIdFrom, readingGroups } from '../../web/js/verify-core.js';

test('a ballot number of 32 characters is 8 groups of 4', () => {
  const id = '0123456789abcdef0123456789abcdef';
  assert.deepEqual(readingGroups(id), ['0123', '4567', '89ab', 'cdef', '0123', '4567', '89ab', 'cdef']);
  assert.equal(readingGroups(id).join(''), id);
});

test('the last group is never a single character', () => {
  assert.deepEqual(readingGroups('123456789'), ['1234', '56789']);
  assert.deepEqual(readingGroups('1234567890'), ['1234', '5678', '90']);
  assert.deepEqual(readingGroups('12345'), ['12345']);
  assert.deepEqual(readingGroups('1'), ['1']);
  for (let n = 2; n <= 70; n++) {
    const groups = readingGroups('x'.repeat(n));
    assert.ok(groups.every((g) => g.length >= 2), `${n}: ${groups}`);
    assert.equal(groups.join('').length, n);
  }
});

test('a ballot number pasted in groups, or in capitals, is read back', () => {
  const id = '0123456789abcdef0123456789abcdef';
  assert.equal(ballotIdFrom('0123 4567 89AB CDEF 0123 4567 89ab cdef'), id);
  assert.equal(ballotIdFrom(`\u00a0${id}\n`), id);
  assert.equal(ballotIdFrom('0123 4567'), null);
  assert.equal(ballotIdFrom('zz23456789abcdef0123456789abcdef'), null);
});
