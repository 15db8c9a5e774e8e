// One file of an initiative holder (/porteurs/dossier.html?id=d-...): the form in fieldsets,
// saved as the holder types (PUT /api/v1/holder/applications/{id} 800 ms after the typing stops,
// only the fields changed: an absent key keeps its value), the self-assessment on the committee's
// questionnaire (GET /api/v1/holder/questionnaire) drawn as the holder's radar (radar.svg, fetched
// again when it changes), the PDF attachments (sent raw), what is left to complete (the
// application's `problems`, shown by field), the submission and the status timeline. Read-only
// once the file cannot change (the call closed, or the Mission decided).
import { api, errorText, getCsrfToken } from '../api.js';
import { CommuneCombobox } from '../combobox.js';
import { resolveCommune } from '../commune-match.js';
import { $, $$, busy, clear, euros, fieldError, focusOn, h, notice, param, plural, render } from '../ui.js';
import {
  clockTime, fileSize, holderSession, statusTag, uploadPdf, whenPhrase,
} from './holder-common.js';

const id = param('id') || '';
const base = `/api/v1/holder/applications/${encodeURIComponent(id)}`;
const status = $('#page-status');
const autosave = $('#autosave');
const form = $('#application-form');

const TEXT_FIELDS = ['holder', 'legal_form', 'siret', 'contact_name', 'contact_email', 'contact_phone', 'title', 'summary', 'description'];
const ALL_FIELDS = [...TEXT_FIELDS, 'commune', 'requested_eur', 'self_assessment'];
const SUMMARY_MAX = 400;
const MAX_ATTACHMENTS = 3;
const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

let me = null;
let app = null;            // the Application as the API last sent it
let meta = null;           // {call, legal_forms, categories, max_requested_eur}
let questionnaire = null;  // {markers: [{id, label, questions: [{id, text, scale}]}]}
let communes = [];
let territories = {};
let combobox = null;
const dirty = new Set();   // fields changed since the last save
const touched = new Set(); // fields the holder changed on this page: their problems are shown
let showAll = false;       // after a submission attempt: every problem is shown
let hardProblems = [];     // what the API refused in the last save (422 invalid_application)
let timer = null;
let chain = Promise.resolve();
let radarVersion = 0;
let radarShown = '';

const input = (field) => document.getElementById(`f-${field}`);

// ------------------------------------------------------------------ values

function amountOf(text) {
  const t = String(text).replace(/[\s\u00a0\u202f€]|euros?$/gi, '');
  if (!t) return { value: 0 };
  if (!/^\d{1,9}$/.test(t)) return { error: 'Le montant s’écrit en euros, en chiffres et sans centimes\u00a0: par exemple 8\u00a0000.' };
  return { value: Number(t) };
}

function answers() {
  const out = {};
  if (!questionnaire) return out;
  for (const m of questionnaire.markers) {
    for (const q of m.questions) {
      const checked = form.querySelector(`input[name="q:${CSS.escape(q.id)}"]:checked`);
      if (checked) out[q.id] = Number(checked.value);
    }
  }
  return out;
}

/** The body of a PUT for `fields`; a field that cannot be sent as typed is left out (and said). */
function bodyOf(fields) {
  const body = {};
  for (const f of fields) {
    if (f === 'commune') {
      const c = combobox.value();
      body.commune = c ? c.code : '';
    } else if (f === 'requested_eur') {
      const a = amountOf(input(f).value);
      if (a.error) { fieldError(input(f), a.error); continue; }
      body.requested_eur = a.value;
    } else if (f === 'self_assessment') {
      body.self_assessment = answers();
    } else if (f === 'siret') {
      body.siret = input(f).value.replace(/[\s\u00a0\u202f.]/g, '');
    } else {
      body[f] = input(f).value.trim();
    }
  }
  return body;
}

// ------------------------------------------------------------------ autosave

function setAutosave(kind, text) {
  autosave.hidden = false;
  autosave.className = `autosave notice${kind ? ` notice--${kind}` : ''}`;
  autosave.textContent = text;
}

