// The receipt just given: shown, copied, printed or downloaded as JSON. It lives in this tab only.
import { getReceipt } from '../state.js';
import { $, copyText, dateTime, download, focusOn, h, notice, render } from '../ui.js';

const area = $('#receipt-area');

function receiptText(r) {
  const lines = [
    `${r.campaign_title || 'Budget citoyen'} — reçu de vote`,
    `Numéro de bulletin : ${r.ballot_id}`,
    `Empreinte du bulletin (SHA-256) : ${r.ballot_hash}`,
    `Enregistré le : ${dateTime(r.cast_at)}`,
    `Vos choix : ${r.choices.map((id) => (r.choice_titles && r.choice_titles[id]) || id).join(' ; ')}`,
    `Vérifier : ${r.verify_at}`,
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
  copy.addEventListener('click', async () => {
    const ok = await copyText(receiptText(r));
    notice(status, ok ? 'ok' : 'warn', ok ? 'Le reçu est copié : collez-le dans un endroit sûr (notes, courriel à vous-même).'
      : 'La copie automatique n’a pas fonctionné : sélectionnez le texte du reçu pour le copier, ou téléchargez-le.');
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
        h('dt', {}, 'Numéro de bulletin'), h('dd', { id: 'receipt-ballot-id' }, r.ballot_id),
        h('dt', {}, 'Empreinte du bulletin'), h('dd', { id: 'receipt-ballot-hash' }, r.ballot_hash),
        h('dt', {}, 'Enregistré le'), h('dd', { class: 'plain' }, dateTime(r.cast_at)),
        h('dt', {}, 'Vos choix'), h('dd', { class: 'plain' }, h('ul', {}, titles.map((t) => h('li', {}, t)))))),
    h('div', { class: 'actions no-print' }, copy, print, save),
    status);
  focusOn($('#receipt-title'));
}

main();
