// Which commune a resident meant, from what they typed: pure functions over the list of
// GET /api/v1/communes ({code, name, postal_codes}), no DOM, unit-tested by node --test
// (tests/web/commune_match.test.mjs).
//
// Only an exact answer is accepted: the commune's name (ignoring case, accents, hyphens and
// apostrophes: "saint omer" is Saint-Omer), its INSEE code, one of its postal codes, or the
// label of the list ("Arras (62000)"). "Lille" is never Lillers and "Paris" never
// Le Touquet-Paris-Plage: prefixes and substrings only make suggestions. A postal code shared by
// several communes asks the resident to choose.

/** The form of a name that comparisons use: no accent, lower case, one space between words. */
export function normalise(text) {
  return String(text ?? '')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe').replace(/æ/g, 'ae')
    .replace(/[’'`‐‑–—_.\-\s\u00a0\u202f]+/g, ' ')
    .trim();
}

/** The name as a resident reads it: the official list writes straight apostrophes. */
export function displayName(c) {
  return c.name.replace(/'/g, '’');
}

/** The label of a commune in the list: "Arras (62000)". */
export function label(c) {
  return `${displayName(c)} (${c.postal_codes.join(', ')})`;
}

const DIGITS = /^\d{5}$/;
// The INSEE code of a commune of Corsica has a letter: 2A004.
const INSEE = /^(\d{5}|2[ab]\d{3})$/i;

/**
 * Every commune that `text` names exactly: by INSEE code, postal code, name or label.
 * Several when a postal code or a name is shared; none when nothing is exact.
 */
export function exactMatches(communes, text) {
  const raw = String(text ?? '').trim();
  if (!raw) return [];
  const compact = raw.replace(/\s+/g, '');
  if (DIGITS.test(compact) || INSEE.test(compact)) {
    const code = compact.toUpperCase();
    const byInsee = communes.filter((c) => c.code.toUpperCase() === code);
    const byPostal = communes.filter((c) => c.postal_codes.includes(code) && !byInsee.includes(c));
    return [...byInsee, ...byPostal];
  }
  const wanted = normalise(raw);
  const named = communes.filter((c) => normalise(c.name) === wanted);
  if (named.length) return named;
  // The label of the list, as a pick fills the field (possibly edited back to the same text).
  return communes.filter((c) => normalise(label(c)) === wanted);
}

/**
 * The commune `text` names, or why there is none:
 *   {commune}                        exactly one
 *   {problem: 'empty'}
 *   {problem: 'several', candidates} a shared postal code or name: choose in the list
 *   {problem: 'none', suggestions}   nothing exact; suggestions start with or contain the text
 */
export function resolveCommune(communes, text) {
  if (!String(text ?? '').trim()) return { problem: 'empty' };
  const exact = exactMatches(communes, text);
  if (exact.length === 1) return { commune: exact[0] };
  if (exact.length > 1) return { problem: 'several', candidates: exact };
  return { problem: 'none', suggestions: suggestions(communes, text) };
}

/**
 * What the list proposes while typing (at least 2 characters): exact answers first, then the
 * names that start with the text (or with "saint " and the text), then those that contain it;
 * for digits, the postal and INSEE codes that start with them.
 */
export function suggestions(communes, text, limit = 30) {
  const raw = String(text ?? '').trim().replace(/\s*\([^)]*\)?\s*$/, '');
  const q = normalise(raw);
  if (q.length < 2) return [];
  const exact = exactMatches(communes, text);
  const seen = new Set(exact);
  const out = [...exact];
  const add = (c) => { if (!seen.has(c)) { seen.add(c); out.push(c); } };
  if (/^\d+$/.test(q.replace(/ /g, ''))) {
    const digits = q.replace(/ /g, '');
    for (const c of communes) {
      if (c.postal_codes.some((p) => p.startsWith(digits)) || c.code.startsWith(digits)) add(c);
    }
    return out.slice(0, limit);
  }
  const contains = [];
  for (const c of communes) {
    const name = normalise(c.name);
    if (name.startsWith(q) || name.startsWith(`saint ${q}`) || name.startsWith(`sainte ${q}`)) add(c);
    else if (name.includes(q)) contains.push(c);
  }
  contains.forEach(add);
  return out.slice(0, limit);
}
