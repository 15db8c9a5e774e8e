// Plain accessible charts: an SVG column chart (role="img" with a text summary) always followed by
// its data as a table, and a table with proportional bars. No library: nothing to load, CSP-clean.
import { dateOnly, h, number, svg } from './ui.js';

/** Columns for a series [{label, value}] (e.g. ballots per day), with its data table. */
export function columnChart(series, { title, unit = 'bulletins', unitOne = 'bulletin', shortLabel = (l) => l } = {}) {
  const width = Math.max(320, series.length * 44 + 50);
  const height = 220;
  const top = 20, bottom = 40, left = 40;
  const max = Math.max(1, ...series.map((s) => s.value));
  const plotH = height - top - bottom;
  const step = (width - left - 10) / Math.max(1, series.length);
  const total = series.reduce((n, s) => n + s.value, 0);
  const best = series.reduce((b, s) => (s.value > (b ? b.value : -1) ? s : b), null);
  const summary = series.length
    ? `${title}\u00a0: ${number(total)} ${total > 1 ? unit : unitOne} sur ${series.length} jour${series.length > 1 ? 's' : ''}` +
      (best ? `, au plus ${number(best.value)} le ${dateOnly(best.label)}` : '') + '. Détail dans le tableau qui suit.'
    : `${title}\u00a0: aucune donnée.`;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart', role: 'img', 'aria-label': summary },
    svg('line', { x1: left, y1: top + plotH, x2: width - 5, y2: top + plotH, class: 'axis' }),
    svg('text', { x: 4, y: top + 4 }, number(max)),
    svg('text', { x: 4, y: top + plotH }, '0'),
    ...series.flatMap((s, i) => {
      const barH = Math.round((plotH * s.value) / max);
      const x = left + i * step + step * 0.15;
      const w = Math.max(4, step * 0.7);
      return [
        svg('rect', { x, y: top + plotH - barH, width: w, height: barH, class: 'col' }),
        svg('text', { x: x + w / 2, y: top + plotH - barH - 4, 'text-anchor': 'middle' }, number(s.value)),
        svg('text', { x: x + w / 2, y: height - bottom + 16, 'text-anchor': 'middle' }, shortLabel(s.label)),
      ];
    }));
  const table = h('details', {}, h('summary', {}, `${title}\u00a0: les données`),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'visually-hidden' }, title),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Jour'), h('th', { scope: 'col', class: 'num' }, 'Bulletins'))),
      h('tbody', {}, ...series.map((s) => h('tr', {}, h('th', { scope: 'row' }, dateOnly(s.label)), h('td', { class: 'num' }, number(s.value))))))));
  return h('figure', { class: 'radar-figure' }, h('div', { class: 'table-wrap' }, chart), table);
}

/** A table whose rows carry a proportional bar: [{label, value}]. */
export function barTable(rows, { caption, header = 'Bulletins', labelHeader = 'Territoire' } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const total = rows.reduce((n, r) => n + r.value, 0);
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, labelHeader), h('th', { scope: 'col', class: 'num' }, header),
      h('th', { scope: 'col', class: 'num' }, 'Part'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Barre')))),
    h('tbody', {}, ...rows.map((r) => {
      const bar = r.value > 0 ? h('span', { class: 'bar', 'aria-hidden': 'true' }) : '';
      if (bar) bar.style.width = `${(100 * r.value) / max}%`;
      return h('tr', {}, h('th', { scope: 'row' }, r.label), h('td', { class: 'num' }, number(r.value)),
        h('td', { class: 'num' }, total ? `${Math.round((100 * r.value) / total)}\u202f%` : '—'), h('td', { class: 'bar-cell' }, bar));
    }))));
}
