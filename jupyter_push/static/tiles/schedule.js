// @ts-check
/**
 * Drawing on animation frames: a tile asks to be drawn, and every tile that asked is drawn once
 * in the next frame, with its latest state (events in between only update state). A frame
 * spends at most FRAME_BUDGET_MS drawing; tiles left over are drawn first in the next frame.
 */

const FRAME_BUDGET_MS = 10;

/** @typedef {{ draw(): void }} Drawable */

/** @type {Set<Drawable>} */
const dirty = new Set();
let pending = false;

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

/**
 * Draw the tiles that asked (all of them by default: hosts that must show a state at once).
 * @param {number} [budgetMs] stop after this long; the rest wait for the next frame
 */
export function drawDirty(budgetMs = Infinity) {
  pending = false;
  const items = [...dirty];
  dirty.clear();
  const start = performance.now();
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && performance.now() - start > budgetMs) {
      for (const rest of items.slice(i)) {
        dirty.add(rest);
      }
      schedule();
      return;
    }
    try {
      items[i].draw();
    } catch (error) {
      console.error('jupyter_push tiles: drawing failed', error);
    }
  }
}
