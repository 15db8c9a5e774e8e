// What the resident's browser keeps between pages, in this tab only (sessionStorage): the
// initiatives chosen, whether the identity was verified (until when), and the receipt just given.
// Nothing here is sent anywhere except the choices, when the resident confirms.
import { api } from './api.js';

const KEY_SELECTION = 'budget.selection';
const KEY_VERIFIED = 'budget.verified';
const KEY_RECEIPT = 'budget.receipt';
const KEY_EMAIL = 'budget.email';

function read(key, fallback) {
  try {
    const v = sessionStorage.getItem(key);
    return v ? JSON.parse(v) : fallback;
  } catch {
    return fallback;
  }
}
function write(key, value) {
  try {
    if (value === null || value === undefined) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch { /* private mode: the page still works within itself */ }
}

/** [{id, title}] in the order they were chosen. */
export const getSelection = () => read(KEY_SELECTION, []);
export const setSelection = (list) => write(KEY_SELECTION, list);

/** {expires_at, campaign} after a successful verification. */
export function getVerified(campaignId) {
  const v = read(KEY_VERIFIED, null);
  if (!v || v.campaign !== campaignId) return null;
  if (new Date(v.expires_at).getTime() - 30000 < Date.now()) return null;
  return v;
}
export const setVerified = (v) => write(KEY_VERIFIED, v);

export const getReceipt = () => read(KEY_RECEIPT, null);
export const setReceipt = (r) => write(KEY_RECEIPT, r);

export const getEmail = () => read(KEY_EMAIL, '');
export const setEmail = (e) => write(KEY_EMAIL, e);

let campaignPromise = null;
/** GET /api/v1/campaign, once per page. */
export function loadCampaign() {
  if (!campaignPromise) {
    campaignPromise = api('GET', '/api/v1/campaign').catch((e) => { campaignPromise = null; throw e; });
  }
  return campaignPromise;
}
