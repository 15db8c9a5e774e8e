// The build step of the site (scripts/build-web.mjs), on the real sources in web/ and on small
// made-up ones:  node --test tests/scripts/build-web.test.mjs
// With BUDGET_BUILT_WEB=BUILD/web (as CTest runs it), the site CMake built is checked too: it
// must be exactly what the sources give, nothing more.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { buildSite } from '../../scripts/build-web.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webSources = path.join(repo, 'web');
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'budget-web-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file under `root`: relative path -> bytes. */
function readTree(root) {
  const out = new Map();
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(path.relative(root, full).split(path.sep).join('/'), fs.readFileSync(full));
    }
  };
  walk(root);
  return out;
}

function build(t, srcDir = webSources) {
  const out = path.join(tempDir(t), 'site');
  buildSite(srcDir, out);
  return { out, files: readTree(out) };
}

/** A source folder made of `files` (relative path -> text). */
function sources(t, files) {
  const dir = tempDir(t);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const HASHED = /\.([0-9a-f]{12})\.[a-z0-9]+$/;
const isPage = (rel) => rel.endsWith('.html');
const isVariant = (rel) => /\.(gz|br)$/.test(rel);

test('the same sources give the same site, byte for byte', (t) => {
  const a = build(t);
  const b = build(t);
  assert.deepEqual([...a.files.keys()], [...b.files.keys()]);
  for (const [rel, bytes] of a.files) assert.ok(bytes.equals(b.files.get(rel)), `${rel} differs`);
});

test('the site CMake built is exactly what the sources give', { skip: !process.env.BUDGET_BUILT_WEB }, (t) => {
  const fresh = build(t);
  const built = readTree(process.env.BUDGET_BUILT_WEB);
  assert.deepEqual([...built.keys()].sort(), [...fresh.files.keys()].sort(),
    'BUILD/web holds other files than the build step writes (or misses some)');
  for (const [rel, bytes] of fresh.files) assert.ok(bytes.equals(built.get(rel)), `${rel} is stale in BUILD/web`);
});

test('every page has the layout: head, skip link, header, main, footer, once each', (t) => {
  const { files } = build(t);
  const footer = fs.readFileSync(path.join(webSources, 'templates/partials/footer.html'), 'utf8').trim();
  const pages = [...files.keys()].filter(isPage);
  assert.ok(pages.length >= 16, `only ${pages.length} pages`);
  for (const rel of pages) {
    const html = files.get(rel).toString('utf8');
    const count = (re) => (html.match(re) || []).length;
    assert.ok(html.startsWith('<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">'), `${rel}: head`);
    assert.match(html, /<title>[^<]+ — Budget citoyen du Pas-de-Calais<\/title>/, `${rel}: title`);
    assert.equal(count(/<meta name="description" content="[^"]+">/g), 1, `${rel}: description`);
    assert.equal(count(/<link rel="stylesheet" href="\/css\/site\.[0-9a-f]{12}\.css">/g), 1, `${rel}: style sheet`);
    assert.equal(count(/<a class="skip-link" href="#contenu">/g), 1, `${rel}: skip link`);
    assert.equal(count(/<header class="site-header">/g), 1, `${rel}: header`);
    assert.equal(count(/<main id="contenu" tabindex="-1">/g), 1, `${rel}: main`);
    assert.equal(count(/<footer class="site-footer">/g), 1, `${rel}: footer`);
    // The footer as its partial says, apart from the current page's mark.
    assert.ok(html.replace(/ aria-current="page"/g, '').includes(footer), `${rel}: footer differs from the partial`);
    assert.ok(html.endsWith('</footer>\n</body>\n</html>\n'), `${rel}: end`);
    assert.doesNotMatch(html, /\{\{|\}\}/, `${rel}: a template tag left`);
    assert.doesNotMatch(html, /^---$/m, `${rel}: front matter left`);
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, `${rel}: inline script (the CSP refuses it)`);
  }
});

test('every reference of the site names a file of the site', (t) => {
  const { files } = build(t);
  const exists = (target) => files.has(target) || files.has(`${target}index.html`)
    || (target === '' && files.has('index.html'));
  const dangling = [];
  const check = (from, ref) => {
    if (!/^(\.{1,2}\/|\/(?!\/))/.test(ref)) return;  // URLs, fragments, bare names
    const clean = ref.replace(/[?#].*$/, '');
    if (clean.startsWith('/api/')) return;  // answered by budgetd, not by a file
    const target = path.posix.normalize(clean.startsWith('/') ? clean.slice(1)
      : path.posix.join(path.posix.dirname(from), clean));
    if (!exists(target === '.' ? '' : target)) dangling.push(`${from}: ${ref}`);
  };
  let seen = 0;
  for (const [rel, bytes] of files) {
    if (isVariant(rel)) continue;
    const text = bytes.toString('utf8');
    if (isPage(rel)) {
      for (const m of text.matchAll(/\s(?:src|href)="([^"]+)"/g)) { check(rel, m[1]); seen += 1; }
    } else if (rel.endsWith('.js')) {
      // Imports, and any quoted path to a file of the site (pages linked from scripts).
      for (const m of text.matchAll(/['"`]((?:\.{1,2}\/|\/)[\w./-]*\.(?:js|css|html|svg|png|json|txt))(?=[?#'"`])/g)) {
        check(rel, m[1]);
        seen += 1;
      }
    } else if (rel.endsWith('.css')) {
      for (const m of text.matchAll(/url\(\s*['"]?([^'")\s]+)/g)) { check(rel, m[1]); seen += 1; }
    }
  }
  assert.ok(seen > 100, `only ${seen} references read`);
  assert.deepEqual(dangling, []);
});

test('hashed names are the start of the SHA-256 of the bytes they name', (t) => {
  const { files } = build(t);
  let hashed = 0;
  for (const [rel, bytes] of files) {
    if (isVariant(rel) || isPage(rel)) continue;
    const m = HASHED.exec(rel);
    if (/\.(js|css|svg)$/.test(rel)) assert.ok(m, `${rel}: an asset without its hash in its name`);
    if (!m) continue;
    assert.equal(m[1], sha256(bytes).slice(0, 12), `${rel}: name and content disagree`);
    hashed += 1;
  }
  assert.ok(hashed >= 20, `only ${hashed} hashed files`);
  // Pages keep their addresses: they are what residents bookmark.
  for (const rel of ['index.html', 'voter.html', 'comite/index.html', 'mission/depouillement.html', '404.html', '500.html']) {
    assert.ok(files.has(rel), `${rel} missing`);
  }
});

test('assets get .gz and .br beside them that decode to them; pages never', (t) => {
  const { files } = build(t);
  let variants = 0;
  for (const [rel, bytes] of files) {
    if (!isVariant(rel)) continue;
    const base = rel.slice(0, -3);
    assert.ok(files.has(base), `${rel} beside nothing`);
    assert.ok(!isPage(base), `${rel}: a compressed page (BREACH)`);
    const decoded = rel.endsWith('.gz') ? zlib.gunzipSync(bytes) : zlib.brotliDecompressSync(bytes);
    assert.ok(decoded.equals(files.get(base)), `${rel} does not decode to ${base}`);
    assert.ok(bytes.length < files.get(base).length, `${rel} is not smaller`);
    variants += 1;
  }
  assert.ok(variants >= 40, `only ${variants} compressed files`);
  const css = [...files.keys()].find((rel) => /^css\/site\.[0-9a-f]{12}\.css$/.test(rel));
  assert.ok(files.has(`${css}.gz`) && files.has(`${css}.br`));
});

test('a change in a module renames it and every module that imports it, not the others', (t) => {
  const src = {
    'templates/layout.html': '<!doctype html>\n<title>{{title}}</title>\n{{#script}}<script type="module" src="{{script}}"></script>{{/script}}\n{{{content}}}\n',
    'index.html': '---\ntitle: Accueil\nscript: /js/page.js\n---\n<p>Bonjour</p>\n',
    'js/page.js': "import { f } from './lib.js';\nexport const g = f;\n",
    'js/lib.js': "export const f = 1;\n",
    'js/other.js': "export const h = 2;\n",
  };
  const before = build(t, sources(t, src)).files;
  const after = build(t, sources(t, { ...src, 'js/lib.js': 'export const f = 2;\n' })).files;
  const named = (files, stem) => [...files.keys()].find((rel) => rel.startsWith(`js/${stem}.`) && rel.endsWith('.js'));
  assert.notEqual(named(before, 'lib'), named(after, 'lib'));
  assert.notEqual(named(before, 'page'), named(after, 'page'));
  assert.equal(named(before, 'other'), named(after, 'other'));
  assert.match(after.get('index.html').toString(), new RegExp(`src="/${named(after, 'page').replace(/\./g, '\\.')}"`));
  assert.match(after.get(named(after, 'page')).toString(), new RegExp(`from '\\./${named(after, 'lib').slice(3).replace(/\./g, '\\.')}'`));
});

test('parameters are escaped, sections and partials rendered, the current link marked', (t) => {
  const { files } = build(t, sources(t, {
    'templates/layout.html': '---\nheader: top\n---\n<title>{{title}}</title>\n{{>*header}}\n{{#script}}\n<script type="module" src="{{script}}"></script>\n{{/script}}\n{{^script}}\nno script\n{{/script}}\n{{{content}}}\n',
    'templates/partials/top.html': '<nav class="site-nav"><a href="/">Accueil</a> <a href="/b.html">B</a></nav>\n',
    'templates/partials/other.html': '<p>other header</p>\n',
    'index.html': '---\ntitle: A & <B>\n---\n{{! a comment }}\n<p>{{title}}</p>\n',
    'b.html': '---\ntitle: B\nheader: other\nscript: /x.js\n---\n<p>b</p>\n',
    'x.js': 'export {};\n',
  }));
  const home = files.get('index.html').toString();
  assert.equal(home, '<title>A &amp; &lt;B&gt;</title>\n<nav class="site-nav"><a href="/" aria-current="page">Accueil</a> <a href="/b.html">B</a></nav>\nno script\n<p>A &amp; &lt;B&gt;</p>\n');
  const b = files.get('b.html').toString();
  assert.match(b, /^<title>B<\/title>\n<p>other header<\/p>\n<script type="module" src="\/x\.[0-9a-f]{12}\.js"><\/script>\n<p>b<\/p>\n$/);
});

test('mistakes in the sources stop the build with the file and line, and keep the old site', (t) => {
  const layout = { 'templates/layout.html': '<title>{{title}}</title>\n{{{content}}}\n' };
  const cases = [
    [{ 'index.html': '<p>{{nothing}}</p>\n' }, /index\.html:1: no parameter "nothing"/],
    [{ 'index.html': '---\ntitle: T\n---\n{{#title}}\n<p>x</p>\n' }, /index\.html:4: \{\{#title\}\} is never closed/],
    [{ 'index.html': '---\ntitle: T\n---\n{{> missing}}\n' }, /no partial "missing"/],
    [{ 'index.html': '---\ntitle: T\n<p>never closed</p>\n' }, /front matter opened by --- is never closed/],
    [{ 'index.html': '---\ntitle: T\n---\n<script type="module" src="/js/gone.js"></script>\n' }, /<script> names \/js\/gone\.js, which is not in/],
    [{ 'index.html': '---\ntitle: T\n---\n', 'a.js': "import './b.js';\n" }, /a\.js: references b\.js, which is not in/],
    [{ 'index.html': '---\ntitle: T\n---\n', 'a.js': "import './b.js';\n", 'b.js': "import './a.js';\n" }, /import cycle: a\.js -> b\.js -> a\.js/],
  ];
  for (const [files, message] of cases) {
    const out = path.join(tempDir(t), 'site');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'previous.html'), 'the site before');
    assert.throws(() => buildSite(sources(t, { ...layout, ...files }), out), message);
    assert.deepEqual(fs.readdirSync(out), ['previous.html']);
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ['site'], 'a staging folder was left');
  }
});
