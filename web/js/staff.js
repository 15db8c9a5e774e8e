// Staff session on the committee and Mission ESS pages: who is logged in (GET /api/v1/admin/me,
// which also gives the CSRF token every write must carry), the header with the logout button, and
// the way back to the login page when the session is missing or expired.
import { api, errorText, setCsrfToken } from './api.js';
import { $, h, notice, render } from './ui.js';

/**
 * A table wider than a phone scrolls inside its frame (.table-wrap): the frame must then be
 * reachable and named for keyboard and screen reader users (axe: scrollable-region-focusable).
 * Every frame of the staff pages, present or added later, is a named, focusable region.
 */
function nameScrollers(root) {
  const frames = root.matches?.('.table-wrap') ? [root] : [...(root.querySelectorAll?.('.table-wrap') || [])];
  for (const frame of frames) {
    if (frame.hasAttribute('tabindex')) continue;
    const caption = frame.querySelector('caption');
    frame.setAttribute('tabindex', '0');
    frame.setAttribute('role', 'region');
    // Named apart from the section that holds it, which often bears the caption's words.
    frame.setAttribute('aria-label', caption ? `Tableau\u00a0: ${caption.textContent.trim()}` : 'Tableau');
  }
}
nameScrollers(document);
new MutationObserver((records) => {
  for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) nameScrollers(n);
}).observe(document.body, { childList: true, subtree: true });

export const roleLabels = { committee: 'comité de labellisation', mission: 'Mission ESS' };

export function loginUrl() {
  const back = window.location.pathname + window.location.search;
  return `/connexion.html?retour=${encodeURIComponent(back)}`;
}

/**
 * Resolves to {username, role, csrf_token}, or redirects to the login page. With `roles`, a
 * member of another role gets an explanation instead of the page.
 */
export async function requireStaff(roles) {
  let me;
  try {
    me = await api('GET', '/api/v1/admin/me');
  } catch (e) {
    if (e.status === 401) {
      window.location.replace(loginUrl());
      return new Promise(() => {});
    }
    const status = $('#page-status');
    if (status) notice(status, 'error', errorText(e));
    throw e;
  }
  setCsrfToken(me.csrf_token);
  renderHeader(me);
  if (roles && !roles.includes(me.role)) {
    const home = me.role === 'mission' ? '/mission/' : '/comite/';
    notice($('#page-status'), 'warn', h('p', {}, `Cette page est réservée ${roles.includes('mission') ? 'à la Mission ESS' : 'au comité de labellisation'}. Vous êtes connecté(e) comme membre ${me.role === 'mission' ? 'de la Mission ESS' : 'du comité de labellisation'}. `,
      h('a', { href: home }, 'Aller à votre espace')));
    const err = new Error('wrong role');
    err.handled = true;
    throw err;
  }
  return me;
}

const navs = {
  committee: { label: 'Navigation du comité', links: [['/comite/', 'Initiatives à évaluer'], ['/comite/journal.html', 'Journal d’audit']] },
  mission: {
    label: 'Navigation de la Mission ESS',
    links: [['/mission/', 'Participation'], ['/mission/candidatures.html', 'Candidatures'], ['/mission/import.html', 'Import des initiatives'],
      ['/mission/depouillement.html', 'Dépouillement et publication'], ['/comite/', 'Initiatives'], ['/comite/journal.html', 'Journal d’audit']],
  },
};

/** The static header names the space of the page; once the role is known, the menu is the role's. */
function renderNav(role) {
  const nav = $('.site-nav');
  const spec = navs[role];
  if (!nav || !spec) return;
  const here = window.location.pathname.replace(/index\.html$/, '');
  nav.setAttribute('aria-label', spec.label);
  render(nav, h('ul', {}, ...spec.links.map(([href, text]) => h('li', {}, h('a', { href, 'aria-current': href === here ? 'page' : null }, text)))));
  const small = $('.brand small');
  if (small) small.textContent = role === 'mission' ? 'Mission ESS' : 'Comité de labellisation';
}

function renderHeader(me) {
  renderNav(me.role);
  const slot = $('#staff-user');
  if (!slot) return;
  const logout = h('button', { type: 'button', class: 'button--link' }, 'Se déconnecter');
  logout.addEventListener('click', async () => {
    try {
      await api('POST', '/api/v1/admin/logout');
    } catch { /* the session is dropped either way */ }
    window.location.assign('/connexion.html?deconnecte=1');
  });
  render(slot, h('span', {}, `${me.username} (${roleLabels[me.role] || me.role})`), logout);
}

/** A write failed because the session expired: say so and offer to log in again. */
export function sessionExpired(container, e) {
  if (e && e.status === 401) {
    notice(container, 'error', h('p', {}, `${e.message} `, h('a', { href: loginUrl() }, 'Se reconnecter')));
    return true;
  }
  return false;
}

const parisParts = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Paris',
});

/**
 * An instant as a French sentence says it, in Paris time: « le 30\u00a0septembre 2026 à 20\u00a0h »,
 * « le 1er\u00a0octobre 2026 à 9\u00a0h\u00a030 ».
 */
export function whenPhrase(rfc3339) {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const p = Object.fromEntries(parisParts.formatToParts(d).map((x) => [x.type, x.value]));
  const day = p.day === '1' ? '1er' : p.day;
  const hour = Number(p.hour);
  const time = p.minute === '00' ? `${hour}\u00a0h` : `${hour}\u00a0h\u00a0${p.minute}`;
  return `le ${day}\u00a0${p.month} ${p.year} à ${time}`;
}

export const actionLabels = {
  login: 'Connexion',
  login_failed: 'Connexion refusée',
  logout: 'Déconnexion',
  evaluation: 'Évaluation',
  decision: 'Décision',
  import: 'Import d’initiatives',
  tally: 'Dépouillement',
  publish: 'Publication',
  user_add: 'Compte créé',
  user_replace: 'Compte remplacé',
};