function changed(field) {
  dirty.add(field);
  // The self-assessment is answered question by question: "questions left" is said at submission.
  if (field !== 'self_assessment') touched.add(field);
  clearTimeout(timer);
  timer = setTimeout(() => { timer = null; chain = chain.then(save); }, 800);
}

/** Saves now what is waiting (before a submission); resolves when every save has ended. */
function flush() {
  if (timer) { clearTimeout(timer); timer = null; }
  chain = chain.then(save);
  return chain;
}

async function save() {
  if (!dirty.size || !app || !app.editable) return true;
  const fields = [...dirty];
  dirty.clear();
  const body = bodyOf(fields);
  if (!Object.keys(body).length) return false;
  try {
    app = await api('PUT', base, body);
    hardProblems = [];
    const what = app.status === 'brouillon' ? 'Brouillon enregistré' : 'Modifications enregistrées';
    setAutosave('ok', `${what} à ${clockTime(new Date())}.`);
    renderState();
    return true;
  } catch (e) {
    for (const f of fields) dirty.add(f);
    saveRefused(e);
    return false;
  }
}

function saveRefused(e) {
  const problems = (e.details && e.details.problems) || [];
  if (e.code === 'invalid_application' || e.code === 'application_incomplete') {
    hardProblems = problems;
    showProblems();
    const why = e.code === 'application_incomplete'
      ? 'un dossier déposé doit rester complet. Corrigez les champs signalés'
      : 'corrigez les champs signalés';
    setAutosave('error', `Vos dernières modifications ne sont pas enregistrées\u00a0: ${why}, elles le seront aussitôt.`);
    return;
  }
  if (e.status === 401) {
    setAutosave('error', 'Votre session a expiré\u00a0: vos dernières modifications ne sont pas enregistrées.');
    notice(status, 'error', h('p', {}, 'Votre session a expiré. ', h('a', { href: '/porteurs/' }, 'Se reconnecter'),
      ', puis revenez à ce dossier.'));
    return;
  }
  if (e.code === 'call_not_open' || e.code === 'application_locked') {
    setAutosave('error', `Vos dernières modifications ne sont pas enregistrées\u00a0: ${e.message}`);
    dirty.clear();
    reload();
    return;
  }
  setAutosave('error', `Vos dernières modifications ne sont pas encore enregistrées\u00a0: ${errorText(e)} Elles le seront à votre prochaine saisie.`);
}

// A page left with changes still waiting: they are sent anyway (keepalive outlives the page).
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'hidden' || !dirty.size || !app || !app.editable) return;
  const body = bodyOf([...dirty]);
  if (!Object.keys(body).length) return;
  dirty.clear();
  clearTimeout(timer);
  timer = null;
  fetch(base, {
    method: 'PUT', keepalive: true, credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': getCsrfToken() },
    body: JSON.stringify(body),
  }).catch(() => { /* the holder sees the last saved state when they come back */ });
});

// ------------------------------------------------------------------ the form

class HolderCommune extends CommuneCombobox {
  choose(i) {
    super.choose(i);
    if (this.selected) communeChosen();
  }
}

function territoryOf(c) {
  return c && c.territory ? (territories[c.territory] || c.territory) : '';
}

function showTerritory(c) {
  $('#f-commune-territory').textContent = c ? `Territoire\u00a0: ${territoryOf(c)}` : '';
}

function communeChosen() {
  const c = combobox.value();
  showTerritory(c);
  fieldError(input('commune'), null);
  if (!app || (c && c.code === app.commune)) return;
  changed('commune');
}

function communeLeft() {
  const text = input('commune').value.trim();
  const c = combobox.value();
  if (c) { communeChosen(); return; }
  showTerritory(null);
  if (!text) {
    if (app && app.commune) changed('commune');
    return;
  }
  const r = resolveCommune(communes, text);
  fieldError(input('commune'), r.problem === 'several'
    ? `Plusieurs communes répondent à «\u00a0${text}\u00a0»\u00a0: choisissez la bonne dans la liste.`
    : `Aucune commune du Pas-de-Calais ne s’appelle exactement «\u00a0${text}\u00a0»\u00a0: choisissez-la dans la liste.`);
}

