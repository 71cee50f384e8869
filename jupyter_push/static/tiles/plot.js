// @ts-check
/**
 * A plotting surface for charts and sparklines: an SVG element whose paths are rewritten when a
 * tile draws. SVG rather than canvas: a changed path is painted with the page (its raster is
 * done off the main thread), where every canvas that changes is a composited layer whose
 * bitmap the page hands to the compositor again each frame — without a GPU, the main cost of a
 * board of live charts. Colours come from CSS (theme variables), so a theme change needs no
 * redraw. The width follows the element (a ResizeObserver), so drawing never reads layout.
 *
 * The viewBox is the element's exact width, fractions included: an SVG scaled even a little up
 * (a 387.47 px wide plot with a 387 px viewBox) strokes its 1 px lines as 1.001 px ones, which
 * the rasterizer can no longer draw as hairlines — it outlines them instead, at a cost that
 * grows with the length of the line (a long noisy run: several times the raster work a frame).
 */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {string} className
 * @returns {SVGElement}
 */
export function svgEl(tag, className) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  if (className) {
    node.setAttribute('class', className);
  }
  return node;
}

/**
 * Path data built point by point (`M x y L x y …`, to a tenth of a pixel).
 */
export class PathData {
  constructor() {
    /** @type {string[]} */
    this.parts = [];
  }

  /**
   * @param {number} x
   * @param {number} y
   */
  move(x, y) {
    this.parts.push(`M${x.toFixed(1)} ${y.toFixed(1)}`);
  }

  /**
   * @param {number} x
   * @param {number} y
   */
  line(x, y) {
    this.parts.push(`L${x.toFixed(1)} ${y.toFixed(1)}`);
  }

  toString() {
    return this.parts.join('');
  }
}

/**
 * An SVG of a fixed height and the element's width (CSS pixels, fractions included, followed by
 * a ResizeObserver), drawn unscaled: one unit of its viewBox is one CSS pixel.
 */
export class SizedSvg {
  /**
   * @param {string} className
   * @param {number} height CSS pixels
   */
  constructor(className, height) {
    this.node = svgEl('svg', className);
    this.height = height;
    this.width = 300;
    this.node.setAttribute('height', String(height));
    this.node.setAttribute('preserveAspectRatio', 'none');
    /** @type {ResizeObserver | null} */
    this.observer = null;
    if (typeof ResizeObserver !== 'undefined') {
      this.observer = new ResizeObserver(entries => {
        const w = entries[0].contentRect.width; // unrounded: the viewBox must not scale
        if (w > 0 && w !== this.width) {
          this.width = w;
          this.node.setAttribute('viewBox', `0 0 ${w} ${height}`);
          this.onResize();
        }
      });
      this.observer.observe(this.node);
    }
    this.node.setAttribute('viewBox', `0 0 ${this.width} ${height}`);
  }

  /** Called after the element changed size (the owner redraws). */
  onResize() {}

  /**
   * A child element, appended.
   * @param {string} tag
   * @param {string} className
   */
  add(tag, className) {
    const child = svgEl(tag, className);
    this.node.append(child);
    return child;
  }

  destroy() {
    this.observer?.disconnect();
  }
}
