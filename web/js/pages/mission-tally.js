// Close, tally, compare rules, publish (POST /api/v1/admin/tally, /api/v1/admin/publish).
// Each tally replaces the draft: the comparison runs every rule in turn, so the chosen rule is
// always tallied again, last, before publication.
import { api, errorText } from '../api.js';
import { requireStaff, sessionExpired, whenPhrase } from '../staff.js';
import { loadCampaign } from '../state.js';
import {
  $, $$, busy, clear, download, euros, focusOn, h, notice, number, phaseLabels, plural, render, ruleExplanations, ruleLabels,
} from '../ui.js';

const rules = ['greedy', 'greedy-territorial', 'mes', 'mes-add1', 'mes-completed'];
let campaign;
let lastTally = null;       // {rule, signed} of the draft this page made last
let published = false;
let closed = false;         // the vote has closed (the page's campaign phase)

// Every control of the page follows the campaign: nothing before the vote closes, the tally
// after it, the publication only once this page has tallied, nothing again once published.
// Each disabled control is described by the sentence that says why.
function updateControls() {
  const reasons = { tally: '', publish: '' };
  if (published) {
    reasons.tally = 'Les résultats sont publiés\u00a0: le dépouillement ne peut plus être refait.';
    reasons.publish = 'Les résultats sont publiés\u00a0; la publication est définitive.';
  } else if (!closed) {
    const when = campaign ? ` ${whenPhrase(campaign.vote_closes)}` : '';
    reasons.tally = `Le dépouillement sera possible après la clôture du vote,${when}.`;
    reasons.publish = 'La publication sera possible après la clôture du vote et le dépouillement.';
  } else if (!lastTally) {
    reasons.publish = 'Lancez d’abord le dépouillement avec la règle retenue (étape\u00a02) et relisez le brouillon.';
  }
  for (const id of ['#compare', '#tally-submit']) $(id).disabled = Boolean(reasons.tally);
  $$('input[name="rule"]').forEach((i) => { i.disabled = Boolean(reasons.tally); });
  $('#publish-submit').disabled = Boolean(reasons.publish);
  $('#publish-confirm').disabled = Boolean(reasons.publish);
  for (const [key, id] of [['tally', '#compare-reason'], ['tally', '#tally-reason'], ['publish', '#publish-reason']]) {
    const el = $(id);
    el.textContent = reasons[key];
    el.hidden = !reasons[key];
  }
  updateDownloads();
}

// The public files exist only once published: before, the links are inert (no address).
function updateDownloads() {
  for (const a of $$('#downloads a')) {
    if (!a.dataset.href) a.dataset.href = a.getAttribute('href');
    if (published) {
      a.setAttribute('href', a.dataset.href);
      a.removeAttribute('aria-disabled');
    } else {
      a.removeAttribute('href');
      a.setAttribute('aria-disabled', 'true');
    }
  }
  $('#downloads-note').textContent = published
    ? 'Les résultats sont publiés\u00a0: ces fichiers sont publics et définitifs.'
    : 'Ces fichiers seront disponibles après la publication des résultats. Le brouillon signé peut être téléchargé dès le dépouillement (étape\u00a02).';
}

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
    closed = false;
    updateControls();
    notice(box, 'warn', h('p', {}, h('strong', {}, e.message), ` Le vote se termine ${whenPhrase(campaign.vote_closes)} (date fixée dans la configuration de la campagne).`));
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

/** busy() gives the button back enabled: the state of the page decides again. */
async function work(button, label, task) {
  await busy(button, label, task);
  updateControls();
}

// ------------------------------------------------------------------ comparison

async function compare(ev) {
  const box = $('#compare-status');
  const out = $('#compare-result');
  clear(out);
  await work(ev.currentTarget, 'Comparaison…', async () => {
    const docs = {};
    try {
      for (const r of rules) {
        notice(box, 'info', `Dépouillement avec la règle «\u00a0${ruleLabels[r]}\u00a0»…`);
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
    notice(box, 'ok', `Comparaison terminée. Le brouillon actuel est celui de la dernière règle («\u00a0${rules[rules.length - 1]}\u00a0»)\u00a0: choisissez la règle retenue ci-dessous et lancez le dépouillement avant de publier.`);
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
      h('h3', {}, `Brouillon\u00a0: règle «\u00a0${ruleLabels[d.rule] || d.rule}\u00a0»`),
      h('ul', {},
        h('li', {}, `${plural(d.ballots_counted, 'bulletin compté', 'bulletins comptés')}`),
        h('li', {}, `${plural(d.winners.length, 'initiative financée', 'initiatives financées')} pour ${euros(d.total_allocated_eur)} sur ${euros(d.envelope_eur)}`),
        h('li', {}, 'Racine de l’arbre des bulletins\u00a0: ', h('span', { class: 'mono' }, d.root))),
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
  await work($('#tally-submit'), 'Dépouillement…', async () => {
    try {
      const signed = await tally(rule);
      renderDraft(signed);
      notice(box, 'ok', `Dépouillement terminé avec la règle «\u00a0${ruleLabels[rule]}\u00a0». Relisez le brouillon, puis publiez.`);
      focusOn($('#draft-summary'));
    } catch (e) {
      tallyError(box, e);
    }
  });
});

// ------------------------------------------------------------------ publication

function setPublished() {
  published = true;
  updateControls();
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
    notice(box, 'error', `Le brouillon actuel a été fait avec la règle «\u00a0${lastTally.rule}\u00a0», pas avec la règle choisie («\u00a0${rule}\u00a0»). Lancez le dépouillement avec la règle choisie (étape 2), relisez, puis publiez.`);
    focusOn($('#tally-submit'));
    return;
  }
  if (!$('#publish-confirm').checked) {
    notice(box, 'error', 'Cochez la case de confirmation\u00a0: la publication est définitive.');
    focusOn($('#publish-confirm'));
    return;
  }
  await work($('#publish-submit'), 'Publication…', async () => {
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
  updateControls();
  try {
    campaign = await loadCampaign();
  } catch (e) {
    notice($('#page-status'), 'error', errorText(e));
    return;
  }
  render($('#campaign-info'), h('p', {}, h('span', { class: 'phase-badge' }, phaseLabels[campaign.phase] || campaign.phase),
    ` Vote du ${whenPhrase(campaign.vote_opens).replace(/^le /, '')} au ${whenPhrase(campaign.vote_closes).replace(/^le /, '')}.`));
  closed = campaign.phase === 'closed' || campaign.phase === 'published';
  updateControls();
  if (!closed) {
    notice($('#page-status'), 'warn', `Le vote n’est pas encore clos\u00a0: le dépouillement sera possible après sa clôture, ${whenPhrase(campaign.vote_closes)}. La date de clôture est fixée dans la configuration de la campagne.`);
  } else if (campaign.phase === 'published') {
    notice($('#page-status'), 'ok', h('p', {}, 'Les résultats sont publiés. ', h('a', { href: '/resultats.html' }, 'Voir la page publique')));
    setPublished();
  }
}

$('#compare').addEventListener('click', compare);
main().catch((e) => { if (!e.handled) notice($('#page-status'), 'error', errorText(e)); });
