// One initiative for a committee member: the questionnaire with autosave of one's own answers
// (PUT .../evaluation once every question has an answer; a local draft until then), the radar
// (own answers over the aggregate), the gate's verdict and reasons, the decision, the history.
import { api, errorText } from '../api.js';
import { actionLabels, requireStaff, sessionExpired } from '../staff.js';
import { $, $$, busy, dateTime, euros, fieldError, focusOn, h, notice, param, plural, render } from '../ui.js';

const id = param('id') || '';
const status = $('#page-status');
const autosave = $('#autosave');
let me;
let questionnaire;
let initiative;
let editable = false;
let radar = null;
let saveTimer = null;
let saving = Promise.resolve();
let radarVersion = 0;
let sealed = false;

const scaleWords = { 0: 'absent', 1: 'embryonnaire', 2: 'partiel', 3: 'affirmé', 4: 'exemplaire' };

const draftKey = () => `budget.draft.${me.username}.${id}`;
function readDraft() {
  try { return JSON.parse(localStorage.getItem(draftKey()) || 'null'); } catch { return null; }
}
function writeDraft(answers) {
  try { localStorage.setItem(draftKey(), JSON.stringify({ answers, at: new Date().toISOString() })); } catch { /* storage full or off */ }
}
function dropDraft() { try { localStorage.removeItem(draftKey()); } catch { /* nothing */ } }

const questions = () => questionnaire.markers.flatMap((m) => m.questions);
const markerName = (mid) => (questionnaire.markers.find((m) => m.id === mid) || { label: mid }).label;
const categoryOf = (cid) => questionnaire.categories.find((c) => c.id === cid);

function currentAnswers() {
  const answers = {};
  for (const q of questions()) {
    const checked = $(`input[name="${q.id}"]:checked`);
    if (checked) answers[q.id] = Number(checked.value);
  }
  return answers;
}

// ------------------------------------------------------------------ questionnaire

function buildQuestionnaire(initial) {
  const form = $('#questionnaire');
  const groups = questionnaire.markers.map((m) => h('fieldset', { class: 'marker-group' },
    h('legend', {}, m.label),
    ...m.questions.map((q, qi) => {
      const options = [];
      for (let v = q.scale.min; v <= q.scale.max; v++) {
        const input = h('input', { type: 'radio', name: q.id, value: v, id: `${q.id}-${v}` });
        if (initial[q.id] === v) input.checked = true;
        input.disabled = !editable;
        const word = q.scale.min === 0 && q.scale.max === 4 ? ` — ${scaleWords[v]}` : '';
        options.push(h('label', { for: input.id, class: input.checked ? 'is-checked' : '' }, input, `${v}${word}`));
      }
      return h('fieldset', { class: 'question', id: `q-${q.id}` },
        h('legend', {}, `${qi + 1}. ${q.text}`),
        h('div', { class: 'scale' }, ...options));
    })));
  render(form, ...groups);
  form.addEventListener('change', (ev) => {
    if (ev.target.type !== 'radio') return;
    $$(`input[name="${ev.target.name}"]`).forEach((i) => i.parentElement.classList.toggle('is-checked', i.checked));
    onAnswer();
  });
}

function answeredCount(answers) { return Object.keys(answers).length; }

function onAnswer() {
  const answers = currentAnswers();
  writeDraft(answers);
  const total = questions().length;
  const n = answeredCount(answers);
  if (n < total) {
    autosave.className = 'autosave notice notice--warn';
    autosave.textContent = `Brouillon enregistré sur cet appareil\u00a0: ${n} réponse${n > 1 ? 's' : ''} sur ${total}. Votre évaluation sera enregistrée sur le serveur dès que toutes les questions auront une réponse.`;
    return;
  }
  autosave.className = 'autosave notice';
  autosave.textContent = 'Enregistrement en cours…';
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => { saving = saving.then(() => save(answers)); }, 500);
}

