import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { decide, KINDS } from '../src/tiles/registry.js';
import { describeProgress, rateOf, readings } from '../src/tiles/progress.js';
import { Series, ema, nearest } from '../src/tiles/series.js';
import { linePath, tenth } from '../src/tiles/linepath.js';
import { overlayName, patternCovers, patternMatches, scopeProblem } from '../src/tiles/pattern.js';
import { JSONValue } from '../src/protocol';

interface Case {
  channel: string;
  data: JSONValue;
  tile: string;
  why: string;
}

// lib/unit/test/ → the repository's tests/fixtures/
const fixture = join(__dirname, '..', '..', '..', '..', 'tests', 'fixtures', 'tiles.json');
const { cases } = JSON.parse(readFileSync(fixture, 'utf8')) as { cases: Case[] };
const seriesNames = JSON.parse(readFileSync(join(fixture, '..', 'series_names.json'), 'utf8')) as {
  cases: { pattern: string; channel: string; name: string }[];
};

describe('decide(channel, data): the shared fixture', () => {
  it('has at least 40 cases, each naming a registered kind', () => {
    assert.ok(cases.length >= 40);
    const names = KINDS.map(k => k.name);
    for (const c of cases) {
      assert.ok(names.includes(c.tile), c.tile);
    }
  });
  for (const c of cases) {
    it(`${c.channel} ${JSON.stringify(c.data).slice(0, 60)} → ${c.tile} (${c.why})`, () => {
      assert.equal(decide(c.channel, c.data), c.tile);
    });
  }
});

describe('overlayName(pattern, channel): the shared fixture of series names', () => {
  for (const c of seriesNames.cases) {
    it(`${c.pattern} + ${c.channel} → ${c.name}`, () => {
      assert.ok(patternMatches(c.pattern, c.channel));
      assert.equal(overlayName(c.pattern, c.channel), c.name);
    });
  }
});

const patternCoversCases = JSON.parse(readFileSync(join(fixture, '..', 'pattern_covers.json'), 'utf8')) as {
  cases: { granted: string; requested: string; covered: boolean }[];
};

describe('patternCovers(granted, requested): the shared fixture of share-link scopes', () => {
  for (const c of patternCoversCases.cases) {
    it(`${c.granted} ${c.covered ? 'covers' : 'does not cover'} ${c.requested}`, () => {
      assert.equal(patternCovers(c.granted, c.requested), c.covered);
    });
  }
  it('names the link a comparison would reach past', () => {
    assert.equal(scopeProblem(['runs/**', 'x'], 'runs/*/loss'), null);
    assert.match(scopeProblem(['runs/**', 'x'], 'secret/*/loss') ?? '', /secret\/\*\/loss is outside what this link shows \(runs\/\*\*, x\)/);
  });
});

describe('tile helpers', () => {
  it('reads one bar from a number or a reading, one per key from a group', () => {
    assert.deepEqual(readings(40), [['', { value: 40, total: 100 }]]);
    assert.deepEqual(readings({ a: { value: 1, total: 2 }, b: { value: 2, total: 2 } }).map(r => r[0]), ['a', 'b']);
  });

  it('measures the rate over the current run only', () => {
    const samples = [
      { time: 0, value: 50 },
      { time: 1, value: 0 },
      { time: 3, value: 10 },
      { time: 5, value: 20 }
    ];
    assert.equal(rateOf(samples), 5);
    assert.equal(describeProgress(20, 100, 5), '20% · 5%/s · ETA 16s');
    assert.equal(describeProgress(3, 12, null), '3 / 12 (25%)');
  });

  it('smooths with a debiased EMA and finds the nearest step', () => {
    assert.deepEqual(ema([1, 1, 1], 0, 0.9).map(v => Number(v.toFixed(6))), [1, 1, 1]);
    const smooth = ema([0, 10], 0, 0.5);
    assert.ok(smooth[1] > 0 && smooth[1] < 10);
    assert.deepEqual(ema([3, 4], 0, 0), [3, 4]);
    assert.equal(nearest([0, 10, 20], 0, 12), 1);
  });

  it('keeps the last points of a series', () => {
    const s = new Series('loss', 10);
    for (let i = 0; i < 500; i++) {
      s.add(null, i);
    }
    assert.ok(s.xs.length <= 10 + 256);
    assert.equal(s.latest, 499);
    assert.equal(s.xs.length - s.start(5), 5);
  });

  it('matches channel patterns as the server does', () => {
    assert.ok(patternMatches('runs/*/loss', 'runs/a/loss'));
    assert.ok(!patternMatches('runs/*/loss', 'runs/a/b/loss'));
    assert.ok(patternMatches('runs/**', 'runs/a/b/loss'));
  });
});

