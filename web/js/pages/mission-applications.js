// The holders' applications for the Mission ESS (/mission/candidatures.html): the list with its
// filters (GET /api/v1/admin/applications?territory=&status=&category=, drafts never listed), a
// table that becomes one card per file on a phone, and, with ?id=, one file: the holder's fields,
// their self-assessment radar, the attachments (staff only) and the admissibility decision
// (POST .../admissibility, with a reason required for an irrecevable file).
import { api, errorText } from '../api.js';
import { radarText } from '../markers.js';
import { requireStaff, sessionExpired, whenPhrase } from '../staff.js';
import { $, $$, busy, clear, dateOnly, euros, fieldError, focusOn, h, notice, param, plural, render } from '../ui.js';

const status = $('#page-status');
const id = param('id');

const statusLabels = {
  deposee: 'Déposée', recevable: 'Recevable', irrecevable: 'Irrecevable', labellisee: 'Labellisée',
  refusee: 'Refusée', au_vote: 'Au vote', laureate: 'Lauréate', non_retenue: 'Non retenue',
};
const statusPlurals = {
  deposee: 'Déposées', recevable: 'Recevables', irrecevable: 'Irrecevables', labellisee: 'Labellisées',
  refusee: 'Refusées', au_vote: 'Au vote', laureate: 'Lauréates', non_retenue: 'Non retenues',
};
const tagKinds = {
  deposee: 'wait', recevable: 'info', irrecevable: 'bad', labellisee: 'ok', refusee: 'bad', au_vote: 'info', laureate: 'ok', non_retenue: 'bad',
};
// The committee's categories (config/questionnaire.toml), for an answer that does not name them.
const knownCategories = {
  pratique_ess: 'Pratique de l’ESS', innovation_societale: 'Innovation sociétale', cooperation: 'Coopération',
  transformation: 'Transformation économique, environnementale et sociétale',
};
let categoryLabels = { ...knownCategories };
let territoryLabels = {};

const tag = (s, label) => h('span', { class: `tag tag--${tagKinds[s] || 'info'}` }, label || statusLabels[s] || s);
const categoryName = (cid) => (cid ? categoryLabels[cid] || cid : '—');
const submittedAt = (a) => ((a.history || []).find((s) => s.status === 'deposee') || {}).at;

function fileSize(bytes) {
  if (bytes < 1024) return `${bytes}\u00a0octets`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))}\u00a0ko`;
  return `${(Math.round((bytes / (1024 * 1024)) * 10) / 10).toLocaleString('fr-FR')}\u00a0Mo`;
}

// ------------------------------------------------------------------ list

function fillSelect(select, entries) {
  const keep = select.value;
  render(select, select.options[0], ...entries.map(([value, label]) => h('option', { value }, label)));
  select.value = keep;
}

function row(a) {
  const link = h('a', { href: `/mission/candidatures.html?id=${encodeURIComponent(a.id)}`, class: 'row-link' }, a.title || 'Dossier sans titre');
  const at = submittedAt(a);
  return h('tr', {},
    h('th', { scope: 'row' }, link, h('span', { class: 'cell-note' }, a.holder || '—')),
    h('td', { 'data-label': 'Territoire' }, a.territory_name || a.territory || '—', a.commune_name ? h('span', { class: 'cell-note' }, a.commune_name) : null),
    h('td', { class: 'num', 'data-label': 'Montant demandé' }, a.requested_eur ? euros(a.requested_eur) : '—'),
    h('td', { 'data-label': 'Catégorie proposée' }, categoryName(a.proposed_category)),
    h('td', { 'data-label': 'Statut' }, tag(a.status, a.status_label)),
    h('td', { 'data-label': 'Déposé le' }, at ? dateOnly(at) : '—'));
}

function filters() {
  const q = new URLSearchParams();
  for (const name of ['territory', 'status', 'category']) {
    const v = $(`#filter-${name}`).value;
    if (v) q.set(name, v);
  }
  return q;
}

