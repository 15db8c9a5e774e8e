// The ballot: search and filters, each initiative with its radar, and the choice of up to
// max_choices initiatives with a visible counter. The choice is kept in this tab until the vote.
import { api, errorText } from '../api.js';
import { markerLabel, orderedScores, radarText } from '../markers.js';
import { getSelection, loadCampaign, setSelection } from '../state.js';
import { $, announce, dateTime, euros, fold, h, notice, plural, render } from '../ui.js';

const list = $('#initiatives');
const search = $('#search');
const territory = $('#territory');
const category = $('#category');
const count = $('#result-count');
const bar = $('#selection-bar');
const counter = $('#counter');
const message = $('#selection-message');
const continueLink = $('#continue');

let campaign = null;
let initiatives = [];
let selection = getSelection();
let canVote = false;

function maxChoices() { return campaign ? campaign.max_choices : 3; }

function updateCounter() {
  const n = selection.length;
  const max = maxChoices();
  counter.textContent = n === 0
    ? `Aucune initiative choisie (jusqu’à ${max})`
    : n === 1 ? `1 initiative choisie sur ${max}` : `${n} sur ${max} initiatives choisies`;
  continueLink.setAttribute('aria-disabled', n === 0 ? 'true' : 'false');
  for (const card of list.querySelectorAll('.initiative')) {
    card.classList.toggle('is-chosen', selection.some((s) => s.id === card.dataset.id));
  }
}

// The bar stays small on a phone (at most 12 % of the screen): it shows the counter and, only
// when a choice is refused, one short line; the rest is said to screen readers.
function toggle(item, checkbox) {
  const chosen = selection.some((s) => s.id === item.id);
  if (checkbox.checked && !chosen) {
    if (selection.length >= maxChoices()) {
      checkbox.checked = false;
      message.textContent = `Déjà ${maxChoices()} choix : retirez-en un d’abord.`;
      announce(`Vous avez déjà choisi ${plural(maxChoices(), 'initiative', 'initiatives')} : retirez-en une pour choisir « ${item.title} ».`);
      return;
    }
    selection.push({ id: item.id, title: item.title });
    message.textContent = '';
    announce(`« ${item.title} » ajoutée à vos choix.`);
  } else if (!checkbox.checked && chosen) {
    selection = selection.filter((s) => s.id !== item.id);
    message.textContent = '';
    announce(`« ${item.title} » retirée de vos choix.`);
  }
  setSelection(selection);
  updateCounter();
}

function card(item) {
  const scores = orderedScores(item.radar);
  const capped = item.amount_eur !== undefined && item.amount_eur < item.requested_eur;
  const titleId = `titre-${item.id}`;
  const children = [
    h('div', { class: 'text' },
      h('h2', { id: titleId }, item.title),
      h('ul', { class: 'meta', 'aria-label': 'Caractéristiques' },
        h('li', {}, item.territory_label || item.territory),
        item.category_label || item.category ? h('li', {}, item.category_label || item.category) : null,
        h('li', {}, item.commune_name || item.commune)),
      h('p', { class: 'summary' }, item.summary),
      h('p', {}, 'Porté par ', h('strong', {}, item.holder), '. ',
        h('span', { class: 'amount' }, `Montant demandé : ${euros(item.requested_eur)}`),
        capped ? ` (au plus ${euros(item.amount_eur)}, plafond de sa catégorie)` : ''),
      scores.length ? h('details', {},
        h('summary', {}, 'Scores du radar en détail'),
        h('ul', {}, scores.map(([id, v]) => h('li', {}, `${markerLabel(id)} : ${v} sur 100`)))) : null),
    h('img', {
      class: 'radar', src: `/api/v1/initiatives/${encodeURIComponent(item.id)}/radar.svg`, width: 272, height: 272,
      alt: scores.length ? `Radar des marqueurs de l’ESS : ${radarText(item.radar)}.` : 'Radar des marqueurs de l’ESS.',
    }),
  ];
  if (canVote) {
    const box = h('input', { type: 'checkbox', id: `choix-${item.id}`, value: item.id, 'aria-describedby': titleId });
    box.checked = selection.some((s) => s.id === item.id);
    box.addEventListener('change', () => toggle(item, box));
    children.push(h('label', { class: 'choice choose', for: box.id }, box, 'Choisir cette initiative'));
  }
  return h('li', { class: 'initiative', dataset: { id: item.id } }, h('article', { 'aria-labelledby': titleId, class: 'initiative-article' }, ...children));
}

