// @ts-check
/**
 * Chart tile: a line per series (a number is series "value"; `{"loss": .., "acc": .., "step":
 * ..}` one per key, `step` as x), hover read-out of every series at a step, EMA smoothing (the
 * raw line kept faint), log scale, min/max, the last N points. Drawn on a canvas.
 */

import { SERIES_COLORS, SizedCanvas, ThemeColors, el, setAttr, setText } from './dom.js';
import { formatNumber } from './format.js';
import { overlayName } from './pattern.js';
import { requestDraw } from './schedule.js';
import { Series, ema, nearest } from './series.js';
import { chartPoint, isNumber, isNumberDict } from './shape.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */

const HEIGHT = 150;
const PAD = { left: 46, right: 8, top: 8, bottom: 18 };
const WINDOWS = [100, 500, 2000];

/**
 * @param {string} _channel
 * @param {unknown} data
 */
function matches(_channel, data) {
  return isNumber(data) || isNumberDict(data);
}

class ChartTile {
  /** @param {TileOptions} options */
  constructor(options) {
    this.options = options;
    /** @type {Map<string, Series>} */
    this.series = new Map();
    this.smoothing = 0;
    this.logScale = false;
    this.window = options.limits.points;
    /** hovered x in data coordinates, or null */
    /** @type {number | null} */
    this.hoverX = null;
    this.node = el('div', 'jpt-chart');
    const controls = el('div', 'jpt-controls');
    const smoothLabel = el('label', 'jpt-control', 'Smoothing ');
    this.smoothInput = el('input', 'jpt-smoothing');
    this.smoothInput.type = 'range';
    this.smoothInput.min = '0';
    this.smoothInput.max = '0.99';
    this.smoothInput.step = '0.01';
    this.smoothInput.value = '0';
    this.smoothInput.addEventListener('input', () => {
      this.smoothing = Number(this.smoothInput.value);
      requestDraw(this);
    });
    smoothLabel.append(this.smoothInput);
    const logLabel = el('label', 'jpt-control');
    this.logInput = el('input', 'jpt-logScale');
    this.logInput.type = 'checkbox';
    this.logInput.addEventListener('change', () => {
      this.logScale = this.logInput.checked;
      requestDraw(this);
    });
    logLabel.append(this.logInput, ' Log scale');
    const windowLabel = el('label', 'jpt-control', 'Last ');
    this.windowSelect = el('select', 'jpt-window');
    for (const n of [...WINDOWS.filter(n => n < options.limits.points), options.limits.points]) {
      const option = el('option', '', `${n}`);
      option.value = String(n);
      this.windowSelect.append(option);
    }
    this.windowSelect.value = String(options.limits.points);
    this.windowSelect.addEventListener('change', () => {
      this.window = Number(this.windowSelect.value);
      requestDraw(this);
    });
    windowLabel.append(this.windowSelect);
    controls.append(smoothLabel, logLabel, windowLabel);
    this.legend = el('div', 'jpt-legend');
    this.canvas = new SizedCanvas('jpt-canvas', HEIGHT);
    this.canvas.onResize = () => requestDraw(this);
    this.canvas.node.tabIndex = 0;
    this.canvas.node.setAttribute('role', 'img');
    this.readout = el('div', 'jpt-readout');
    this.range = el('div', 'jpt-range');
    this.node.append(this.legend, this.canvas.node, this.readout, this.range, controls);
    this.colors = new ThemeColors(this.node);
    /** @type {{ x0: number, x1: number } | null} */
    this.view = null;
    this.canvas.node.addEventListener('mousemove', e => this.hoverAt(e.offsetX));
    this.canvas.node.addEventListener('mouseleave', () => {
      this.hoverX = null;
      requestDraw(this);
    });
    this.canvas.node.addEventListener('keydown', e => this.key(e));
  }

  /** @param {TileEvent} event */
  push(event) {
    const point = chartPoint(event.data);
    if (!point) {
      return;
    }
    for (const [key, y] of Object.entries(point.values)) {
      const run = this.options.multi ? overlayName(this.options.channel, event.channel) : '';
      const name = this.options.multi ? (key === 'value' ? run : `${run} ${key}`) : key;
      let series = this.series.get(name);
      if (!series) {
        series = new Series(name, this.options.limits.points);
        this.series.set(name, series);
      }
      series.add(point.step, y);
    }
  }

