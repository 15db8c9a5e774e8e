// The vote: choices -> email -> code -> identity -> confirmation -> receipt.
// POST /api/v1/auth/challenge, POST /api/v1/auth/code (the code on its own step, with the tries
// left), POST /api/v1/auth/verify (session cookie), POST /api/v1/ballots. "Already voted" is
// said as soon as the API knows it: at the code step for an address that verified someone
// before, otherwise right after the identity, before the confirmation offers anything.
import { api, errorText } from '../api.js';
import { CommuneCombobox } from '../combobox.js';
import {
  getEmail, getSelection, getVerified, loadCampaign, setEmail, setReceipt, setSelection, setVerified,
} from '../state.js';
import { $, $$, busy, clear, dateTime, fieldError, focusOn, h, notice, render } from '../ui.js';

const steps = ['choices', 'email', 'code', 'identity', 'confirm'];
const sections = [...steps, 'voted'];   // 'voted' ends the journey, outside the stepper
const status = $('#vote-status');
let campaign = null;
let selection = getSelection();
let email = getEmail();
let combobox = null;
let communesLoaded = null;

function show(step, { focus = true } = {}) {
  for (const s of sections) $(`#step-${s}`).hidden = s !== step;
  $('#stepper').hidden = step === 'voted';
  const index = steps.indexOf(step);
  $$('#stepper li').forEach((li, i) => {
    li.classList.toggle('done', i < index);
    if (i === index) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  });
  if (step === 'choices') renderChoices($('#choices-list'));
  if (step === 'confirm') {
    renderChoices($('#confirm-list'));
    const v = getVerified(campaign.id);
    $('#confirm-commune').textContent = v && v.commune ? v.commune : '—';
  }
  if (step === 'identity') loadCommunes();
  if (focus) focusOn($(`#step-${step}-title`));
  document.title = `${$(`#step-${step}-title`).textContent} — Voter — Budget citoyen du Pas-de-Calais`;
}

function renderChoices(ul) {
  clear(ul);
  if (selection.length === 0) {
    ul.append(h('li', {}, 'Vous n’avez choisi aucune initiative. ', h('a', { href: '/initiatives.html' }, 'Choisir des initiatives')));
  }
  for (const s of selection) {
    const remove = h('button', { type: 'button', class: 'button--link' }, 'Retirer', h('span', { class: 'visually-hidden' }, ` « ${s.title} »`));
    remove.addEventListener('click', () => {
      selection = selection.filter((x) => x.id !== s.id);
      setSelection(selection);
      notice(status, 'info', `« ${s.title} » a été retirée de vos choix.`);
      renderChoices(ul);
      focusOn(ul.querySelector('button') || ul.closest('section').querySelector('h2'));
    });
    ul.append(h('li', {}, h('span', {}, s.title), remove));
  }
  $('#choices-next').disabled = selection.length === 0;
  $('#confirm-vote').disabled = selection.length === 0;
}

function loadCommunes() {
  if (!communesLoaded) {
    combobox = new CommuneCombobox($('#commune'), $('#commune-options'), $('#commune-count'));
    communesLoaded = api('GET', '/api/v1/communes')
      .then((data) => combobox.setCommunes(data.communes))
      .catch((e) => {
        communesLoaded = null;
        notice($('#identity-errors'), 'error', `La liste des communes n’a pas pu être chargée. ${errorText(e)}`);
      });
  }
  return communesLoaded;
}

// ------------------------------------------------------------------ step: email

async function sendCode(button) {
  return busy(button, 'Envoi…', async () => {
    try {
      const r = await api('POST', '/api/v1/auth/challenge', { email });
      const minutes = r && r.valid_seconds ? Math.round(r.valid_seconds / 60) : 10;
      $('#code-sent').textContent = `Si l’adresse ${email} est valide, un code à 6 chiffres vient d’y être envoyé. Il est valable ${minutes} minutes.`;
      $('#code-hint').textContent = `Le code est valable ${minutes} minutes. Pensez à regarder dans vos courriers indésirables.`;
      return true;
    } catch (e) {
      if (e.code === 'invalid_email') {
        show('email');
        fieldError($('#email'), e.message);
        focusOn($('#email'));
      } else {
        notice(status, 'error', errorText(e));
      }
      return false;
    }
  });
}

