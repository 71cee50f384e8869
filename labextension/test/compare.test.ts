import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { overlayEvents, patternProblem } from '../src/compare';
import { EMPTY_LAYOUT, arrange, parseLayout, setKind, setOverlay, setPinned } from '../src/layout';
import { ev } from './helpers';

describe('Compare…: patterns and their tiles', () => {
  it('takes patterns with a wildcard and says what is wrong with others', () => {
    assert.equal(patternProblem('runs/*/loss'), null);
    assert.equal(patternProblem('runs/**'), null);
    assert.match(patternProblem('runs/a/loss') ?? '', /needs a \*/);
    assert.match(patternProblem('runs/lr*/loss') ?? '', /whole segment/);
    assert.match(patternProblem('runs/**/loss') ?? '', /last segment/);
    assert.match(patternProblem('runs/a b/*') ?? '', /letters, digits/);
    assert.match(patternProblem('') ?? '', /runs\/\*\/loss/);
  });

  it('draws the run so far: every matching channel, in time order', () => {
    const channels = [
      { name: 'runs/a/loss', recent: [ev('runs/a/loss', 1, 1), ev('runs/a/loss', 3, 3)] },
      { name: 'runs/b/loss', recent: [ev('runs/b/loss', 2, 2)] },
      { name: 'runs/b/acc', recent: [ev('runs/b/acc', 0, 0)] }
    ];
    assert.deepEqual(
      overlayEvents('runs/*/loss', channels).map(e => e.channel),
      ['runs/a/loss', 'runs/b/loss', 'runs/a/loss']
    );
  });

  it('keeps comparisons in the layout and forgets every trace of a removed one', () => {
    let layout = setOverlay(EMPTY_LAYOUT, 'runs/*/loss', true);
    assert.equal(setOverlay(layout, 'runs/*/loss', true), layout);
    layout = setKind(setPinned(layout, 'runs/*/loss', true), 'runs/*/loss', 'chart');
    assert.deepEqual(parseLayout(JSON.parse(JSON.stringify(layout))), layout);
    assert.deepEqual(arrange(layout, ['x', 'runs/*/loss']).visible, ['runs/*/loss', 'x']);
    assert.deepEqual(setOverlay(layout, 'runs/*/loss', false), EMPTY_LAYOUT);
    assert.deepEqual(parseLayout({ overlays: ['a/*', 3] }).overlays, ['a/*']);
  });
});
