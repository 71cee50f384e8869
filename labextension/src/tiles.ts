/**
 * What a channel's tile shows, decided by the shape of its data; pure, so it is unit tested.
 *
 * - a number in 0–100 that has not gone down (except back to 0, a new run), or `{"value", "total"}` → a progress bar;
 * - other numbers, or an object whose values are all numbers → a line chart of recent points;
 * - a string → a bounded log;
 * - anything else → a collapsible JSON tree of the latest value.
 */

import { JSONValue, PushEvent } from './protocol';

export type TileKind = 'progress' | 'series' | 'text' | 'tree';

export interface Sample {
  time: number;
  values: Record<string, number>;
}

export interface LogLine {
  time: number;
  text: string;
}

export interface TileState {
  channel: string;
  kind: TileKind;
  last: PushEvent;
  count: number;
  /** Recent numeric samples, oldest first (for charts and progress rates). */
  samples: Sample[];
  /** Recent text lines, oldest first. */
  lines: LogLine[];
}

export interface TileLimits {
  points: number;
  lines: number;
  seriesPerChart: number;
}

export const DEFAULT_LIMITS: TileLimits = { points: 200, lines: 500, seriesPerChart: 8 };

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isRecord(value: unknown): value is Record<string, JSONValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"value": v, "total": t}` with t > 0: a progress reading. */
export function valueTotal(data: JSONValue): { value: number; total: number } | null {
  if (isRecord(data) && isFiniteNumber(data.value) && isFiniteNumber(data.total)) {
    return data.total > 0 ? { value: data.value, total: data.total } : null;
  }
  return null;
}

/** The numbers a data value contributes to a chart, or null if it is not numeric. */
export function numericValues(data: JSONValue): Record<string, number> | null {
  if (isFiniteNumber(data)) {
    return { value: data };
  }
  if (isRecord(data)) {
    const keys = Object.keys(data);
    if (keys.length && keys.every(k => isFiniteNumber(data[k]))) {
      return data as Record<string, number>;
    }
  }
  return null;
}

/**
 * The kind of tile for `data`, given the kind the tile had and its previous data.
 * A chart stays a chart when a later point happens to fall in 0–100.
 */
export function kindFor(
  data: JSONValue,
  previous: { kind: TileKind; data: JSONValue } | null = null
): TileKind {
  if (typeof data === 'string') {
    return 'text';
  }
  if (valueTotal(data)) {
    return 'progress';
  }
  if (isFiniteNumber(data)) {
    const inRange = data >= 0 && data <= 100;
    if (!previous || !isFiniteNumber(previous.data)) {
      return inRange ? 'progress' : 'series';
    }
    if (previous.kind === 'progress' && inRange && (data >= previous.data || data === 0)) {
      return 'progress';
    }
    return 'series';
  }
  return numericValues(data) ? 'series' : 'tree';
}

export function newTile(event: PushEvent): TileState {
  return {
    channel: event.channel,
    kind: kindFor(event.data),
    last: event,
    count: 0,
    samples: [],
    lines: []
  };
}

/** Add one event to a tile (in place: tiles see many events per second). */
export function applyEvent(
  tile: TileState,
  event: PushEvent,
  limits: TileLimits = DEFAULT_LIMITS
): TileState {
  tile.kind = tile.count ? kindFor(event.data, { kind: tile.kind, data: tile.last.data }) : kindFor(event.data);
  tile.last = event;
  tile.count += 1;
  const progress = valueTotal(event.data);
  const values = progress ?? numericValues(event.data);
  if (values) {
    pushBounded(tile.samples, { time: event.time, values }, limits.points);
  }
  if (typeof event.data === 'string') {
    for (const text of event.data.split('\n')) {
      pushBounded(tile.lines, { time: event.time, text }, limits.lines);
    }
  }
  return tile;
}

export function tileFromEvents(events: readonly PushEvent[], limits = DEFAULT_LIMITS): TileState | null {
  if (!events.length) {
    return null;
  }
  const tile = newTile(events[0]);
  for (const event of events) {
    applyEvent(tile, event, limits);
  }
  return tile;
}

function pushBounded<T>(items: T[], item: T, limit: number): void {
  items.push(item);
  if (items.length > limit) {
    items.splice(0, items.length - limit);
  }
}

// ------------------------------------------------------------------ progress

export interface ProgressView {
  value: number;
  total: number;
  /** 0–1 */
  fraction: number;
  /** Units per second over the current run, when it can be measured. */
  rate: number | null;
  /** Seconds until total at that rate. */
  etaSeconds: number | null;
}

/** The progress reading of a tile's latest value, with rate and ETA from recent samples. */
export function progressView(tile: TileState): ProgressView | null {
  const reading = valueTotal(tile.last.data) ??
    (isFiniteNumber(tile.last.data) ? { value: tile.last.data, total: 100 } : null);
  if (!reading) {
    return null;
  }
  const fraction = Math.min(1, Math.max(0, reading.value / reading.total));
  // the current run: the trailing samples that did not go down (a drop means a restart)
  const samples = tile.samples;
  let first = samples.length - 1;
  while (first > 0 && samples[first - 1].values.value <= samples[first].values.value) {
    first -= 1;
  }
  let rate: number | null = null;
  let etaSeconds: number | null = null;
  if (first >= 0 && samples.length - first >= 2) {
    const a = samples[first];
    const b = samples[samples.length - 1];
    const dt = b.time - a.time;
    const dv = b.values.value - a.values.value;
    if (dt > 0 && dv > 0) {
      rate = dv / dt;
      etaSeconds = Math.max(0, (reading.total - reading.value) / rate);
    }
  }
  return { ...reading, fraction, rate, etaSeconds };
}

// ------------------------------------------------------------------ charts

export interface SeriesLine {
  name: string;
  latest: number;
  /** SVG polyline points in a `width` × `height` box, y growing downwards. */
  points: string;
}

export interface ChartView {
  lines: SeriesLine[];
  min: number;
  max: number;
}

/** Polylines for every series of a tile's samples, sharing one y scale. */
export function chartView(
  samples: readonly Sample[],
  width: number,
  height: number,
  maxSeries = DEFAULT_LIMITS.seriesPerChart
): ChartView {
  const names: string[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (const s of samples) {
    for (const [name, v] of Object.entries(s.values)) {
      if (!names.includes(name)) {
        if (names.length >= maxSeries) {
          continue;
        }
        names.push(name);
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (!names.length) {
    return { lines: [], min: 0, max: 0 };
  }
  const span = max - min || 1;
  const dx = samples.length > 1 ? width / (samples.length - 1) : 0;
  const y = (v: number) => round(height - ((v - (max === min ? min - 0.5 : min)) / (max === min ? 1 : span)) * height);
  const lines = names.map(name => {
    const points: string[] = [];
    let latest = NaN;
    samples.forEach((s, i) => {
      const v = s.values[name];
      if (v !== undefined) {
        points.push(`${round(i * dx)},${y(v)}`);
        latest = v;
      }
    });
    return { name, latest, points: points.join(' ') };
  });
  return { lines, min, max };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
