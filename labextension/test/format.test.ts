import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatDuration, summarize } from '../src/format';

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
