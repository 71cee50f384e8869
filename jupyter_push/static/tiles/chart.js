// @ts-check
/**
 * Chart tile: a line per series (a number is series "value"; `{"loss": .., "acc": .., "step":
 * ..}` one per key, `step` as x), hover read-out of every series at a step, EMA smoothing (the
 * raw line kept faint), log scale, min/max, the last N points. Drawn as SVG paths (plot.js) of
 * at most two vertices per pixel column (linepath.js): a long run draws no dearer than a short one.
 */

import { el, seriesColor, setAttr, setText } from './dom.js';
import { formatNumber } from './format.js';
import { overlayName } from './pattern.js';
import { linePath } from './linepath.js';
import { SizedSvg, svgEl } from './plot.js';
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
    this.plot = new SizedSvg('jpt-plot', HEIGHT);
    this.plot.onResize = () => requestDraw(this);
    this.plot.node.setAttribute('tabindex', '0');
    this.plot.node.setAttribute('role', 'img');
    this.axis = this.plot.add('path', 'jpt-plotAxis');
    /** the y axis' top and bottom, the x axis' first and last */
    this.labels = ['end', 'end', 'start', 'end'].map(anchor => {
      const label = this.plot.add('text', 'jpt-plotLabel');
      label.setAttribute('text-anchor', anchor);
      return label;
    });
    this.lines = this.plot.add('g', 'jpt-plotLines');
    this.hoverLine = this.plot.add('path', 'jpt-plotHover');
    this.hoverDots = this.plot.add('g', 'jpt-plotDots');
    this.readout = el('div', 'jpt-readout');
    this.range = el('div', 'jpt-range');
    this.node.append(this.legend, this.plot.node, this.readout, this.range, controls);
    /** @type {{ x0: number, x1: number } | null} */
    this.view = null;
    this.plot.node.addEventListener('mousemove', e => this.hoverAt(e.clientX - this.plot.node.getBoundingClientRect().left));
    this.plot.node.addEventListener('mouseleave', () => {
      this.hoverX = null;
      requestDraw(this);
    });
    this.plot.node.addEventListener('keydown', e => this.key(/** @type {KeyboardEvent} */ (e)));
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
   * Hover at a plot x (CSS pixels).
   * @param {number} px
   */
  hoverAt(px) {
    if (!this.view) {
      return;
    }
    const { x0, x1 } = this.view;
    const width = this.plot.width - PAD.left - PAD.right;
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

  /**
   * The path of the `i`-th series line (`smooth`: its smoothed line), made on first use.
   * @param {number} i
   * @param {boolean} smooth
   */
  path(i, smooth) {
    const k = 2 * i + (smooth ? 1 : 0);
    while (this.lines.children.length <= k) {
      const n = this.lines.children.length;
      const line = svgEl('path', n % 2 ? 'jpt-plotLine jpt-plotSmoothed' : 'jpt-plotLine');
      line.style.stroke = seriesColor(Math.floor(n / 2));
      this.lines.append(line);
    }
    return /** @type {SVGElement} */ (this.lines.children[k]);
  }

  draw() {
    const w = this.plot.width;
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
          item.style.setProperty('--jpt-series', seriesColor(i));
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
      for (const line of this.lines.children) {
        setAttr(line, 'd', '');
      }
      setAttr(this.axis, 'd', '');
      this.labels.forEach(label => setText(label, ''));
      setText(this.range, '');
      this.drawHover(() => 0, () => 0, [], [], 0, 0);
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
    setAttr(this.axis, 'd', `M${left} ${top}L${left} ${bottom}L${right} ${bottom}`);
    const axis = (/** @type {number} */ v) => formatNumber(this.logScale ? 10 ** v : v);
    const places = [
      [axis(hi), left - 4, top + 8],
      [axis(lo), left - 4, bottom],
      [formatNumber(x0), left, h - 4],
      [formatNumber(x1), right, h - 4]
    ];
    places.forEach(([text, x, y], i) => {
      setText(this.labels[i], String(text));
      setAttr(this.labels[i], 'x', String(x));
      setAttr(this.labels[i], 'y', String(y));
    });
    all.forEach((s, i) => {
      const from = s.start(this.window);
      const line = (/** @type {(k: number) => number} */ value) =>
        linePath(s.xs, k => this.y(value(k)), from, sx, sy, right - left);
      const raw = this.path(i, false);
      setAttr(raw, 'd', line(k => s.ys[k]));
      setAttr(raw, 'stroke-opacity', this.smoothing > 0 ? '0.25' : '1');
      setAttr(this.path(i, true), 'd', this.smoothing > 0 ? line(k => smoothed[i][k - from]) : '');
    });
    for (let k = 2 * all.length; k < this.lines.children.length; k++) {
      setAttr(this.lines.children[k], 'd', '');
    }
    const points = all.reduce((n, s) => n + s.xs.length - s.start(this.window), 0);
    setText(this.range, `${points} points · min ${formatNumber(rawLo)} · max ${formatNumber(rawHi)}`);
    setAttr(
      this.plot.node,
      'aria-label',
      `chart: ${all.map(s => `${s.name} ${formatNumber(s.latest)}`).join(', ')}; min ${formatNumber(rawLo)}, max ${formatNumber(rawHi)}`
    );
    this.drawHover(sx, sy, all, smoothed, top, bottom);
  }

  /**
   * @param {(x: number) => number} sx
   * @param {(y: number) => number} sy
   * @param {Series[]} all
   * @param {number[][]} smoothed
   * @param {number} top
   * @param {number} bottom
   */
  drawHover(sx, sy, all, smoothed, top, bottom) {
    if (this.hoverX === null || !all.length) {
      setText(this.readout, '');
      setAttr(this.hoverLine, 'd', '');
      if (this.hoverDots.firstChild) {
        this.hoverDots.replaceChildren();
      }
      return;
    }
    const parts = [];
    const dots = [];
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
        const dot = svgEl('circle', 'jpt-plotDot');
        dot.setAttribute('cx', sx(s.xs[k]).toFixed(1));
        dot.setAttribute('cy', sy(y).toFixed(1));
        dot.setAttribute('r', '3');
        dot.style.fill = seriesColor(i);
        dots.push(dot);
      }
    }
    this.hoverDots.replaceChildren(...dots);
    setAttr(this.hoverLine, 'd', Number.isNaN(step) ? '' : `M${sx(step).toFixed(1)} ${top}L${sx(step).toFixed(1)} ${bottom}`);
    setText(this.readout, `step ${formatNumber(step)} · ${parts.join(' · ')}`);
  }

  text() {
    return [...this.series.values()].map(s => `${s.name} ${formatNumber(s.latest)}`).join(' · ');
  }

  destroy() {
    this.plot.destroy();
  }
}

/** @type {import('./types.js').TileKind} */
export const chartKind = { name: 'chart', label: 'Chart', matches, create: options => new ChartTile(options) };