async function save(answers) {
  try {
    const r = await api('PUT', `/api/v1/admin/initiatives/${encodeURIComponent(id)}/evaluation`, { answers });
    dropDraft();
    autosave.className = 'autosave notice notice--ok';
    autosave.textContent = `Évaluation enregistrée sur le serveur à ${new Date().toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', second: '2-digit' })}. Vous pouvez encore la modifier tant que le comité n’a pas décidé.`;
    radar = r;
    renderRadar();
    renderGate();
    loadHistory();
  } catch (e) {
    autosave.className = 'autosave notice notice--error';
    autosave.textContent = `Votre évaluation n’a pas été enregistrée sur le serveur\u00a0: ${errorText(e)} Vos réponses restent en brouillon sur cet appareil.`;
    if (e.code === 'already_decided' || e.code === 'ballot_sealed') setEditable(false);
    sessionExpired(status, e);
  }
}

function setEditable(on) {
  editable = on;
  $$('#questionnaire input').forEach((i) => { i.disabled = !on; });
}

// ------------------------------------------------------------------ radar and gate

function renderRadar() {
  radarVersion++;
  const img = $('#radar-img');
  img.src = `/api/v1/admin/initiatives/${encodeURIComponent(id)}/radar.svg?v=${radarVersion}`;
  const spread = radar.spread || {};
  const thresholds = radar.thresholds || {};
  const list = (f) => questionnaire.markers.map((m) => `${m.label} ${f(m)}`).join('\u202f; ');
  const parts = [`Radar de l’initiative, de 0 à 100. Médiane du comité (${plural(radar.reviewers, 'évaluation', 'évaluations')})\u00a0: ${list((m) => radar.aggregate[m.id] ?? 0)}.`];
  if (radar.others) {
    parts.push(`Écart des ${radar.others > 1 ? `${radar.others} autres évaluations` : 'autres évaluations (une seule)'}\u00a0: ${list((m) => (spread[m.id] ? `de ${spread[m.id].min} à ${spread[m.id].max}` : 'non évalué'))}.`);
  }
  const levels = [...new Set(Object.values(thresholds))];
  if (levels.length === 1) parts.push(`Seuil du comité\u00a0: ${levels[0]} sur 100 pour chaque marqueur.`);
  parts.push(radar.own ? `Votre évaluation\u00a0: ${list((m) => radar.own[m.id] ?? 0)}.` : 'Vous n’avez pas encore évalué cette initiative.');
  img.alt = parts.join(' ');
  // One minimum for every marker (the usual gate) is said once, in the caption; else a column.
  const perMarker = levels.length > 1;
  $('#threshold-col').hidden = !perMarker;
  $('#scores-caption').textContent = levels.length === 1
    ? `Scores par marqueur (0 à 100)\u202f; seuil du comité\u00a0: ${levels[0]} sur chaque marqueur`
    : 'Scores par marqueur (0 à 100)';
  render($('#scores-table tbody'), ...questionnaire.markers.map((m) => {
    const low = radar.reviewers && thresholds[m.id] !== undefined && (radar.aggregate[m.id] ?? 0) < thresholds[m.id];
    return h('tr', {},
      h('th', { scope: 'row' }, m.label),
      h('td', { class: `num${low ? ' below-gate' : ''}` }, radar.reviewers ? String(radar.aggregate[m.id] ?? 0) : '—',
        low ? h('span', { class: 'visually-hidden' }, ' (sous le seuil)') : null),
      h('td', { class: 'num' }, spread[m.id] ? `${spread[m.id].min}–${spread[m.id].max}` : '—'),
      perMarker ? h('td', { class: 'num' }, thresholds[m.id] !== undefined ? String(thresholds[m.id]) : '—') : null,
      h('td', { class: 'num' }, radar.own ? String(radar.own[m.id] ?? 0) : '—'));
  }));
}

