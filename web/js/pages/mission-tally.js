// Close, tally, compare rules, publish (POST /api/v1/admin/tally, /api/v1/admin/publish).
// Each tally replaces the draft: the comparison runs every rule in turn, so the chosen rule is
// always tallied again, last, before publication.
import { api, errorText } from '../api.js';
import { requireStaff, sessionExpired } from '../staff.js';
import { loadCampaign } from '../state.js';
import {
  $, busy, clear, dateTime, download, euros, focusOn, h, notice, number, phaseLabels, plural, render, ruleExplanations, ruleLabels,
} from '../ui.js';

const rules = ['greedy', 'greedy-territorial', 'mes', 'mes-add1', 'mes-completed'];
let campaign;
let lastTally = null;       // {rule, signed} of the draft this page made last
let published = false;

function selectedRule() { const r = $('input[name="rule"]:checked'); return r ? r.value : null; }

function buildRules() {
  const fs = $('#rule-fieldset');
  for (const r of rules) {
    const input = h('input', { type: 'radio', name: 'rule', value: r, id: `rule-${r}`, 'aria-describedby': `rule-${r}-hint` });
    if (r === 'greedy') input.checked = true;
    fs.append(h('div', { class: 'field' },
      h('label', { class: 'choice', for: input.id }, input, ruleLabels[r]),
      h('span', { class: 'hint', id: `rule-${r}-hint` }, ruleExplanations[r])));
  }
}

function tallyError(box, e) {
  if (sessionExpired(box, e)) return;
  if (e.code === 'vote_not_closed') {
    notice(box, 'warn', h('p', {}, h('strong', {}, e.message), ` Le vote se termine le ${dateTime(campaign.vote_closes)} (date fixée dans la configuration de la campagne).`));
  } else if (e.code === 'already_published') {
    notice(box, 'warn', `${e.message} Les téléchargements ci-dessous sont à jour.`);
    setPublished();
  } else {
    notice(box, 'error', errorText(e));
  }
}

async function tally(rule) {
  const signed = await api('POST', '/api/v1/admin/tally', { rule }, { timeoutMs: 120000 });
  lastTally = { rule, signed };
  return signed;
}

// ------------------------------------------------------------------ comparison

async function compare(ev) {
  const box = $('#compare-status');
  const out = $('#compare-result');
  clear(out);
  await busy(ev.currentTarget, 'Comparaison…', async () => {
    const docs = {};
    try {
      for (const r of rules) {
        notice(box, 'info', `Dépouillement avec la règle « ${ruleLabels[r]} »…`);
        docs[r] = (await tally(r)).document;
      }
    } catch (e) {
      tallyError(box, e);
      return;
    }
    const first = docs[rules[0]];
    const initiatives = [...first.initiatives].sort((a, b) => b.votes - a.votes || a.title.localeCompare(b.title, 'fr'));
    const funded = (r, id) => docs[r].winners.find((w) => w.id === id);
    const table = h('table', { class: 'rule-compare', id: 'compare-table' },
      h('caption', {}, `Montant attribué à chaque initiative selon la règle (${plural(first.ballots_counted, 'bulletin', 'bulletins')}, enveloppe ${euros(first.envelope_eur)})`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Initiative'), h('th', { scope: 'col', class: 'num' }, 'Voix'),
        ...rules.map((r) => h('th', { scope: 'col', class: 'num' }, h('span', { title: ruleLabels[r] }, r))))),
      h('tbody', {}, ...initiatives.map((i) => h('tr', {},
        h('th', { scope: 'row' }, i.title), h('td', { class: 'num' }, number(i.votes)),
        ...rules.map((r) => {
          const w = funded(r, i.id);
          return h('td', { class: 'num' }, w ? euros(w.amount_eur) : h('span', { class: 'muted' }, '—', h('span', { class: 'visually-hidden' }, 'non financée')));
        })))),
      h('tfoot', {},
        h('tr', {}, h('th', { scope: 'row' }, 'Initiatives financées'), h('td', {}), ...rules.map((r) => h('td', { class: 'num' }, String(docs[r].winners.length)))),
        h('tr', {}, h('th', { scope: 'row' }, 'Total attribué'), h('td', {}), ...rules.map((r) => h('td', { class: 'num' }, euros(docs[r].total_allocated_eur))))));
    render(out, h('div', { class: 'table-wrap' }, table),
      h('dl', { class: 'rule-legend' }, ...rules.flatMap((r) => [h('dt', {}, r), h('dd', {}, ruleLabels[r])])));
    notice(box, 'ok', `Comparaison terminée. Le brouillon actuel est celui de la dernière règle (« ${rules[rules.length - 1]} ») : choisissez la règle retenue ci-dessous et lancez le dépouillement avant de publier.`);
    focusOn($('#compare-table'));
  });
}

// ------------------------------------------------------------------ tally with the chosen rule