/** A path's vertices as [command, x, y]. */
function vertices(d: string): [string, number, number][] {
  return [...d.matchAll(/([ML])(-?[\d.]+) (-?[\d.]+)/g)].map(m => [m[1], Number(m[2]), Number(m[3])]);
}

describe('linePath: a line bounded by the plot width', () => {
  const columns = 300;
  // x in 0..n-1 across 300 pixel columns, y in pixels as given
  const scale = (n: number) => (x: number) => (x / (n - 1)) * columns;
  const same = (y: number) => y;

  it('writes coordinates to a tenth of a pixel', () => {
    const cases: [number, string][] = [[0, '0'], [0.04, '0'], [0.05, '0.1'], [12.34, '12.3'], [12.35, '12.4'],
      [-3.21, '-3.2'], [-0.04, '0'], [99.99, '100'], [5, '5'], [310.7, '310.7']];
    for (const [v, text] of cases) {
      assert.equal(tenth(v), text, String(v));
    }
  });

  it('draws every point while they fit one per pixel column', () => {
    const ys = [10, 20, 15, 40];
    const d = linePath([0, 1, 2, 3], k => ys[k], 0, scale(4), same, columns);
    assert.deepEqual(vertices(d), [['M', 0, 10], ['L', 100, 20], ['L', 200, 15], ['L', 300, 40]]);
  });

  it('draws many thousands of noisy points as at most two vertices per column, the exact envelope', () => {
    const n = 20000;
    const xs = Array.from({ length: n }, (_, i) => i);
    // a deterministic noisy walk, pixel ys in 0..150
    let seed = 7;
    const ys = xs.map(i => {
      seed = (seed * 48271) % 2147483647;
      return 75 + 60 * Math.sin(i / 900) + (seed / 2147483647) * 14;
    });
    const sx = scale(n);
    const path = vertices(linePath(xs, k => ys[k], 0, sx, same, columns));
    assert.ok(path.length <= 2 * (columns + 1), `${path.length} vertices`);
    assert.equal(path[0][0], 'M');
    assert.ok(path.slice(1).every(v => v[0] === 'L'));
    // each pixel column's lowest and highest point are vertices of the path (to a tenth of a pixel)
    const envelope = new Map<number, [number, number]>();
    xs.forEach((x, k) => {
      const c = Math.round(sx(x));
      const [lo, hi] = envelope.get(c) ?? [Infinity, -Infinity];
      envelope.set(c, [Math.min(lo, ys[k]), Math.max(hi, ys[k])]);
    });
    for (const [c, [lo, hi]] of envelope) {
      const at = path.filter(v => v[1] === c).map(v => v[2]);
      assert.ok(at.some(y => Math.abs(y - lo) <= 0.05), `column ${c}: low ${lo} not in ${at}`);
      assert.ok(at.some(y => Math.abs(y - hi) <= 0.05), `column ${c}: high ${hi} not in ${at}`);
    }
  });

  it('draws a smooth line with one vertex per column', () => {
    const n = 5000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const path = vertices(linePath(xs, k => 100 - k / 100, 0, scale(n), same, columns));
    assert.ok(path.length <= columns + 1, `${path.length} vertices`);
  });

  it('starts at `from` and lifts the pen over values that cannot be drawn', () => {
    const n = 3000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const value = (k: number) => (k >= 1000 && k < 1500 ? NaN : 50);
    const path = vertices(linePath(xs, value, 500, x => ((x - 500) / (n - 501)) * columns, same, columns));
    assert.equal(path[0][1], 0);
    assert.equal(path.filter(v => v[0] === 'M').length, 2);
    assert.ok(path.length <= 2 * (columns + 1));
  });
});