function renderGate() {
  const g = radar.gate;
  const box = $('#gate');
  const facts = h('ul', {},
    h('li', {}, `Évaluations\u00a0: ${radar.reviewers} (il en faut au moins ${questionnaire.gate.min_reviewers})`),
    h('li', {}, `Score global du comité\u00a0: ${g.overall_score} sur 100 (minimum ${questionnaire.gate.min_overall_score})`),
    radar.proposed_category ? h('li', {}, `Catégorie proposée\u00a0: ${radar.proposed_category.label} (plafond ${euros(radar.proposed_category.cap_eur)})`) : null,
    radar.stale_evaluations ? h('li', {}, radar.stale_evaluations > 1 ? `${radar.stale_evaluations} évaluations faites sur une ancienne version du questionnaire` : '1 évaluation faite sur une ancienne version du questionnaire') : null);
  if (g.passes) {
    notice(box, 'ok', h('p', {}, h('strong', {}, 'Le seuil est franchi\u00a0: '), 'l’initiative peut être labellisée sans justification particulière.'), facts);
  } else {
    notice(box, 'warn', h('p', {}, h('strong', {}, 'Le seuil n’est pas franchi. '), 'Une labellisation devra être justifiée par écrit.'),
      h('ul', { 'aria-label': 'Raisons' }, ...g.reasons.map((r) => h('li', {}, r))), facts);
  }
  updateDecisionHints();
  renderCurrentDecision();
}

// ------------------------------------------------------------------ decision

function renderCurrentDecision() {
  const d = radar.decision;
  const box = $('#decision-current');
  if (!d) { render(box, h('p', {}, 'Le comité n’a pas encore décidé.')); return; }
  const what = d.decision === 'label'
    ? `Labellisée dans la catégorie «\u00a0${(categoryOf(d.category) || { label: d.category }).label}\u00a0»`
    : 'Refusée';
  notice(box, d.decision === 'label' ? 'ok' : 'warn',
    h('p', {}, h('strong', {}, what), ` par ${d.by}, le ${dateTime(d.at)}${d.gate_passes ? ' (seuil franchi)' : ' (seuil non franchi)'}.`),
    d.justification ? h('p', {}, `Justification\u00a0: ${d.justification}`) : null,
    h('p', {}, 'Une nouvelle décision remplace celle-ci\u202f; toutes restent dans le journal d’audit.'));
}

function decisionValue() { const c = $('input[name="decision"]:checked'); return c ? c.value : null; }

function updateDecisionHints() {
  if (!radar) return;
  const d = decisionValue();
  const againstGate = d && ((d === 'label') !== radar.gate.passes);
  const j = $('#justification');
  $('#justification-hint').textContent = againstGate
    ? (d === 'label' ? 'Obligatoire\u00a0: le seuil n’est pas franchi, expliquez pourquoi le comité labellise quand même.'
      : 'Obligatoire\u00a0: le seuil est franchi, expliquez pourquoi le comité refuse.')
    : 'Facultative ici (la décision suit le seuil)\u202f; elle figurera dans le journal d’audit.';
  if (againstGate) j.setAttribute('aria-required', 'true'); else j.removeAttribute('aria-required');
  $('#category-field').hidden = d === 'refuse';
}

function buildDecisionForm() {
  const select = $('#decision-category');
  render(select, ...questionnaire.categories.map((c) => h('option', { value: c.id }, `${c.label} (plafond ${euros(c.cap_eur)})`)));
  if (radar.proposed_category) select.value = radar.proposed_category.id;
  if (radar.decision && radar.decision.category) select.value = radar.decision.category;
  $('#category-hint').textContent = radar.proposed_category
    ? `Proposée par le radar\u00a0: ${radar.proposed_category.label}.` : 'Aucune catégorie n’est encore proposée (pas d’évaluation).';
  $$('input[name="decision"]').forEach((r) => r.addEventListener('change', updateDecisionHints));
  $('#decision-form').addEventListener('submit', submitDecision);
  updateDecisionHints();
}

