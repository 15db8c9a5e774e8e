// The resident's report (issue 18): their address, a one-time code from the residents' own
// challenge (POST /api/v1/auth/challenge), then POST /api/v1/my-data: whether a ballot was cast
// for the identity bound to the address, on which day and by which method, and what the engine
// keeps, in the API's French words. The code is consumed: each report needs a new one.
import { api, errorText } from '../api.js';
import { $, announce, busy, clear, dateOnly, fieldError, focusOn, h, notice, render } from '../ui.js';

const status = $('#my-data-status');
let email = '';

const methods = { email: 'par courriel', franceconnect: 'avec FranceConnect' };

/** The sentence of the ballot part of the report. */
function ballotSentence(report) {
  const b = report.ballot;
  if (!report.email_bound) {
    return 'Cette adresse n’est liée à aucune identité : aucune identité n’a été vérifiée avec elle. Le Budget citoyen ne peut donc rien dire d’un bulletin pour elle.';
  }
  if (!b.cast) return 'Aucun bulletin n’a été déposé pour l’identité liée à cette adresse.';
  if (b.other_declaration) {
    return 'Un bulletin a été déposé pour une personne déclarée comme vous, avec une autre écriture de vos noms (par exemple vos prénoms dans un autre ordre). Son jour et son moyen de connexion ne sont pas connus ici.';
  }
  if (!b.day) {
    return 'Un bulletin a été déposé pour votre identité. Son jour et son moyen de connexion n’ont pas été enregistrés.';
  }
  const how = methods[b.method];
  return `Un bulletin a été déposé pour votre identité le ${dateOnly(b.day)}${how ? `, ${how}` : ''}.`;
}

function showReport(report) {
  $('#report-email').textContent = `Pour l’adresse ${email} :`;
  const sentence = ballotSentence(report);
  render($('#report-ballot'), h('p', { class: 'notice', id: 'ballot-sentence' }, h('strong', {}, sentence)),
    report.ballot.cast ? h('p', {}, 'Vos choix ne sont pas indiqués : le Budget citoyen ne relie pas votre bulletin à votre identité (voir la page Données personnelles).') : null);
  // One item a datum: what it is, in what form, until when, each on its own line.
  render($('#held-list'), ...report.held.map((item) => h('li', {},
    h('p', {}, h('strong', {}, item.what)),
    h('p', {}, item.form),
    h('p', {}, `Conservé ${item.until}.`))));
  $('#step-email').hidden = true;
  $('#step-code').hidden = true;
  $('#report').hidden = false;
  focusOn($('#report-title'));
  announce(sentence);
}

async function sendCode(button) {
  return busy(button, 'Envoi…', async () => {
    try {
      const r = await api('POST', '/api/v1/auth/challenge', { email, purpose: 'my-data' });
      const minutes = r && r.valid_seconds ? Math.round(r.valid_seconds / 60) : 10;
      $('#code-sent').textContent = `Si l’adresse ${email} est valide, un code à 6 chiffres vient d’y être envoyé. Il est valable ${minutes} minutes.`;
      $('#code-hint').textContent = `Le code est valable ${minutes} minutes et ne sert qu’une fois. Pensez à regarder dans vos courriers indésirables.`;
      return true;
    } catch (e) {
      if (e.code === 'invalid_email') {
        showEmail();
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

function showEmail() {
  $('#report').hidden = true;
  $('#step-code').hidden = true;
  $('#step-email').hidden = false;
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
  if (await sendCode($('#email-submit'))) {
    $('#code').value = '';
    fieldError($('#code'), null);
    $('#step-email').hidden = true;
    $('#step-code').hidden = false;
    focusOn($('#step-code-title'));
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
  await busy($('#code-submit'), 'Recherche…', async () => {
    try {
      const report = await api('POST', '/api/v1/my-data', { email, code });
      fieldError(input, null);
      input.value = '';
      showReport(report);
    } catch (e) {
      if (e.code !== 'invalid_code') {
        notice(status, 'error', errorText(e));
        focusOn(status.firstElementChild);
        return;
      }
      fieldError(input, e.message);
      if (e.details && e.details.tries_left === 0) {
        input.value = '';
        focusOn($('#code-resend'));
      } else {
        focusOn(input);
      }
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
  showEmail();
  focusOn($('#email'));
});

$('#report-again').addEventListener('click', () => {
  clear(status);
  render($('#report-ballot'));
  render($('#held-list'));
  $('#email').value = '';
  showEmail();
  focusOn($('#email'));
});
