// @ts-check
/**
 * Drawing on animation frames: a tile asks to be drawn, and every tile that asked is drawn once
 * in the next frame, with its latest state (events in between only update state). A frame
 * spends at most FRAME_BUDGET_MS drawing; tiles left over are drawn first in the next frame.
 * A tile off screen (onscreen.js) is drawn at most once every OFF_SCREEN_MS, so its text stays
 * current for readers and tests at a sixtieth of the cost, and at once when it comes into view.
 */

import { isOnScreen } from './onscreen.js';

const FRAME_BUDGET_MS = 10;
const OFF_SCREEN_MS = 1000;

/** @typedef {{ draw(): void, node?: Element }} Drawable */

/** @type {Set<Drawable>} */
const dirty = new Set();
/** @type {Set<Drawable>} off screen and drawn less than OFF_SCREEN_MS ago */
const waiting = new Set();
/** @type {WeakMap<Drawable, number>} */
const drawnAt = new WeakMap();
let pending = false;
/** @type {ReturnType<typeof setTimeout> | null} */
let timer = null;

/** @param {Drawable} item */
export function requestDraw(item) {
  dirty.add(item);
  schedule();
}

function schedule() {
  if (!pending) {
    pending = true;
    const frame = globalThis.requestAnimationFrame ?? (/** @param {() => void} f */ f => setTimeout(f, 16));
    frame(() => drawDirty(FRAME_BUDGET_MS));
  }
}

/** @param {Drawable} item */
function park(item) {
  waiting.add(item);
  if (timer === null) {
    timer = setTimeout(() => {
      timer = null;
      for (const item of waiting) {
        dirty.add(item);
      }
      waiting.clear();
      schedule();
    }, OFF_SCREEN_MS);
  }
}

/**
 * @param {Drawable} item
 * @param {number} now
 */
function due(item, now) {
  return !item.node || isOnScreen(item.node) || now - (drawnAt.get(item) ?? -Infinity) >= OFF_SCREEN_MS;
}

/**
 * Draw the tiles that asked. Unbounded (the default: hosts that must show a state at once),
 * every one of them, on screen or not; with a budget (a frame's pass), the tiles on screen and
 * those off screen whose turn it is, until the budget is spent.
 * @param {number} [budgetMs] stop after this long; the rest wait for the next frame
 */
export function drawDirty(budgetMs = Infinity) {
  pending = false;
  const everything = budgetMs === Infinity;
  const items = everything ? [...dirty, ...waiting] : [...dirty];
  dirty.clear();
  const start = performance.now();
  let drawn = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!everything && !due(item, start)) {
      park(item);
      continue;
    }
    if (drawn > 0 && performance.now() - start > budgetMs) {
      for (const rest of items.slice(i)) {
        dirty.add(rest);
      }
      schedule();
      return;
    }
    waiting.delete(item);
    drawnAt.set(item, start);
    drawn += 1;
    try {
      item.draw();
    } catch (error) {
      console.error('jupyter_push tiles: drawing failed', error);
    }
  }
}
