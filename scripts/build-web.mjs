#!/usr/bin/env node
// Builds the site budgetd serves from the sources in web/:
//   node scripts/build-web.mjs SRC_DIR OUT_DIR
// (CMake runs it into BUILD/web whenever a file of web/ changes: target budget_web.)
//
// - Pages: every .html file of SRC_DIR (outside templates/) is a page source: a front matter of
//   parameters, then the page's own content, rendered into templates/layout.html (head, header,
//   skip link, footer). Templates are a small subset of Mustache, described in layout.html.
// - Assets (CSS, JS modules, images, the vendored verifier...) get the first 12 hex digits of the
//   SHA-256 of their bytes in their names (css/site.css -> css/site.0123456789ab.css), and every
//   reference is rewritten: src and href attributes of the pages, `import ... from '...'`,
//   `export ... from '...'` and `import('...')` specifiers of JS modules, url() of style sheets.
//   Modules are hashed leaves first, so a module's name covers the names of what it imports, and
//   a change anywhere renames every module that leads to it. budgetd serves a file whose name
//   carries its own hash as immutable (a year in every cache); anything else is revalidated.
// - Every file but the pages gets a .gz (gzip, level 9) and a .br (brotli, quality 11) beside
//   it, each kept only when smaller than the file. Pages are never compressed: a compressed page
//   over TLS is what BREACH attacks (docs/deploy.md).
//
// The output is complete and deterministic (the same sources give the same bytes). It is written
// beside OUT_DIR first and then takes its place, so a failed build leaves the previous site.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const HASH_DIGITS = 12;
// Assets whose names carry their hash; other files (a licence text...) keep their names.
const FINGERPRINTED = new Set(['.css', '.js', '.mjs', '.svg', '.png', '.jpg', '.jpeg', '.gif',
  '.webp', '.avif', '.ico', '.woff', '.woff2']);
// Not part of the site.
const IGNORED_NAMES = new Set(['CMakeLists.txt']);
const TEMPLATES = 'templates';

class BuildError extends Error {}
const fail = (message) => { throw new BuildError(message); };

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const posix = (p) => p.split(path.sep).join('/');

/** Every file under `root`, as paths relative to it with '/', sorted; dot files left out. */
function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(posix(path.relative(root, full)));
    }
  };
  walk(root);
  return out.sort();
}

// ------------------------------------------------------------------------------------ templates

/**
 * "---\nkey: value\n...\n---\n" at the top of a page or layout: its parameters (values as
 * written, up to the end of the line) and what follows.
 */
function frontMatter(text, file) {
  if (!text.startsWith('---\n')) return { params: {}, body: text, line: 1 };
  const end = text.indexOf('\n---\n', 3);
  if (end < 0) fail(`${file}: the front matter opened by --- is never closed`);
  const params = {};
  text.slice(4, end).split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^([a-z][a-z0-9_]*):\s?(.*)$/.exec(line);
    if (!m) fail(`${file}:${i + 2}: expected "name: value", got ${JSON.stringify(line)}`);
    params[m[1]] = m[2].trim();
  });
  // line: where the body starts in the file, so that errors name the file's own lines.
  return { params, body: text.slice(end + 5), line: text.slice(0, end + 5).split('\n').length };
}

const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/**
 * Mustache, the part the site needs: {{name}} (HTML-escaped), {{{name}}} (as is),
 * {{#name}}...{{/name}} (when name is set and not empty), {{^name}}...{{/name}} (when it is not),
 * {{> partial}} (templates/partials/partial.html), {{>*name}} (the partial named by name's
 * value) and {{! comment}}. A section, partial or comment tag alone on its line takes the line
 * with it. An unknown parameter or partial is an error, not an empty string.
 */
