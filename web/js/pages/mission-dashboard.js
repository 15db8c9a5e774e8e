// Participation dashboard (GET /api/v1/admin/stats): totals by day and by territory, never who
// chose what. Refreshes on demand and every minute while the vote is open.
import { api, errorText } from '../api.js';
import { barTable, columnChart } from '../chart.js';
import { requireStaff, whenPhrase } from '../staff.js';
import { loadCampaign } from '../state.js';
import { $, h, notice, number, phaseLabels, render } from '../ui.js';

let campaign;

function days(byDay) {
  // Every day of the vote so far, zeros included, so that quiet days show.
  const keys = Object.keys(byDay).sort();
  if (!keys.length) return [];
  const out = [];
  const d = new Date(`${keys[0]}T12:00:00Z`);
  const last = new Date(`${keys[keys.length - 1]}T12:00:00Z`);
  while (d <= last && out.length < 400) {
    const k = d.toISOString().slice(0, 10);
    out.push({ label: k, value: byDay[k] || 0 });
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

async function refresh() {
  let stats;
  try {
    stats = await api('GET', '/api/v1/admin/stats');
  } catch (e) {
    notice($('#page-status'), 'error', errorText(e));
    return;
  }
  const series = days(stats.by_day);
  const today = series.length ? series[series.length - 1] : null;
  const voted = Object.values(stats.by_territory).filter((n) => n > 0).length;
  render($('#stats-figures'),
    h('li', {}, h('strong', { id: 'stats-total' }, number(stats.total)), stats.total > 1 ? 'bulletins au total' : 'bulletin au total'),
    h('li', {}, h('strong', {}, today ? number(today.value) : '0'), today ? `le dernier jour (${today.label.slice(8, 10)}/${today.label.slice(5, 7)})` : 'aujourd’hui'),
    h('li', {}, h('strong', { id: 'stats-territories' }, String(voted)), `${voted > 1 ? 'territoires' : 'territoire'} sur ${stats.territories.length} ${voted > 1 ? 'ont' : 'a'} voté`));
  render($('#by-day'), series.length
    ? columnChart(series, { title: 'Bulletins par jour', shortLabel: (l) => `${l.slice(8, 10)}/${l.slice(5, 7)}` })
    : h('p', {}, 'Aucun bulletin pour l’instant.'));
  const rows = stats.territories.map((t) => ({ label: t.label, value: stats.by_territory[t.id] || 0 }));
  render($('#by-territory'), barTable(rows, { caption: 'Bulletins par territoire' }));
  $('#refreshed').textContent = `Mis à jour à ${new Date().toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })}.`;
}

async function main() {
  await requireStaff(['mission']);
  try {
    campaign = await loadCampaign();
    render($('#campaign-info'), h('p', {}, h('span', { class: 'phase-badge' }, phaseLabels[campaign.phase] || campaign.phase),
      ` ${campaign.title}\u00a0: vote du ${whenPhrase(campaign.vote_opens).replace(/^le /, '')} au ${whenPhrase(campaign.vote_closes).replace(/^le /, '')}.`));
  } catch (e) {
    notice($('#page-status'), 'error', errorText(e));
  }
  await refresh();
  if (campaign && campaign.phase === 'voting') setInterval(refresh, 60000);
}

$('#refresh').addEventListener('click', refresh);
main().catch((e) => { if (!e.handled) notice($('#page-status'), 'error', errorText(e)); });
