// @ts-check
/**
 * Image tile: `{"image/png": base64}`, `{"image/jpeg": base64}` or `{"image/svg+xml": text}`;
 * the latest image only, swapped in once decoded (no flicker); an image over the size limit
 * shows a clear error instead.
 */

import { el } from './dom.js';
import { formatBytes } from './format.js';
import { imageType } from './shape.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */

/**
 * @param {string} _channel
 * @param {unknown} data
 */
function matches(_channel, data) {
  return imageType(data) !== null;
}

/**
 * A data URL for an image value and its size in bytes, or null.
 * @param {unknown} data
 * @returns {{ url: string, bytes: number, type: string } | null}
 */
export function imageSource(data) {
  const type = imageType(data);
  if (type === null) {
    return null;
  }
  const payload = /** @type {string} */ (/** @type {Record<string, unknown>} */ (data)[type]);
  if (type === 'image/svg+xml') {
    return { url: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(payload)}`, bytes: payload.length, type };
  }
  const clean = payload.replace(/\s+/g, '');
  return { url: `data:${type};base64,${clean}`, bytes: Math.floor((clean.length * 3) / 4), type };
}

/** @param {TileOptions} options */
function create(options) {
  const node = el('div', 'jpt-image');
  const img = el('img', 'jpt-imageView');
  img.alt = `latest image of ${options.channel}`;
  const error = el('div', 'jpt-error');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const info = el('div', 'jpt-range');
  node.append(img, error, info);
  /** @type {TileEvent | null} */
  let latest = null;
  let shown = '';
  let generation = 0;
  return {
    node,
    /** @param {TileEvent} event */
    push(event) {
      latest = event;
    },
    draw() {
      const source = latest && imageSource(latest.data);
      if (!source || source.url === shown) {
        return;
      }
      if (source.bytes > options.limits.imageBytes) {
        error.hidden = false;
        error.textContent = `Image too large: ${formatBytes(source.bytes)} (limit ${formatBytes(options.limits.imageBytes)}). Push a smaller image (lower dpi or size).`;
        return;
      }
      shown = source.url;
      const mine = ++generation;
      const next = new Image();
      next.src = source.url;
      const swap = () => {
        if (mine === generation) {
          img.src = source.url;
          error.hidden = true;
          info.textContent = `${source.type} · ${formatBytes(source.bytes)}`;
        }
      };
      next.decode().then(swap, () => {
        if (mine === generation) {
          error.hidden = false;
          error.textContent = `This ${source.type} image could not be decoded.`;
        }
      });
    },
    text() {
      const source = latest && imageSource(latest.data);
      return source ? `[${source.type}, ${formatBytes(source.bytes)}]` : '';
    }
  };
}

/** @type {import('./types.js').TileKind} */
export const imageKind = { name: 'image', label: 'Image', matches, create };
