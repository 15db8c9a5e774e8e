// An accessible combobox (ARIA 1.2 "list autocomplete" pattern) over the communes of the
// département: type a name or a postal code, move with the arrows, Enter or a tap to choose,
// Escape to close. The chosen INSEE code is kept apart from the visible text.
import { fold, h, render } from './ui.js';

export class CommuneCombobox {
  constructor(input, listbox, countEl) {
    this.input = input;
    this.listbox = listbox;
    this.countEl = countEl;
    this.communes = [];
    this.options = [];
    this.active = -1;
    this.selected = null;         // {code, name, postal_codes}
    input.addEventListener('input', () => { this.selected = null; this.update(); });
    input.addEventListener('keydown', (e) => this.onKey(e));
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    input.addEventListener('focus', () => { if (input.value.trim().length >= 2 && !this.selected) this.update(); });
  }

  setCommunes(communes) {
    this.communes = communes.map((c) => ({ ...c, key: fold(c.name).replace(/[-\s]+/g, ' ') }));
  }

  static label(c) { return `${c.name} (${c.postal_codes.join(', ')})`; }

  matches(text) {
    const q = fold(text).replace(/[-\s]+/g, ' ').replace(/\s*\(.*$/, '').trim();
    if (q.length < 2) return [];
    if (/^\d+$/.test(q)) return this.communes.filter((c) => c.postal_codes.some((p) => p.startsWith(q)) || c.code.startsWith(q));
    const starts = [], contains = [];
    for (const c of this.communes) {
      if (c.key.startsWith(q) || c.key.startsWith(`saint ${q}`)) starts.push(c);
      else if (c.key.includes(q)) contains.push(c);
    }
    return [...starts, ...contains];
  }

  update() {
    const found = this.matches(this.input.value).slice(0, 30);
    this.options = found;
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    if (found.length === 0) {
      this.close();
      this.countEl.textContent = this.input.value.trim().length >= 2 ? 'Aucune commune du Pas-de-Calais ne correspond.' : '';
      return;
    }
    render(this.listbox, ...found.map((c, i) => {
      const li = h('li', { role: 'option', id: `commune-opt-${c.code}`, 'aria-selected': 'false', dataset: { index: i } }, CommuneCombobox.label(c));
      li.addEventListener('mousedown', (ev) => { ev.preventDefault(); this.choose(i); });
      return li;
    }));
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.countEl.textContent = `${found.length} commune${found.length > 1 ? 's' : ''} proposée${found.length > 1 ? 's' : ''}.`;
  }

  setActive(i) {
    const items = this.listbox.querySelectorAll('[role="option"]');
    items.forEach((li) => li.setAttribute('aria-selected', 'false'));
    this.active = i;
    if (i >= 0 && items[i]) {
      items[i].setAttribute('aria-selected', 'true');
      this.input.setAttribute('aria-activedescendant', items[i].id);
      items[i].scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  }

  onKey(e) {
    const open = !this.listbox.hidden;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) this.update();
      if (this.options.length) this.setActive((this.active + 1) % this.options.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (open && this.options.length) this.setActive(this.active <= 0 ? this.options.length - 1 : this.active - 1);
    } else if (e.key === 'Enter') {
      if (open && this.active >= 0) { e.preventDefault(); this.choose(this.active); }
    } else if (e.key === 'Escape') {
      if (open) { e.preventDefault(); this.close(); } else { this.input.value = ''; this.selected = null; }
    } else if (e.key === 'Tab') {
      if (open && this.active >= 0) this.choose(this.active);
    }
  }

  choose(i) {
    const c = this.options[i];
    if (!c) return;
    this.selected = c;
    this.input.value = CommuneCombobox.label(c);
    this.close();
    this.countEl.textContent = `${c.name} choisie.`;
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  }

  /** The chosen commune, or the only one matching what was typed, or null. */
  value() {
    if (this.selected) return this.selected;
    const text = this.input.value.trim();
    if (!text) return null;
    const exact = this.communes.filter((c) => fold(c.name) === fold(text) || fold(CommuneCombobox.label(c)) === fold(text));
    if (exact.length === 1) return exact[0];
    const found = this.matches(text);
    return found.length === 1 ? found[0] : null;
  }

  /** Why value() is null, in French. */
  problem() {
    const text = this.input.value.trim();
    if (!text) return 'Indiquez la commune où vous habitez.';
    const found = this.matches(text);
    if (found.length === 0) return `Aucune commune du Pas-de-Calais ne correspond à « ${text} ». Le vote est réservé aux habitants du département.`;
    return 'Plusieurs communes correspondent : choisissez la vôtre dans la liste.';
  }
}