function buildForm() {
  render(input('legal_form'), h('option', { value: '' }, 'Choisissez dans la liste'),
    ...meta.legal_forms.map((f) => h('option', { value: f.id }, f.label)));
  const caps = [...meta.categories].sort((a, b) => a.cap_eur - b.cap_eur);
  render($('#caps-list'), ...caps.map((c) => h('li', {}, `${c.label}\u00a0: ${euros(c.cap_eur)} au plus`)));
  combobox = new HolderCommune(input('commune'), $('#f-commune-options'), $('#f-commune-count'));
  combobox.setCommunes(communes);
  input('commune').addEventListener('blur', () => setTimeout(communeLeft, 200));
  buildQuestionnaire();

  form.addEventListener('input', (ev) => {
    const t = ev.target;
    if (t.name === 'commune' || t.type === 'file') return;
    if (t.name && t.name.startsWith('q:')) return;   // radios: on change
    if (t.name === 'summary') countSummary();
    if (t.name === 'requested_eur') fieldError(t, null);
    if (ALL_FIELDS.includes(t.name)) changed(t.name);
  });
  form.addEventListener('change', (ev) => {
    const t = ev.target;
    if (t.type === 'radio' && t.name.startsWith('q:')) {
      $$(`input[name="${CSS.escape(t.name)}"]`).forEach((r) => r.parentElement.classList.toggle('is-checked', r.checked));
      changed('self_assessment');
    } else if (t.name === 'legal_form') {
      changed('legal_form');
    }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  $('#attachment-input').addEventListener('change', addAttachments);
  $('#submit-file').addEventListener('click', submitFile);
}

let summaryTimer = null;
function countSummary() {
  const n = [...input('summary').value].length;
  const left = SUMMARY_MAX - n;
  const text = left >= 0
    ? `${plural(n, 'caractère', 'caractères')} sur ${SUMMARY_MAX}\u202f; il en reste ${left}.`
    : `${plural(n, 'caractère', 'caractères')}\u00a0: ${-left} de trop.`;
  $('#f-summary-count').textContent = text;
  clearTimeout(summaryTimer);
  summaryTimer = setTimeout(() => { $('#f-summary-count-live').textContent = text; }, 1500);
}

const scaleWords = { 0: 'absent', 1: 'embryonnaire', 2: 'partiel', 3: 'affirmé', 4: 'exemplaire' };

function buildQuestionnaire() {
  const box = $('#questionnaire');
  if (!questionnaire) return;
  let n = 0;
  render(box, ...questionnaire.markers.map((m) => h('fieldset', { class: 'marker-group', id: `marker-${m.id}` },
    h('legend', {}, m.label),
    ...m.questions.map((q) => {
      n += 1;
      const options = [];
      for (let v = q.scale.min; v <= q.scale.max; v++) {
        const radio = h('input', { type: 'radio', name: `q:${q.id}`, value: v, id: `sa-${q.id}-${v}` });
        const word = q.scale.min === 0 && q.scale.max === 4 ? ` — ${scaleWords[v]}` : '';
        options.push(h('label', { for: radio.id }, radio, `${v}${word}`));
      }
      return h('fieldset', { class: 'question', id: `sa-${q.id}` },
        h('legend', {}, `${n}. ${q.text}`),
        h('div', { class: 'scale' }, ...options));
    }))));
}

function fillForm() {
  for (const f of TEXT_FIELDS) input(f).value = app[f] || '';
  input('requested_eur').value = app.requested_eur ? String(app.requested_eur) : '';
  if (!app.contact_email && me && me.email) {
    input('contact_email').value = me.email;
    dirty.add('contact_email');   // sent with the first save
  }
  const c = communes.find((x) => x.code === app.commune);
  if (c) {
    combobox.selected = c;
    input('commune').value = CommuneCombobox.label(c);
  } else {
    input('commune').value = app.commune_name || app.commune || '';
  }
  showTerritory(c || (app.territory ? { territory: app.territory } : null));
  if (!c && app.territory_name) $('#f-commune-territory').textContent = `Territoire\u00a0: ${app.territory_name}`;
  const sa = app.self_assessment || {};
  $$('#questionnaire input[type="radio"]').forEach((r) => {
    const qid = r.name.slice(2);
    r.checked = sa[qid] === Number(r.value);
    r.parentElement.classList.toggle('is-checked', r.checked);
  });
  countSummary();
}

// ------------------------------------------------------------------ problems

function problemsByField() {
  const by = {};
  for (const p of [...(app.problems || []), ...hardProblems]) {
    const field = ALL_FIELDS.includes(p.field) ? p.field : 'self_assessment';
    (by[field] = by[field] || []).push(p.message);
  }
  return by;
}

function visible(field) {
  return showAll || touched.has(field) || app.status !== 'brouillon'
    || hardProblems.some((p) => p.field === field);
}

function showProblems() {
  const by = problemsByField();
  for (const f of ALL_FIELDS) {
    const messages = by[f] && visible(f) ? [...new Set(by[f])] : [];
    const el = input(f);
    if (f === 'self_assessment') {
      // A group cannot be aria-invalid; its message is read with its legend (aria-describedby).
      $('#f-self_assessment-error').textContent = messages.join(' ');
    } else if (f === 'requested_eur' && amountOf(el.value).error) {
      // What the holder typed cannot be sent: that is the problem to fix first.
      fieldError(el, amountOf(el.value).error);
    } else {
      fieldError(el, messages.length ? messages.join(' ') : null);
    }
  }
  const count = (app.problems || []).length;
  $('#submit-check').textContent = count
    ? `Il reste ${plural(count, 'point', 'points')} à compléter avant de pouvoir déposer le dossier${showAll ? ' (signalés dans le formulaire)' : ''}.`
    : 'Votre dossier est complet\u00a0: vous pouvez le déposer.';
}

function targetOf(field) {
  if (field === 'self_assessment') {
    const sa = app.self_assessment || {};
    for (const m of questionnaire ? questionnaire.markers : []) {
      for (const q of m.questions) if (sa[q.id] === undefined) return $(`#sa-${CSS.escape(q.id)}-${q.scale.min}`);
    }
    return $('#f-self_assessment');
  }
  return input(field) || form;
}

function errorSummary(problems) {
  const box = $('#error-summary');
  if (!problems.length) { clear(box); return; }
  const list = h('ul', {}, problems.map((p) => {
    const field = ALL_FIELDS.includes(p.field) ? p.field : 'self_assessment';
    const target = targetOf(field);
    const a = h('a', { href: `#${target.id}` }, p.message);
    a.addEventListener('click', (ev) => { ev.preventDefault(); focusOn(target); });
    return h('li', {}, a);
  }));
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
    h('h2', {}, problems.length > 1 ? `${problems.length} informations sont à compléter ou à corriger` : 'Une information est à compléter ou à corriger'), list);
  render(box, summary);
  focusOn(summary);
}

// ------------------------------------------------------------------ radar

function renderRadar() {
  const scores = app.self_radar || {};
  const key = JSON.stringify(scores);
  const img = $('#self-radar');
  const list = $('#self-scores');
  if (questionnaire && list) {
    const sa = app.self_assessment || {};
    render(list, ...questionnaire.markers.map((m) => {
      const done = m.questions.filter((q) => sa[q.id] !== undefined).length;
      const value = scores[m.id] !== undefined
        ? `${scores[m.id]} sur 100`
        : `à compléter (${done} réponse${done > 1 ? 's' : ''} sur ${m.questions.length})`;
      return h('li', {}, h('span', {}, m.label), h('strong', {}, value));
    }));
  }
  if (key === radarShown) return;
  radarShown = key;
  const scored = Object.keys(scores);
  if (!scored.length) { img.hidden = true; return; }
  const label = (mid) => (questionnaire && questionnaire.markers.find((m) => m.id === mid) || { label: mid }).label;
  const said = questionnaire
    ? questionnaire.markers.map((m) => `${m.label} ${scores[m.id] !== undefined ? `${scores[m.id]} sur 100` : 'pas encore évalué'}`)
    : scored.map((mid) => `${label(mid)} ${scores[mid]} sur 100`);
  radarVersion += 1;
  img.src = `${base}/radar.svg?v=${radarVersion}`;
  img.alt = `Votre radar d’auto‑évaluation, de 0 à 100\u00a0: ${said.join('\u202f; ')}.`;
  img.hidden = false;
  $('#self-radar-caption').textContent = 'Votre radar, d’après vos réponses (0 à 100 par marqueur). Il est redessiné à chaque enregistrement.';
}

// ------------------------------------------------------------------ attachments

function renderAttachments() {
  const list = $('#attachment-list');
  const items = app.attachments || [];
  render(list, ...items.map((a) => {
    const remove = h('button', { type: 'button', class: 'button--link' }, 'Retirer', h('span', { class: 'visually-hidden' }, ` «\u00a0${a.name}\u00a0»`));
    remove.hidden = !app.editable;
    remove.addEventListener('click', () => removeAttachment(a, remove));
    return h('li', {}, h('span', { class: 'attachment-name' }, a.name),
      h('span', { class: 'muted' }, `${fileSize(a.size)}, ajouté ${whenPhrase(a.uploaded_at)}`), remove);
  }));
  if (!items.length) list.append(h('li', { class: 'muted' }, 'Aucune pièce jointe pour le moment.'));
  const full = items.length >= MAX_ATTACHMENTS;
  $('#attachment-field').hidden = !app.editable || full;
  $('#attachments-full').hidden = !app.editable || !full;
}

async function addAttachments(ev) {
  const field = ev.currentTarget;
  const files = [...field.files];
  field.value = '';
  const box = $('#attachment-status');
  clear(box);
  fieldError(field, null);
  if (!files.length) return;
  const room = MAX_ATTACHMENTS - (app.attachments || []).length;
  const errors = [];
  if (files.length > room) {
    errors.push(`Vous pouvez joindre ${MAX_ATTACHMENTS} fichiers au plus\u00a0: il reste ${plural(room, 'place', 'places')}. Retirez une pièce jointe avant d’en ajouter une autre.`);
  }
  const sendable = [];
  for (const f of files.slice(0, Math.max(0, room))) {
    if (f.type !== 'application/pdf' && !/\.pdf$/i.test(f.name)) errors.push(`«\u00a0${f.name}\u00a0» n’est pas un fichier PDF\u00a0: enregistrez-le au format PDF, puis ajoutez-le.`);
    else if (f.size > MAX_ATTACHMENT_BYTES) errors.push(`«\u00a0${f.name}\u00a0» pèse ${fileSize(f.size)}\u00a0: chaque fichier doit peser 5\u00a0Mo au plus.`);
    else if (f.size === 0) errors.push(`«\u00a0${f.name}\u00a0» est vide.`);
    else sendable.push(f);
  }
  const added = [];
  for (const f of sendable) {
    notice(box, 'info', `Envoi de «\u00a0${f.name}\u00a0» (${fileSize(f.size)})…`);
    try {
      const r = await uploadPdf(`${base}/attachments?name=${encodeURIComponent(f.name)}`, f, getCsrfToken());
      app = r.application;
      added.push(r.attachment.name);
      renderState();
    } catch (e) {
      errors.push(`«\u00a0${f.name}\u00a0» n’a pas été ajouté\u00a0: ${errorText(e)}`);
    }
  }
  clear(box);
  if (errors.length) {
    fieldError(field, errors.join(' '));
    notice(box, 'error', ...errors);
    if (!$('#attachment-field').hidden) focusOn(field);
  }
  if (added.length) {
    const done = added.length > 1 ? `${added.length} fichiers sont ajoutés.` : `«\u00a0${added[0]}\u00a0» est ajouté.`;
    if (errors.length) box.firstElementChild.prepend(h('p', {}, done));
    else notice(box, 'ok', done);
  }
}

async function removeAttachment(a, button) {
  const box = $('#attachment-status');
  await busy(button, 'Retrait…', async () => {
    try {
      app = await api('DELETE', `${base}/attachments/${encodeURIComponent(a.sha256)}`);
      renderState();
      notice(box, 'ok', `«\u00a0${a.name}\u00a0» est retiré.`);
      focusOn($('#attachment-field').hidden ? $('#attachment-list') : $('#attachment-input'));
    } catch (e) {
      notice(box, 'error', `«\u00a0${a.name}\u00a0» n’a pas été retiré\u00a0: ${errorText(e)}`);
    }
  });
}

// ------------------------------------------------------------------ submission

async function submitFile(ev) {
  const button = ev.currentTarget;
  const box = $('#submit-status');
  clear(box);
  await busy(button, 'Dépôt…', async () => {
    await flush();
    try {
      app = await api('POST', `${base}/submit`, undefined);
      showAll = false;
      clear($('#error-summary'));
      renderState();
      const closes = meta.call && meta.call.closes ? ` jusqu’au ${whenPhrase(meta.call.closes).replace(/^le /, '')}` : '';
      const done = notice($('#page-status'), 'ok', h('p', {}, h('strong', {}, 'Votre dossier est déposé.'),
        ` La Mission ESS va vérifier qu’il est recevable\u202f; vous recevrez un courriel à chaque étape. Vous pouvez encore le modifier${closes}.`));
      done.setAttribute('tabindex', '-1');
      focusOn(done);
    } catch (e) {
      if (e.code === 'application_incomplete') {
        showAll = true;
        if (e.details && e.details.problems) app.problems = e.details.problems;
        showProblems();
        errorSummary(app.problems || []);
        return;
      }
      notice(box, 'error', errorText(e));
      focusOn(box.firstElementChild);
      if (e.code === 'call_not_open' || e.code === 'already_submitted') reload();
    }
  });
}

// ------------------------------------------------------------------ status and history

const reasonLabels = {
  recevable: 'Précision de la Mission ESS', irrecevable: 'Motif', labellisee: 'Avis du comité', refusee: 'Motif du comité',
};

function renderTimeline() {
  const steps = app.history || [];
  render($('#timeline'), ...steps.map((s) => h('li', { class: `timeline__step timeline__step--${s.status}` },
    h('p', { class: 'timeline__what' }, statusTag(s.status, s.label), ' ', h('time', { datetime: s.at }, whenPhrase(s.at))),
    s.reason ? h('p', { class: 'timeline__reason' }, `${reasonLabels[s.status] || 'Précision'}\u00a0: ${s.reason}`) : null)));
  $('#history-section').hidden = !steps.length;
}

const statusSentences = {
  brouillon: 'Ce dossier est un brouillon\u00a0: il n’est pas encore déposé.',
  deposee: 'Votre dossier est déposé\u00a0: la Mission ESS va vérifier qu’il est recevable.',
  recevable: 'Votre dossier est recevable\u00a0: le comité de labellisation l’évalue.',
  irrecevable: 'La Mission ESS a déclaré votre dossier irrecevable.',
  labellisee: 'Votre initiative est labellisée\u00a0: elle sera soumise au vote des habitants.',
  refusee: 'Le comité de labellisation n’a pas labellisé votre initiative.',
  au_vote: 'Votre initiative est soumise au vote des habitants.',
  laureate: 'Votre initiative est lauréate du Budget citoyen\u00a0: elle sera financée.',
  non_retenue: 'Votre initiative n’a pas été retenue par le vote des habitants.',
};

function renderStatus() {
  const last = (app.history || []).slice(-1)[0];
  render($('#file-status-line'), 'Statut\u00a0: ', statusTag(app.status, app.status_label), ' ',
    statusSentences[app.status] || '', last && last.reason && app.status === 'irrecevable' ? ` Motif\u00a0: ${last.reason}` : '');
  const locked = $('#locked-reason');
  if (app.editable) {
    locked.hidden = true;
  } else {
    locked.hidden = false;
    locked.textContent = ['brouillon', 'deposee'].includes(app.status)
      ? 'L’appel à initiatives n’est pas ouvert\u00a0: ce dossier ne peut pas être modifié.'
      : 'La Mission ESS a examiné ce dossier\u00a0: il ne peut plus être modifié.';
  }
  $('#file-state').hidden = false;
  const title = app.title || 'Dossier sans titre';
  $('#file-title').textContent = title;
  document.title = `${title} — Mon dossier — Budget citoyen du Pas-de-Calais`;
}

function renderSubmit() {
  const section = $('#submit-section');
  section.hidden = !app.editable;
  const draft = app.status === 'brouillon';
  $('#depot-titre').textContent = draft ? 'Déposer le dossier' : 'Dossier déposé';
  $('#submit-file').hidden = !draft;
  $('#submit-check').hidden = !draft;
  const closes = meta.call && meta.call.closes ? whenPhrase(meta.call.closes).replace(/^le /, '') : '';
  $('#submit-explain').textContent = draft
    ? `Une fois déposé, votre dossier est examiné par la Mission ESS. Vous pourrez encore le modifier${closes ? ` jusqu’au ${closes}` : ' tant que l’appel est ouvert'}.`
    : `Vous pouvez encore modifier votre dossier${closes ? ` jusqu’au ${closes}` : ' tant que l’appel est ouvert'}\u00a0: chaque modification est enregistrée aussitôt et doit le laisser complet.`;
}

function renderEditable() {
  $$('#application-form fieldset').forEach((fs) => { fs.disabled = !app.editable; });
  if (!app.editable) autosave.hidden = true;
}

function renderState() {
  renderStatus();
  renderEditable();
  renderRadar();
  renderAttachments();
  renderSubmit();
  renderTimeline();
  showProblems();
}

async function reload() {
  try {
    app = await api('GET', base);
    renderState();
  } catch { /* the message already shown says what went wrong */ }
}

// ------------------------------------------------------------------ page

async function main() {
  try {
    me = await holderSession();
  } catch (e) {
    notice(status, 'error', errorText(e));
    return;
  }
  if (!me) {
    notice(status, 'warn', h('p', {}, 'Connectez-vous pour voir ce dossier. ', h('a', { href: '/porteurs/' }, 'Accéder à mon espace')));
    return;
  }
  if (!id) {
    notice(status, 'error', h('p', {}, 'Aucun dossier n’est indiqué. ', h('a', { href: '/porteurs/' }, 'Voir mes dossiers')));
    return;
  }
  let communeData;
  try {
    [meta, app, communeData] = await Promise.all([
      api('GET', '/api/v1/holder/applications'),
      api('GET', base),
      api('GET', '/api/v1/communes'),
    ]);
  } catch (e) {
    notice(status, 'error', h('p', {}, errorText(e), ' ', h('a', { href: '/porteurs/' }, 'Retour à mes dossiers')));
    return;
  }
  communes = communeData.communes;
  territories = Object.fromEntries((communeData.territories || []).map((t) => [t.id, t.label]));
  try {
    // The committee's questionnaire, as GET /api/v1/admin/questionnaire gives it to the committee
    // (markers, questions and their scales), inside the list's answer or on its own route.
    questionnaire = meta.questionnaire || await api('GET', '/api/v1/holder/questionnaire');
  } catch (e) {
    questionnaire = null;
    notice($('#questionnaire'), 'error', `Le questionnaire d’auto‑évaluation n’a pas pu être chargé. ${errorText(e)}`);
  }
  buildForm();
  fillForm();
  form.hidden = false;
  renderState();
  if (app.editable) {
    setAutosave('', app.status === 'brouillon'
      ? 'Votre dossier est enregistré automatiquement pendant que vous le remplissez.'
      : 'Chaque modification est enregistrée automatiquement.');
  }
}

main().catch((e) => notice(status, 'error', errorText(e)));
