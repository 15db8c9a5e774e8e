// Home: the phase of the campaign, its dates and the days left, and what to do now. The phase
// and the main call to action come right under the title: on a phone (360 x 740) the vote
// button is on the first screen, without scrolling.
import { errorText } from '../api.js';
import { loadCampaign } from '../state.js';
import { h, render, dateTime, daysUntil, euros, plural, phaseLabels, notice } from '../ui.js';

const status = document.getElementById('campaign-status');
const headline = document.getElementById('campaign-headline');
const actions = document.getElementById('campaign-actions');

function link(href, text, secondary) {
  return h('a', { class: secondary ? 'button button--secondary' : 'button', href }, text);
}

async function main() {
  let c;
  try {
    c = await loadCampaign();
  } catch (e) {
    notice(status, 'error', `L’état du Budget citoyen n’a pas pu être chargé. ${errorText(e)}`);
    return;
  }
  document.title = `${c.title} — Budget citoyen du Pas-de-Calais`;
  const heading = document.querySelector('h1');
  if (heading) heading.textContent = `${c.title} du Pas-de-Calais`;
  const badge = h('span', { class: 'phase-badge' }, phaseLabels[c.phase] || c.phase);
  const parts = [];
  const facts = h('ul', { class: 'key-figures' },
    h('li', {}, h('strong', {}, euros(c.envelope_eur)), 'à répartir entre les initiatives'),
    h('li', {}, h('strong', {}, String(c.max_choices)), c.max_choices > 1 ? 'initiatives au plus par personne' : 'initiative par personne'),
    h('li', {}, h('strong', {}, `${c.min_age} ans`), 'au moins pour voter'));
  const call = c.call || { state: 'none' };
  if (c.phase === 'labelling' && call.state === 'open') {
    // The call for initiatives (issue 17): holders apply from /porteurs/ until it closes.
    const days = daysUntil(call.closes);
    render(headline, h('span', { class: 'phase-badge' }, 'Appel à initiatives'),
      ' Les porteurs de projet déposent leur initiative jusqu’au ', h('strong', {}, dateTime(call.closes)),
      days > 1 ? ` : il reste ${plural(days, 'jour', 'jours')}.` : ' : c’est le dernier jour.');
    parts.push(h('p', {}, 'Associations, coopératives, collectifs d’habitants : présentez votre initiative en ligne, avec l’aide du comptoir à initiatives citoyennes de votre territoire si vous le souhaitez. Le vote des habitants ouvrira le ',
      h('strong', {}, dateTime(c.vote_opens)), '.'));
    render(actions, link('/porteurs/', 'Déposer une initiative'), link('/initiatives.html', 'Découvrir les initiatives', true));
  } else if (c.phase === 'labelling') {
    const days = daysUntil(c.vote_opens);
    render(headline, badge, ' Le vote ouvrira le ', h('strong', {}, dateTime(c.vote_opens)),
      days > 0 ? ` : dans ${plural(days, 'jour', 'jours')}.` : '.');
    parts.push(h('p', {}, 'Le comité de labellisation examine les initiatives. Celles qui sont déjà labellisées sont présentées dès maintenant.'));
    render(actions, link('/initiatives.html', 'Découvrir les initiatives'));
  } else if (c.phase === 'voting') {
    const days = daysUntil(c.vote_closes);
    render(headline, badge, ' Le vote est ouvert jusqu’au ', h('strong', {}, dateTime(c.vote_closes)),
      days > 1 ? ` : il reste ${plural(days, 'jour', 'jours')} pour voter.` : ' : c’est le dernier jour pour voter.');
    render(actions, link('/initiatives.html', 'Choisir mes initiatives et voter'),
      link('/verifier.html', 'Vérifier mon bulletin', true));
  } else if (c.phase === 'closed') {
    render(headline, badge, ' Le vote est clos depuis le ', h('strong', {}, dateTime(c.vote_closes)),
      '. La Mission ESS dépouille les bulletins ; les résultats seront publiés ici.');
    render(actions, link('/initiatives.html', 'Revoir les initiatives', true));
  } else {
    render(headline, badge, ' Les résultats sont publiés. Découvrez les initiatives financées et vérifiez vous-même que votre bulletin a été compté.');
    render(actions, link('/resultats.html', 'Voir les résultats'), link('/verifier.html', 'Vérifier mon bulletin', true));
  }
  if (c.phase === 'labelling' && call.state === 'upcoming') {
    parts.push(h('p', {}, 'L’appel à initiatives ouvrira le ', h('strong', {}, dateTime(call.opens)), ' : ',
      h('a', { href: '/porteurs/' }, 'préparez votre dossier'), '.'));
  } else if (call.state === 'closed' && c.phase !== 'published') {
    parts.push(h('p', {}, 'Vous avez déposé une initiative ? ', h('a', { href: '/porteurs/' }, 'Suivez votre dossier'), '.'));
  }
  parts.push(facts);
  if (call.state !== 'none') {
    parts.push(h('p', { class: 'muted' }, `Appel à initiatives du ${dateTime(call.opens)} au ${dateTime(call.closes)} (heure de Paris).`));
  }
  parts.push(h('p', { class: 'muted' }, `Vote du ${dateTime(c.vote_opens)} au ${dateTime(c.vote_closes)} (heure de Paris).`));
  render(status, ...parts);
}

main();
