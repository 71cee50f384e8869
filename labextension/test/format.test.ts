import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatAge, summarize } from '../src/format';
import { formatDuration } from '../src/tiles/format.js';

describe('words', () => {
  it('formats durations', () => {
    assert.deepEqual(
      [5, 65, 3725].map(formatDuration),
      ['5s', '1m 05s', '1h 02m']
    );
  });

  it('says how long ago, in the tiles\' words', () => {
    assert.deepEqual([0.4, 65].map(formatAge), ['just now', '1m 05s ago']);
  });

  it('summarizes values on one bounded line', () => {
    assert.equal(summarize({ a: 1 }), '{"a":1}');
    assert.equal(summarize('two\nlines'), 'two lines');
    assert.equal(summarize('x'.repeat(100), 10), 'xxxxxxxxx…');
  });
});
