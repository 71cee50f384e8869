/**
 * "Compare…": tiles bound to a pattern (`runs/*\/loss`) that overlay every matching channel, a
 * series (or a progress bar) per channel named by the run. The form that adds one, and the pure
 * helpers the dashboard feeds such tiles with.
 */

import { isPattern, patternMatches } from './tiles/pattern.js';
import { PushEvent } from './protocol';

const SEGMENT = /^[A-Za-z0-9_.:-]+$/;

/** Why `text` cannot be a compare pattern, or null when it can. */
export function patternProblem(text: string): string | null {
  if (!text) {
    return 'Type a pattern such as runs/*/loss';
  }
  const parts = text.split('/');
  for (const [i, part] of parts.entries()) {
    if (part === '**' && i !== parts.length - 1) {
      return "'**' is allowed only as the last segment";
    }
    if (part !== '*' && part !== '**' && !SEGMENT.test(part)) {
      return part.includes('*')
        ? "'*' must be a whole segment, as in runs/*/loss"
        : `segment '${part}' may use letters, digits and _ . : - only`;
    }
  }
  return isPattern(text) ? null : 'A pattern needs a * (one segment) or a final ** to compare channels';
}

/** The recent events of every channel `pattern` matches, in time order (the run so far). */
export function overlayEvents(
  pattern: string,
  channels: Iterable<{ name: string; recent: readonly PushEvent[] }>
): PushEvent[] {
  const events: PushEvent[] = [];
  for (const record of channels) {
    if (patternMatches(pattern, record.name)) {
      events.push(...record.recent);
    }
  }
  return events.sort((a, b) => a.time - b.time);
}

/** The toolbar's "Compare…" button and the little form it opens. */
export class CompareForm {
  readonly button = document.createElement('button');
  readonly form = document.createElement('form');
  private readonly input = document.createElement('input');
  private readonly problem = document.createElement('span');

  constructor(onAdd: (pattern: string) => void) {
    this.button.type = 'button';
    this.button.className = 'jp-Push-compare';
    this.button.textContent = 'Compare…';
    this.button.title = 'Add a tile that overlays every channel a pattern matches (runs/*/loss)';
    this.button.setAttribute('aria-expanded', 'false');
    this.button.addEventListener('click', () => this.toggle(this.form.hidden));
    this.form.className = 'jp-Push-compareForm';
    this.form.hidden = true;
    this.input.className = 'jp-Push-comparePattern';
    this.input.placeholder = 'runs/*/loss';
    this.input.setAttribute('aria-label', 'Pattern to compare');
    this.input.spellcheck = false;
    const add = document.createElement('button');
    add.type = 'submit';
    add.textContent = 'Add';
    this.problem.className = 'jp-Push-compareProblem';
    this.problem.setAttribute('role', 'alert');
    this.form.append(this.input, add, this.problem);
    this.form.addEventListener('submit', event => {
      event.preventDefault();
      const pattern = this.input.value.trim();
      const problem = patternProblem(pattern);
      this.problem.textContent = problem ?? '';
      if (problem === null) {
        onAdd(pattern);
        this.input.value = '';
        this.toggle(false);
      }
    });
  }

  private toggle(open: boolean): void {
    this.form.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) {
      this.problem.textContent = '';
      this.input.focus();
    }
  }
}
