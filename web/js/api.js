// Calls to the budgetd API with French messages for every failure: the API's own message when it
// sends one ({"error":{"code","message"}}), a message by status otherwise, and one for the network.

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;           // the whole `error` object (rows, problems, gate...)
    this.retryAfter = null;
  }
}

const byStatus = {
  400: 'La demande est mal formée. Rechargez la page et réessayez.',
  401: 'Vous devez être identifié pour effectuer cette action.',
  403: "Vous n’avez pas le droit d’effectuer cette action.",
  404: "Ce que vous cherchez n’existe pas (ou pas encore).",
  409: "La demande est en conflit avec l’état actuel. Rechargez la page.",
  413: 'Les données envoyées sont trop volumineuses.',
  422: 'Les informations saisies ne sont pas valides.',
  429: 'Trop de tentatives. Patientez quelques instants avant de réessayer.',
  500: 'Une erreur interne est survenue ; rien n’a été enregistré. Réessayez plus tard.',
  502: 'Le service est momentanément inaccessible. Réessayez dans quelques instants.',
  503: 'Le service est momentanément indisponible. Réessayez dans quelques instants ; rien n’a été enregistré.',
  504: 'Le service a mis trop de temps à répondre. Réessayez dans quelques instants.',
};

export const networkMessage =
  'Impossible de joindre le service du Budget citoyen : vérifiez votre connexion à Internet, puis réessayez. ' +
  "Si vous étiez en train de voter, rien n’a été enregistré tant qu’aucun reçu ne s’est affiché.";

export function messageForStatus(status) {
  return byStatus[status] || (status >= 500 ? byStatus[500] : `Erreur inattendue (code ${status}).`);
}

let csrfToken = '';
export function setCsrfToken(token) { csrfToken = token || ''; }
export function getCsrfToken() { return csrfToken; }

/**
 * api('GET', '/api/v1/campaign') -> parsed JSON (or text for non-JSON answers).
 * Throws ApiError with a French message. Staff writes carry the CSRF token automatically.
 */
export async function api(method, path, body, { accept = 'json', timeoutMs = 20000, extraHeaders = {} } = {}) {
  const headers = { ...extraHeaders, Accept: accept === 'json' ? 'application/json' : '*/*' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch (e) {
    clearTimeout(timer);
    const err = new ApiError(0, e && e.name === 'AbortError' ? 'timeout' : 'network',
      e && e.name === 'AbortError' ? byStatus[504] : networkMessage);
    throw err;
  }
  clearTimeout(timer);
  const text = await res.text().catch(() => '');
  let data = null;
  const isJson = (res.headers.get('Content-Type') || '').includes('json');
  if (isJson && text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = data && data.error ? data.error : null;
    const err = new ApiError(res.status, e && e.code ? e.code : `http_${res.status}`,
      e && e.message ? e.message : messageForStatus(res.status), e || {});
    const retry = res.headers.get('Retry-After');
    if (retry) err.retryAfter = Number(retry) || null;
    if (err.retryAfter && (res.status === 429 || res.status === 503)) {
      err.message += ` (nouvel essai possible dans ${formatWait(err.retryAfter)}.)`;
    }
    throw err;
  }
  if (accept !== 'json') return text;
  return data !== null ? data : (text ? text : null);
}

function formatWait(seconds) {
  if (seconds < 60) return `${seconds} seconde${seconds > 1 ? 's' : ''}`;
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m > 1 ? 's' : ''}`;
}

/** Text of any error for display. */
export function errorText(e) {
  if (e instanceof ApiError) return e.message;
  return `Une erreur inattendue est survenue dans la page : ${e && e.message ? e.message : e}. Rechargez la page.`;
}
