// The initiatives with their review status: evaluations so far, mine, the gate, the decision.
import { api, errorText } from '../api.js';
import { requireStaff } from '../staff.js';
import { $, euros, fold, h, notice, plural, render } from '../ui.js';

let items = [];
let me = null;
let minReviewers = 3;
const categoryLabels = {};

function decisionCell(d) {
  if (!d) return h('span', { class: 'tag tag--wait' }, 'en attente');
  if (d.decision === 'label') {
    return [h('span', { class: 'tag tag--ok' }, 'labellisée'),
      d.category ? h('span', { class: 'cell-note' }, categoryLabels[d.category] || d.category) : null];
  }
  return h('span', { class: 'tag tag--bad' }, 'refusée');
}

function row(i) {
  const link = h('a', { href: `/comite/initiative.html?id=${encodeURIComponent(i.id)}`, class: 'row-link' }, i.title);
  return h('tr', {},
    h('th', { scope: 'row' }, link, h('br'), h('span', { class: 'muted' }, i.holder)),
    h('td', { 'data-label': 'Territoire' }, i.territory_label || i.territory, ' — ', h('span', { class: 'muted' }, i.commune_name || i.commune)),
    h('td', { class: 'num', 'data-label': 'Montant demandé' }, euros(i.requested_eur)),
    h('td', { 'data-label': 'Évaluations' }, `${i.reviewers} sur ${minReviewers}${i.reviewers >= minReviewers ? '' : ' requises'}`),
    h('td', { 'data-label': 'Mon évaluation' }, me.role === 'committee'
      ? (i.own_evaluation ? h('span', { class: 'tag tag--ok' }, 'faite') : h('span', { class: 'tag tag--wait' }, 'à faire'))
      : h('span', { class: 'muted' }, '—')),
    h('td', { 'data-label': 'Seuil' }, i.gate_passes ? h('span', { class: 'tag tag--ok' }, 'franchi') : h('span', { class: 'tag tag--info' }, 'non franchi')),
    h('td', { 'data-label': 'Décision' }, decisionCell(i.decision)));
}

function apply() {
  const q = fold($('#committee-search').value.trim());
  const f = $('#committee-filter').value;
  const shown = items.filter((i) => (!q || fold(`${i.title} ${i.holder} ${i.commune_name} ${i.territory_label} ${i.id}`).includes(q)) &&
    (f !== 'todo' || !i.own_evaluation) && (f !== 'undecided' || !i.decision) && (f !== 'decided' || i.decision));
  render($('#committee-table tbody'), ...shown.map(row));
  if (!shown.length) $('#committee-table tbody').append(h('tr', {}, h('td', { colspan: 7 }, 'Aucune initiative ne correspond.')));
  $('#committee-count').textContent = `${plural(shown.length, 'initiative affichée', 'initiatives affichées')} sur ${items.length}.`;
}

async function main() {
  me = await requireStaff(['committee', 'mission']);
  let data;
  try {
    data = await api('GET', '/api/v1/admin/initiatives');
    if (me.role === 'committee') {
      const q = await api('GET', '/api/v1/admin/questionnaire');
      minReviewers = q.gate.min_reviewers;
      for (const c of q.categories) categoryLabels[c.id] = c.label;
      $('#gate-summary').textContent = `Seuil de labellisation\u00a0: au moins ${q.gate.min_reviewers} évaluations, ${q.gate.min_marker_score}/100 sur chaque marqueur et ${q.gate.min_overall_score}/100 en moyenne. En dessous, une labellisation doit être justifiée par écrit.`;
    }
  } catch (e) {
    notice($('#page-status'), 'error', errorText(e));
    return;
  }
  items = data.initiatives.sort((a, b) => a.title.localeCompare(b.title, 'fr'));
  if (data.vote_opened || data.sealed) {
    notice($('#page-status'), 'warn', 'Le vote est ouvert\u00a0: les évaluations et les décisions sont scellées et ne peuvent plus changer.');
  } else if (me.role === 'committee') {
    const todo = items.filter((i) => !i.own_evaluation).length;
    notice($('#page-status'), 'info', todo ? `Il vous reste ${plural(todo, 'initiative', 'initiatives')} à évaluer.` : 'Vous avez évalué toutes les initiatives.');
  }
  $('#committee-filters').hidden = false;
  $('#committee-table').hidden = false;
  apply();
}

$('#committee-search').addEventListener('input', apply);
$('#committee-filter').addEventListener('change', apply);
main().catch((e) => { if (!e.handled) console.error(e); });
