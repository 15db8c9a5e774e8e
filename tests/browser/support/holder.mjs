// Helpers of the initiative holders' journey (holder.test.mjs): a real small PDF, a SIRET whose
// Luhn key is right, the sign-in through the page with the code of the outbox, and an API client
// keeping one holder's session for the files that are not under test in the browser.
import { outboxCode, outboxCount } from './harness.mjs';

/**
 * A minimal valid PDF (one empty page): header, objects, a cross-reference table whose offsets
 * are the objects' own, trailer and %%EOF, as a viewer or a content check expects.
 */
export function minimalPdf(title = 'Statuts') {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>',
    '<< /Length 0 >>\nstream\n\nendstream',
    `<< /Title (${title}) /Producer (holder.test.mjs) >>`,
  ];
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A 14-digit SIRET whose Luhn key is right, from 13 digits; and one whose key is wrong. */
export function siretFrom(first13) {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${first13}${d}`)) return `${first13}${d}`;
  throw new Error('no Luhn digit');
}
export function wrongSiret(first13) {
  const good = siretFrom(first13);
  return `${first13}${(Number(good[13]) + 1) % 10}`;
}

/** Signs a holder in through /porteurs/ with the code the outbox received. */
export async function signInInBrowser(page, base, outbox, email) {
  const before = outboxCount(outbox, email);
  if (!/\/porteurs\/$/.test(page.url())) await page.goto(`${base}/porteurs/`);
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByRole('button', { name: 'Recevoir un code' }).click();
  const code = await outboxCode(outbox, email, before);
  await page.getByLabel('Code à 6 chiffres').fill(code);
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.getByRole('heading', { name: 'Mes dossiers' }).waitFor();
}

/** One holder's session through the API: cookie, CSRF token and Origin, as the page sends them. */
export class HolderClient {
  constructor(base, outbox, email) {
    this.base = base;
    this.outbox = outbox;
    this.email = email;
    this.cookie = '';
    this.csrf = '';
  }

  async signIn() {
    const before = outboxCount(this.outbox, this.email);
    let r = await this.call('POST', '/api/v1/holder/challenge', { email: this.email });
    if (r.status !== 202) throw new Error(`holder challenge: ${r.status} ${r.text}`);
    const code = await outboxCode(this.outbox, this.email, before);
    r = await fetch(`${this.base}/api/v1/holder/verify`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Origin: this.base },
      body: JSON.stringify({ email: this.email, code }),
    });
    if (r.status !== 200) throw new Error(`holder verify: ${r.status} ${await r.text()}`);
    this.cookie = r.headers.get('set-cookie').split(';')[0];
    this.csrf = (await r.json()).csrf_token;
    return this;
  }

  async call(method, p, body, { raw = null, contentType = 'application/json' } = {}) {
    const headers = { Origin: this.base };
    if (this.cookie) headers.Cookie = this.cookie;
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    if (body !== undefined || raw) headers['Content-Type'] = contentType;
    const r = await fetch(`${this.base}${p}`, { method, headers, body: raw || (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text };
  }

  /** A complete file, submitted: its Application JSON. */
  async submitComplete(fields, pdf) {
    let r = await this.call('POST', '/api/v1/holder/applications', {});
    if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
    const { id } = r.json;
    r = await this.call('PUT', `/api/v1/holder/applications/${id}`, fields);
    if (r.status !== 200) throw new Error(`update ${id}: ${r.status} ${r.text}`);
    if (pdf) {
      r = await this.call('POST', `/api/v1/holder/applications/${id}/attachments?name=${encodeURIComponent(pdf.name)}`, undefined,
        { raw: pdf.bytes, contentType: 'application/pdf' });
      if (r.status !== 201) throw new Error(`attachment ${id}: ${r.status} ${r.text}`);
    }
    r = await this.call('POST', `/api/v1/holder/applications/${id}/submit`);
    if (r.status !== 200) throw new Error(`submit ${id}: ${r.status} ${r.text}`);
    return r.json;
  }
}
