// An accessible combobox (ARIA 1.2 "list autocomplete" pattern) over the communes of the
// département: type a name or a postal code, move with the arrows, Enter or a tap to choose,
// Escape to close. The chosen INSEE code is kept apart from the visible text. What was typed
// is taken only when it names one commune exactly (commune-match.js): never a prefix.
import { label, resolveCommune, suggestions } from './commune-match.js';
import { h, render } from './ui.js';

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
    this.communes = communes;
  }

  static label(c) { return label(c); }

  matches(text) { return suggestions(this.communes, text); }

  update(found = this.matches(this.input.value)) {
    this.options = found;
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    if (found.length === 0) {
      this.close();
      this.countEl.textContent = this.input.value.trim().length >= 2 ? 'Aucune commune du Pas-de-Calais ne correspond.' : '';
      return;
    }
    render(this.listbox, ...found.map((c, i) => {
      const li = h('li', { role: 'option', id: `${this.listbox.id}-${c.code}`, 'aria-selected': 'false', dataset: { index: i } }, CommuneCombobox.label(c));
      li.addEventListener('mousedown', (ev) => { ev.preventDefault(); this.choose(i); });
      return li;
    }));
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.countEl.textContent = found.length > 1 ? `${found.length} communes proposées.` : '1 commune proposée.';
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
    this.countEl.textContent = `${label(c)} choisie.`;
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  }

  /** The chosen commune, or the one that what was typed names exactly, or null. */
  value() {
    if (this.selected) return this.selected;
    const r = resolveCommune(this.communes, this.input.value);
    return r.commune || null;
  }

  /** Why value() is null, in French; the list opens on the communes to choose from. */
  problem() {
    const text = this.input.value.trim();
    const r = resolveCommune(this.communes, text);
    if (r.problem === 'empty') return 'Indiquez la commune où vous habitez.';
    if (r.problem === 'several') {
      this.update(r.candidates);
      return /\d/.test(text)
        ? `Plusieurs communes ont le code «\u00a0${text}\u00a0»\u00a0: choisissez la vôtre dans la liste.`
        : `Plusieurs communes s’appellent «\u00a0${text}\u00a0»\u00a0: choisissez la vôtre dans la liste.`;
    }
    if (r.suggestions.length) {
      this.update(r.suggestions);
      return `Aucune commune du Pas-de-Calais ne s’appelle exactement «\u00a0${text}\u00a0»\u00a0: choisissez la vôtre dans la liste, ou vérifiez l’orthographe.`;
    }
    return `Aucune commune du Pas-de-Calais ne correspond à «\u00a0${text}\u00a0». Le vote est réservé aux habitants du département.`;
  }
}