function parseTemplate(src, file, firstLine = 1) {
  const tag = /\{\{\{\s*([\w.-]+)\s*\}\}\}|\{\{([#^/>!]?)\s*(\*?)([^}]*?)\s*\}\}/g;
  const root = { children: [] };
  const stack = [root];
  let at = 0;
  let m;
  const top = () => stack[stack.length - 1];
  const text = (s) => { if (s) top().children.push({ kind: 'text', text: s }); };
  while ((m = tag.exec(src))) {
    let start = m.index;
    let end = tag.lastIndex;
    const sigil = m[1] !== undefined ? '{' : m[2];
    // Standalone: only blanks before the tag on its line and after it up to the line's end.
    if (sigil !== '' && '#^/>!'.includes(sigil)) {
      const lineStart = src.lastIndexOf('\n', start - 1) + 1;
      const newline = src.indexOf('\n', end);
      const lineEnd = newline < 0 ? src.length : newline + 1;
      if (/^[ \t]*$/.test(src.slice(lineStart, start)) && /^[ \t]*\r?\n?$/.test(src.slice(end, lineEnd))) {
        start = lineStart;
        end = lineEnd;
      }
    }
    text(src.slice(at, start));
    at = end;
    const line = firstLine - 1 + src.slice(0, m.index).split('\n').length;
    const where = `${file}:${line}`;
    if (sigil === '{') top().children.push({ kind: 'var', name: m[1], raw: true, where });
    else if (sigil === '') top().children.push({ kind: 'var', name: m[4], raw: false, where });
    else if (sigil === '!') continue;
    else if (sigil === '>') top().children.push({ kind: 'partial', name: m[4], dynamic: m[3] === '*', where });
    else if (sigil === '#' || sigil === '^') {
      const section = { kind: 'section', name: m[4], inverted: sigil === '^', children: [], where };
      top().children.push(section);
      stack.push(section);
    } else {
      if (stack.length === 1 || top().name !== m[4]) fail(`${where}: {{/${m[4]}}} closes nothing open`);
      stack.pop();
    }
  }
  text(src.slice(at));
  if (stack.length > 1) fail(`${top().where}: {{#${top().name}}} is never closed`);
  return root.children;
}

function renderTemplate(src, file, params, partials, depth = 0, firstLine = 1) {
  if (depth > 10) fail(`${file}: partials include each other without end`);
  const value = (node) => {
    if (!(node.name in params)) fail(`${node.where}: no parameter "${node.name}"`);
    return params[node.name];
  };
  const render = (nodes) => nodes.map((node) => {
    switch (node.kind) {
      case 'text': return node.text;
      case 'var': return node.raw ? value(node) : escapeHtml(value(node));
      case 'section': {
        const set = node.name in params && params[node.name] !== '';
        return set !== node.inverted ? render(node.children) : '';
      }
      default: {  // partial
        const name = node.dynamic ? value(node) : node.name;
        if (!(name in partials)) fail(`${node.where}: no partial "${name}" in ${TEMPLATES}/partials/`);
        return renderTemplate(partials[name], `${TEMPLATES}/partials/${name}.html`, params, partials, depth + 1);
      }
    }
  }).join('');
  return render(parseTemplate(src, file, firstLine));
}

/** The URL a page is served at: index.html stands for its folder. */
const pageUrl = (rel) => `/${rel}`.replace(/(^|\/)index\.html$/, '$1');

/**
 * Marks, in the site navigation, the link to the page itself (or to `current`) with
 * aria-current="page".
 */
function markCurrent(html, current) {
  return html.replace(/<nav class="site-nav"[\s\S]*?<\/nav>/, (nav) => nav.replace(
    `<a href="${current}">`, `<a href="${current}" aria-current="page">`));
}

function renderPage(rel, text, layout, partials) {
  const page = frontMatter(text, rel);
  const params = { ...layout.params, current: pageUrl(rel), ...page.params };
  params.content = renderTemplate(page.body, rel, params, partials, 0, page.line).replace(/\n$/, '');
  const html = renderTemplate(layout.body, `${TEMPLATES}/layout.html`, params, partials, 0, layout.line);
  return markCurrent(html, params.current);
}

// --------------------------------------------------------------------------------------- assets

/** The asset a reference names, relative to the file `from` (both relative to the site root). */
function resolveRef(from, ref) {
  if (!/^(\.{1,2}\/|\/(?!\/))/.test(ref)) return null;  // bare names, URLs, fragments: not ours
  const clean = ref.replace(/[?#].*$/, '');
  const target = clean.startsWith('/') ? clean.slice(1) : path.posix.join(path.posix.dirname(from), clean);
  return path.posix.normalize(target);
}

/** `ref` with its file name replaced by the hashed one, in the form it was written. */
function renamedRef(ref, hashedName) {
  return ref.replace(/[^/?#]+(?=([?#].*)?$)/, hashedName);
}

const hashedName = (rel, bytes) => {
  const ext = path.posix.extname(rel);
  return `${path.posix.basename(rel, ext)}.${sha256(bytes).slice(0, HASH_DIGITS)}${ext}`;
};

// Static imports and re-exports at the start of a statement, and dynamic imports of a literal.
const MODULE_REFS = [
  /^([ \t]*import\s*(?:[\w*${}\s,]+?\s*from\s*)?)(['"])([^'"\n]+)\2/gm,
  /^([ \t]*export\s*(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*)(['"])([^'"\n]+)\2/gm,
  /(\bimport\(\s*)(['"])([^'"\n]+)\2(?=\s*\))/g,
];
const CSS_REFS = [/(\burl\(\s*)(['"]?)([^'")\s]+)\2(?=\s*\))/g, /(@import\s+)(['"])([^'"]+)\2/g];

/** The references of an asset's text that name files of the site, and a way to rewrite them. */
function assetRefs(rel, text) {
  const patterns = /\.m?js$/.test(rel) ? MODULE_REFS : rel.endsWith('.css') ? CSS_REFS : [];
  const refs = [];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const target = resolveRef(rel, m[3]);
      if (target !== null) refs.push(target);
    }
  }
  const rewrite = (names) => patterns.reduce((out, re) => out.replace(re, (all, lead, quote, ref) => {
    const target = resolveRef(rel, ref);
    return target !== null && names.has(target) ? `${lead}${quote}${renamedRef(ref, names.get(target))}${quote}` : all;
  }), text);
  return { refs, rewrite };
}

// ----------------------------------------------------------------------------------------- build

function compressed(bytes) {
  const out = [];
  const gz = zlib.gzipSync(bytes, { level: 9 });
  if (gz.length < bytes.length) out.push(['.gz', gz]);
  const br = zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  if (br.length < bytes.length) out.push(['.br', br]);
  return out;
}

export function buildSite(srcDir, outDir) {
  const files = listFiles(srcDir).filter((rel) => !IGNORED_NAMES.has(path.posix.basename(rel)));
  const read = (rel) => fs.readFileSync(path.join(srcDir, rel));
  const inTemplates = (rel) => rel.startsWith(`${TEMPLATES}/`);

  const layoutFile = `${TEMPLATES}/layout.html`;
  if (!files.includes(layoutFile)) fail(`${srcDir}: no ${layoutFile}`);
  const layout = frontMatter(read(layoutFile).toString('utf8'), layoutFile);
  const partials = {};
  for (const rel of files.filter((f) => f.startsWith(`${TEMPLATES}/partials/`) && f.endsWith('.html'))) {
    partials[rel.slice(`${TEMPLATES}/partials/`.length, -'.html'.length)] = read(rel).toString('utf8');
  }

  const pages = files.filter((rel) => rel.endsWith('.html') && !inTemplates(rel));
  const assets = files.filter((rel) => !rel.endsWith('.html') && !inTemplates(rel));
  const assetSet = new Set(assets);
  const output = new Map();  // relative output path -> bytes
  const names = new Map();   // source asset -> hashed file name (fingerprinted assets only)

  // Leaves first: an asset is written once everything it references has its final name.
  const state = new Map();
  const visit = (rel, chain) => {
    if (state.get(rel) === 'done') return;
    if (state.get(rel) === 'visiting') fail(`import cycle: ${[...chain, rel].join(' -> ')}`);
    state.set(rel, 'visiting');
    const bytes = read(rel);
    const ext = path.posix.extname(rel);
    const textual = ['.js', '.mjs', '.css'].includes(ext);
    let final = bytes;
    if (textual) {
      const { refs, rewrite } = assetRefs(rel, bytes.toString('utf8'));
      for (const target of refs) {
        if (!assetSet.has(target)) {
          const hint = target.startsWith('vendor/') ? ' (web/vendor comes from `npm install`)' : '';
          fail(`${rel}: references ${target}, which is not in ${srcDir}${hint}`);
        }
        visit(target, [...chain, rel]);
      }
      final = Buffer.from(rewrite(names), 'utf8');
    }
    const dir = path.posix.dirname(rel);
    if (FINGERPRINTED.has(ext)) {
      names.set(rel, hashedName(rel, final));
      output.set(dir === '.' ? names.get(rel) : `${dir}/${names.get(rel)}`, final);
    } else {
      output.set(rel, final);
    }
    state.set(rel, 'done');
  };
  for (const rel of assets) visit(rel, []);

  for (const rel of pages) {
    let html = renderPage(rel, read(rel).toString('utf8'), layout, partials);
    html = html.replace(/(<(\w+)\b[^>]*?\s(?:src|href)=")([^"]+)(")/g, (all, lead, tagName, ref, close) => {
      const target = resolveRef(rel, ref);
      if (target === null) return all;
      if (names.has(target)) return `${lead}${renamedRef(ref, names.get(target))}${close}`;
      if ((tagName === 'script' || tagName === 'link') && !assetSet.has(target)) {
        fail(`${rel}: <${tagName}> names ${ref}, which is not in ${srcDir}`);
      }
      return all;
    });
    output.set(rel, Buffer.from(html, 'utf8'));
  }

  const staging = `${outDir.replace(/\/+$/, '')}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    for (const [rel, bytes] of [...output].sort(([a], [b]) => a.localeCompare(b))) {
      const file = path.join(staging, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, bytes);
      if (rel.endsWith('.html')) continue;
      for (const [suffix, packed] of compressed(bytes)) fs.writeFileSync(file + suffix, packed);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.renameSync(staging, outDir);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return { pages: pages.length, assets: assets.length, fingerprinted: names.size };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [srcDir, outDir] = process.argv.slice(2);
  if (!srcDir || !outDir) {
    console.error('usage: node scripts/build-web.mjs SRC_DIR OUT_DIR');
    process.exit(2);
  }
  try {
    const made = buildSite(path.resolve(srcDir), path.resolve(outDir));
    console.log(`build-web: ${made.pages} pages, ${made.assets} assets (${made.fingerprinted} with hashed names) in ${outDir}`);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    console.error(`build-web: ${e.message}`);
    process.exit(1);
  }
}
