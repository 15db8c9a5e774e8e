// Verification in the browser, with the browser's own cryptography (WebCrypto): canonical JSON,
// RFC 6962 Merkle hashing, RFC 9162 §2.1.3.2 inclusion proofs, Ed25519 signatures.
// Pure functions of their inputs: nothing here trusts the server, it only recomputes.

const encoder = new TextEncoder();

export function hexToBytes(hex) {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) {
    throw new Error(`« ${String(hex).slice(0, 20)} » n’est pas une empreinte hexadécimale`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export const bytesToHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function base64ToBytes(b64) {
  const bin = atob(String(b64).trim());
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** RFC 6962: leaf = SHA-256(0x00 || bytes), node = SHA-256(0x01 || left || right). */
export const leafHash = (bytes) => sha256(concat(Uint8Array.of(0), bytes));
export const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

function compareUtf8(a, b) {
  const x = encoder.encode(a), y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * Canonical JSON as the engine signs it: keys sorted by their UTF-8 bytes at every level, no
 * whitespace, integers only (a float is never signed: it throws).
 */
export function canonicalJson(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('le document contient un nombre non entier, jamais signé');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(compareUtf8);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new Error('valeur JSON inattendue');
}

/** The bytes of a ballot as stored and hashed: {"ballot_id":"..","choices":[sorted ids]}. */
export function canonicalBallot(ballotId, choices) {
  const sorted = [...choices].sort(compareUtf8);
  return encoder.encode(JSON.stringify({ ballot_id: ballotId, choices: sorted }));
}

/**
 * RFC 9162 §2.1.3.2: the root that `leaf` at `index` in a tree of `size` leaves gives with
 * `path`, or null when the path has the wrong shape.
 */
export async function rootFromInclusionProof(leaf, index, size, path) {
  if (!(index >= 0 && index < size)) return null;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** RFC 6962 Merkle tree hash of a list of leaf hashes. */
export async function merkleRoot(leaves) {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  // Complete subtrees merged as leaves arrive, then folded from the right: the RFC's shape.
  const stack = [];
  for (const leaf of leaves) {
    stack.push([leaf, 1]);
    while (stack.length >= 2 && stack[stack.length - 1][1] === stack[stack.length - 2][1]) {
      const [right, n] = stack.pop();
      const left = stack.pop();
      stack.push([await nodeHash(left[0], right), left[1] + n]);
    }
  }
  let [acc] = stack.pop();
  while (stack.length) {
    const [left] = stack.pop();
    acc = await nodeHash(left, acc);
  }
  return acc;
}

export const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Ed25519 verification: WebCrypto when the browser has it, else the vendored, audited
 * @noble/ed25519 (copied into /vendor by `npm install`; it uses WebCrypto's SHA-512).
 * Returns {ok, engine}.
 */
export async function verifyEd25519(publicKey, signature, message) {
  if (publicKey.length !== 32) throw new Error('la clé publique doit faire 32 octets');
  if (signature.length !== 64) throw new Error('la signature doit faire 64 octets');
  let key = null;
  try {
    key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    key = null;
  }
  if (key) {
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
    return { ok, engine: 'WebCrypto (Ed25519)' };
  }
  const ed = await import('/vendor/noble-ed25519.js');
  const ok = await ed.verifyAsync(signature, message, publicKey, { zip215: false });
  return { ok, engine: '@noble/ed25519 (WebCrypto SHA-512)' };
}

/** SHA-256 of the public key, hex: the fingerprint written in every signed document. */
export async function keyFingerprint(publicKey) { return bytesToHex(await sha256(publicKey)); }

/**
 * Checks a signed results answer {document, signature, public_key}. Returns
 * {ok, engine, fingerprint, fingerprintMatches, bytes} — never throws for a bad signature.
 */
export async function verifySignedDocument(signed) {
  if (!signed || typeof signed.document !== 'object' || !signed.signature || !signed.public_key) {
    throw new Error('la réponse ne contient pas de document signé');
  }
  const text = canonicalJson(signed.document);
  const publicKey = base64ToBytes(signed.public_key);
  const signature = base64ToBytes(signed.signature);
  const { ok, engine } = await verifyEd25519(publicKey, signature, encoder.encode(text));
  const fingerprint = await keyFingerprint(publicKey);
  return {
    ok,
    engine,
    fingerprint,
    fingerprintMatches: signed.document.public_key_fingerprint === undefined || signed.document.public_key_fingerprint === fingerprint,
  };
}

/**
 * A long number cut for reading or copying by hand: groups of `size` characters, the last group
 * never a lone character (it joins the group before): 10 characters give 4 + 4 + 2, 9 give
 * 4 + 5.
 */
export function readingGroups(text, size = 4) {
  const groups = [];
  for (let i = 0; i < text.length; i += size) groups.push(text.slice(i, i + size));
  if (groups.length > 1 && groups[groups.length - 1].length === 1) {
    const last = groups.pop();
    groups[groups.length - 1] += last;
  }
  return groups;
}

/** A ballot number as a resident may paste it: spaces and case ignored; null if not one. */
export function ballotIdFrom(text) {
  const compact = String(text ?? '').replace(/[\s\u00a0\u202f-]+/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(compact) ? compact : null;
}

export { encoder };