$('#email-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear(status);
  const input = $('#email');
  const value = input.value.trim();
  if (!value) { fieldError(input, 'Indiquez votre adresse électronique.'); focusOn(input); return; }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    fieldError(input, 'L’adresse électronique doit ressembler à prenom.nom@exemple.fr.');
    focusOn(input);
    return;
  }
  fieldError(input, null);
  email = value;
  setEmail(email);
  if (await sendCode($('#email-submit'))) {
    $('#code').value = '';
    show('code');
  }
});

// ------------------------------------------------------------------ step: code

$('#code-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear(status);
  const input = $('#code');
  const code = input.value.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code)) {
    fieldError(input, 'Le code comporte 6 chiffres, sans lettre ni espace.');
    focusOn(input);
    return;
  }
  input.value = code;
  await busy($('#code-submit'), 'Vérification…', async () => {
    try {
      const r = await api('POST', '/api/v1/auth/code', { email, code });
      fieldError(input, null);
      if (r.already_voted === true) {
        showVoted();
        return;
      }
      show('identity');
    } catch (e) {
      codeRefused(e);
    }
  });
});

/** The code was refused: the tries left, or the way to a new code when it is dead. */
function codeRefused(e) {
  const input = $('#code');
  if (e.code !== 'invalid_code') {
    notice(status, 'error', errorText(e));
    focusOn(status.firstElementChild);
    return;
  }
  show('code', { focus: false });
  fieldError(input, e.message);
  if (e.details && e.details.tries_left === 0) {
    input.value = '';
    notice(status, 'error', h('p', {}, e.message, ' Le bouton « Recevoir un nouveau code » en envoie un autre à ', h('strong', {}, email), '.'));
    focusOn($('#code-resend'));
  } else {
    focusOn(input);
  }
}

function showVoted() {
  setVerified(null);
  show('voted');
}

$('#code-resend').addEventListener('click', async (ev) => {
  clear(status);
  if (await sendCode(ev.currentTarget)) {
    $('#code').value = '';
    fieldError($('#code'), null);
    notice(status, 'ok', 'Un nouveau code vous a été envoyé. Seul le dernier code reçu est valable.');
    focusOn($('#code'));
  }
});

// ------------------------------------------------------------------ step: identity

