// @ts-check
/**
 * Kernel tile: the live state of one kernel (`$kernels/<kernel_id>`, published by the server):
 * a badge (starting, idle, busy, restarting, dead in red with the reason), its notebook, since
 * when, restarts and execution count.
 */

import { el } from './dom.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */

const STATES = ['starting', 'idle', 'busy', 'restarting', 'dead'];

/**
 * @param {string} channel
 * @param {unknown} data
 */
function matches(channel, data) {
  return /^\$kernels\/[^/]+$/.test(channel) && typeof data === 'object' && data !== null &&
    STATES.includes(/** @type {{state?: string}} */ (data).state ?? '');
}

/**
 * What the badge says, pure (the tests read it too).
 * @param {any} data
 * @param {number} now Unix seconds
 */
export function kernelSummary(data, now) {
  const since = typeof data.since === 'number' ? Math.max(0, Math.round(now - data.since)) : null;
  const parts = [];
  if (since !== null) {
    parts.push(since < 60 ? `for ${since}s` : `for ${Math.floor(since / 60)}m`);
  }
  if (typeof data.execution_count === 'number') {
    parts.push(`[${data.execution_count}]`);
  }
  if (data.restarts) {
    parts.push(`${data.restarts} restart${data.restarts > 1 ? 's' : ''}`);
  }
  return { state: String(data.state), detail: parts.join(' · '), reason: data.reason ? String(data.reason) : '' };
}

/** @param {TileOptions} _options */
function create(_options) {
  const node = el('div', 'jpt-kernel');
  const badge = el('span', 'jpt-kernelState');
  const notebook = el('span', 'jpt-kernelNotebook');
  const detail = el('div', 'jpt-kernelDetail');
  const reason = el('div', 'jpt-kernelReason');
  reason.setAttribute('role', 'status');
  const head = el('div', 'jpt-kernelHead');
  head.append(badge, notebook);
  node.append(head, detail, reason);
  /** @type {any} */
  let latest = null;
  return {
    node,
    /** @param {TileEvent} event */
    push(event) {
      latest = event.data;
    },
    draw() {
      if (!latest) {
        return;
      }
      const summary = kernelSummary(latest, Date.now() / 1000);
      badge.textContent = summary.state;
      node.dataset.state = summary.state;
      notebook.textContent = latest.notebook ?? '';
      detail.textContent = summary.detail;
      reason.textContent = summary.reason;
    },
    text() {
      return latest ? `${latest.state}${latest.reason ? ` (${latest.reason})` : ''}` : '';
    }
  };
}

/** @type {import('./types.js').TileKind} */
export const kernelKind = { name: 'kernel', label: 'Kernel state', matches, create };
