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

const started = Date.now();

/**
 * Screenshots `<name>-360.png` and `<name>-1280.png`. Names are unique across the whole run (the
 * test files run side by side): a file already written since this process started, by this file
 * or another, fails the test rather than being silently replaced.
 */
export async function screenshots(page, name) {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  for (const width of [360, 1280]) {
    const file = path.join(screenshotsDir, `${name}-${width}.png`);
    if (fs.existsSync(file) && fs.statSync(file).mtimeMs >= started - 1000) {
      assert.fail(`screenshot name used twice in this run: ${name}-${width}.png`);
    }
  }
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

/**
 * One page in one state: axe-core at 360 px and at 1280 px (a layout can fail at one width only),
 * then the two screenshots. `inspect` is its older name, kept for the journeys that use it.
 */
export async function checkPage(page, name) {
  await page.waitForLoadState('networkidle');
  const original = page.viewportSize();
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 900 });
    await checkA11y(page, `${name} (${width} px)`);
  }
  await page.setViewportSize(original);
  await screenshots(page, name);
}
export const inspect = checkPage;

const watched = new WeakMap();  // context -> { problems, allow }

function record(state, line) {
  if (!state.allow.some((re) => re.test(line))) state.problems.push(line);
}

function watchPage(state, page) {
  page.on('pageerror', (e) => record(state, `page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const t = m.text();
    if (/Failed to load resource/.test(t)) return;  // reported with its URL by 'response'
    record(state, `console: ${t}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) record(state, `${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (req) => {
    const reason = req.failure()?.errorText;
    // Cancelled by the page itself (a navigation away while the favicon or a page loads): no
    // answer went wrong. A cut connection or a short body reads otherwise (ERR_CONNECTION_*,
    // ERR_CONTENT_LENGTH_MISMATCH, ERR_TIMED_OUT...).
    if (reason === 'net::ERR_ABORTED') return;
    record(state, `failed ${req.url()}: ${reason}`);
  });
  // The bytes that arrived are the bytes announced: a body cut short (or padded) fails. Compared
  // on the body as the page got it (from the network or its cache) when it was not compressed;
  // a compressed body that does not decode fails as a failed request instead.
  page.on('requestfinished', async (req) => {
    let res;
    let body;
    try {
      res = await req.response();
      if (!res || req.method() === 'HEAD' || res.status() === 304 || res.status() < 200) return;
      const headers = await res.allHeaders();
      if (headers['content-length'] === undefined || headers['content-encoding']) return;
      body = await res.body();
      if (Number(headers['content-length']) !== body.length) {
        record(state, `length ${req.url()}: Content-Length ${headers['content-length']}, ${body.length} bytes received`);
      }
    } catch { /* a document replaced by a navigation: its body is gone, nothing to measure */ }
  });
}

/**
 * Watches every page of a browser context (harness.newContext does it for every context): CSP
 * violations and script errors, failed requests, error answers and bodies whose length is not
 * their Content-Length, except what `allow` (RegExps matched against the reported line, e.g.
 * "409 https://.../api/v1/ballots") expects. Closing the context asserts that none was seen.
 */
export function watchContext(context, allow = []) {
  const state = { problems: [], allow: [...allow] };
  watched.set(context, state);
  context.on('page', (page) => watchPage(state, page));
  const close = context.close.bind(context);
  context.close = async (...args) => {
    await close(...args);
    assertNoProblems(state);
  };
  return state;
}

/** Answers a routed request with a changed JSON body (a tampered document, in the tests that
 *  check the page catches it): the original answer's headers, but the new body's length. */
export function fulfillJson(route, response, json) {
  const headers = Object.fromEntries(Object.entries(response.headers())
    .filter(([name]) => name !== 'content-length'));
  return route.fulfill({ response, headers, json });
}

function assertNoProblems(state) {
  assert.deepEqual(state.problems, [], `unexpected problems in the page:\n${state.problems.join('\n')}`);
}

/**
 * The checks of a page's context, with more expected lines (`allow`, RegExps matched against
 * "STATUS URL", "failed URL: reason"...): assertClean() checks now what closing will check too.
 */
export function watch(page, allow = []) {
  let state = watched.get(page.context());
  if (!state) state = watchContext(page.context());
  state.allow.push(...allow);
  state.problems = state.problems.filter((line) => !allow.some((re) => re.test(line)));
  return {
    get problems() { return state.problems; },
    assertClean() { assertNoProblems(state); },
  };
}