function birthDate() {
  const d = $('#birth-day').value.trim();
  const m = $('#birth-month').value.trim();
  const y = $('#birth-year').value.trim();
  if (!d || !m || !y) return { error: 'Indiquez votre date de naissance complète : jour, mois et année.' };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) {
    return { error: 'La date de naissance s’écrit en chiffres : jour (1 à 31), mois (1 à 12), année sur 4 chiffres.' };
  }
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const date = new Date(`${iso}T12:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) {
    return { error: 'Cette date de naissance n’existe pas. Vérifiez le jour et le mois.' };
  }
  if (date.getTime() > Date.now()) return { error: 'La date de naissance doit être dans le passé.' };
  return { value: iso };
}

function validateIdentity() {
  const problems = [];
  const first = $('#first-name');
  const last = $('#last-name');
  // What the server keys a name with (issue 15): letters and accents, spaces, dashes,
  // apostrophes, dots, commas between given names; invisible characters a paste brings along
  // (zero-width space, bidirectional marks) are the server's to remove, never the resident's.
  const namePattern = /^[\p{L}\p{M}][\p{L}\p{M}\p{Zs}\p{Pd}'’ʼ‘.,]*$/u;
  for (const [input, what] of [[first, 'votre prénom'], [last, 'votre nom']]) {
    const v = input.value.replace(/\p{Cf}/gu, '').trim();
    let msg = null;
    if (!v) msg = `Indiquez ${what}.`;
    else if (!namePattern.test(v)) msg = `Pour ${what}, utilisez seulement des lettres, des espaces, des traits d’union, des apostrophes ou des points.`;
    fieldError(input, msg);
    if (msg) problems.push([input, msg]);
  }
  const birth = birthDate();
  fieldError($('#birth-day'), birth.error || null);
  for (const id of ['#birth-month', '#birth-year']) {
    if (birth.error) $(id).setAttribute('aria-invalid', 'true'); else $(id).removeAttribute('aria-invalid');
  }
  if (birth.error) problems.push([$('#birth-day'), birth.error]);
  const commune = combobox ? combobox.value() : null;
  const communeMsg = commune ? null : (combobox ? combobox.problem() : 'La liste des communes n’est pas encore chargée.');
  fieldError($('#commune'), communeMsg);
  if (communeMsg) problems.push([$('#commune'), communeMsg]);
  return { problems, birth: birth.value, commune };
}

function errorSummary(problems) {
  const box = $('#identity-errors');
  if (!problems.length) { clear(box); return; }
  const list = h('ul', {}, problems.map(([input, msg]) => {
    const a = h('a', { href: `#${input.id}` }, msg);
    a.addEventListener('click', (ev) => { ev.preventDefault(); focusOn(input); });
    return h('li', {}, a);
  }));
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
    h('h2', {}, problems.length > 1 ? `${problems.length} informations sont à corriger` : 'Une information est à corriger'), list);
  render(box, summary);
  focusOn(summary);
}

$('#identity-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear(status);
  await loadCommunes();
  const { problems, birth, commune } = validateIdentity();
  errorSummary(problems);
  if (problems.length) return;
  const body = {
    email,
    code: $('#code').value,
    first_name: $('#first-name').value.trim(),
    last_name: $('#last-name').value.trim(),
    birth_date: birth,
    commune: commune.code,
  };
  await busy($('#identity-submit'), 'Vérification…', async () => {
    try {
      const r = await api('POST', '/api/v1/auth/verify', body);
      if (r.already_voted === true) {
        showVoted();
        return;
      }
      setVerified({ campaign: campaign.id, expires_at: r.expires_at, commune: CommuneCombobox.label(commune) });
      notice(status, 'ok', 'Votre identité est vérifiée. Il ne reste qu’à confirmer votre vote.');
      show('confirm');
    } catch (e) {
      handleVerifyError(e);
    }
  });
});

function handleVerifyError(e) {
  const at = (input) => { fieldError(input, e.message); errorSummary([[input, e.message]]); };
  switch (e.code) {
    case 'invalid_code':
      codeRefused(e);
      return;
    case 'invalid_email':
      show('email');
      fieldError($('#email'), e.message);
      focusOn($('#email'));
      return;
    case 'invalid_name': at($('#first-name')); return;
    case 'invalid_birth_date':
    case 'too_young': at($('#birth-day')); return;
    case 'not_resident': at($('#commune')); return;
    default:
      errorSummary([]);
      notice($('#identity-errors'), 'error', errorText(e));
      focusOn($('#identity-errors').firstElementChild);
  }
}

// ------------------------------------------------------------------ step: confirmation

$('#confirm-vote').addEventListener('click', async (ev) => {
  clear(status);
  const box = $('#confirm-status');
  clear(box);
  if (selection.length === 0) { show('choices'); return; }
  await busy(ev.currentTarget, 'Enregistrement…', async () => {
    try {
      const choices = selection.map((s) => s.id);
      const r = await api('POST', '/api/v1/ballots', { choices },
        { extraHeaders: { 'Idempotency-Key': attemptKey(choices) } });
      sessionStorage.removeItem(ATTEMPT_KEY);
      const receipt = {
        format: 'budget-citoyen-receipt/1',
        campaign: campaign.id,
        campaign_title: campaign.title,
        ballot_id: r.receipt.ballot_id,
        ballot_hash: r.receipt.ballot_hash,
        cast_at: r.receipt.cast_at,
        choices: [...choices].sort(),
        choice_titles: Object.fromEntries(selection.map((s) => [s.id, s.title])),
        verify_at: `${window.location.origin}/verifier.html`,
      };
      setReceipt(receipt);
      setSelection([]);
      setVerified(null);
      window.location.assign('/recu.html');
    } catch (e) {
      handleBallotError(e, box);
    }
  });
});

