// The words of the notice pages (donnees-personnelles.html, mentions-legales.html) for the facts
// of GET /api/v1/privacy: durations written out ("10 minutes", "30 jours après la publication des
// résultats"), dates in French, and what an unset fact says. No DOM: tested by
// tests/web/privacy_words.test.mjs.

/** What the pages show where the configuration gives nothing (a development setup only:
 *  budgetd requires the controller, the contact and the DPO in production). */
export const TO_COMPLETE = 'à compléter par le Département';

const count = (n, one, many) => `${new Intl.NumberFormat('fr-FR').format(n)}\u00a0${n > 1 ? many : one}`;

// A figure of the JSON: a number, or NaN for anything else (null would otherwise count as 0).
const figure = (n) => (typeof n === 'number' ? n : NaN);

/** A text of [privacy], or TO_COMPLETE when it is empty or missing. */
export function fact(value) {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : TO_COMPLETE;
}

/** A lifetime in seconds, in the largest whole unit: 600 -> "10 minutes", 86400 -> "1 jour". */
export function duration(seconds) {
  const s = figure(seconds);
  if (!Number.isFinite(s) || s < 0) return TO_COMPLETE;
  if (s > 0 && s % 86400 === 0) return count(s / 86400, 'jour', 'jours');
  if (s > 0 && s % 3600 === 0) return count(s / 3600, 'heure', 'heures');
  if (s > 0 && s % 60 === 0) return count(s / 60, 'minute', 'minutes');
  return count(s, 'seconde', 'secondes');
}

/** A number of days, written out: 1 -> "1 jour", 30 -> "30 jours". */
export function days(n) {
  const d = figure(n);
  if (!Number.isInteger(d) || d < 0) return TO_COMPLETE;
  return count(d, 'jour', 'jours');
}

/** "30 jours après la publication des résultats"; 0 -> "dès la publication des résultats". */
export function afterPublication(n) {
  const d = figure(n);
  if (!Number.isInteger(d) || d < 0) return TO_COMPLETE;
  if (d === 0) return 'dès la publication des résultats';
  return `${days(d)} après la publication des résultats`;
}

/** An instant (RFC 3339) as a date in Paris: "12 octobre 2026", "1er novembre 2026"; null or
 *  garbage -> null. */
export function longDate(rfc3339) {
  if (typeof rfc3339 !== 'string' || rfc3339 === '') return null;
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return null;
  const text = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(d);
  return text.replace(/^1(?=\s)/, '1er');  // "1er novembre", as French writes the first day
}

/** An instant with its time in Paris: "1er septembre 2026 à 00:00"; null or garbage -> null. */
export function longDateTime(rfc3339) {
  if (typeof rfc3339 !== 'string' || rfc3339 === '') return null;
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return null;
  const text = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(d);
  return text.replace(/^1(?=\s)/, '1er');
}

/** The same deadline with its date once the results are published: "30 jours après la
 *  publication des résultats, soit le 12 novembre 2026". */
export function afterPublicationDated(n, due) {
  const when = afterPublication(n);
  const date = longDate(due);
  return date && when !== TO_COMPLETE ? `${when}, soit le ${date}` : when;
}