async function loadList() {
  const q = filters();
  window.history.replaceState(null, '', `${window.location.pathname}${q.toString() ? `?${q}` : ''}`);
  let data;
  try {
    data = await api('GET', `/api/v1/admin/applications${q.toString() ? `?${q}` : ''}`);
  } catch (e) {
    if (!sessionExpired(status, e)) notice(status, 'error', errorText(e));
    return;
  }
  if (Array.isArray(data.categories)) for (const c of data.categories) categoryLabels[c.id] = c.label;
  const counts = data.counts || {};
  render($('#counts'), ...Object.keys(statusLabels).filter((s) => counts[s]).map((s) =>
    h('li', {}, h('strong', {}, String(counts[s])), counts[s] > 1 ? statusPlurals[s] : statusLabels[s])));
  if (!$('#counts').children.length) $('#counts').append(h('li', {}, h('strong', {}, '0'), 'dossier déposé'));
  const found = new Set(data.applications.map((a) => a.proposed_category).filter(Boolean));
  fillSelect($('#filter-category'), [...new Set([...Object.keys(categoryLabels), ...found])].map((c) => [c, categoryName(c)]));
  const list = [...data.applications].sort((a, b) => String(submittedAt(b) || '').localeCompare(String(submittedAt(a) || '')));
  render($('#applications-table tbody'), ...list.map(row));
  if (!list.length) $('#applications-table tbody').append(h('tr', {}, h('td', { colspan: 6 }, q.toString() ? 'Aucune candidature ne correspond à ces filtres.' : 'Aucune candidature déposée pour le moment.')));
  $('#list-count').textContent = plural(list.length, 'candidature affichée', 'candidatures affichées');
}

async function showList() {
  $('#list-view').hidden = false;
  fillSelect($('#filter-status'), Object.entries(statusLabels));
  fillSelect($('#filter-territory'), Object.entries(territoryLabels));
  const wanted = new URLSearchParams(window.location.search);
  for (const name of ['territory', 'status', 'category']) {
    const v = wanted.get(name);
    if (v) {
      const select = $(`#filter-${name}`);
      if (![...select.options].some((o) => o.value === v)) select.append(h('option', { value: v }, v));
      select.value = v;
    }
  }
  $$('#filters select').forEach((s) => s.addEventListener('change', loadList));
  $('#filters').addEventListener('submit', (ev) => { ev.preventDefault(); loadList(); });
  await loadList();
}

// ------------------------------------------------------------------ one file

function fact(term, ...value) {
  return [h('dt', {}, term), h('dd', {}, ...value)];
}

function renderDetail(a) {
  $('#page-title').textContent = a.title || 'Dossier sans titre';
  document.title = `${a.title || 'Dossier sans titre'} — Candidatures — Budget citoyen du Pas-de-Calais`;
  const at = submittedAt(a);
  render($('#detail-facts'),
    fact('Statut', tag(a.status, a.status_label)),
    fact('Structure', a.holder || '—', a.legal_form_label ? ` (${a.legal_form_label})` : ''),
    fact('SIRET', a.siret || 'non indiqué'),
    fact('Contact', [a.contact_name, a.contact_email, a.contact_phone].filter(Boolean).join(', ') || '—'),
    fact('Compte du porteur', a.owner_email || '—'),
    fact('Commune', a.commune_name || a.commune || '—', a.territory_name ? ` (${a.territory_name})` : ''),
    fact('Montant demandé', a.requested_eur ? euros(a.requested_eur) : '—'),
    fact('Catégorie proposée par l’auto‑évaluation', categoryName(a.proposed_category)),
    fact('Déposé', at ? whenPhrase(at) : '—'));
  $('#detail-summary').textContent = a.summary || '—';
  render($('#detail-description'), ...String(a.description || '—').split(/\n{2,}/).map((p) => h('p', {}, p)));

  const img = $('#detail-radar');
  const scores = a.self_radar || {};
  if (Object.keys(scores).length) {
    img.src = `/api/v1/admin/applications/${encodeURIComponent(a.id)}/radar.svg`;
    img.alt = `Auto‑évaluation du porteur, de 0 à 100\u00a0: ${radarText(scores)}.`;
    img.hidden = false;
    $('#detail-radar-caption').textContent = 'Le radar que le porteur a tracé en répondant lui-même au questionnaire du comité (0 à 100 par marqueur).';
  } else {
    img.hidden = true;
    $('#detail-radar-caption').textContent = 'Le porteur n’a pas répondu au questionnaire.';
  }

  const files = a.attachments || [];
  render($('#detail-attachments'), ...files.map((f) => h('li', {},
    h('a', { href: `/api/v1/admin/applications/${encodeURIComponent(a.id)}/attachments/${encodeURIComponent(f.sha256)}`, download: f.name },
      f.name, h('span', { class: 'visually-hidden' }, ' (PDF)')),
    h('span', { class: 'muted' }, ` PDF, ${fileSize(f.size)}, ajouté ${whenPhrase(f.uploaded_at)}`))));
  if (!files.length) $('#detail-attachments').append(h('li', { class: 'muted' }, 'Aucune pièce jointe.'));

  render($('#detail-timeline'), ...(a.history || []).map((s) => h('li', { class: 'timeline__step' },
    h('p', { class: 'timeline__what' }, tag(s.status, s.label), ' ', h('time', { datetime: s.at }, whenPhrase(s.at))),
    s.reason ? h('p', { class: 'timeline__reason' }, `Motif\u00a0: ${s.reason}`) : null)));

  const form = $('#admissibility-form');
  const reason = $('#admissibility-reason');
  form.hidden = a.status !== 'deposee';
  reason.hidden = a.status === 'deposee';
  if (a.status !== 'deposee') {
    const decided = (a.history || []).find((s) => s.status === 'recevable' || s.status === 'irrecevable');
    reason.textContent = decided
      ? `La Mission ESS a déclaré ce dossier ${decided.status === 'recevable' ? 'recevable' : 'irrecevable'} ${whenPhrase(decided.at)}.`
      : 'Ce dossier n’attend pas de décision de recevabilité.';
  }
}

