// @ts-check
/**
 * Numeric series for charts (pure): bounded points, EMA smoothing, visible range, nearest point.
 */

export class Series {
  /**
   * @param {string} name
   * @param {number} limit points kept
   */
  constructor(name, limit) {
    this.name = name;
    this.limit = limit;
    /** @type {number[]} */
    this.xs = [];
    /** @type {number[]} */
    this.ys = [];
    this.count = 0;
  }

  /**
   * @param {number | null} step x, or null for "the next index"
   * @param {number} y
   */
  add(step, y) {
    const x = step ?? this.count;
    this.count += 1;
    this.xs.push(x);
    this.ys.push(y);
    if (this.xs.length > this.limit + 256) {
      // trim in chunks: splice is O(n)
      const drop = this.xs.length - this.limit;
      this.xs.splice(0, drop);
      this.ys.splice(0, drop);
    }
  }

  get latest() {
    return this.ys.length ? this.ys[this.ys.length - 1] : NaN;
  }

  /**
   * The first index of the last `n` points (of at most `limit`).
   * @param {number} n
   */
  start(n) {
    return Math.max(0, this.xs.length - Math.min(n, this.limit));
  }
}

/**
 * Exponential moving average with bias correction (as TensorBoard draws it); weight 0 is the raw
 * line, weight 0.99 very smooth.
 * @param {number[]} ys
 * @param {number} from
 * @param {number} weight 0 ≤ weight < 1
 * @returns {number[]}
 */
export function ema(ys, from, weight) {
  const out = new Array(ys.length - from);
  let last = 0;
  let debias = 1;
  for (let i = from; i < ys.length; i++) {
    last = last * weight + (1 - weight) * ys[i];
    debias *= weight;
    out[i - from] = weight > 0 ? last / (1 - debias) : ys[i];
  }
  return out;
}

/**
 * Index of the point whose x is nearest `x` in `xs[from..]`.
 * @param {number[]} xs
 * @param {number} from
 * @param {number} x
 */
export function nearest(xs, from, x) {
  let best = -1;
  let distance = Infinity;
  for (let i = from; i < xs.length; i++) {
    const d = Math.abs(xs[i] - x);
    if (d < distance) {
      distance = d;
      best = i;
    }
  }
  return best;
}
