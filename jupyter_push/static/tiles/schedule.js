// @ts-check
/**
 * Drawing on animation frames: a tile asks to be drawn, and every tile that asked is drawn once
 * in the next frame, with its latest state (events in between only update state).
 */

/** @typedef {{ draw(): void }} Drawable */

/** @type {Set<Drawable>} */
const dirty = new Set();
let pending = false;

/** @param {Drawable} item */
export function requestDraw(item) {
  dirty.add(item);
  if (!pending) {
    pending = true;
    const frame = globalThis.requestAnimationFrame ?? (/** @param {() => void} f */ f => setTimeout(f, 16));
    frame(drawDirty);
  }
}

/** Draw every tile that asked, now (also used by hosts that must show a state at once). */
export function drawDirty() {
  pending = false;
  const items = [...dirty];
  dirty.clear();
  for (const item of items) {
    try {
      item.draw();
    } catch (error) {
      console.error('jupyter_push tiles: drawing failed', error);
    }
  }
}
