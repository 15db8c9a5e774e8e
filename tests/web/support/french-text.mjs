// What the typography test reads: the text of a page source (outside tags, attribute values
// included) and the string literals of a script (template literals without their ${...}), then
// the rules of French typography the resident's pages follow (docs: ../../../docs/design.md).

/** The string literals of JavaScript source: [{text, line}], regex literals and comments skipped. */
export function jsStrings(source) {
  const out = [];
  let i = 0;
  let line = 1;
  let last = '';            // the last significant token character, to tell a regex from a division
  const n = source.length;
  const regexAfter = /[(,=:[!&|?{};+\-*%<>~^]|^$/;
  const keywordBefore = /\b(return|typeof|case|do|else|in|of|void|yield|await)\s*$/;
  while (i < n) {
    const c = source[i];
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && source[i + 1] === '/') { while (i < n && source[i] !== '\n') i++; continue; }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      line += (source.slice(i, stop).match(/\n/g) || []).length;
      i = stop;
      continue;
    }
    if (c === '/' && (regexAfter.test(last) || keywordBefore.test(source.slice(Math.max(0, i - 12), i)))) {
      let inClass = false;
      i++;
      while (i < n) {
        const d = source[i];
        if (d === '\\') { i += 2; continue; }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        else if (d === '\n') break;
        i++;
      }
      i++;
      while (i < n && /[a-z]/i.test(source[i])) i++;
      last = 'a';
      continue;
    }
    if (c === '\'' || c === '"') {
      const start = line;
      let text = '';
      i++;
      const from = i;
      while (i < n && source[i] !== c) {
        if (source[i] === '\\') { text += source.slice(i, i + 2); i += 2; continue; }
        if (source[i] === '\n') break;
        text += source[i++];
      }
      out.push({ text: unescape(text), line: start, from, to: i });
      i++;
      last = 'a';
      continue;
    }
    if (c === '`') {
      i = template(source, i + 1, out, () => line, (k) => { line += k; });
      last = 'a';
      continue;
    }
    last = c;
    i++;
  }
  return out;
}

function unescape(text) {
  return text.replace(/\\u\{([0-9a-f]+)\}|\\u([0-9a-f]{4})|\\(.)/gi, (m, a, b, ch) => {
    if (a || b) return String.fromCodePoint(parseInt(a || b, 16));
    return { n: '\n', t: '\t' }[ch] ?? ch;
  });
}

// A template literal from `i` (after the backquote): its text parts, its ${...} skipped (with
// the strings inside them read too). Returns the index after the closing backquote.
function template(source, i, out, getLine, addLines) {
  let text = '';
  let from = i;
  const flush = () => { if (text) out.push({ text: unescape(text), line: getLine(), from, to: i }); text = ''; };
  while (i < source.length && source[i] !== '`') {
    if (source[i] === '\\') { text += source.slice(i, i + 2); i += 2; continue; }
    if (source[i] === '$' && source[i + 1] === '{') {
      flush();
      let depth = 1;
      const start = i + 2;
      i += 2;
      while (i < source.length && depth > 0) {
        if (source[i] === '{') depth++;
        else if (source[i] === '}') depth--;
        else if (source[i] === '`') { i = template(source, i + 1, out, getLine, addLines) - 1; }
        i++;
      }
      for (const s of jsStrings(source.slice(start, i - 1))) out.push({ ...s, line: getLine(), from: s.from + start, to: s.to + start });
      from = i;
      continue;
    }
    if (source[i] === '\n') addLines(1);
    text += source[i++];
  }
  flush();
  return i + 1;
}

/** The text of an HTML page source: text nodes and attribute values (no tag or attribute name). */
export function htmlTexts(source) {
  const out = [];
  const body = source.replace(/<!--[\s\S]*?-->/g, '').replace(/\{\{[\s\S]*?\}\}/g, ' ');
  const lines = (at) => body.slice(0, at).split('\n').length;
  const front = body.match(/^---\n([\s\S]*?)\n---\n/);
  let start = 0;
  if (front) {
    for (const m of front[1].matchAll(/^(\w+):\s*(.*)$/gm)) {
      if (m[1] === 'title' || m[1] === 'description') out.push({ text: m[2], line: lines(m.index) + 1 });
    }
    start = front[0].length;
  }
  const re = /<[^>]*>|[^<]+/g;
  re.lastIndex = start;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const token = m[0];
    if (token.startsWith('<')) {
      for (const a of token.matchAll(/\s([\w-]+)="([^"]*)"/g)) {
        if (/^(aria-label|title|alt|placeholder|content|aria-description)$/.test(a[1])) out.push({ text: a[2], line: lines(m.index) });
      }
    } else if (token.trim()) {
      out.push({ text: token.replace(/&nbsp;/g, '\u00a0').replace(/&amp;/g, '&'), line: lines(m.index) });
    }
  }
  return out;
}

const NBSP = '\u00a0';
const NNBSP = '\u202f';

/** The breaches of French typography in one text: [] when none. */
export function typographyProblems(text) {
  const problems = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const prev = text[i - 1];
    const next = text[i + 1];
    const spacedAfter = next === undefined || /[\s"'’»)<]/.test(next);
    if (c === '\'' && /\p{L}/u.test(prev ?? '') && /\p{L}/u.test(next ?? '')) problems.push(`straight apostrophe at ${i}`);
    if ((c === ';' || c === '!' || c === '?') && spacedAfter && prev !== undefined && prev !== NNBSP) {
      problems.push(`no narrow no-break space (U+202F) before ${c} at ${i}`);
    }
    if (c === ':' && spacedAfter && prev !== undefined && prev !== NBSP && !/["'\d]/.test(prev)) {
      problems.push(`no no-break space (U+00A0) before : at ${i}`);
    }
    if (c === '«' && next !== NBSP) problems.push(`no no-break space (U+00A0) after « at ${i}`);
    if (c === '»' && prev !== NBSP) problems.push(`no no-break space (U+00A0) before » at ${i}`);
  }
  return problems;
}

/** Words that only a keyboard understands, wrong on a touch screen. */
export function keyboardOnly(text) {
  return /\b(appuyez sur (Entrée|Tab)|touche|Entrée|Tabulation|flèches)\b/i.test(text);
}
