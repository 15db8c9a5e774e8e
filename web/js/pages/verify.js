// "Vérifier mon bulletin": the receipt's inclusion proof and the results' signature, checked in
// the browser (verify-core.js). Every check is one plain sentence for the resident, its technical
// details (hashes, audit path, keys) folded under it; any failure is said plainly, and a tampered
// result is reported as such. The ballot number comes from this tab's receipt, the form, or a
// link the resident asked for (after '#', removed from the address bar once read).
import { api, errorText } from '../api.js';
import { getReceipt } from '../state.js';
import { $, busy, clear, copyText, focusOn, h, notice, number, plural, render, fieldError } from '../ui.js';
import {
  ballotIdFrom, bytesToHex, canonicalBallot, canonicalJson, base64ToBytes, encoder, equalBytes, hexToBytes, keyFingerprint,
  leafHash, merkleRoot, rootFromInclusionProof, verifyEd25519, verifySignedDocument,
} from '../verify-core.js';

const input = $('#receipt-input');
const checksList = $('#checks');
const summary = $('#verify-summary');
let checkedId = null;   // the ballot number of the last verification, for the link on request

class Checks {
  constructor(list) { this.list = list; this.failed = 0; this.passed = 0; clear(list); }
  add(kind, title, detail) {
    if (kind === 'bad') this.failed++;
    if (kind === 'ok') this.passed++;
    const mark = { ok: 'Réussi : ', bad: 'Échec : ', info: 'Information : ' }[kind];
    this.list.append(h('li', { class: `check check--${kind}` },
      h('strong', {}, h('span', { class: 'visually-hidden' }, mark), h('span', { 'aria-hidden': 'true' }, kind === 'ok' ? '✓ ' : kind === 'bad' ? '✗ ' : 'ℹ '), h('span', { class: 'check-title' }, title)),
      detail ? h('details', { class: 'detail' }, h('summary', {}, 'Détails techniques'), h('p', {}, detail)) : null));
  }
}

/** The receipt from the text: a receipt JSON, or a bare ballot id. */
function parseReceipt(text) {
  const t = text.trim();
  if (!t) return { error: 'Collez votre reçu ou son numéro de bulletin.' };
  const bare = ballotIdFrom(t);
  if (bare) return { receipt: { ballot_id: bare } };
  let r;
  try {
    r = JSON.parse(t);
  } catch {
    // A receipt copied as text: its number, whole or in groups of 4.
    const id = t.match(/\b[0-9a-f]{32}\b/i) || t.match(/\b[0-9a-f]{4}(?:[ \u00a0\u202f][0-9a-f]{4}){7}\b/i);
    if (id) return { receipt: { ballot_id: ballotIdFrom(id[0]) } };
    return { error: 'Ce texte n’est ni un reçu (fichier JSON) ni un numéro de bulletin de 32 caractères (chiffres et lettres a à f).' };
  }
  if (!r || typeof r.ballot_id !== 'string' || !/^[0-9a-f]{32}$/.test(r.ballot_id)) {
    return { error: 'Ce reçu ne contient pas de numéro de bulletin valide (« ballot_id »).' };
  }
  if (r.ballot_hash !== undefined && !/^[0-9a-f]{64}$/.test(r.ballot_hash)) {
    return { error: 'L’empreinte du bulletin (« ballot_hash ») de ce reçu n’est pas valide.' };
  }
  return { receipt: r };
}

