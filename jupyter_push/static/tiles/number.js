// @ts-check
/**
 * Number tile: the latest value, its change since the previous one, and a sparkline. Chosen for
 * counters (a channel named "count", "total", "epoch", "step", "…_count") and for numbers outside
 * 0–100 on a progress-named channel.
 */

import { el, setAttr, setText } from './dom.js';
import { formatNumber } from './format.js';
import { PathData, SizedSvg } from './plot.js';
import { isProgressChannel } from './progress.js';
import { chartPoint, isNumber, leafOf } from './shape.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */

const SPARK = 120;

/**
 * @param {string} channel
 * @param {unknown} data
 */
function matches(channel, data) {
  if (!isNumber(data)) {
    return false;
  }
  if (isProgressChannel(channel)) {
    return data < 0 || data > 100;
  }
  return /^(count|total|epoch|step|iteration|iter|n)$|[_-](count|total)$|^n_/.test(leafOf(channel));
}

/** @param {TileOptions} _options */
function create(_options) {
  const node = el('div', 'jpt-number');
  const value = el('div', 'jpt-numberValue');
  const change = el('div', 'jpt-numberChange');
  const spark = new SizedSvg('jpt-spark', 32);
  const line = spark.add('path', 'jpt-sparkLine');
  node.append(value, change, spark.node);
  /** @type {number[]} */
  const values = [];
  const tile = {
    node,
    /** @param {TileEvent} event */
    push(event) {
      const point = chartPoint(event.data);
      if (!point) {
        return;
      }
      values.push(Object.values(point.values)[0]);
      if (values.length > SPARK * 2) {
        values.splice(0, values.length - SPARK);
      }
    },
    draw() {
      const n = values.length;
      if (!n) {
        return;
      }
      const latest = values[n - 1];
      setText(value, formatNumber(latest));
      if (n > 1) {
        const d = latest - values[n - 2];
        setText(change, d === 0 ? '= no change' : `${d > 0 ? '▲ +' : '▼ −'}${formatNumber(Math.abs(d))}`);
        change.dataset.direction = d > 0 ? 'up' : d < 0 ? 'down' : 'same';
      }
      const shown = values.slice(-SPARK);
      const lo = Math.min(...shown);
      const hi = Math.max(...shown);
      const d = new PathData();
      shown.forEach((v, i) => {
        const x = shown.length > 1 ? (i / (shown.length - 1)) * spark.width : 0;
        const y = 30 - (hi === lo ? 14 : ((v - lo) / (hi - lo)) * 28);
        if (i) {
          d.line(x, y);
        } else {
          d.move(x, y);
        }
      });
      setAttr(line, 'd', d.toString());
    },
    text() {
      return values.length ? formatNumber(values[values.length - 1]) : '';
    },
    destroy() {
      spark.destroy();
    }
  };
  spark.onResize = () => tile.draw();
  return tile;
}

/** @type {import('./types.js').TileKind} */
export const numberKind = { name: 'number', label: 'Number', matches, create };
