// What the two pages of an initiative holder share (/porteurs/ and /porteurs/dossier.html): the
// holder's session (GET /api/v1/holder/me, which also gives the CSRF token every write carries),
// the call's dates in a French sentence, the status badges, file sizes in French units and the
// upload of a PDF as raw bytes (the JSON helper of api.js cannot send a file).
import { ApiError, api, messageForStatus, networkMessage, setCsrfToken } from '../api.js';
import { h, number } from '../ui.js';

/** The signed-in holder ({email, csrf_token}), or null when nobody is signed in. */
export async function holderSession() {
  try {
    const me = await api('GET', '/api/v1/holder/me');
    setCsrfToken(me.csrf_token);
    return me;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

const parisParts = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Paris',
});

function parts(rfc3339) {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return null;
  return Object.fromEntries(parisParts.formatToParts(d).map((x) => [x.type, x.value]));
}

/** « 14 h 32 », « 9 h » (Paris time). */
export function clockTime(date) {
  const p = parts(date instanceof Date ? date.toISOString() : date);
  if (!p) return '';
  const hour = Number(p.hour);
  return p.minute === '00' ? `${hour}\u00a0h` : `${hour}\u00a0h\u00a0${p.minute}`;
}

/** « 3 décembre 2026 », « 1er octobre 2026 » (Paris time). */
export function dayPhrase(rfc3339) {
  const p = parts(rfc3339);
  if (!p) return rfc3339 || '';
  return `${p.day === '1' ? '1er' : p.day}\u00a0${p.month} ${p.year}`;
}

/** « le 3 décembre 2026 à 14 h 32 » (Paris time). */
export function whenPhrase(rfc3339) {
  const p = parts(rfc3339);
  if (!p) return rfc3339 || '';
  return `le ${dayPhrase(rfc3339)} à ${clockTime(rfc3339)}`;
}

/** The call for initiatives in one sentence, for its state ("none"|"upcoming"|"open"|"closed"). */
export function callSentence(call) {
  if (!call || !call.state || call.state === 'none') return 'Aucun appel à initiatives n’est ouvert pour cette campagne.';
  if (call.state === 'upcoming') {
    return `L’appel à initiatives ouvrira ${whenPhrase(call.opens)} et se terminera ${whenPhrase(call.closes)}.`;
  }
  if (call.state === 'open') {
    return `L’appel à initiatives est ouvert jusqu’au ${whenPhrase(call.closes).replace(/^le /, '')}\u00a0: vous pouvez créer, compléter et déposer vos dossiers jusque-là.`;
  }
  return `L’appel à initiatives est clos depuis ${whenPhrase(call.closes)}. Vous pouvez toujours suivre ici l’avancement de vos dossiers.`;
}

export const callStateLabels = {
  none: 'Pas d’appel en cours', upcoming: 'Appel à venir', open: 'Appel ouvert', closed: 'Appel clos',
};

const tagKinds = {
  brouillon: 'wait', deposee: 'info', recevable: 'info', irrecevable: 'bad', labellisee: 'ok',
  refusee: 'bad', au_vote: 'info', laureate: 'ok', non_retenue: 'bad',
};

/** The status as a badge: « Brouillon », « Déposée », « Lauréate »... */
export function statusTag(status, label) {
  return h('span', { class: `tag tag--${tagKinds[status] || 'info'}` }, label || status);
}

/** 812 octets, 350 ko, 1,2 Mo (1 ko = 1 024 octets, as the 5 Mo limit counts them). */
export function fileSize(bytes) {
  if (bytes < 1024) return `${number(bytes)}\u00a0octet${bytes > 1 ? 's' : ''}`;
  if (bytes < 1024 * 1024) return `${number(Math.max(1, Math.round(bytes / 1024)))}\u00a0ko`;
  const mo = Math.round((bytes / (1024 * 1024)) * 10) / 10;
  return `${mo.toLocaleString('fr-FR')}\u00a0Mo`;
}

/**
 * POSTs a PDF file as raw bytes (Content-Type: application/pdf) with the CSRF token; resolves to
 * the parsed answer, throws ApiError with the API's French message like api() does.
 */
export async function uploadPdf(path, file, csrfToken, { timeoutMs = 120000 } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/pdf', Accept: 'application/json', 'X-CSRF-Token': csrfToken },
      body: file,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch (e) {
    clearTimeout(timer);
    throw new ApiError(0, 'network', e && e.name === 'AbortError' ? messageForStatus(504) : networkMessage);
  }
  clearTimeout(timer);
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (!res.ok) {
    const e = data && data.error ? data.error : null;
    throw new ApiError(res.status, e && e.code ? e.code : `http_${res.status}`,
      e && e.message ? e.message : messageForStatus(res.status), e || {});
  }
  return data;
}
