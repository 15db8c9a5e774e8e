// Initiatives import (POST /api/v1/admin/initiatives): paste or upload JSON, every refused row
// listed with its problems, all-or-nothing.
import { api, errorText } from '../api.js';
import { loadCampaign } from '../state.js';
import { requireStaff, sessionExpired, whenPhrase } from '../staff.js';
import { $, $$, busy, fieldError, focusOn, h, notice, plural } from '../ui.js';

const text = $('#import-text');
const result = $('#import-result');

/** Where a JSON.parse error happened, as "ligne L, colonne C", when the browser says. */
function position(source, error) {
  const m = /position (\d+)/.exec(error.message) || /column (\d+)/.exec(error.message);
  if (!m) return '';
  const at = Number(m[1]);
  const before = source.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return ` (ligne ${line}, colonne ${col})`;
}

function rowsList(rows, submitted) {
  return h('ul', { class: 'import-rows', 'aria-label': 'Lignes refusées' }, ...rows.map((r) => {
    const name = r.id ? `«\u00a0${r.id}\u00a0»` : (submitted[r.index] && submitted[r.index].title ? `«\u00a0${submitted[r.index].title}\u00a0»` : '');
    return h('li', {},
      h('strong', {}, `Ligne ${r.index + 1}${name ? ` ${name}` : ''}\u00a0:`),
      h('ul', {}, ...r.errors.map((e) => h('li', {}, e))));
  }));
}

$('#import-file').addEventListener('change', async (ev) => {
  const file = ev.target.files && ev.target.files[0];
  if (!file) return;
  if (file.size > 60000) {
    notice(result, 'error', `Le fichier «\u00a0${file.name}\u00a0» est trop gros pour un seul lot (plus de 60 ko)\u00a0: découpez-le.`);
    return;
  }
  text.value = await file.text();
  fieldError(text, null);
  notice(result, 'info', `Le fichier «\u00a0${file.name}\u00a0» est chargé dans la zone de texte. Relisez-le, puis appuyez sur «\u00a0Importer\u00a0».`);
});

$('#import-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const source = text.value.trim();
  if (!source) { fieldError(text, 'Collez le contenu JSON ou choisissez un fichier.'); focusOn(text); return; }
  let body;
  try {
    body = JSON.parse(source);
  } catch (e) {
    fieldError(text, `Ce texte n’est pas du JSON valide${position(source, e)}. Vérifiez les guillemets, les virgules et les accolades.`);
    focusOn(text);
    return;
  }
  fieldError(text, null);
  if (Array.isArray(body)) body = { initiatives: body };  // a bare list, as budgetctl accepts
  const submitted = body.initiatives || [body];
  await busy($('#import-submit'), 'Import…', async () => {
    try {
      const r = await api('POST', '/api/v1/admin/initiatives', body);
      notice(result, 'ok', h('p', {}, h('strong', {}, `${plural(r.imported, 'initiative importée', 'initiatives importées')}\u00a0: `), r.ids.join(', '), '.'),
        h('p', {}, 'Elles sont maintenant à évaluer par le comité. ', h('a', { href: '/comite/' }, 'Voir les initiatives')));
      text.value = '';
    } catch (e) {
      if (sessionExpired(result, e)) return;
      const rows = e.details && Array.isArray(e.details.rows) ? e.details.rows : [];
      notice(result, 'error', h('p', {}, h('strong', {}, e.message)), rows.length ? rowsList(rows, submitted) : null);
    }
    focusOn(result.firstElementChild);
  });
});

/** Once the vote has opened the ballot is sealed: the form is disabled and says why. */
async function main() {
  await requireStaff(['mission']);
  let campaign;
  try {
    campaign = await loadCampaign();
  } catch {
    return;  // the server refuses a late import anyway, with its own message
  }
  if (campaign.phase === 'labelling') return;
  const reason = $('#import-reason');
  reason.textContent = `Le vote s’est ouvert ${whenPhrase(campaign.vote_opens)}\u00a0: le bulletin de vote est scellé, aucune initiative ne peut plus être importée.`;
  reason.hidden = false;
  for (const el of $$('#import-form input, #import-form textarea, #import-form button')) {
    el.disabled = true;
    el.setAttribute('aria-describedby', [el.getAttribute('aria-describedby'), 'import-reason'].filter(Boolean).join(' '));
  }
}

main().catch((e) => { if (!e.handled) notice($('#page-status'), 'error', errorText(e)); });