// One key per ballot as chosen: if an answer is lost (network, or 503 ballot_outcome_unknown),
// sending the same choices again with the same key brings back the receipt of the ballot that
// was recorded, instead of "already voted". Other choices make another key.
const ATTEMPT_KEY = 'budget-ballot-attempt';
function attemptKey(choices) {
  const wanted = [...choices].sort().join(',');
  try {
    const saved = JSON.parse(sessionStorage.getItem(ATTEMPT_KEY) || 'null');
    if (saved && saved.choices === wanted && typeof saved.key === 'string') return saved.key;
  } catch { /* a damaged entry: make a new key */ }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const key = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  sessionStorage.setItem(ATTEMPT_KEY, JSON.stringify({ choices: wanted, key }));
  return key;
}

function handleBallotError(e, box) {
  if (e.code === 'not_authenticated') {
    setVerified(null);
    show('email');
    notice(status, 'error', e.message);
    return;
  }
  if (e.code === 'invalid_choices') {
    notice(box, 'error', h('p', {}, e.message, ' ', h('a', { href: '/initiatives.html' }, 'Revoir mes choix')));
    focusOn(box.firstElementChild);
    return;
  }
  if (e.code === 'already_voted') {
    setVerified(null);
    notice(box, 'error', h('p', {}, h('strong', {}, e.message)),
      h('p', {}, 'Si vous avez gardé votre reçu, vous pourrez vérifier après la publication des résultats que votre bulletin a été compté : ',
        h('a', { href: '/verifier.html' }, 'vérifier mon bulletin'), '.'));
    focusOn(box.firstElementChild);
    return;
  }
  notice(box, 'error', errorText(e));
  focusOn(box.firstElementChild);
}

// ------------------------------------------------------------------ navigation between steps

$$('[data-goto]').forEach((b) => b.addEventListener('click', () => show(b.dataset.goto)));
$('#choices-next').addEventListener('click', () => {
  clear(status);
  show(getVerified(campaign.id) ? 'confirm' : 'email');
});

async function main() {
  try {
    campaign = await loadCampaign();
  } catch (e) {
    notice(status, 'error', `Le vote n’a pas pu être préparé. ${errorText(e)}`);
    return;
  }
  $('#min-age').textContent = String(campaign.min_age);
  if (email) $('#email').value = email;
  if (campaign.phase !== 'voting') {
    $('#stepper').hidden = true;
    const when = campaign.phase === 'labelling'
      ? h('p', {}, 'Le vote n’est pas encore ouvert : il aura lieu du ', h('strong', {}, dateTime(campaign.vote_opens)),
        ' au ', h('strong', {}, dateTime(campaign.vote_closes)), '. ', h('a', { href: '/initiatives.html' }, 'Découvrir les initiatives'))
      : h('p', {}, `Le vote est clos depuis le ${dateTime(campaign.vote_closes)}. `,
        h('a', { href: campaign.phase === 'published' ? '/resultats.html' : '/' }, campaign.phase === 'published' ? 'Voir les résultats' : 'Retour à l’accueil'));
    notice(status, 'warn', when);
    return;
  }
  selection = selection.slice(0, campaign.max_choices);
  if (selection.length === 0) {
    show('choices', { focus: false });
  } else if (getVerified(campaign.id)) {
    show('confirm', { focus: false });
  } else {
    show('choices', { focus: false });
  }
}

main();

