import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mergeRecent } from '../src/recent';
import { ev } from './helpers';

describe('recent events of a channel', () => {
  it('puts history before what the page saw, without duplicates, newest kept', () => {
    const [a, b, c, d] = [ev('s', 1, 10), ev('s', 2, 11), ev('s', 3, 12), ev('s', 4, 13)];
    assert.deepEqual(mergeRecent([c, d], [a, b, c], 10), [a, b, c, d]);
    assert.deepEqual(mergeRecent([c, d], [a, b, c], 3), [b, c, d]);
    assert.deepEqual(mergeRecent([d], [], 3), [d]);
  });
});
