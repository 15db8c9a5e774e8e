// What every page must satisfy: no serious or critical axe-core violation, no CSP violation, no
// script error; and its screenshots at 360 px and 1280 px in artifacts/screenshots/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot, screenshotsDir } from './harness.mjs';

const require = createRequire(path.join(repoRoot, 'package.json'));
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core in the page. page.addScriptTag({path}) injects an inline <script>, which the pages'
 * Content-Security-Policy (script-src 'self') rightly refuses; the DevTools protocol's evaluate
 * is not subject to the page's CSP, so the same file is evaluated instead and the CSP stays on.
 */
export async function checkA11y(page, name) {
  if (await page.evaluate(() => typeof window.axe) !== 'object') await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = (vs) => vs.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('\n');
  const minor = result.violations.filter((v) => !serious.includes(v));
  if (minor.length) fs.appendFileSync(path.join(screenshotsDir, '..', 'axe-minor.txt'), `${name}\n${text(minor)}\n\n`);
  assert.equal(serious.length, 0, `axe-core on ${name}:\n${text(serious)}`);
}

export async function screenshots(page, name) {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const original = page.viewportSize();
  const scroll = await page.evaluate(() => window.scrollY);
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    await page.waitForTimeout(50);
    await page.screenshot({ path: path.join(screenshotsDir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
  await page.evaluate((y) => window.scrollTo(0, y), scroll);
}

/** Both checks at once, for a main page. */
export async function inspect(page, name) {
  await page.waitForLoadState('networkidle');
  await checkA11y(page, name);
  await screenshots(page, name);
}

/**
 * Records CSP violations, script errors and failed requests other than the expected ones
 * (`allow` is a list of RegExps matched against "STATUS URL").
 */
export function watch(page, allow = []) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const t = m.text();
    if (/Failed to load resource/.test(t)) return;    // reported by 'response' below with its URL
    problems.push(`console: ${t}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const line = `${r.status()} ${r.url()}`;
    if (!allow.some((re) => re.test(line))) problems.push(`response: ${line}`);
  });
  return {
    problems,
    assertClean() { assert.deepEqual(problems, [], `unexpected problems in the page:\n${problems.join('\n')}`); },
  };
}
