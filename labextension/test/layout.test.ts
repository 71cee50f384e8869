import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EMPTY_LAYOUT, arrange, move, parseLayout, setHidden, setKind, setPinned } from '../src/layout';
import { OTHER_GROUP, groupChannels } from '../src/groups';
import { ev } from './helpers';

const channels = ['a', 'b', 'c', 'd'];

describe('tile layout', () => {
  it('shows new channels in arrival order after the known ones', () => {
    assert.deepEqual(arrange({ ...EMPTY_LAYOUT, order: ['c', 'gone'] }, channels).visible, ['c', 'a', 'b', 'd']);
  });

  it('puts pinned tiles first and leaves hidden ones out', () => {
    let layout = setPinned(EMPTY_LAYOUT, 'c', true);
    layout = setHidden(layout, 'b', true);
    assert.deepEqual(arrange(layout, channels), { visible: ['c', 'a', 'd'], hidden: ['b'] });
    layout = setHidden(setPinned(layout, 'c', false), 'b', false);
    assert.deepEqual(arrange(layout, channels).visible, channels);
  });

  it('moves a tile within its group only', () => {
    let layout = setPinned(EMPTY_LAYOUT, 'd', true);
    layout = move(layout, channels, 'c', 1);
    assert.deepEqual(arrange(layout, channels).visible, ['d', 'a', 'b', 'c']);
    layout = move(layout, channels, 'c', -1);
    assert.deepEqual(arrange(layout, channels).visible, ['d', 'a', 'c', 'b']);
    assert.equal(move(layout, channels, 'a', -1), layout, 'an unpinned tile cannot pass a pinned one');
  });

  it('keeps hidden tiles when reordering', () => {
    let layout = setHidden(EMPTY_LAYOUT, 'a', true);
    layout = move(layout, channels, 'b', 1);
    assert.deepEqual(arrange(layout, channels), { visible: ['c', 'b', 'd'], hidden: ['a'] });
  });

  it('reads back only well-formed stored layouts', () => {
    assert.deepEqual(parseLayout(null), EMPTY_LAYOUT);
    assert.deepEqual(
      parseLayout({
        order: ['a', 3, 'a'],
        pinned: 'x',
        hidden: ['h'],
        kinds: { a: 'chart', b: 3 },
        dismissed: { k1: 12.5, k2: 'x', k3: null }
      }),
      { order: ['a'], pinned: [], hidden: ['h'], kinds: { a: 'chart' }, overlays: [], dismissed: { k1: 12.5 } }
    );
  });

  it('moves a tile past the next one of its own group', () => {
    const group = (c: string) => (c === 'b' || c === 'd' ? 'k' : 'other');
    const layout = move(EMPTY_LAYOUT, channels, 'b', 1, c => group(c) === group('b'));
    assert.deepEqual(arrange(layout, channels).visible, ['a', 'd', 'c', 'b']);
    assert.equal(move(layout, channels, 'b', 1, c => group(c) === group('b')), layout);
  });

  it('keeps the kind chosen per channel, and forgets it for "auto"', () => {
    const chosen = setKind(EMPTY_LAYOUT, 'train/lr', 'chart');
    assert.deepEqual(chosen.kinds, { 'train/lr': 'chart' });
    assert.deepEqual(setKind(chosen, 'train/lr', null).kinds, {});
  });
});

describe('sidebar groups', () => {
  it('groups channels by the source notebook, other last', () => {
    const groups = groupChannels([
      ev('z', 1),
      ev('loss', 1, 0, { source: { kernel: 'k', path: 'b.ipynb' } }),
      ev('acc', 1, 0, { source: { kernel: 'k', path: 'b.ipynb' } }),
      ev('p', 1, 0, { source: { kernel: 'k2', path: 'a.ipynb' } }),
      ev('cli', 1, 0, { source: { kernel: 'k3' } })
    ]);
    assert.deepEqual(groups, [
      { name: 'a.ipynb', channels: ['p'] },
      { name: 'b.ipynb', channels: ['acc', 'loss'] },
      { name: OTHER_GROUP, channels: ['cli', 'z'] }
    ]);
  });
});
