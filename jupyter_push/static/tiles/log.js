// @ts-check
/**
 * Log tile: the last lines (bounded), follow or pause, a filter box. Strings on a channel named
 * like a log ("log", "train/log", "stdout", "stderr") and any multi-line string.
 */

import { el } from './dom.js';
import { leafOf } from './shape.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */

/**
 * @param {string} channel
 * @param {unknown} data
 */
function matches(channel, data) {
  if (typeof data !== 'string') {
    return false;
  }
  return /logs?$|^std(out|err)$/.test(leafOf(channel)) || data.includes('\n');
}

/** @param {TileOptions} options */
function create(options) {
  const node = el('div', 'jpt-log');
  const controls = el('div', 'jpt-controls');
  const filter = el('input', 'jpt-filter');
  filter.type = 'search';
  filter.placeholder = 'Filter';
  filter.setAttribute('aria-label', 'Filter lines');
  const follow = el('button', 'jpt-follow', 'Pause');
  follow.type = 'button';
  follow.setAttribute('aria-pressed', 'false');
  const count = el('span', 'jpt-lineCount');
  controls.append(filter, follow, count);
  const pre = el('pre', 'jpt-logLines');
  pre.tabIndex = 0;
  pre.setAttribute('role', 'log');
  node.append(controls, pre);
  /** @type {string[]} */
  const lines = [];
  let paused = false;
  let dropped = 0;
  // line numbers since the tile began: `lines[0]` is line `first`; the text drawn holds lines
  // `shownFrom` up to `shownTo` (unfiltered), so a draw appends the new lines and cuts the
  // oldest instead of writing the whole text again (its cost follows the new lines, not the log)
  let first = 0;
  let shownFrom = 0;
  let shownTo = 0;
  let shownAll = false;
  const text = document.createTextNode('');
  pre.append(text);
  /** @param {string[]} shown */
  const rewrite = shown => {
    text.data = shown.join('\n');
    count.textContent = `${shown.length} lines${dropped ? ` (older dropped)` : ''}`;
  };
  const tile = {
    node,
    /** @param {TileEvent} event */
    push(event) {
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      for (const line of data.split('\n')) {
        lines.push(line);
      }
      if (lines.length > options.limits.lines + 256) {
        const drop = lines.length - options.limits.lines;
        lines.splice(0, drop);
        dropped += drop;
        first += drop;
      }
    },
    draw() {
      if (paused) {
        return;
      }
      const needle = filter.value.toLowerCase();
      const to = first + lines.length;
      const from = Math.max(first, to - options.limits.lines);
      if (needle) {
        shownAll = false;
        rewrite(lines.slice(from - first).filter(l => l.toLowerCase().includes(needle)));
      } else if (!shownAll || shownFrom < first || from >= shownTo) {
        shownAll = true;
        rewrite(lines.slice(from - first));
      } else if (to > shownTo) {
        // the lines cut at the top (each with its newline), then the new ones at the bottom
        let cut = 0;
        for (let n = shownFrom; n < from; n++) {
          cut += lines[n - first].length + 1;
        }
        // (at least line `from` stays: a newline before the first added)
        text.deleteData(0, cut);
        text.appendData(`\n${lines.slice(shownTo - first).join('\n')}`);
        count.textContent = `${to - from} lines${dropped ? ` (older dropped)` : ''}`;
      } else {
        return;
      }
      shownFrom = from;
      shownTo = to;
      pre.scrollTop = pre.scrollHeight;
    },
    text() {
      return lines.slice(-20).join('\n');
    }
  };
  filter.addEventListener('input', () => tile.draw());
  follow.addEventListener('click', () => {
    paused = !paused;
    follow.textContent = paused ? 'Follow' : 'Pause';
    follow.setAttribute('aria-pressed', String(paused));
    node.classList.toggle('jpt-mod-paused', paused);
    if (!paused) {
      tile.draw();
    }
  });
  return tile;
}

/** @type {import('./types.js').TileKind} */
export const logKind = { name: 'log', label: 'Log', matches, create };