async function submitDecision(ev) {
  ev.preventDefault();
  const box = $('#decision-status');
  const decision = decisionValue();
  const j = $('#justification');
  fieldError(j, null);
  if (!decision) {
    notice(box, 'error', 'Choisissez «\u00a0Labelliser\u00a0» ou «\u00a0Refuser\u00a0».');
    focusOn($('#decision-label'));
    return;
  }
  const body = { decision, justification: j.value.trim() || null };
  if (decision === 'label') body.category = $('#decision-category').value;
  await saving;   // an evaluation being saved must land first: the gate depends on it
  await busy($('#decision-submit'), 'Enregistrement…', async () => {
    try {
      const r = await api('POST', `/api/v1/admin/initiatives/${encodeURIComponent(id)}/decision`, body);
      radar.decision = r.decision;
      radar.gate = r.gate;
      notice(box, 'ok', decision === 'label' ? 'La décision est enregistrée\u00a0: l’initiative est labellisée et figurera sur le bulletin de vote.'
        : 'La décision est enregistrée\u00a0: l’initiative est refusée.');
      renderGate();
      setEditable(false);
      autosave.className = 'autosave notice';
      autosave.textContent = 'Le comité a décidé\u00a0: les évaluations de cette initiative ne peuvent plus changer.';
      loadHistory();
    } catch (e) {
      if (sessionExpired(box, e)) return;
      if (e.code === 'justification_required') {
        fieldError(j, e.message);
        notice(box, 'error', e.message);
        focusOn(j);
        return;
      }
      notice(box, 'error', errorText(e));
      if (e.code === 'ballot_sealed') sealDecision();
    }
  });
  if (sealed) $('#decision-submit').disabled = true;
}

/** The vote is open: the ballot is sealed, no decision can change; every control says why. */
function sealDecision() {
  sealed = true;
  const reason = $('#decision-sealed');
  reason.textContent = 'Le vote est ouvert\u00a0: le bulletin de vote est scellé, la décision du comité ne peut plus changer.';
  reason.hidden = false;
  $$('#decision-form input, #decision-form select, #decision-form textarea, #decision-form button').forEach((el) => {
    el.disabled = true;
    el.setAttribute('aria-describedby', [el.getAttribute('aria-describedby'), 'decision-sealed'].filter(Boolean).join(' '));
  });
}

// ------------------------------------------------------------------ history

function detailOf(e) {
  if (e.action === 'evaluation' && e.details && e.details.scores) {
    return Object.entries(e.details.scores).map(([m, v]) => `${markerName(m)} ${v}`).join(', ');
  }
  if (e.action === 'decision' && e.details) {
    const d = e.details;
    const what = d.decision === 'label' ? `Labellisée (${(categoryOf(d.category) || { label: d.category }).label})` : 'Refusée';
    return `${what}${d.against_gate ? ', contre l’avis du seuil' : ''}${e.justification ? ` — «\u00a0${e.justification}\u00a0»` : ''}`;
  }
  return '';
}

async function loadHistory() {
  try {
    const r = await api('GET', '/api/v1/admin/audit?limit=500');
    const mine = r.entries.filter((e) => e.target === id);
    render($('#history-table tbody'), ...mine.map((e) => h('tr', {},
      h('td', {}, dateTime(e.at)), h('td', {}, e.username), h('td', {}, actionLabels[e.action] || e.action), h('td', {}, detailOf(e)))));
    if (!mine.length) $('#history-table tbody').append(h('tr', {}, h('td', { colspan: 4 }, 'Rien encore.')));
    $('#history-section').hidden = false;
  } catch { /* the history is a convenience; the journal page has it all */ }
}

// ------------------------------------------------------------------ the holder's file

function fileSize(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))}\u00a0Ko`;
  return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })}\u00a0Mo`;
}

