// @ts-check
/**
 * THE table of tile kinds. Order matters: `decide(channel, data)` returns the first kind whose
 * rule claims the value, so specific shapes come before general ones and "json" (claims
 * everything) comes last. To add a kind: write one module exporting a `TileKind` (see
 * types.js) and insert it here; its label appears in every "Show as…" menu.
 */

import { chartKind } from './chart.js';
import { controlKind } from './control.js';
import { imageKind } from './image.js';
import { jsonKind } from './json.js';
import { kernelKind } from './kernel.js';
import { logKind } from './log.js';
import { noticesKind } from './notices.js';
import { numberKind } from './number.js';
import { progressKind } from './progress.js';
import { tableKind } from './table.js';

/** @typedef {import('./types.js').TileKind} TileKind */
/** @typedef {import('./shape.js').JSONValue} JSONValue */

/** @type {TileKind[]} */
export const KINDS = [kernelKind, noticesKind, controlKind, imageKind, progressKind, numberKind, chartKind, tableKind, logKind, jsonKind];

/**
 * The tile for a channel's value: the first kind in KINDS whose rule claims it.
 * @param {string} channel
 * @param {JSONValue} data
 * @returns {string}
 */
export function decide(channel, data) {
  for (const kind of KINDS) {
    if (kind.matches(channel, data)) {
      return kind.name;
    }
  }
  return 'json';
}

/**
 * @param {string} name
 * @returns {TileKind}
 */
export function kindNamed(name) {
  return KINDS.find(k => k.name === name) ?? jsonKind;
}
