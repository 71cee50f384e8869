import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { JSONValue } from '../src/protocol';
import { describeProgress, formatDuration, summarize } from '../src/format';
import { TileKind, applyEvent, chartView, kindFor, progressView, tileFromEvents } from '../src/tiles';
import { ev } from './helpers';

describe('the tile kind follows the shape of the data', () => {
  const cases: [string, JSONValue, TileKind][] = [
    ['a number in 0–100', 40, 'progress'],
    ['zero', 0, 'progress'],
    ['one hundred', 100, 'progress'],
    ['value and total', { value: 3, total: 7 }, 'progress'],
    ['value and total with a label', { value: 3, total: 7, label: 'files' }, 'progress'],
    ['a number above 100', 250.5, 'series'],
    ['a negative number', -1, 'series'],
    ['a dict of numbers', { loss: 0.5, acc: 0.9 }, 'series'],
    ['value with a zero total', { value: 3, total: 0 }, 'series'],
    ['a string', 'epoch 1 done', 'text'],
    ['an empty string', '', 'text'],
    ['a list', [1, 2, 3], 'tree'],
    ['a nested object', { a: { b: 1 } }, 'tree'],
    ['a mixed dict', { loss: 0.5, note: 'x' }, 'tree'],
    ['an empty object', {}, 'tree'],
    ['null', null, 'tree'],
    ['a boolean', true, 'tree']
  ];
  for (const [name, data, kind] of cases) {
    it(`${name} → ${kind}`, () => assert.equal(kindFor(data), kind));
  }
});

describe('a numeric channel', () => {
  it('stays a progress bar while it rises within 0–100', () => {
    const tile = tileFromEvents([ev('p', 1), ev('p', 20), ev('p', 20), ev('p', 99)])!;
    assert.equal(tile.kind, 'progress');
  });

  it('stays a progress bar when a new run starts at 0', () => {
    const tile = tileFromEvents([ev('p', 50), ev('p', 100), ev('p', 0), ev('p', 10)])!;
    assert.equal(tile.kind, 'progress');
  });

  it('becomes a chart when the value goes down, and stays one', () => {
    const tile = tileFromEvents([ev('loss', 2.3), ev('loss', 1.7)])!;
    assert.equal(tile.kind, 'series');
    applyEvent(tile, ev('loss', 1.9));
    assert.equal(tile.kind, 'series');
    assert.deepEqual(
      tile.samples.map(s => s.values.value),
      [2.3, 1.7, 1.9]
    );
  });

  it('becomes a chart when the value leaves 0–100', () => {
    const tile = tileFromEvents([ev('x', 10), ev('x', 120), ev('x', 50)])!;
    assert.equal(tile.kind, 'series');
  });
});

describe('tile memory is bounded', () => {
  it('keeps the last N points of a series', () => {
    const events = Array.from({ length: 30 }, (_, i) => ev('s', 1000 + i));
    const tile = tileFromEvents(events, { points: 10, lines: 5, seriesPerChart: 8 })!;
    assert.equal(tile.count, 30);
    assert.deepEqual(
      tile.samples.map(s => s.values.value),
      Array.from({ length: 10 }, (_, i) => 1020 + i)
    );
  });

  it('keeps the last N lines of text, splitting multi-line messages', () => {
    const tile = tileFromEvents([ev('log', 'a\nb'), ev('log', 'c'), ev('log', 'd\ne\nf')], {
      points: 10,
      lines: 4,
      seriesPerChart: 8
    })!;
    assert.equal(tile.kind, 'text');
    assert.deepEqual(
      tile.lines.map(l => l.text),
      ['c', 'd', 'e', 'f']
    );
  });
});

describe('progress rate and ETA', () => {
  it('measures the rate over the current run and the time left', () => {
    const tile = tileFromEvents([
      ev('p', { value: 10, total: 110 }, 100),
      ev('p', { value: 20, total: 110 }, 101),
      ev('p', { value: 30, total: 110 }, 102)
    ])!;
    const view = progressView(tile)!;
    assert.equal(view.rate, 10);
    assert.equal(view.etaSeconds, 8);
    assert.ok(Math.abs(view.fraction - 30 / 110) < 1e-9);
    assert.equal(describeProgress(view), '30 / 110 (27%) · 10/s · ETA 8s');
  });

  it('starts a new run when the value drops', () => {
    const tile = tileFromEvents([ev('p', 90, 100), ev('p', 0, 200), ev('p', 5, 201), ev('p', 15, 202)])!;
    const view = progressView(tile)!;
    assert.equal(view.rate, 7.5);
    assert.equal(describeProgress(view), '15% · 7.5%/s · ETA 11s');
  });

  it('has no rate from a single reading', () => {
    const view = progressView(tileFromEvents([ev('p', 40)])!)!;
    assert.equal(view.rate, null);
    assert.equal(view.etaSeconds, null);
    assert.equal(describeProgress(view), '40%');
  });

  it('clamps the bar to 0–100%', () => {
    const view = progressView(tileFromEvents([ev('p', { value: 12, total: 10 })])!)!;
    assert.equal(view.fraction, 1);
  });
});

describe('charts', () => {
  it('draws one line per key of dict data on a shared scale', () => {
    const tile = tileFromEvents([
      ev('m', { loss: 4, acc: 0 }),
      ev('m', { loss: 2, acc: 1 }),
      ev('m', { loss: 0, acc: 2 })
    ])!;
    const view = chartView(tile.samples, 100, 40);
    assert.deepEqual(
      view.lines.map(l => [l.name, l.latest, l.points]),
      [
        ['loss', 0, '0,0 50,20 100,40'],
        ['acc', 2, '0,40 50,30 100,20']
      ]
    );
    assert.equal(view.min, 0);
    assert.equal(view.max, 4);
  });

  it('draws a flat series in the middle', () => {
    const tile = tileFromEvents([ev('s', 500), ev('s', 500)])!;
    assert.equal(chartView(tile.samples, 10, 40).lines[0].points, '0,20 10,20');
  });

  it('limits the number of series', () => {
    const data = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i]));
    const tile = tileFromEvents([ev('wide', data)])!;
    assert.equal(chartView(tile.samples, 10, 10, 8).lines.length, 8);
  });
});

describe('words', () => {
  it('formats durations', () => {
    assert.deepEqual(
      [5, 65, 3725].map(formatDuration),
      ['5s', '1m 05s', '1h 02m']
    );
  });

  it('summarizes values on one bounded line', () => {
    assert.equal(summarize({ a: 1 }), '{"a":1}');
    assert.equal(summarize('two\nlines'), 'two lines');
    assert.equal(summarize('x'.repeat(100), 10), 'xxxxxxxxx…');
  });
});
