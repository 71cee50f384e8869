// @ts-check
/**
 * Drawing on animation frames: a tile asks to be drawn, and every tile that asked is drawn once
 * in the next frame, with its latest state (events in between only update state).
 *
 * A frame draws as many tiles as fit its budget — the script that draws them and the
 * rendering the browser does for them afterwards (style, layout, paint, compositing of their
 * canvases), measured after each frame as a cost per tile. Tiles left over are drawn first in
 * the next frame, so under load every tile is still drawn, less often, and the page keeps its
 * frame rate. A tile off screen (onscreen.js) is drawn at most once every OFF_SCREEN_MS, so its
 * text stays current for readers and tests at a fraction of the cost, and at once when it
 * comes into view.
 */

import { isOnScreen } from './onscreen.js';

/** Milliseconds of a frame for drawing tiles and rendering them (a frame is ~16.7 ms). */
export const FRAME_BUDGET_MS = 10;
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
/** The animation frame of the last pass and the tiles drawn in it (a frame may run two passes). */
const frame = { time: NaN, drawn: 0 };

/** The current animation frame's time (the same for every callback of a frame). */
function frameTime() {
  const time = globalThis.document?.timeline?.currentTime;
  return typeof time === 'number' ? time : performance.now();
}

/**
 * What one tile costs a frame (script and rendering, ms), a moving average of measured frames.
 * The page's rendering runs after the frame's callbacks, in the same task: a message posted at
 * the end of a pass arrives once it is done.
 */
const cost = {
  perTile: 0.5,
  /** @type {MessageChannel | null} */
  channel: null,
  /** @type {{ start: number, drawn: number } | null} */
  pass: null,

  /**
   * @param {number} start
   * @param {number} drawn
   */
  measure(start, drawn) {
    if (typeof MessageChannel === 'undefined' || typeof requestAnimationFrame === 'undefined' || this.pass) {
      return;
    }
    if (!this.channel) {
      this.channel = new MessageChannel();
      this.channel.port1.onmessage = () => {
        const pass = this.pass;
        this.pass = null;
        if (pass) {
          const sample = (performance.now() - pass.start) / pass.drawn;
          this.perTile = Math.min(FRAME_BUDGET_MS, 0.8 * this.perTile + 0.2 * sample);
        }
      };
    }
    this.pass = { start, drawn };
    this.channel.port2.postMessage(null);
  },

  /** @param {number} budgetMs */
  tilesIn(budgetMs) {
    return Math.max(1, Math.floor(budgetMs / this.perTile));
  }
};

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
 * those off screen whose turn it is, as many as the budget allows.
 * @param {number} [budgetMs] drawing and rendering time for this pass; the rest wait for the next frame
 */
export function drawDirty(budgetMs = Infinity) {
  pending = false;
  const everything = budgetMs === Infinity;
  const items = everything ? [...dirty, ...waiting] : [...dirty];
  dirty.clear();
  const start = performance.now();
  const now = frameTime();
  if (now !== frame.time) {
    frame.time = now;
    frame.drawn = 0;
  }
  const most = everything ? Infinity : Math.max(0, cost.tilesIn(budgetMs) - frame.drawn);
  let drawn = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!everything && !due(item, start)) {
      park(item);
      continue;
    }
    if (drawn >= most || (drawn > 0 && performance.now() - start > budgetMs)) {
      for (const rest of items.slice(i)) {
        dirty.add(rest);
      }
      schedule();
      break;
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
  frame.drawn += drawn;
  if (drawn && !everything) {
    cost.measure(start, drawn);
  }
}
