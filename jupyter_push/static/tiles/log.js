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
  const tile = {
    node,
    /** @param {TileEvent} event */
    push(event) {
      const text = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      for (const line of text.split('\n')) {
        lines.push(line);
      }
      if (lines.length > options.limits.lines + 256) {
        const drop = lines.length - options.limits.lines;
        lines.splice(0, drop);
        dropped += drop;
      }
    },
    draw() {
      if (paused) {
        return;
      }
      const needle = filter.value.toLowerCase();
      const shown = (lines.length > options.limits.lines ? lines.slice(-options.limits.lines) : lines).filter(
        l => !needle || l.toLowerCase().includes(needle)
      );
      pre.textContent = shown.join('\n');
      pre.scrollTop = pre.scrollHeight;
      count.textContent = `${shown.length} lines${dropped ? ` (older dropped)` : ''}`;
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