function applyFilters() {
  const q = fold(search.value.trim());
  const t = territory.value;
  const c = category.value;
  const shown = initiatives.filter((i) =>
    (!t || i.territory === t) && (!c || i.category === c) &&
    (!q || fold(`${i.title} ${i.summary} ${i.holder} ${i.commune_name || ''} ${i.territory_label || ''}`).includes(q)));
  render(list, ...shown.map(card));
  count.textContent = shown.length === initiatives.length
    ? `${plural(initiatives.length, 'initiative', 'initiatives')}.`
    : `${plural(shown.length, 'initiative affichée', 'initiatives affichées')} sur ${initiatives.length}.`;
  if (shown.length === 0 && initiatives.length) {
    list.append(h('li', {}, h('p', {}, 'Aucune initiative ne correspond à votre recherche. Essayez un autre mot ou retirez un filtre.')));
  }
  updateCounter();
}

function fillSelect(select, pairs) {
  for (const [value, label] of pairs) select.append(h('option', { value }, label));
}

function readFiltersFromUrl() {
  const p = new URLSearchParams(window.location.search);
  if (p.get('q')) search.value = p.get('q');
  if (p.get('territoire')) territory.value = p.get('territoire');
  if (p.get('categorie')) category.value = p.get('categorie');
}

async function main() {
  const phaseNote = $('#phase-note');
  const status = $('#list-status');
  try {
    [campaign, initiatives] = await Promise.all([loadCampaign(), api('GET', '/api/v1/initiatives')]);
  } catch (e) {
    notice(status, 'error', `La liste des initiatives n’a pas pu être chargée. ${errorText(e)}`);
    return;
  }
  canVote = campaign.phase === 'voting';
  if (campaign.phase === 'labelling') {
    notice(phaseNote, 'info', h('p', {}, 'Le vote n’est pas encore ouvert : il commence le ', h('strong', {}, dateTime(campaign.vote_opens)),
      '. Voici les initiatives déjà labellisées ; la liste peut encore s’allonger d’ici là.'));
  } else if (campaign.phase === 'closed') {
    notice(phaseNote, 'info', 'Le vote est clos. Les résultats seront publiés après le dépouillement.');
  } else if (campaign.phase === 'published') {
    notice(phaseNote, 'info', h('p', {}, 'Le vote est terminé. ', h('a', { href: '/resultats.html' }, 'Voir les résultats')));
  } else {
    notice(phaseNote, 'info', h('p', {}, `Choisissez jusqu’à ${plural(campaign.max_choices, 'initiative', 'initiatives')}, puis continuez vers le vote. Vous pourrez changer d’avis jusqu’à la confirmation. Le vote est ouvert jusqu’au `,
      h('strong', {}, dateTime(campaign.vote_closes)), '.'));
  }
  // Choices left over from an earlier ballot that no longer exist are dropped quietly.
  selection = selection.filter((s) => initiatives.some((i) => i.id === s.id)).slice(0, campaign.max_choices);
  setSelection(selection);

  const territories = new Map();
  const categories = new Map();
  for (const i of initiatives) {
    territories.set(i.territory, i.territory_label || i.territory);
    if (i.category) categories.set(i.category, i.category_label || i.category);
  }
  fillSelect(territory, [...territories].sort((a, b) => a[1].localeCompare(b[1], 'fr')));
  fillSelect(category, [...categories].sort((a, b) => a[1].localeCompare(b[1], 'fr')));
  readFiltersFromUrl();
  initiatives.sort((a, b) => a.title.localeCompare(b.title, 'fr'));
  if (initiatives.length === 0) {
    notice(status, 'info', campaign.phase === 'labelling'
      ? 'Aucune initiative n’est encore labellisée. Revenez bientôt !'
      : 'Aucune initiative n’est soumise au vote.');
  }
  applyFilters();
  bar.hidden = !canVote;
  continueLink.addEventListener('click', (ev) => {
    if (selection.length === 0) {
      ev.preventDefault();
      message.textContent = 'Choisissez d’abord une initiative.';
    }
  });
}

let debounce;
search.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(applyFilters, 200); });
territory.addEventListener('change', applyFilters);
category.addEventListener('change', applyFilters);
$('#filters').addEventListener('submit', (ev) => { ev.preventDefault(); applyFilters(); announce(count.textContent); });

main();
