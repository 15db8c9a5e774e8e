// Small DOM helpers shared by every page. Everything is built with DOM calls (never innerHTML with
// data), so text coming from the API cannot become markup.

// Controls that only work with JavaScript are marked .js-only and hidden until this runs.
document.documentElement.classList.add('js');

/** h('p', {class: 'x'}, 'text', child...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** SVG element with attributes (presentation attributes are allowed by the CSP; style is not). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

/** Replaces the content of `el` with `children`. */
export function render(el, ...children) { clear(el); append(el, children); return el; }

/** Polite announcement for screen readers through the page's live region (#live). */
export function announce(message) {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  // A fresh text node after a tick makes repeated identical messages announced again.
  setTimeout(() => { live.textContent = message; }, 50);
}

/**
 * A message box in `container`: kind = 'ok' | 'error' | 'warn' | 'info'.
 * Errors are role=alert (announced at once); the others are announced politely.
 */
export function notice(container, kind, ...content) {
  const box = h('div', { class: `notice${kind === 'info' ? '' : ` notice--${kind}`}` },
    ...content.map((c) => (typeof c === 'string' ? h('p', {}, c) : c)));
  if (kind === 'error') box.setAttribute('role', 'alert');
  render(container, box);
  if (kind !== 'error') {
    const text = box.textContent.trim();
    if (text) announce(text);
  }
  return box;
}

export function clearNotice(container) { clear(container); }

/** Moves focus to an element (headings get tabindex=-1 so that they can hold focus). */
export function focusOn(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
    el.setAttribute('tabindex', '-1');
  }
  el.focus({ preventScroll: false });
}

const euroFormat = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const numberFormat = new Intl.NumberFormat('fr-FR');
export const euros = (n) => euroFormat.format(n);
export const number = (n) => numberFormat.format(n);

export function dateTime(rfc3339) {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(d);
}

export function dateOnly(value) {
  const d = new Date(value.length === 10 ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(d);
}

/** Whole days from now until `rfc3339` (rounded up; 0 when past). */
export function daysUntil(rfc3339, now = Date.now()) {
  const ms = new Date(rfc3339).getTime() - now;
  return ms <= 0 ? 0 : Math.ceil(ms / 86400000);
}

export const plural = (n, one, many) => `${number(n)} ${n > 1 ? many : one}`;

/** Accent- and case-insensitive form of a text, for searching. */
export function fold(text) {
  return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[’']/g, ' ');
}

/** Starts a download of `content` as a file (JSON, CSV...). */
export function download(filename, content, type = 'application/json') {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, class: 'visually-hidden' }, filename);
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
}

/** Copies text to the clipboard; falls back to selecting a hidden textarea. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'visually-hidden', 'aria-hidden': 'true', tabindex: '-1' });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    area.remove();
    return ok;
  }
}

/** Query string parameter. */
export const param = (name) => new URLSearchParams(window.location.search).get(name);

/** Disables a button while `work` runs, with a busy label. */
export async function busy(button, label, work) {
  const original = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  if (label) button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = original;
  }
}

/** Marks a field invalid with its message (the message element is #<id>-error). */
export function fieldError(input, message) {
  const err = document.getElementById(`${input.id}-error`);
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    if (err) err.textContent = message;
  } else {
    input.removeAttribute('aria-invalid');
    if (err) err.textContent = '';
  }
}

export const ruleLabels = {
  greedy: 'Les plus votées d’abord (méthode « gloutonne »)',
  'greedy-territorial': 'La meilleure de chaque territoire d’abord, puis les plus votées',
  mes: 'Méthode des parts égales (Method of Equal Shares)',
  'mes-add1': 'Méthode des parts égales, budget par votant augmenté pas à pas',
  'mes-completed': 'Méthode des parts égales complétée par les plus votées',
};

export const ruleExplanations = {
  greedy: 'Les initiatives sont classées par nombre de voix ; chacune est financée si elle tient encore dans l’enveloppe, sinon on passe à la suivante.',
  'greedy-territorial': 'On finance d’abord l’initiative la plus votée de chaque territoire (si elle tient dans l’enveloppe), puis les autres par nombre de voix.',
  mes: 'L’enveloppe est partagée à parts égales entre les votants ; une initiative est financée quand ses soutiens peuvent en payer le coût ensemble. Les initiatives soutenues par des groupes différents ont ainsi leur chance.',
  'mes-add1': 'Comme la méthode des parts égales, en augmentant la part de chaque votant d’un euro à la fois tant que cela permet de financer davantage sans dépasser l’enveloppe.',
  'mes-completed': 'La méthode des parts égales (version augmentée), puis les initiatives restantes par nombre de voix avec ce qui reste de l’enveloppe.',
};

export const reasonLabels = {
  funded_most_votes: 'financée (parmi les plus votées)',
  funded_territory_best: 'financée (la plus votée de son territoire)',
  funded_equal_shares: 'financée (parts égales)',
  funded_completion: 'financée (complément)',
  zero_votes: 'non financée : aucune voix',
  exceeds_envelope: 'non financée : dépasse l’enveloppe',
  does_not_fit: 'non financée : ne tient plus dans l’enveloppe restante',
  supporters_cannot_afford: 'non financée : ses soutiens n’ont plus assez de parts',
};

export const phaseLabels = {
  labelling: 'Labellisation en cours',
  voting: 'Vote ouvert',
  closed: 'Vote clos, dépouillement en cours',
  published: 'Résultats publiés',
};
