// @ts-check
/** Small DOM helpers shared by the tile kinds. */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} className
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/**
 * Set a node's text only when it changes (an equal write still costs a layout).
 * @param {Node} node
 * @param {string} text
 */
export function setText(node, text) {
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

/**
 * Set an attribute only when it changes.
 * @param {Element} node
 * @param {string} name
 * @param {string} value
 */
export function setAttr(node, name, value) {
  if (node.getAttribute(name) !== value) {
    node.setAttribute(name, value);
  }
}

/** Series colours that read on light and dark backgrounds. */
export const SERIES_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/**
 * A canvas that keeps its backing store at the element's CSS size × devicePixelRatio.
 * `size()` is cached (a ResizeObserver updates it), so drawing never forces a layout.
 */
export class SizedCanvas {
  /**
   * @param {string} className
   * @param {number} height CSS pixels
   */
  constructor(className, height) {
    this.node = document.createElement('canvas');
    this.node.className = className;
    this.height = height;
    this.width = 300;
    this.node.style.height = `${height}px`;
    /** @type {ResizeObserver | null} */
    this.observer = null;
    if (typeof ResizeObserver !== 'undefined') {
      this.observer = new ResizeObserver(entries => {
        const w = Math.round(entries[0].contentRect.width);
        if (w > 0 && w !== this.width) {
          this.width = w;
          this.onResize();
        }
      });
      this.observer.observe(this.node);
    }
  }

  /** Called after the canvas changed size (the owner redraws). */
  onResize() {}

  /** A 2D context scaled to CSS pixels, the canvas cleared. */
  context() {
    const ratio = globalThis.devicePixelRatio || 1;
    const w = Math.round(this.width * ratio);
    const h = Math.round(this.height * ratio);
    if (this.node.width !== w || this.node.height !== h) {
      this.node.width = w;
      this.node.height = h;
    }
    const ctx = /** @type {CanvasRenderingContext2D} */ (this.node.getContext('2d'));
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    return ctx;
  }

  destroy() {
    this.observer?.disconnect();
  }
}

/**
 * The theme's colours for canvas drawing, read from CSS variables, refreshed at most once a
 * second (reading computed style each frame would cost a style recalculation per tile).
 */
export class ThemeColors {
  /** @param {HTMLElement} node */
  constructor(node) {
    this.node = node;
    this.read = 0;
    this.fg = '#1d1d1f';
    this.muted = '#6e6e73';
    this.grid = '#d2d2d7';
  }

  refresh(now = Date.now()) {
    if (now - this.read < 1000 || !this.node.isConnected) {
      return this;
    }
    this.read = now;
    const style = getComputedStyle(this.node);
    this.fg = style.getPropertyValue('--jpt-fg').trim() || this.fg;
    this.muted = style.getPropertyValue('--jpt-muted').trim() || this.muted;
    this.grid = style.getPropertyValue('--jpt-line').trim() || this.grid;
    return this;
  }
}
