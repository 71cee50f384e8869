// @ts-check
/** JSON tile, for anything no other tile claims: the latest value as a collapsible tree. */

import { el } from './dom.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */
/** @typedef {import('./shape.js').JSONValue} JSONValue */

const CHILDREN = 100;

function matches() {
  return true;
}

/** @param {TileOptions} _options */
function create(_options) {
  const node = el('div', 'jpt-json');
  /** Paths the user opened or closed, kept across updates. */
  /** @type {Map<string, boolean>} */
  const toggled = new Map();
  /** @type {TileEvent | null} */
  let latest = null;

  /**
   * @param {JSONValue} data
   * @param {string} path
   * @param {number} depth
   * @param {string} [key]
   * @returns {HTMLElement}
   */
  const value = (data, path, depth, key) => {
    const label = key === undefined ? '' : `${key}: `;
    if (data === null || typeof data !== 'object') {
      if (key === undefined) {
        return el('div', 'jpt-jsonScalar', typeof data === 'string' ? data : JSON.stringify(data));
      }
      const leaf = el('div', 'jpt-treeLeaf', label);
      leaf.append(el('span', `jpt-json-${data === null ? 'null' : typeof data}`, JSON.stringify(data)));
      return leaf;
    }
    /** @type {[string, JSONValue][]} */
    const entries = Array.isArray(data) ? data.map((v, i) => [String(i), v]) : Object.entries(data);
    const details = el('details', 'jpt-treeNode');
    details.open = toggled.get(path) ?? depth < 2;
    details.addEventListener('toggle', () => toggled.set(path, details.open));
    details.append(el('summary', '', `${label}${Array.isArray(data) ? `[${entries.length}]` : `{${entries.length}}`}`));
    for (const [k, v] of entries.slice(0, CHILDREN)) {
      details.append(value(v, `${path}/${k}`, depth + 1, k));
    }
    if (entries.length > CHILDREN) {
      details.append(el('div', 'jpt-treeLeaf', `… ${entries.length - CHILDREN} more`));
    }
    return details;
  };

  return {
    node,
    /** @param {TileEvent} event */
    push(event) {
      latest = event;
    },
    draw() {
      if (latest) {
        node.replaceChildren(value(latest.data, '$', 0));
      }
    },
    text() {
      return latest ? (typeof latest.data === 'string' ? latest.data : JSON.stringify(latest.data)) : '';
    }
  };
}

/** @type {import('./types.js').TileKind} */
export const jsonKind = { name: 'json', label: 'JSON', matches, create };
