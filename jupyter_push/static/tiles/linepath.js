// @ts-check
/**
 * A series' line as SVG path data (pure): every point while there are no more points than pixel
 * columns, and above that one column's envelope per pixel column — its lowest and highest point
 * in the order they came, or a single vertex when they lie within a pixel of each other. A
 * chart's path therefore stays at most two vertices per pixel column however long the run (its
 * cost to build, parse, paint and raster is bounded by the plot's width, not by the points it
 * holds), and what it draws differs from the full line by less than a pixel. The data stay as
 * they are: a hover read-out reads the series, not the path.
 */

/**
 * A coordinate to a tenth of a pixel, written from integers (much cheaper than formatting a
 * fraction, and a chart writes thousands a frame).
 * @param {number} v
 */
export function tenth(v) {
  const i = Math.round(v * 10);
  const a = i < 0 ? -i : i;
  const fraction = a % 10;
  const whole = (a - fraction) / 10;
  return `${i < 0 ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * @param {ArrayLike<number>} xs the points' x (data units), ascending as steps are (steps that
 *   go back are drawn too, with a few more vertices)
 * @param {(k: number) => number} value the plotted value of point k (not finite: a gap in the line)
 * @param {number} from the first point drawn
 * @param {(x: number) => number} sx data x → pixel x
 * @param {(y: number) => number} sy plotted value → pixel y
 * @param {number} columns the plot's width in pixels
 * @returns {string} path data (`M x y L x y …`, to a tenth of a pixel)
 */
export function linePath(xs, value, from, sx, sy, columns) {
  let d = '';
  let pen = false;
  /** @param {number} x @param {number} y */
  const vertex = (x, y) => {
    d += `${pen ? 'L' : 'M'}${tenth(x)} ${tenth(y)}`;
    pen = true;
  };
  if (xs.length - from <= columns) {
    for (let k = from; k < xs.length; k++) {
      const v = value(k);
      if (Number.isFinite(v)) {
        vertex(sx(xs[k]), sy(v));
      } else {
        pen = false;
      }
    }
    return d;
  }
  // the open column: its pixel x, its lowest and highest pixel y and where they came, the last y
  let column = NaN;
  let low = 0;
  let high = 0;
  let lowAt = 0;
  let highAt = 0;
  let last = 0;
  const close = () => {
    if (Number.isNaN(column)) {
      return;
    }
    if (high - low < 1) {
      vertex(column, last);
    } else if (lowAt <= highAt) {
      vertex(column, low);
      vertex(column, high);
    } else {
      vertex(column, high);
      vertex(column, low);
    }
    column = NaN;
  };
  for (let k = from; k < xs.length; k++) {
    const v = value(k);
    if (!Number.isFinite(v)) {
      close();
      pen = false;
      continue;
    }
    const py = sy(v);
    const c = Math.round(sx(xs[k]));
    if (c !== column) {
      close();
      column = c;
      low = py;
      high = py;
      lowAt = k;
      highAt = k;
    } else if (py < low) {
      low = py;
      lowAt = k;
    } else if (py > high) {
      high = py;
      highAt = k;
    }
    last = py;
  }
  close();
  return d;
}
