import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FrameBatcher } from '../src/frames';

describe('frame conflation', () => {
  it('hands over everything added during a frame in one batch, in order', () => {
    const frames: (() => void)[] = [];
    const batches: number[][] = [];
    const batcher = new FrameBatcher<number>(items => batches.push(items), {
      request: fn => frames.push(fn)
    });
    batcher.add([1, 2]);
    batcher.add([3]);
    batcher.add([]);
    assert.equal(frames.length, 1, 'one frame requested for many additions');
    frames.shift()!();
    batcher.add([4]);
    frames.shift()!();
    assert.deepEqual(batches, [[1, 2, 3], [4]]);
    assert.equal(frames.length, 0);
  });
});
