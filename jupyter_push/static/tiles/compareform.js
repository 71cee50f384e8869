// @ts-check
/**
 * "Compare…": a button and the small form it opens, where the user types a pattern
 * (`runs/*\/loss`) whose channels one tile overlays. A pattern is taken only when it is a valid
 * pattern with a wildcard and the host's own check (the viewer: within the share link) passes;
 * otherwise the form says why. Used by the viewer page and the JupyterLab panel.
 */

import { el } from './dom.js';
import { patternProblem } from './pattern.js';

/**
 * @typedef {{ onAdd: (pattern: string) => void, check?: (pattern: string) => string | null }} CompareFormOptions
 */

export class CompareForm {
  /** @param {CompareFormOptions} options */
  constructor(options) {
    this.options = options;
    this.button = el('button', 'jpt-compare', 'Compare…');
    this.button.type = 'button';
    this.button.title = 'Add a tile that overlays every channel a pattern matches (runs/*/loss)';
    this.button.setAttribute('aria-expanded', 'false');
    this.button.addEventListener('click', () => this.toggle(this.form.hidden));
    this.form = el('form', 'jpt-compareForm');
    this.form.hidden = true;
    this.input = el('input', 'jpt-comparePattern');
    this.input.placeholder = 'runs/*/loss';
    this.input.setAttribute('aria-label', 'Pattern to compare');
    this.input.spellcheck = false;
    const add = el('button', 'jpt-compareAdd', 'Add');
    add.type = 'submit';
    this.problem = el('span', 'jpt-compareProblem');
    this.problem.setAttribute('role', 'alert');
    this.form.append(this.input, add, this.problem);
    this.form.addEventListener('submit', event => {
      event.preventDefault();
      const pattern = this.input.value.trim();
      const problem = this.problemOf(pattern);
      this.problem.textContent = problem ?? '';
      if (problem === null) {
        this.options.onAdd(pattern);
        this.input.value = '';
        this.toggle(false);
      }
    });
  }

  /**
   * Why `pattern` cannot be compared here, or null.
   * @param {string} pattern
   */
  problemOf(pattern) {
    return patternProblem(pattern) ?? this.options.check?.(pattern) ?? null;
  }

  /**
   * Open the form with a message (e.g. about a comparison the page's address asked for).
   * @param {string} message
   */
  tell(message) {
    this.toggle(true);
    this.problem.textContent = message;
  }

  /** @param {boolean} open */
  toggle(open) {
    this.form.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) {
      this.problem.textContent = '';
      this.input.focus();
    }
  }
}