function chosen() {
  const c = $('input[name="admissible"]:checked');
  return c ? c.value === 'yes' : null;
}

async function decide(ev, a) {
  ev.preventDefault();
  const box = $('#admissibility-status');
  clear(box);
  const admissible = chosen();
  const text = $('#decision-reason');
  const reason = text.value.trim();
  fieldError(text, null);
  $('#admissible-error').textContent = '';
  if (admissible === null) {
    $('#admissible-error').textContent = 'Choisissez «\u00a0Recevable\u00a0» ou «\u00a0Irrecevable\u00a0».';
    focusOn($('#admissible-yes'));
    return;
  }
  if (!admissible && [...reason].length < 10) {
    fieldError(text, 'Indiquez le motif de l’irrecevabilité, en 10 caractères au moins\u00a0: il sera communiqué au porteur.');
    focusOn(text);
    return;
  }
  await busy($('#admissibility-submit'), 'Enregistrement…', async () => {
    try {
      const updated = await api('POST', `/api/v1/admin/applications/${encodeURIComponent(a.id)}/admissibility`, { admissible, reason });
      Object.assign(a, updated);
      renderDetail(a);
      const done = notice($('#detail-status'), 'ok', admissible
        ? h('p', {}, 'La décision est enregistrée\u00a0: le dossier est recevable et devient une initiative pour le comité de labellisation. ',
          h('a', { href: '/comite/' }, 'Voir les initiatives'))
        : 'La décision est enregistrée\u00a0: le dossier est irrecevable. Le porteur en est informé avec le motif.');
      done.setAttribute('tabindex', '-1');
      focusOn(done);
    } catch (e) {
      if (sessionExpired(box, e)) return;
      if (e.code === 'reason_required') {
        fieldError(text, e.message);
        focusOn(text);
        return;
      }
      notice(box, 'error', errorText(e));
      focusOn(box.firstElementChild);
    }
  });
}

async function showDetail() {
  let a;
  try {
    a = await api('GET', `/api/v1/admin/applications/${encodeURIComponent(id)}`);
  } catch (e) {
    notice(status, 'error', h('p', {}, errorText(e), ' ', h('a', { href: '/mission/candidatures.html' }, 'Toutes les candidatures')));
    return;
  }
  $('#detail-view').hidden = false;
  renderDetail(a);
  $('#admissibility-form').addEventListener('submit', (ev) => decide(ev, a));
}

async function main() {
  await requireStaff(['mission']);
  try {
    const data = await api('GET', '/api/v1/communes');
    territoryLabels = Object.fromEntries((data.territories || []).map((t) => [t.id, t.label]));
  } catch { /* the filter then lists no territory; the table still shows each file's */ }
  if (id) await showDetail();
  else await showList();
}

main().catch((e) => { if (!e.handled) notice(status, 'error', errorText(e)); });
