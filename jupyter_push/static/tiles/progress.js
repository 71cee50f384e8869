// @ts-check
/**
 * Progress tile: a bar with rate and ETA; several bars when the value is `{key: {"value",
 * "total", "label"}, ...}` (nested loops, workers). A number is a percentage.
 */

import { el, setAttr, setText } from './dom.js';
import { formatDuration, formatNumber } from './format.js';
import { overlayName } from './pattern.js';
import { isNumber, isProgressGroup, isProgressReading, leafOf } from './shape.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */
/** @typedef {import('./shape.js').ProgressReading} ProgressReading */

const RATE_SAMPLES = 30;

/**
 * Whether a channel name says it carries a percentage ("progress", "pct", "percent").
 * @param {string} channel
 */
export function isProgressChannel(channel) {
  return /progress|percent|pct/.test(leafOf(channel));
}

/**
 * @param {string} channel
 * @param {unknown} data
 */
function matches(channel, data) {
  if (isProgressReading(data) || isProgressGroup(data)) {
    return true;
  }
  return isNumber(data) && data >= 0 && data <= 100 && isProgressChannel(channel);
}

/**
 * The readings a value carries, by bar key ("" for a single bar).
 * @param {unknown} data
 * @returns {[string, ProgressReading][]}
 */
export function readings(data) {
  if (isNumber(data)) {
    return [['', { value: data, total: 100 }]];
  }
  if (isProgressReading(data)) {
    return [['', data]];
  }
  if (isProgressGroup(data)) {
    return Object.entries(data);
  }
  return [];
}

/**
 * Rate (units/s) over the current run: the trailing samples that did not go down.
 * @param {{ time: number, value: number }[]} samples
 * @returns {number | null}
 */
export function rateOf(samples) {
  let first = samples.length - 1;
  while (first > 0 && samples[first - 1].value <= samples[first].value) {
    first -= 1;
  }
  const a = samples[first];
  const b = samples[samples.length - 1];
  if (!a || b.time - a.time <= 0 || b.value - a.value <= 0) {
    return null;
  }
  return (b.value - a.value) / (b.time - a.time);
}

/**
 * "40 / 100 (40%) · 2.5/s · ETA 24s", or "40%" for a percentage.
 * @param {number} value
 * @param {number | null} total
 * @param {number | null} rate
 * @param {number | null} [eta] seconds left, when the publisher measured it
 */
export function describeProgress(value, total, rate, eta = null) {
  const percent = total !== null && total > 0 ? Math.round((1000 * value) / total) / 10 : null;
  const parts = [
    total === 100
      ? `${formatNumber(value)}%`
      : total !== null && total > 0
        ? `${formatNumber(value)} / ${formatNumber(total)} (${Math.round(percent ?? 0)}%)`
        : formatNumber(value)
  ];
  if (rate !== null) {
    parts.push(`${formatNumber(Number(rate.toPrecision(3)))}${total === 100 ? '%' : ''}/s`);
  }
  if (total !== null && total > 0 && value < total && (eta !== null || rate !== null)) {
    parts.push(`ETA ${formatDuration(eta ?? (total - value) / /** @type {number} */ (rate))}`);
  }
  return parts.join(' · ');
}

class Bar {
  /** @param {string} key */
  constructor(key) {
    this.key = key;
    this.node = el('div', 'jpt-barRow');
    this.label = el('div', 'jpt-barLabel', key);
    this.track = el('div', 'jpt-bar');
    this.track.setAttribute('role', 'progressbar');
    this.track.setAttribute('aria-valuemin', '0');
    this.fill = el('div', 'jpt-barFill');
    this.track.append(this.fill);
    this.text = el('div', 'jpt-progressText');
    this.node.append(this.label, this.track, this.text);
    this.label.hidden = !key;
    /** @type {{ time: number, value: number }[]} */
    this.samples = [];
    /** @type {ProgressReading} */
    this.reading = { value: 0, total: 100 };
  }

  /**
   * @param {ProgressReading} reading
   * @param {number} time
   */
  add(reading, time) {
    this.reading = reading;
    this.samples.push({ time, value: reading.value });
    if (this.samples.length > RATE_SAMPLES) {
      this.samples.shift();
    }
  }

  /** Rate and ETA as the publisher measured them (e.g. track(), tqdm), else from the samples. */
  describe() {
    const { value, total } = this.reading;
    const { rate, eta } = /** @type {Record<string, unknown>} */ (this.reading);
    return describeProgress(value, total, isNumber(rate) ? rate : rateOf(this.samples), isNumber(eta) ? eta : null);
  }

  draw() {
    const { value, total, label } = this.reading;
    const known = total !== null && total > 0;
    const fraction = total !== null && total > 0 ? Math.min(1, Math.max(0, value / total)) : 0;
    const width = `${fraction * 100}%`;
    if (this.fill.style.width !== width) {
      this.fill.style.width = width;
    }
    this.node.classList.toggle('jpt-mod-indeterminate', !known);
    this.node.classList.toggle('jpt-mod-done', total !== null && total > 0 && value >= total);
    const name = typeof label === 'string' && label ? label : this.key;
    setText(this.label, name);
    this.label.hidden = !name;
    if (total !== null && total > 0) {
      setAttr(this.track, 'aria-valuemax', String(total));
      setAttr(this.track, 'aria-valuenow', String(Math.min(value, total)));
    } else {
      this.track.removeAttribute('aria-valuenow');
    }
    const text = this.describe();
    setAttr(this.track, 'aria-valuetext', text);
    setAttr(this.track, 'aria-label', name || 'progress');
    setText(this.text, text);
  }
}

/**
 * A bar per key; on a tile bound to a pattern (`runs/*\/progress`), a bar per matching channel
 * too, named by the run.
 * @param {TileOptions} options
 */
function create(options) {
  const node = el('div', 'jpt-progress');
  /** @type {Map<string, Bar>} */
  const bars = new Map();
  return {
    node,
    /** @param {TileEvent} event */
    push(event) {
      const run = options.multi ? overlayName(options.channel, event.channel) : '';
      for (const [part, reading] of readings(event.data)) {
        const key = run && part ? `${run} ${part}` : run || part;
        let bar = bars.get(key);
        if (!bar) {
          bar = new Bar(key);
          bars.set(key, bar);
          node.append(bar.node);
        }
        bar.add(reading, event.time);
      }
    },
    draw() {
      for (const bar of bars.values()) {
        bar.draw();
      }
    },
    text() {
      return [...bars.values()].map(b => (b.key ? `${b.key}: ${b.describe()}` : b.describe())).join('\n');
    }
  };
}

/** @type {import('./types.js').TileKind} */
export const progressKind = { name: 'progress', label: 'Progress', matches, create };
