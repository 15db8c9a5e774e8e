// The holders' home (/porteurs/): the call for initiatives (GET /api/v1/campaign, its "call"),
// the sign-in without password (POST /api/v1/holder/challenge, then /verify with the 6-digit
// code: a session cookie and the CSRF token), then "Mes dossiers" (GET
// /api/v1/holder/applications): each file with its status and last date, and "Nouveau dossier"
// (POST /api/v1/holder/applications) while the call is open.
import { api, errorText, setCsrfToken } from '../api.js';
import { loadCampaign } from '../state.js';
import { $, busy, clear, fieldError, focusOn, h, notice, render } from '../ui.js';
import {
  callSentence, callStateLabels, dayPhrase, holderSession, statusTag, whenPhrase,
} from './holder-common.js';

const status = $('#page-status');
let email = '';

function showCall(call) {
  if (!call) return;
  render($('#call-info'),
    h('p', {}, h('span', { class: 'phase-badge' }, callStateLabels[call.state] || call.state), ' ', callSentence(call)));
}

async function loadCall() {
  try {
    const c = await loadCampaign();
    if (c.call) showCall(c.call);
    else render($('#call-info'), h('p', {}, 'Les dates de l’appel s’afficheront une fois connecté(e).'));
  } catch (e) {
    notice($('#call-info'), 'error', `Les dates de l’appel n’ont pas pu être chargées. ${errorText(e)}`);
  }
}

// ------------------------------------------------------------------ sign in

function showSignIn() {
  $('#files').hidden = true;
  $('#signin').hidden = false;
  $('#email-form').hidden = false;
  $('#code-form').hidden = true;
}

async function sendCode(button) {
  return busy(button, 'Envoi…', async () => {
    try {
      const r = await api('POST', '/api/v1/holder/challenge', { email });
      const minutes = r && r.valid_seconds ? Math.round(r.valid_seconds / 60) : 10;
      $('#code-sent').textContent = `Si l’adresse ${email} est valide, un code à 6 chiffres vient d’y être envoyé. Il est valable ${minutes} minutes.`;
      $('#code-hint').textContent = `Le code est valable ${minutes} minutes. Pensez à regarder dans vos courriers indésirables.`;
      return true;
    } catch (e) {
      if (e.code === 'invalid_email') {
        $('#email-form').hidden = false;
        $('#code-form').hidden = true;
        fieldError($('#email'), e.message);
        focusOn($('#email'));
      } else {
        notice(status, 'error', errorText(e));
        focusOn(status.firstElementChild);
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
    fieldError(input, 'L’adresse électronique doit ressembler à contact@mon-association.fr.');
    focusOn(input);
    return;
  }
  fieldError(input, null);
  email = value;
  if (await sendCode($('#email-submit'))) {
    $('#email-form').hidden = true;
    $('#code-form').hidden = false;
    $('#code').value = '';
    fieldError($('#code'), null);
    focusOn($('#code'));
  }
});

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
      const me = await api('POST', '/api/v1/holder/verify', { email, code });
      setCsrfToken(me.csrf_token);
      fieldError(input, null);
      await showFiles(me, { focus: true });
    } catch (e) {
      if (e.code === 'invalid_code') {
        fieldError(input, e.message);
        if (e.details && e.details.tries_left === 0) {
          input.value = '';
          notice(status, 'error', h('p', {}, e.message, ' Le bouton «\u00a0Recevoir un nouveau code\u00a0» en envoie un autre.'));
          focusOn($('#code-resend'));
        } else {
          focusOn(input);
        }
        return;
      }
      notice(status, 'error', errorText(e));
      focusOn(status.firstElementChild);
    }
  });
});

$('#code-resend').addEventListener('click', async (ev) => {
  clear(status);
  if (await sendCode(ev.currentTarget)) {
    $('#code').value = '';
    fieldError($('#code'), null);
    notice(status, 'ok', 'Un nouveau code vous a été envoyé. Seul le dernier code reçu est valable.');
    focusOn($('#code'));
  }
});

$('#change-email').addEventListener('click', () => {
  clear(status);
  $('#code-form').hidden = true;
  $('#email-form').hidden = false;
  focusOn($('#email'));
});

// ------------------------------------------------------------------ my files

function lastDate(a) {
  const steps = a.history || [];
  const last = steps.length ? steps[steps.length - 1].at : null;
  return [a.updated_at, last].filter(Boolean).sort().pop() || a.created_at;
}

function fileItem(a) {
  const title = a.title || 'Dossier sans titre';
  return h('li', { class: 'file-item' },
    h('h3', {}, h('a', { href: `/porteurs/dossier.html?id=${encodeURIComponent(a.id)}` }, title)),
    h('p', { class: 'file-item__meta' }, statusTag(a.status, a.status_label), ' ',
      h('span', {}, `${a.status === 'brouillon' ? 'Modifié' : 'Mis à jour'} le ${dayPhrase(lastDate(a))}`)),
    a.holder ? h('p', { class: 'muted' }, a.holder) : null);
}

async function showFiles(me, { focus = false } = {}) {
  $('#signin').hidden = true;
  $('#files').hidden = false;
  $('#signed-in-as').textContent = `Connecté(e) avec l’adresse ${me.email}.`;
  const list = $('#file-list');
  let data;
  try {
    data = await api('GET', '/api/v1/holder/applications');
  } catch (e) {
    notice(status, 'error', `Vos dossiers n’ont pas pu être chargés. ${errorText(e)}`);
    return;
  }
  if (data.call) showCall(data.call);
  const files = [...data.applications].sort((a, b) => lastDate(b).localeCompare(lastDate(a)));
  render(list, ...files.map(fileItem));
  if (!files.length) list.append(h('li', { class: 'file-item' }, 'Vous n’avez pas encore de dossier.'));
  const open = data.call && data.call.state === 'open';
  $('#new-file').hidden = !open;
  const reason = $('#new-file-reason');
  reason.hidden = open;
  if (!open && data.call) {
    reason.textContent = data.call.state === 'upcoming'
      ? `Vous pourrez créer un dossier à partir ${whenPhrase(data.call.opens).replace(/^le /, 'du ')}.`
      : 'L’appel à initiatives n’est pas ouvert\u00a0: aucun nouveau dossier ne peut être créé.';
  }
  if (focus) focusOn($('#files-title'));
}

$('#new-file').addEventListener('click', async (ev) => {
  const box = $('#new-file-status');
  clear(box);
  await busy(ev.currentTarget, 'Création…', async () => {
    try {
      const a = await api('POST', '/api/v1/holder/applications', {});
      window.location.assign(`/porteurs/dossier.html?id=${encodeURIComponent(a.id)}`);
    } catch (e) {
      notice(box, 'error', errorText(e));
      focusOn(box.firstElementChild);
    }
  });
});

$('#logout').addEventListener('click', async () => {
  try {
    await api('POST', '/api/v1/holder/logout');
  } catch { /* the session is dropped either way */ }
  clear($('#file-list'));
  showSignIn();
  notice(status, 'ok', 'Vous êtes déconnecté(e).');
  focusOn($('#signin-title'));
});

async function main() {
  loadCall();
  let me;
  try {
    me = await holderSession();
  } catch (e) {
    notice(status, 'error', errorText(e));
    return;
  }
  if (me) await showFiles(me);
  else showSignIn();
}

main();
