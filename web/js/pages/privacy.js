// The notice pages, "Données personnelles" and "Mentions légales": their facts (the controller,
// the contacts, the host, the retention of each datum, the campaign's dates) come from
// GET /api/v1/privacy, that is from the [privacy] section of the configuration, and are written
// into the elements that name them:
//   data-fact="controller"              a text of [privacy] (a mailto link with data-mail)
//   data-retention="code_s"             a lifetime in seconds, in words ("10 minutes")
//   data-after-publication="purge_after_days"   "30 jours après la publication des résultats"
//   data-campaign="vote_opens"          a date of the campaign (vote_opens, vote_closes, published_at)
// The page's own text says the rest; it reads the same with or without these facts.
import { api, errorText } from '../api.js';
import { $, $$, h, notice, render } from '../ui.js';
import {
  TO_COMPLETE, afterPublicationDated, duration, fact, longDate, longDateTime,
} from '../privacy-words.js';

const DAY_MS = 86400000;

// An address that can be written to: an e-mail on its own (a postal address stays text).
const isMailbox = (text) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);

function showFact(el, value) {
  const text = fact(value);
  el.classList.toggle('to-complete', text === TO_COMPLETE);
  if (el.hasAttribute('data-mail') && isMailbox(text)) render(el, h('a', { href: `mailto:${text}` }, text));
  else render(el, text);
}

/** When a deadline counted from the publication falls, once the results are published. */
function dueDate(publishedAt, days) {
  const at = Date.parse(publishedAt || '');
  if (Number.isNaN(at) || !Number.isInteger(days)) return null;
  return new Date(at + days * DAY_MS).toISOString();
}

function fill(facts) {
  const retention = facts.retention || {};
  const campaign = facts.campaign || {};
  for (const el of $$('[data-fact]')) showFact(el, facts[el.dataset.fact]);
  for (const el of $$('[data-retention]')) render(el, duration(retention[el.dataset.retention]));
  for (const el of $$('[data-after-publication]')) {
    const key = el.dataset.afterPublication;
    const due = key === 'purge_after_days' ? campaign.purge_due : dueDate(campaign.published_at, retention[key]);
    render(el, afterPublicationDated(retention[key], due));
  }
  for (const el of $$('[data-campaign]')) {
    // The vote opens and closes at an hour; the publication is said by its day.
    const key = el.dataset.campaign;
    const date = key === 'published_at' ? longDate(campaign[key]) : longDateTime(campaign[key]);
    render(el, date || (key === 'published_at' ? 'pas encore faite' : TO_COMPLETE));
  }
}

async function main() {
  try {
    fill(await api('GET', '/api/v1/privacy'));
  } catch (e) {
    notice($('#facts-status'), 'error',
      `Les coordonnées du Département et les durées de conservation n’ont pas pu être chargées. ${errorText(e)}`);
  }
}

main();
