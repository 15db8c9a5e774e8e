// The audit trail (GET /api/v1/admin/audit): every login, evaluation, decision and import.
import { api, errorText } from '../api.js';
import { actionLabels, requireStaff } from '../staff.js';
import { $, dateTime, fold, h, notice, plural, render } from '../ui.js';

let entries = [];
const roleNames = { mission: 'Mission ESS', committee: 'comité' };

function detail(e) {
  const d = e.details || {};
  const parts = [];
  if (e.action === 'evaluation' && d.scores) parts.push(Object.entries(d.scores).map(([m, v]) => `${m} ${v}`).join(', '));
  if (e.action === 'decision') {
    parts.push(`${d.decision === 'label' ? `labellisée (${d.category})` : 'refusée'}${d.against_gate ? ', contre l’avis du seuil' : ''}`);
    if (d.gate && d.gate.reasons && d.gate.reasons.length) parts.push(`seuil\u00a0: ${d.gate.reasons.join(' ')}`);
  }
  if (e.action === 'import' && d.ids) parts.push(`${plural(d.count || d.ids.length, 'initiative', 'initiatives')}\u00a0: ${d.ids.join(', ')}`);
  if (e.action === 'login_failed') parts.push(d.known_user ? 'mot de passe incorrect' : 'identifiant inconnu');
  if (e.justification) parts.push(`justification\u00a0: «\u00a0${e.justification}\u00a0»`);
  const other = Object.keys(d).filter((k) => !['scores', 'decision', 'category', 'gate', 'against_gate', 'ids', 'count', 'known_user', 'reviewers', 'previous'].includes(k));
  for (const k of other) parts.push(`${k}\u00a0: ${typeof d[k] === 'object' ? JSON.stringify(d[k]) : d[k]}`);
  return parts.join(' — ');
}

function apply() {
  const action = $('#audit-action').value;
  const target = fold($('#audit-target').value.trim());
  const shown = entries.filter((e) => (!action || e.action === action) && (!target || fold(e.target).includes(target)));
  render($('#audit-table tbody'), ...shown.map((e) => h('tr', {},
    h('td', { 'data-label': 'Date' }, dateTime(e.at)),
    h('td', { 'data-label': 'Qui' }, e.username || h('span', { class: 'muted' }, 'inconnu'), e.role ? h('span', { class: 'muted' }, ` (${roleNames[e.role] || e.role})`) : ''),
    h('td', { 'data-label': 'Action' }, actionLabels[e.action] || e.action),
    h('td', { 'data-label': 'Cible' }, e.target && ['evaluation', 'decision'].includes(e.action) ? h('a', { href: `/comite/initiative.html?id=${encodeURIComponent(e.target)}` }, e.target) : (e.target || '')),
    h('td', { 'data-label': 'Détail' }, detail(e)))));
  if (!shown.length) $('#audit-table tbody').append(h('tr', {}, h('td', { colspan: 5 }, 'Aucune entrée ne correspond.')));
  $('#audit-count').textContent = `${plural(shown.length, 'entrée affichée', 'entrées affichées')} sur ${entries.length}.`;
}

async function main() {
  await requireStaff(['committee', 'mission']);
  try {
    entries = (await api('GET', '/api/v1/admin/audit?limit=500')).entries;
  } catch (e) {
    notice($('#page-status'), 'error', errorText(e));
    return;
  }
  $('#audit-table').hidden = false;
  apply();
}

$('#audit-action').addEventListener('change', apply);
$('#audit-target').addEventListener('input', apply);
main().catch((e) => { if (!e.handled) notice($('#page-status'), 'error', errorText(e)); });