async function fetchOrNull(path) {
  try {
    return await api('GET', path);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

async function verify() {
  const parsed = parseReceipt(input.value);
  fieldError(input, parsed.error || null);
  if (parsed.error) { focusOn(input); clear(summary); clear(checksList); return; }
  const receipt = parsed.receipt;
  checkedId = receipt.ballot_id;
  const checks = new Checks(checksList);
  notice(summary, 'info', 'Vérification en cours…');
  let published = false;
  let covered = false;
  try {
    // 1. The receipt against its own choices.
    let leaf = receipt.ballot_hash ? hexToBytes(receipt.ballot_hash) : null;
    if (leaf && Array.isArray(receipt.choices) && receipt.choices.length) {
      const mine = await leafHash(canonicalBallot(receipt.ballot_id, receipt.choices));
      if (equalBytes(mine, leaf)) {
        checks.add('ok', 'Votre reçu correspond bien à vos choix.', `L’empreinte recalculée à partir du numéro et des choix est ${bytesToHex(mine)}.`);
      } else {
        checks.add('bad', 'Le reçu ne correspond pas aux choix qu’il indique.', 'Le fichier du reçu a été modifié, ou ces choix ne sont pas ceux du bulletin enregistré.');
      }
    } else if (!leaf) {
      checks.add('info', 'Seul le numéro du bulletin est connu.', 'Sans l’empreinte de votre reçu, la page vérifie que ce numéro est compté, mais pas que son contenu est celui que vous avez envoyé. Utilisez de préférence le fichier du reçu.');
    }

    // 2. Where the ballot stands.
    let state;
    try {
      state = await api('GET', `/api/v1/receipts/${receipt.ballot_id}`);
    } catch (e) {
      if (e.status === 404) {
        checks.add('bad', 'Aucun bulletin ne porte ce numéro.', `Le serveur répond : ${e.message} Vérifiez le numéro copié.`);
        return finish(checks, false, false);
      }
      throw e;
    }

    let proof;
    let signedRoot;
    let signedSize;
    let shard = 0;
    let journal = ''; // " n° K" when the log has several journals (shards), else nothing
    if (state.status === 'counted') {
      published = true;
      proof = state;
      const results = await api('GET', '/api/v1/results');
      const sig = await verifySignedDocument(results);
      if (sig.ok) {
        checks.add('ok', 'Les résultats sont signés par la Mission ESS.',
          `Signature Ed25519 vérifiée par votre navigateur (${sig.engine}). Empreinte de la clé de la campagne : ${sig.fingerprint} ; comparez-la avec celle que le Département a publiée avant le vote.`);
      } else {
        checks.add('bad', 'La signature des résultats est invalide : les résultats affichés ont été modifiés après leur signature, ou ne viennent pas de la clé de la campagne.',
          'Ne vous fiez pas à ces résultats et signalez-le à la Mission ESS.');
      }
      if (!sig.fingerprintMatches) {
        checks.add('bad', 'La clé qui signe ne correspond pas à l’empreinte écrite dans les résultats.');
      }
      signedRoot = results.document.root;
      signedSize = results.document.tree_size;
      await checkBallotDefinitionKey(checks, results.public_key);
    } else {
      checks.add('info', 'Votre bulletin est enregistré ; les résultats ne sont pas encore publiés.',
        'Après la publication, revenez sur cette page : elle vérifiera que votre bulletin est compté dans les résultats signés.');
      // With several journals (shards), the head to check is the one of the ballot's journal:
      // the inclusion query without a size names it (no `shard` field: there is only one).
      const noHead = () => {
        checks.add('info', 'Aucune « tête d’arbre » signée n’est encore disponible.', 'Le journal des bulletins est signé régulièrement pendant le vote ; réessayez un peu plus tard.');
        return finish(checks, false, false);
      };
      const newerThanHead = () => {
        checks.add('info', 'Votre bulletin est plus récent que la dernière tête d’arbre signée.', 'Réessayez dans quelques minutes.');
        return finish(checks, false, false);
      };
      let located;
      try {
        located = await api('GET', `/api/v1/log/inclusion?ballot_id=${receipt.ballot_id}`);
      } catch (e) {
        if (e.code === 'no_tree_head') return noHead();
        if (e.code === 'not_in_tree') return newerThanHead();
        throw e;
      }
      shard = Number.isInteger(located.shard) ? located.shard : 0;
      const head = await fetchOrNull(`/api/v1/log/head?shard=${shard}`);
      if (!head) return noHead();
      journal = head.shards > 1 ? ` n° ${shard}` : '';
      // The signed text is the canonical JSON of the whole head, `shard` included when present,
      // exactly as the server signs it.
      const headOk = await verifyEd25519(base64ToBytes(head.public_key), base64ToBytes(head.signature), encoder.encode(canonicalJson(head.head)));
      const ofJournal = journal ? ` du journal${journal}` : '';
      const fingerprint = await keyFingerprint(base64ToBytes(head.public_key));
      if (headOk.ok) {
        checks.add('ok', `Le journal des bulletins${journal} est signé par la Mission ESS.`,
          `Dernière tête d’arbre${ofJournal} : ${plural(head.head.tree_size, 'bulletin', 'bulletins')}, signée le ${head.head.timestamp}, racine ${head.head.root} ; signature vérifiée par ${headOk.engine}. Empreinte de la clé de la campagne : ${fingerprint}.`);
      }
      if (!headOk.ok) checks.add('bad', 'La signature de la tête d’arbre est invalide : le journal présenté a été modifié.');
      if ((head.head.shard ?? 0) !== shard) {
        checks.add('bad', `La tête d’arbre présentée est signée pour le journal n° ${head.head.shard ?? 0}, pas pour celui de votre bulletin (n° ${shard}).`);
      }
      try {
        proof = await api('GET', `/api/v1/log/inclusion?ballot_id=${receipt.ballot_id}&tree_size=${head.head.tree_size}`);
      } catch (e) {
        if (e.code === 'not_in_tree') return newerThanHead();
        throw e;
      }
      if ((proof.shard ?? 0) !== shard) {
        checks.add('bad', 'Le serveur a changé de journal pour votre bulletin entre deux réponses.');
      }
      signedRoot = head.head.root;
      signedSize = head.head.tree_size;
    }

    // 3. The inclusion proof, recomputed here.
    const serverLeaf = hexToBytes(proof.leaf_hash);
    if (leaf) {
      if (equalBytes(serverLeaf, leaf)) checks.add('ok', 'Le serveur a gardé votre bulletin tel que vous l’avez envoyé.', `Empreinte du bulletin (SHA-256), identique sur le reçu et chez le serveur : ${proof.leaf_hash}.`);
      else checks.add('bad', 'Le serveur présente une autre empreinte de bulletin que celle de votre reçu.', `Reçu : ${receipt.ballot_hash} ; serveur : ${proof.leaf_hash}.`);
    } else {
      leaf = serverLeaf;
    }
    const path = proof.audit_path.map(hexToBytes);
    const root = await rootFromInclusionProof(leaf, proof.leaf_index, proof.tree_size, path);
    if (!root) {
      checks.add('bad', 'La preuve d’inclusion fournie par le serveur est mal formée.');
    } else if (proof.tree_size !== signedSize) {
      checks.add('bad', `La preuve porte sur ${plural(proof.tree_size, 'bulletin', 'bulletins')}, mais le document signé en compte ${number(signedSize)}.`);
    } else if (bytesToHex(root) === signedRoot) {
      covered = true;
      checks.add('ok', published
        ? (signedSize === 1 ? 'Votre bulletin est le seul bulletin compté.' : `Votre bulletin fait partie des ${plural(signedSize, 'bulletin compté', 'bulletins comptés')}.`)
        : (signedSize === 1 ? `Votre bulletin est le seul bulletin enregistré dans le journal signé${journal}.`
          : `Votre bulletin fait partie des ${plural(signedSize, 'bulletin enregistré', 'bulletins enregistrés')} dans le journal signé${journal}.`),
      `Position ${number(proof.leaf_index + 1)} sur ${number(proof.tree_size)}. Chemin d’audit : ${proof.audit_path.join(', ') || '(aucun)'}. Racine recalculée par votre navigateur à partir de votre empreinte et de ${plural(path.length, 'empreinte voisine', 'empreintes voisines')} (position ${number(proof.leaf_index + 1)}) : ${bytesToHex(root)}, identique à la racine signée.`);
    } else {
      checks.add('bad', 'La racine recalculée ne correspond pas à la racine signée : votre bulletin n’est pas dans les bulletins comptés, ou les données ont été modifiées.',
        `Recalculée : ${bytesToHex(root)} ; signée : ${signedRoot}.`);
    }
  } catch (e) {
    checks.add('bad', 'La vérification n’a pas pu aller au bout.', errorText(e));
  }
  return finish(checks, published, covered);
}

async function checkBallotDefinitionKey(checks, resultsKey) {
  const def = await fetchOrNull('/api/v1/ballot-definition');
  if (!def) return;
  const ok = await verifyEd25519(base64ToBytes(def.public_key), base64ToBytes(def.signature), encoder.encode(def.document));
  if (ok.ok && def.public_key === resultsKey) {
    checks.add('ok', 'La même clé a scellé le bulletin de vote à l’ouverture et signé les résultats.');
  } else if (!ok.ok) {
    checks.add('bad', 'La signature du bulletin de vote scellé à l’ouverture est invalide.');
  } else {
    checks.add('bad', 'Les résultats sont signés avec une autre clé que celle qui a scellé le bulletin de vote à l’ouverture.');
  }
}

function finish(checks, published, covered) {
  let box;
  if (checks.failed > 0) {
    box = notice(summary, 'error',
      h('h2', {}, 'Attention : la vérification a échoué'),
      h('p', {}, `${plural(checks.failed, 'vérification a échoué', 'vérifications ont échoué')}. `,
        'Les données présentées par le serveur ne correspondent pas à ce qui a été signé : elles ont pu être falsifiées. Ne vous fiez pas aux résultats affichés et signalez-le à la Mission ESS en joignant votre reçu.'));
  } else if (published && covered) {
    box = notice(summary, 'ok', h('h2', {}, 'Vérification réussie'),
      h('p', {}, 'Votre bulletin est compté dans les résultats publiés, et ces résultats portent une signature valide. Tout a été recalculé par votre navigateur.'));
  } else if (covered) {
    box = notice(summary, 'ok', h('h2', {}, 'Votre bulletin est enregistré'),
      h('p', {}, 'Il figure dans le journal signé des bulletins. Revenez après la publication pour vérifier qu’il est compté dans les résultats.'));
  } else {
    box = notice(summary, 'info', h('h2', {}, 'Vérification incomplète'), h('p', {}, 'Voyez le détail ci-dessous.'));
  }
  box.setAttribute('tabindex', '-1');
  box.setAttribute('id', 'verify-result');
  box.dataset.outcome = checks.failed > 0 ? 'failed' : (published && covered ? 'verified' : (covered ? 'recorded' : 'incomplete'));
  if (covered && checkedId) box.append(linkButton(checkedId));
  focusOn(box);
}

// The ballot number goes into an address only when the resident asks for it: after '#', so that
// the browser never sends it to a server (no log, no Referer).
function linkButton(id) {
  const said = h('p', { class: 'link-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'button--secondary' }, 'Copier un lien de vérification');
  button.addEventListener('click', async () => {
    const ok = await copyText(`${window.location.origin}/verifier.html#bulletin=${id}`);
    said.textContent = ok
      ? 'Le lien est copié. Il contient le numéro de votre bulletin : gardez-le pour vous.'
      : 'La copie automatique n’a pas fonctionné : notez plutôt votre numéro de bulletin.';
  });
  return h('div', { class: 'actions' }, button, said);
}

// ------------------------------------------------------------------ full recount

async function recount() {
  const list = $('#recount-checks');
  const box = $('#recount-summary');
  const checks = new Checks(list);
  notice(box, 'info', 'Recompte en cours…');
  try {
    const [results, exported] = await Promise.all([api('GET', '/api/v1/results'), api('GET', '/api/v1/ballots/export')]);
    const sig = await verifySignedDocument(results);
    if (sig.ok) checks.add('ok', 'Les résultats publiés portent une signature valide.', sig.engine);
    else checks.add('bad', 'La signature des résultats est invalide : les résultats affichés ont été modifiés.');
    const doc = results.document;
    const votes = Object.fromEntries(Object.keys(doc.votes).map((id) => [id, 0]));
    const leaves = [];
    let badLeaves = 0;
    let unknown = 0;
    for (const b of exported.ballots) {
      const leaf = await leafHash(canonicalBallot(b.ballot_id, b.choices));
      if (bytesToHex(leaf) !== b.leaf_hash) badLeaves++;
      leaves.push(leaf);
      for (const c of b.choices) {
        if (c in votes) votes[c]++; else unknown++;
      }
    }
    if (badLeaves === 0) checks.add('ok', `Les ${plural(leaves.length, 'bulletin publié a', 'bulletins publiés ont')} chacun l’empreinte annoncée.`);
    else checks.add('bad', `${plural(badLeaves, 'bulletin ne correspond', 'bulletins ne correspondent')} pas à son empreinte.`);
    if (unknown) checks.add('bad', `${plural(unknown, 'choix porte', 'choix portent')} sur une initiative absente des résultats.`);
    const root = bytesToHex(await merkleRoot(leaves));
    if (root === doc.root && leaves.length === doc.tree_size) {
      checks.add('ok', 'Les bulletins publiés redonnent exactement la racine signée.', root);
    } else {
      checks.add('bad', 'Les bulletins publiés ne redonnent pas la racine signée.', `Recalculée : ${root} (${plural(leaves.length, 'bulletin', 'bulletins')}) ; signée : ${doc.root} (${doc.tree_size}).`);
    }
    const wrong = Object.keys(votes).filter((id) => votes[id] !== doc.votes[id]);
    if (wrong.length === 0) checks.add('ok', 'Le recompte donne les mêmes voix que les résultats pour chaque initiative.');
    else checks.add('bad', `Le recompte diffère des résultats pour ${plural(wrong.length, 'initiative', 'initiatives')}.`, wrong.map((id) => `${id} : ${votes[id]} recomptées, ${doc.votes[id]} annoncées`).join(' ; '));
    const allocated = doc.winners.reduce((s, w) => s + w.amount_eur, 0);
    if (allocated === doc.total_allocated_eur && allocated <= doc.envelope_eur) checks.add('ok', 'Les montants attribués tiennent dans l’enveloppe.');
    else checks.add('bad', 'Les montants attribués ne correspondent pas au total annoncé ou dépassent l’enveloppe.');
    checks.add('info', 'Règle d’attribution', 'Pour vérifier aussi que la règle appliquée au recompte désigne les mêmes lauréats, utilisez l’outil « budgetctl verify » avec les deux fichiers téléchargés.');
    if (checks.failed) notice(box, 'error', h('h3', {}, 'Le recompte ne correspond pas aux résultats publiés'), h('p', {}, 'Voyez le détail ci-dessous.'));
    else notice(box, 'ok', h('h3', {}, 'Le recompte confirme les résultats publiés'));
  } catch (e) {
    if (e.status === 404) notice(box, 'info', 'Les résultats et les bulletins ne sont pas encore publiés.');
    else notice(box, 'error', errorText(e));
  }
  focusOn(box.firstElementChild);
}

// ------------------------------------------------------------------ wiring

$('#verify-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  await busy($('#verify-submit'), 'Vérification…', verify);
});

$('#receipt-file').addEventListener('change', async (ev) => {
  const file = ev.target.files && ev.target.files[0];
  if (!file) return;
  if (file.size > 100000) { fieldError(input, 'Ce fichier est trop gros pour être un reçu.'); return; }
  input.value = await file.text();
  fieldError(input, null);
  notice(summary, 'info', `Le fichier « ${file.name} » est chargé. Choisissez maintenant « Vérifier ».`);
});

$('#recount').addEventListener('click', (ev) => busy(ev.currentTarget, 'Recompte…', recount));

// The receipt of this tab, else a number from a link the resident made (#bulletin=..., or the
// older ?bulletin=...), which then leaves the address bar and the history.
const stored = getReceipt();
const fromLink = ballotIdFrom(new URLSearchParams(window.location.hash.slice(1)).get('bulletin'))
  || ballotIdFrom(new URLSearchParams(window.location.search).get('bulletin'));
if (window.location.hash || window.location.search) history.replaceState(null, '', window.location.pathname);
if (stored) input.value = JSON.stringify(stored, null, 2);
else if (fromLink) input.value = fromLink;
render(checksList);
