// @ts-check
/**
 * Notices tile: notifications (`$notify`) and watchdog alerts (`$alerts/...`) as a list, newest
 * first, coloured by level; an alert that is cleared says so.
 */

import { el } from './dom.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */

const LEVELS = ['info', 'success', 'warning', 'error'];

/**
 * @param {string} channel
 * @param {unknown} data
 */
function matches(channel, data) {
  return (channel === '$notify' || channel.startsWith('$alerts/')) && isNotice(data);
}

/** @param {unknown} data */
export function isNotice(data) {
  return typeof data === 'object' && data !== null && typeof (/** @type {any} */ (data).message) === 'string';
}

/**
 * The level a notice is shown with.
 * @param {any} data
 */
export function noticeLevel(data) {
  if (LEVELS.includes(data.level)) {
    return data.level;
  }
  return data.state === 'raised' ? 'warning' : 'info';
}

/** @param {TileOptions} options */
function create(options) {
  const node = el('ol', 'jpt-notices');
  node.setAttribute('role', 'log');
  /** @type {TileEvent[]} */
  const items = [];
  let drawn = 0;
  return {
    node,
    /** @param {TileEvent} event */
    push(event) {
      if (isNotice(event.data)) {
        items.push(event);
        if (items.length > options.limits.lines) {
          items.splice(0, items.length - options.limits.lines);
          drawn = 0;
        }
      }
    },
    draw() {
      if (drawn === items.length && node.childElementCount === items.length) {
        return;
      }
      node.replaceChildren(...items.slice().reverse().map(event => {
        const data = /** @type {any} */ (event.data);
        const item = el('li', 'jpt-notice');
        item.dataset.level = noticeLevel(data);
        if (data.state) {
          item.dataset.state = data.state;
        }
        const time = el('time', 'jpt-noticeTime', new Date(event.time * 1000).toLocaleTimeString());
        item.append(time, el('span', 'jpt-noticeText', data.message));
        return item;
      }));
      drawn = items.length;
    },
    text() {
      const last = items[items.length - 1];
      return last ? /** @type {any} */ (last.data).message : '';
    }
  };
}

/** @type {import('./types.js').TileKind} */
export const noticesKind = { name: 'notices', label: 'Notifications', matches, create };
