/**
 * "Compare…": tiles bound to a pattern (`runs/*\/loss`) that overlay every matching channel, a
 * series (or a progress bar) per channel named by the run. The form that adds one (the tile
 * library's), and the pure helpers the dashboard feeds such tiles with.
 */

import { CompareForm as TileCompareForm } from './tiles/compareform.js';
import { patternMatches, patternProblem } from './tiles/pattern.js';
import { PushEvent } from './protocol';

export { patternProblem };

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

/** The toolbar's "Compare…" button and the little form it opens (the tile library's, as in the
 * viewer), with the panel's class names. */
export class CompareForm extends TileCompareForm {
  constructor(onAdd: (pattern: string) => void) {
    super({ onAdd });
    this.button.classList.add('jp-Push-compare');
    this.form.classList.add('jp-Push-compareForm');
    this.input.classList.add('jp-Push-comparePattern');
    this.problem.classList.add('jp-Push-compareProblem');
  }
}
