// Helpers of the staff journeys (staff.test.mjs): logging in through the page, reading a radar
// as displayed, and the phone checks (horizontal scroll, tap targets, text cut by its box).
import { staffUsers } from './scenario.mjs';

export async function loginInBrowser(page, base, username) {
  const all = [...staffUsers.committee, staffUsers.mission];
  const { password } = all.find((u) => u.username === username);
  await page.goto(`${base}/connexion.html`);
  await page.getByLabel('Identifiant').fill(username);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/(comite|mission)\//);
}

/**
 * The radar shown by `img` (an <img> of an SVG): its markup, fetched by the page itself (with
 * its session), its viewBox width, the width it is displayed at, and the size each text is
 * drawn at there, computed from the font-size each text inherits: size × displayed / viewBox.
 */
export async function radarAsDisplayed(page, selector) {
  const img = page.locator(selector).first();
  await img.waitFor();
  await page.waitForFunction((sel) => { const i = document.querySelector(sel); return i && i.complete && i.naturalWidth > 0; }, selector);
  const { svg, displayed } = await page.evaluate(async (sel) => {
    const el = document.querySelector(sel);
    const text = await (await fetch(el.currentSrc || el.src, { credentials: 'same-origin' })).text();
    return { svg: text, displayed: el.getBoundingClientRect().width };
  }, selector);
  // Read here, not with the page's DOMParser: parsing the SVG's style attribute in the page
  // would be (rightly) refused by its CSP.
  const viewBoxWidth = Number(svg.match(/viewBox="[\d.]+ [\d.]+ ([\d.]+) /)[1]);
  const sizes = [];
  const inherited = [16];
  for (const [, close, name, attrs, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    if (close) { inherited.pop(); continue; }
    const own = attrs.match(/ font-size="([\d.]+)"/);
    const size = own ? Number(own[1]) : inherited[inherited.length - 1];
    if (name === 'text' || name === 'tspan') sizes.push((size * displayed) / viewBoxWidth);
    if (!selfClosing) inherited.push(size);
  }
  return { svg, viewBoxWidth, displayed, sizes, min: Math.min(...sizes) };
}

/**
 * The same SVG inlined in a blank page at `width` px, as the browser lays it out: the size of
 * each text as drawn (computed font-size × the SVG's scale on screen), and the texts whose box
 * leaves the drawing (cut at the edge).
 */
export async function radarRendered(browser, svgText, width) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.setContent(`<!doctype html><html lang="fr"><body style="margin:0"><div style="width:${width}px">${svgText}</div></body></html>`);
  const out = await page.evaluate(() => {
    const root = document.querySelector('svg');
    const box = root.getBoundingClientRect();
    const texts = [...root.querySelectorAll('text')].filter((t) => t.textContent.trim());
    return {
      width: box.width,
      sizes: texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a),
      cut: texts.filter((t) => {
        const b = t.getBoundingClientRect();
        return b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5;
      }).map((t) => t.textContent),
    };
  });
  await ctx.close();
  return out;
}

/** Whether the page scrolls sideways (wider than its viewport). */
export function pageScrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/**
 * Visible links, buttons and form controls under `scope` smaller than 24 × 24 px (WCAG 2.5.8),
 * as "text (w×h)". Radio buttons and checkboxes count with their label, which takes the tap.
 */
export function smallTapTargets(page, scope = 'body') {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel);
    const small = [];
    for (const el of root.querySelectorAll('a[href], button, input, select, textarea, summary')) {
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none' || el.closest('[hidden]')) continue;
      let r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (el.matches('.visually-hidden, .skip-link') || r.width <= 1 || r.height <= 1) continue;
      if (el.matches('input[type="radio"], input[type="checkbox"]')) {
        const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
        if (label) r = label.getBoundingClientRect();
      }
      if (r.width < 24 || r.height < 24) small.push(`${(el.textContent || el.getAttribute('aria-label') || el.name || el.tagName).trim().slice(0, 40)} (${Math.round(r.width)}×${Math.round(r.height)})`);
    }
    return small;
  }, scope);
}

/** Elements matching `selector` whose content is cut: wider than their box, or past the right
 *  edge of their scrolling frame or of the viewport. */
export function cutElements(page, selector) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].filter((el) => {
    const r = el.getBoundingClientRect();
    if (!r.width) return false;
    const frame = el.closest('.table-wrap');
    const right = Math.min(document.documentElement.clientWidth, frame ? frame.getBoundingClientRect().right : Infinity);
    return el.scrollWidth > el.clientWidth + 1 || r.right > right + 0.5 || r.left < -0.5;
  }).map((el) => el.textContent.trim()), selector);
}