// An initiative that came from a holder's application (issue 17): the holder's own radar beside
// the committee's, and the file as deposited (description, structure, attachments).
async function loadHolderFile() {
  let a;
  try {
    a = await api('GET', `/api/v1/admin/applications/${encodeURIComponent(id)}`);
  } catch { return; }
  const markers = questionnaire.markers;
  const self = a.self_radar || {};
  const img = $('#holder-radar-img');
  img.src = `/api/v1/admin/applications/${encodeURIComponent(id)}/radar.svg`;
  img.alt = `Auto-évaluation du porteur, de 0 à 100\u00a0: ${markers.map((m) => `${m.label} ${self[m.id] ?? 'sans réponse'}`).join(', ')}.`;
  $('#holder-radar-section').hidden = false;
  const base = `/api/v1/admin/applications/${encodeURIComponent(id)}/attachments/`;
  render($('#holder-file'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Structure'), h('dd', {}, `${a.holder}${a.legal_form_label ? ` (${a.legal_form_label})` : ''}`),
      a.siret ? h('dt', {}, 'SIRET') : null, a.siret ? h('dd', {}, a.siret) : null,
      h('dt', {}, 'Déposé le'), h('dd', {}, dateTime((a.history.find((e) => e.status === 'deposee') || a).at || a.updated_at))),
    h('h3', {}, 'Description'),
    ...String(a.description || '').split(/\n+/).filter(Boolean).map((p) => h('p', {}, p)),
    h('h3', {}, 'Pièces jointes'),
    a.attachments.length
      ? h('ul', {}, ...a.attachments.map((f) => h('li', {}, h('a', { href: `${base}${f.sha256}`, download: f.name }, f.name), ` (PDF, ${fileSize(f.size)})`)))
      : h('p', { class: 'muted' }, 'Aucune pièce jointe.'));
  $('#holder-file-section').hidden = false;
}

// ------------------------------------------------------------------ page

async function main() {
  me = await requireStaff(['committee']);
  if (!id) { notice(status, 'error', h('p', {}, 'Aucune initiative n’est indiquée. ', h('a', { href: '/comite/' }, 'Choisir une initiative'))); return; }
  let list, evaluation;
  try {
    [questionnaire, list, evaluation, radar] = await Promise.all([
      api('GET', '/api/v1/admin/questionnaire'),
      api('GET', '/api/v1/admin/initiatives'),
      api('GET', `/api/v1/admin/initiatives/${encodeURIComponent(id)}/evaluation`),
      api('GET', `/api/v1/admin/initiatives/${encodeURIComponent(id)}/radar`),
    ]);
  } catch (e) {
    notice(status, 'error', h('p', {}, errorText(e), ' ', h('a', { href: '/comite/' }, 'Retour à la liste')));
    return;
  }
  initiative = list.initiatives.find((i) => i.id === id);
  $('#initiative-title').textContent = initiative ? initiative.title : id;
  document.title = `${initiative ? initiative.title : id} — Évaluation — Budget citoyen du Pas-de-Calais`;
  if (initiative) {
    render($('#initiative-info'),
      h('p', {}, h('strong', {}, initiative.holder), ` — ${initiative.commune_name || initiative.commune} (${initiative.territory_label || initiative.territory}) — montant demandé\u00a0: ${euros(initiative.requested_eur)}`),
      h('p', {}, initiative.summary));
  }
  editable = evaluation.editable;
  const draft = readDraft();
  const initial = draft && editable ? draft.answers : (evaluation.answers || {});
  buildQuestionnaire(initial);
  $('#review').hidden = false;
  $('#decision-section').hidden = false;
  renderRadar();
  buildDecisionForm();
  renderGate();
  loadHistory();
  if (initiative && initiative.application) loadHolderFile();
  const total = questions().length;
  if (!editable) {
    autosave.textContent = list.vote_opened || list.sealed
      ? 'Le vote est ouvert\u00a0: les évaluations sont scellées et ne peuvent plus changer.'
      : 'Le comité a décidé pour cette initiative\u00a0: les évaluations ne peuvent plus changer.';
    if (list.vote_opened || list.sealed) sealDecision();
  } else if (draft) {
    autosave.className = 'autosave notice notice--warn';
    autosave.textContent = `Brouillon retrouvé sur cet appareil (${plural(answeredCount(draft.answers), 'réponse', 'réponses')} sur ${total}).`;
    if (answeredCount(draft.answers) === total) onAnswer();
  } else if (evaluation.answers) {
    autosave.className = 'autosave notice notice--ok';
    autosave.textContent = `Votre évaluation est enregistrée sur le serveur (${dateTime(evaluation.at)}). Chaque modification est enregistrée automatiquement.`;
  } else {
    autosave.textContent = `Vous n’avez pas encore évalué cette initiative (${total} questions).`;
  }
}

main().catch((e) => { if (!e.handled) notice(status, 'error', errorText(e)); });