function renderDraft(signed) {
  const d = signed.document;
  const titles = new Map(d.initiatives.map((i) => [i.id, i.title]));
  const save = h('button', { type: 'button', class: 'button--secondary' }, 'Télécharger le brouillon signé (JSON)');
  save.addEventListener('click', () => download(`brouillon-resultats-${d.campaign.id}-${d.rule}.json`, `${JSON.stringify({ document: d, signature: signed.signature, public_key: signed.public_key }, null, 2)}\n`));
  render($('#draft'),
    h('div', { class: 'card', id: 'draft-summary' },
      h('h3', {}, `Brouillon : règle « ${ruleLabels[d.rule] || d.rule} »`),
      h('ul', {},
        h('li', {}, `${plural(d.ballots_counted, 'bulletin compté', 'bulletins comptés')}`),
        h('li', {}, `${plural(d.winners.length, 'initiative financée', 'initiatives financées')} pour ${euros(d.total_allocated_eur)} sur ${euros(d.envelope_eur)}`),
        h('li', {}, 'Racine de l’arbre des bulletins : ', h('span', { class: 'mono' }, d.root))),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', {}, 'Lauréats du brouillon'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, 'Rang'), h('th', { scope: 'col' }, 'Initiative'), h('th', { scope: 'col', class: 'num' }, 'Voix'), h('th', { scope: 'col', class: 'num' }, 'Montant'))),
        h('tbody', {}, ...d.winners.map((w) => h('tr', {}, h('td', { class: 'num' }, String(w.rank)), h('th', { scope: 'row' }, titles.get(w.id) || w.id),
          h('td', { class: 'num' }, number(w.votes)), h('td', { class: 'num' }, euros(w.amount_eur))))))),
      h('div', { class: 'actions' }, save)));
}

$('#tally-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const box = $('#tally-status');
  const rule = selectedRule();
  if (!rule) { notice(box, 'error', 'Choisissez une règle.'); return; }
  await busy($('#tally-submit'), 'Dépouillement…', async () => {
    try {
      const signed = await tally(rule);
      renderDraft(signed);
      notice(box, 'ok', `Dépouillement terminé avec la règle « ${ruleLabels[rule]} ». Relisez le brouillon, puis publiez.`);
      focusOn($('#draft-summary'));
    } catch (e) {
      tallyError(box, e);
    }
  });
});

// ------------------------------------------------------------------ publication

function setPublished() {
  published = true;
  for (const id of ['#compare', '#tally-submit', '#publish-submit']) $(id).disabled = true;
  $('#publish-confirm').disabled = true;
}

$('#publish-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const box = $('#publish-status');
  if (published) return;
  const rule = selectedRule();
  if (!lastTally) {
    notice(box, 'error', 'Lancez d’abord le dépouillement avec la règle retenue (étape 2) et relisez le brouillon.');
    focusOn($('#tally-submit'));
    return;
  }
  if (lastTally.rule !== rule) {
    notice(box, 'error', `Le brouillon actuel a été fait avec la règle « ${lastTally.rule} », pas avec la règle choisie (« ${rule} »). Lancez le dépouillement avec la règle choisie (étape 2), relisez, puis publiez.`);
    focusOn($('#tally-submit'));
    return;
  }
  if (!$('#publish-confirm').checked) {
    notice(box, 'error', 'Cochez la case de confirmation : la publication est définitive.');
    focusOn($('#publish-confirm'));
    return;
  }
  await busy($('#publish-submit'), 'Publication…', async () => {
    try {
      await api('POST', '/api/v1/admin/publish');
      setPublished();
      notice(box, 'ok', h('p', {}, h('strong', {}, 'Les résultats sont publiés. '), 'Chacun peut maintenant les consulter et vérifier son bulletin. ',
        h('a', { href: '/resultats.html' }, 'Voir la page publique des résultats')));
    } catch (e) {
      if (sessionExpired(box, e)) return;
      if (e.code === 'already_published') setPublished();
      notice(box, e.code === 'already_published' ? 'warn' : 'error', errorText(e));
    }
    focusOn(box.firstElementChild);
  });
});

async function main() {
  await requireStaff(['mission']);
  buildRules();
  try {
    campaign = await loadCampaign();
  } catch (e) {
    notice($('#page-status'), 'error', errorText(e));
    return;
  }
  render($('#campaign-info'), h('p', {}, h('span', { class: 'phase-badge' }, phaseLabels[campaign.phase] || campaign.phase),
    ` Vote du ${dateTime(campaign.vote_opens)} au ${dateTime(campaign.vote_closes)}.`));
  if (campaign.phase === 'labelling' || campaign.phase === 'voting') {
    notice($('#page-status'), 'warn', `Le vote n’est pas encore clos : le dépouillement sera possible après le ${dateTime(campaign.vote_closes)}. La date de clôture est fixée dans la configuration de la campagne.`);
  } else if (campaign.phase === 'published') {
    notice($('#page-status'), 'ok', h('p', {}, 'Les résultats sont publiés. ', h('a', { href: '/resultats.html' }, 'Voir la page publique')));
    setPublished();
  }
}

$('#compare').addEventListener('click', compare);
main().catch((e) => { if (!e.handled) notice($('#page-status'), 'error', errorText(e)); });