  /**
   * Hover at a canvas x (CSS pixels).
   * @param {number} px
   */
  hoverAt(px) {
    if (!this.view) {
      return;
    }
    const { x0, x1 } = this.view;
    const width = this.canvas.width - PAD.left - PAD.right;
    this.hoverX = x0 + ((px - PAD.left) / width) * (x1 - x0);
    requestDraw(this);
  }

  /** @param {KeyboardEvent} e */
  key(e) {
    const first = this.series.values().next().value;
    if (!first || !this.view || (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight')) {
      return;
    }
    e.preventDefault();
    const from = first.start(this.window);
    const i = this.hoverX === null ? first.xs.length - 1 : nearest(first.xs, from, this.hoverX);
    const j = Math.min(first.xs.length - 1, Math.max(from, i + (e.key === 'ArrowLeft' ? -1 : 1)));
    this.hoverX = first.xs[j];
    requestDraw(this);
  }

  /** @param {number} v */
  y(v) {
    return this.logScale ? (v > 0 ? Math.log10(v) : NaN) : v;
  }

  draw() {
    const ctx = this.canvas.context();
    const colors = this.colors.refresh();
    const w = this.canvas.width;
    const h = HEIGHT;
    const all = [...this.series.values()];
    const smoothed = this.smoothing > 0 ? all.map(s => ema(s.ys, s.start(this.window), this.smoothing)) : [];
    let x0 = Infinity;
    let x1 = -Infinity;
    let lo = Infinity;
    let hi = -Infinity;
    let rawLo = Infinity;
    let rawHi = -Infinity;
    all.forEach(s => {
      for (let i = s.start(this.window); i < s.xs.length; i++) {
        const x = s.xs[i];
        const raw = s.ys[i];
        if (x < x0) { x0 = x; }
        if (x > x1) { x1 = x; }
        if (raw < rawLo) { rawLo = raw; }
        if (raw > rawHi) { rawHi = raw; }
        const y = this.y(raw);
        if (y < lo) { lo = y; }
        if (y > hi) { hi = y; }
      }
    });
    if (this.legend.children.length !== all.length) {
      this.legend.replaceChildren(
        ...all.map((s, i) => {
          const item = el('span', 'jpt-legendItem');
          item.dataset.series = s.name;
          item.style.setProperty('--jpt-series', SERIES_COLORS[i % SERIES_COLORS.length]);
          return item;
        })
      );
    }
    all.forEach((s, i) => {
      const text = all.length > 1 || s.name !== 'value' ? `${s.name} ${formatNumber(s.latest)}` : formatNumber(s.latest);
      setText(this.legend.children[i], text);
    });
    if (x0 === Infinity || !Number.isFinite(lo)) {
      this.view = null;
      setText(this.range, '');
      setText(this.readout, '');
      return;
    }
    if (x1 === x0) { x0 -= 1; x1 += 1; }
    if (hi === lo) { const d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
    this.view = { x0, x1 };
    const left = PAD.left;
    const right = w - PAD.right;
    const top = PAD.top;
    const bottom = h - PAD.bottom;
    const sx = (/** @type {number} */ x) => left + ((x - x0) / (x1 - x0)) * (right - left);
    const sy = (/** @type {number} */ y) => bottom - ((y - lo) / (hi - lo)) * (bottom - top);
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left, bottom);
    ctx.lineTo(right, bottom);
    ctx.stroke();
    ctx.fillStyle = colors.muted;
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'right';
    const axis = (/** @type {number} */ v) => formatNumber(this.logScale ? 10 ** v : v);
    ctx.fillText(axis(hi), left - 4, top + 8);
    ctx.fillText(axis(lo), left - 4, bottom);
    ctx.textAlign = 'left';
    ctx.fillText(formatNumber(x0), left, h - 4);
    ctx.textAlign = 'right';
    ctx.fillText(formatNumber(x1), right, h - 4);
    all.forEach((s, i) => {
      const color = SERIES_COLORS[i % SERIES_COLORS.length];
      const from = s.start(this.window);
      const line = (/** @type {(k: number) => number} */ value, /** @type {number} */ alpha) => {
        ctx.globalAlpha = alpha;
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        // more points than pixels: one vertical stroke (min to max) per pixel column
        const dense = s.xs.length - from > 2 * (right - left);
        let pen = false;
        let column = NaN;
        let low = 0;
        let high = 0;
        for (let k = from; k < s.xs.length; k++) {
          const y = this.y(value(k));
          if (!Number.isFinite(y)) {
            pen = false;
            continue;
          }
          const px = sx(s.xs[k]);
          const py = sy(y);
          if (dense) {
            const c = Math.round(px);
            if (c === column) {
              low = Math.min(low, py);
              high = Math.max(high, py);
              continue;
            }
            if (pen) {
              ctx.lineTo(column, low);
              ctx.lineTo(column, high);
            }
            column = c;
            low = py;
            high = py;
          }
          if (pen) {
            ctx.lineTo(px, py);
          } else {
            ctx.moveTo(px, py);
            pen = true;
          }
        }
        if (dense && pen) {
          ctx.lineTo(column, low);
          ctx.lineTo(column, high);
        }
        ctx.stroke();
      };
      if (this.smoothing > 0) {
        line(k => s.ys[k], 0.25);
        line(k => smoothed[i][k - from], 1);
      } else {
        line(k => s.ys[k], 1);
      }
    });
    ctx.globalAlpha = 1;
    const points = all.reduce((n, s) => n + s.xs.length - s.start(this.window), 0);
    setText(this.range, `${points} points · min ${formatNumber(rawLo)} · max ${formatNumber(rawHi)}`);
    setAttr(
      this.canvas.node,
      'aria-label',
      `chart: ${all.map(s => `${s.name} ${formatNumber(s.latest)}`).join(', ')}; min ${formatNumber(rawLo)}, max ${formatNumber(rawHi)}`
    );
    this.drawHover(ctx, sx, sy, all, smoothed, top, bottom);
  }

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {(x: number) => number} sx
   * @param {(y: number) => number} sy
   * @param {Series[]} all
   * @param {number[][]} smoothed
   * @param {number} top
   * @param {number} bottom
   */
  drawHover(ctx, sx, sy, all, smoothed, top, bottom) {
    if (this.hoverX === null) {
      setText(this.readout, '');
      return;
    }
    const parts = [];
    let step = NaN;
    for (const [i, s] of all.entries()) {
      const from = s.start(this.window);
      const k = nearest(s.xs, from, this.hoverX);
      if (k < 0) {
        continue;
      }
      if (Number.isNaN(step)) {
        step = s.xs[k];
      }
      const raw = s.ys[k];
      const smooth = this.smoothing > 0 ? smoothed[i][k - from] : raw;
      parts.push(
        this.smoothing > 0 ? `${s.name} ${formatNumber(smooth)} (raw ${formatNumber(raw)})` : `${s.name} ${formatNumber(raw)}`
      );
      const y = this.y(this.smoothing > 0 ? smooth : raw);
      if (Number.isFinite(y)) {
        ctx.fillStyle = SERIES_COLORS[i % SERIES_COLORS.length];
        ctx.beginPath();
        ctx.arc(sx(s.xs[k]), sy(y), 3, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    if (!Number.isNaN(step)) {
      ctx.strokeStyle = this.colors.muted;
      ctx.beginPath();
      ctx.moveTo(sx(step), top);
      ctx.lineTo(sx(step), bottom);
      ctx.stroke();
    }
    setText(this.readout, `step ${formatNumber(step)} · ${parts.join(' · ')}`);
  }

  text() {
    return [...this.series.values()].map(s => `${s.name} ${formatNumber(s.latest)}`).join(' · ');
  }

  destroy() {
    this.canvas.destroy();
  }
}

/** @type {import('./types.js').TileKind} */
export const chartKind = { name: 'chart', label: 'Chart', matches, create: options => new ChartTile(options) };
