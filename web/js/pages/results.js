// Published results: key figures, winners and amounts, votes of every initiative as a table with
// proportional bars, the rule used; the signature is checked in the browser on the way.
import { api, errorText } from '../api.js';
import { loadCampaign } from '../state.js';
import { $, dateTime, euros, h, notice, number, plural, reasonLabels, render, ruleExplanations, ruleLabels } from '../ui.js';
import { verifySignedDocument } from '../verify-core.js';

const status = $('#results-status');

// The downloads are plain text until publication (a link would only lead to a 404): the page
// makes them links once the results are there.
function activateDownloads() {
  for (const span of document.querySelectorAll('#downloads-list .download-off')) {
    const a = h('a', { href: span.dataset.href, download: span.dataset.download || null }, span.textContent);
    span.replaceWith(a);
  }
  $('#downloads-note').textContent = 'Les fichiers publiés, pour les garder ou les vérifier vous-même.';
}

async function main() {
  let results;
  let campaign;
  let ballot = [];
  try {
    campaign = await loadCampaign();
    // Before publication the answer is known: no request that could only fail.
    if (campaign.phase !== 'published') throw Object.assign(new Error('not published'), { status: 404 });
    results = await api('GET', '/api/v1/results');
  } catch (e) {
    if (e.status === 404) {
      const when = campaign && campaign.phase === 'voting'
        ? `Le vote est ouvert jusqu’au ${dateTime(campaign.vote_closes)} ; les résultats seront publiés après le dépouillement.`
        : campaign && campaign.phase === 'labelling'
          ? `Le vote n’a pas encore commencé : il ouvrira le ${dateTime(campaign.vote_opens)}.`
          : 'Le vote est clos ; la Mission ESS dépouille les bulletins. Les résultats seront publiés ici.';
      notice(status, 'info', h('p', {}, h('strong', {}, 'Les résultats ne sont pas encore publiés. '), when));
    } else {
      notice(status, 'error', `Les résultats n’ont pas pu être chargés. ${errorText(e)}`);
    }
    return;
  }
  try { ballot = await api('GET', '/api/v1/initiatives'); } catch { ballot = []; }
  const doc = results.document;
  const info = new Map(ballot.map((i) => [i.id, i]));
  const initiatives = new Map(doc.initiatives.map((i) => [i.id, i]));
  const title = (id) => (initiatives.get(id) || {}).title || id;
  const territoryOf = (id) => {
    const i = info.get(id);
    return i ? (i.territory_label || i.territory) : ((initiatives.get(id) || {}).territory || '');
  };

  activateDownloads();
  render(status, h('p', {}, `Résultats de la campagne « ${doc.campaign.title} », dépouillés le ${dateTime(doc.tallied_at)}.`));
  $('#results').hidden = false;

  render($('#key-figures'),
    h('li', {}, h('strong', {}, number(doc.ballots_counted)), plural(doc.ballots_counted, 'bulletin compté', 'bulletins comptés').replace(/^\S+ /, '')),
    h('li', {}, h('strong', {}, String(doc.winners.length)), doc.winners.length > 1 ? 'initiatives financées' : 'initiative financée'),
    h('li', {}, h('strong', {}, euros(doc.total_allocated_eur)), `attribués sur ${euros(doc.envelope_eur)}`));

  const winnersBody = $('#winners-table tbody');
  render(winnersBody, ...doc.winners.map((w) => h('tr', {},
    h('td', { class: 'num' }, String(w.rank)),
    h('th', { scope: 'row' }, title(w.id)),
    h('td', {}, territoryOf(w.id)),
    h('td', { class: 'num' }, number(w.votes)),
    h('td', { class: 'num' }, euros(w.amount_eur)))));
  if (doc.winners.length === 0) winnersBody.append(h('tr', {}, h('td', { colspan: 5 }, 'Aucune initiative n’a été financée.')));

  const sorted = [...doc.initiatives].sort((a, b) => b.votes - a.votes || a.title.localeCompare(b.title, 'fr'));
  const max = Math.max(1, ...sorted.map((i) => i.votes));
  render($('#votes-table tbody'), ...sorted.map((i) => {
    const bar = h('span', { class: `bar${i.funded ? ' bar--winner' : ''}`, 'aria-hidden': 'true' });
    bar.style.width = `${(100 * i.votes) / max}%`;    // CSSOM, allowed by the style-src policy
    return h('tr', { class: i.funded ? 'is-winner' : '' },
      h('th', { scope: 'row' }, i.title),
      h('td', { class: 'num' }, number(i.votes)),
      h('td', { class: 'bar-cell' }, bar),
      h('td', {}, i.funded ? h('span', { class: 'tag tag--ok' }, `financée : ${euros(i.amount_eur)}`) : (reasonLabels[i.reason] || i.reason)));
  }));

  render($('#rule'),
    h('p', {}, h('strong', {}, ruleLabels[doc.rule] || doc.rule), '. ', ruleExplanations[doc.rule] || ''),
    h('p', {}, String(doc.rule).startsWith('mes')
      ? 'En cas d’égalité, l’initiative au plus faible coût par voix passe d’abord, puis celle qui demande le moins d’euros, puis l’ordre des identifiants. '
      : 'En cas d’égalité de voix, l’initiative qui demande le moins d’euros passe d’abord, puis l’ordre des identifiants. ',
      'Texte exact du document signé : ', h('span', { lang: 'en' }, `« ${doc.tie_break} »`), '.'),
    h('p', {}, 'Une initiative reçoit au plus le montant demandé, dans la limite du plafond de sa catégorie ; une initiative sans voix n’est jamais financée.'));

  // The signature, checked here rather than trusted.
  const sigBox = $('#signature-status');
  try {
    const sig = await verifySignedDocument(results);
    if (sig.ok && sig.fingerprintMatches) {
      notice(sigBox, 'ok', h('p', {}, h('strong', {}, 'Signature vérifiée par votre navigateur. '),
        'Ces résultats sont exactement ceux signés par la clé de la campagne (empreinte ', h('span', { class: 'mono' }, sig.fingerprint), ').'));
    } else {
      notice(sigBox, 'error', h('p', {}, h('strong', {}, 'Attention : la signature de ces résultats est invalide. '),
        'Les chiffres affichés ont été modifiés après leur signature. Ne vous y fiez pas et signalez-le à la Mission ESS.'));
    }
  } catch (e) {
    notice(sigBox, 'warn', `La signature n’a pas pu être vérifiée dans ce navigateur (${e.message}). Utilisez la page « Vérifier mon bulletin » ou l’outil budgetctl.`);
  }
}

main();
