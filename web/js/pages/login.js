// Staff login: POST /api/v1/admin/login, then the page asked for (same site only) or the role's home.
import { api, errorText } from '../api.js';
import { $, busy, fieldError, focusOn, h, notice } from '../ui.js';

const status = $('#login-status');
const params = new URLSearchParams(window.location.search);
if (params.get('deconnecte')) notice(status, 'ok', 'Vous êtes déconnecté(e).');
if (params.get('retour')) notice(status, 'info', 'Connectez-vous pour accéder à cette page.');

function destination(role) {
  const back = params.get('retour');
  // Only a path of this site: never "//host" or "https://...".
  if (back && back.startsWith('/') && !back.startsWith('//') && !back.startsWith('/\\')) return back;
  return role === 'mission' ? '/mission/' : '/comite/';
}

$('#login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const username = $('#username');
  const password = $('#password');
  fieldError(username, username.value.trim() ? null : 'Indiquez votre identifiant.');
  fieldError(password, password.value ? null : 'Indiquez votre mot de passe.');
  if (!username.value.trim()) { focusOn(username); return; }
  if (!password.value) { focusOn(password); return; }
  await busy($('#login-submit'), 'Connexion…', async () => {
    try {
      const r = await api('POST', '/api/v1/admin/login', { username: username.value.trim(), password: password.value });
      window.location.assign(destination(r.role));
    } catch (e) {
      password.value = '';
      const box = notice(status, 'error', h('p', {}, errorText(e)));
      box.setAttribute('tabindex', '-1');
      focusOn(box);
    }
  });
});
