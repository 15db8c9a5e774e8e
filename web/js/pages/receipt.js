// The receipt just given: shown, copied, printed or downloaded as JSON. It lives in this tab only.
// Its numbers are shown in groups of 4 (never a lone last character, lines break only between
// groups). The ballot number is never put in a URL unless the resident asks for a link.
import { getReceipt } from '../state.js';
import { $, copyText, dateTime, download, focusOn, h, notice, render } from '../ui.js';
import { readingGroups } from '../verify-core.js';

/** A number as groups a line may break between, but never inside. */
export function grouped(text) {
  const groups = readingGroups(text);
  return groups.flatMap((g, i) => [h('span', { class: 'group' }, g), i < groups.length - 1 ? ' ' : null]);
}

/** The link to the verification page with the ballot number after '#': the browser never sends
 *  it to the server, and the page removes it from the address bar once read. */
export const verificationLink = (id) => `${window.location.origin}/verifier.html#bulletin=${id}`;

const area = $('#receipt-area');

function receiptText(r) {
  const lines = [
    `${r.campaign_title || 'Budget citoyen'} — reçu de vote`,
    `Numéro de bulletin : ${readingGroups(r.ballot_id).join(' ')}`,
    `Empreinte du bulletin (SHA-256) : ${r.ballot_hash}`,
    `Enregistré le : ${dateTime(r.cast_at)}`,
    `Vos choix : ${r.choices.map((id) => (r.choice_titles && r.choice_titles[id]) || id).join(' ; ')}`,
    `Vérifier : ${r.verify_at || `${window.location.origin}/verifier.html`}`,
  ];
  return lines.join('\n');
}

function main() {
  const r = getReceipt();
  if (!r) return;   // the static text explains where the receipt is
  const status = h('div', { id: 'receipt-status' });
  const titles = r.choices.map((id) => (r.choice_titles && r.choice_titles[id]) || id);
  const copy = h('button', { type: 'button' }, 'Copier le reçu');
  const print = h('button', { type: 'button', class: 'button--secondary' }, 'Imprimer');
  const save = h('button', { type: 'button', class: 'button--secondary' }, 'Télécharger le reçu (fichier JSON)');
  const link = h('button', { type: 'button', class: 'button--secondary' }, 'Copier un lien de vérification');
  link.addEventListener('click', async () => {
    const ok = await copyText(verificationLink(r.ballot_id));
    notice(status, ok ? 'ok' : 'warn', ok
      ? 'Le lien est copié. Il contient le numéro de votre bulletin : gardez-le pour vous.'
      : 'La copie automatique n’a pas fonctionné. Notez le numéro de bulletin ci-dessus.');
  });
  copy.addEventListener('click', async () => {
    const ok = await copyText(receiptText(r));
    notice(status, ok ? 'ok' : 'warn', ok ? 'Le reçu est copié : collez-le dans un endroit sûr (notes, courriel à vous-même).'
      : 'La copie automatique n’a pas fonctionné : sélectionnez le texte du reçu pour le copier, ou téléchargez-le.');
  });
  print.addEventListener('click', () => window.print());
  save.addEventListener('click', () => {
    download(`recu-budget-citoyen-${r.campaign}-${r.ballot_id.slice(0, 8)}.json`, `${JSON.stringify(r, null, 2)}\n`);
    notice(status, 'ok', 'Le fichier du reçu est enregistré dans vos téléchargements.');
  });
  render(area,
    h('div', { class: 'notice notice--ok' }, h('p', {}, h('strong', {}, 'Merci, votre vote est enregistré.'),
      ' Il a été écrit de façon durable avant que ce reçu ne s’affiche.')),
    h('div', { class: 'receipt', id: 'receipt' },
      h('h2', {}, r.campaign_title || 'Budget citoyen'),
      h('dl', {},
        h('dt', {}, 'Numéro de bulletin'), h('dd', { id: 'receipt-ballot-id', class: 'groups', dataset: { value: r.ballot_id } }, grouped(r.ballot_id)),
        h('dt', {}, 'Empreinte du bulletin'), h('dd', { id: 'receipt-ballot-hash', class: 'groups', dataset: { value: r.ballot_hash } }, grouped(r.ballot_hash)),
        h('dt', {}, 'Enregistré le'), h('dd', { class: 'plain' }, dateTime(r.cast_at)),
        h('dt', {}, 'Vos choix'), h('dd', { class: 'plain' }, h('ul', {}, titles.map((t) => h('li', {}, t)))))),
    h('div', { class: 'actions no-print' }, copy, print, save, link),
    status);
  focusOn($('#receipt-title'));
}

main();
