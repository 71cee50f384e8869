import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { kernelNotebookPath, relativeToRoot } from '../src/jump';
import {
  COMPARE_GROUP,
  Dismissals,
  NOTICES_GROUP,
  OTHER_GROUP,
  SYSTEM_GROUP,
  compareGroups,
  groupKernel,
  groupOf,
  isKernelStateChannel,
  kernelGroup
} from '../src/tiles/grouping.js';
import { deathText, resourcesText } from '../src/tiles/groupheader.js';

const at = (channel: string, time: number, kernel?: string) => ({
  channel,
  data: 1,
  time,
  ...(kernel ? { source: { kernel, path: 'a.ipynb' } } : {})
});

describe('tile groups', () => {
  it('puts a channel under the kernel that pushed its latest value', () => {
    assert.equal(groupOf('train/loss', at('train/loss', 1, 'k1')), kernelGroup('k1'));
    assert.equal(groupOf('train/loss', at('train/loss', 1)), OTHER_GROUP);
    assert.equal(groupOf('train/loss', undefined), OTHER_GROUP);
  });

  it("puts a kernel's own channels in its group, notices and host metrics in theirs", () => {
    assert.equal(groupOf('$kernels/k1', undefined), kernelGroup('k1'));
    assert.equal(groupOf('$kernels/k1/resources', at('$kernels/k1/resources', 1, 'k9')), kernelGroup('k1'));
    assert.equal(groupOf('$notify', at('$notify', 1, 'k1')), NOTICES_GROUP);
    assert.equal(groupOf('$alerts/stalled/x', undefined), NOTICES_GROUP);
    assert.equal(groupOf('$system/cpu', undefined), SYSTEM_GROUP);
    assert.ok(isKernelStateChannel('$kernels/k1'));
    assert.ok(!isKernelStateChannel('$kernels/k1/resources'));
    assert.equal(groupKernel(kernelGroup('k1')), 'k1');
    assert.equal(groupKernel(NOTICES_GROUP), null);
  });

  it('orders comparisons first, kernels by notebook, then notices, other channels, system', () => {
    const notebooks: Record<string, string> = { [kernelGroup('a')]: 'z.ipynb', [kernelGroup('b')]: 'a.ipynb' };
    const keys = [SYSTEM_GROUP, OTHER_GROUP, kernelGroup('a'), NOTICES_GROUP, COMPARE_GROUP, kernelGroup('b')];
    const order = [COMPARE_GROUP, kernelGroup('b'), kernelGroup('a'), NOTICES_GROUP, OTHER_GROUP, SYSTEM_GROUP];
    for (const shuffled of [keys, [...keys].reverse()]) {
      shuffled.sort((x, y) => compareGroups(x, y, k => notebooks[k] ?? ''));
      assert.deepEqual(shuffled, order);
    }
  });

  it('keeps a dismissed group away until its kernel pushes something newer', () => {
    const dismissals = new Dismissals({ gone: 10, bad: 'x' as unknown as number });
    assert.deepEqual(dismissals.toJSON(), { gone: 10 });
    dismissals.dismiss('k1', 5);
    const key = kernelGroup('k1');
    assert.ok(dismissals.hides(key, at('train/loss', 5, 'k1'))); // replayed history, retained
    assert.ok(!dismissals.hides(OTHER_GROUP, at('train/loss', 5)));
    assert.ok(!dismissals.hides(key, at('train/loss', 6, 'k1'))); // pushed again: back
    assert.ok(!dismissals.hides(key, at('train/loss', 5, 'k1'))); // and no longer dismissed
    assert.deepEqual(dismissals.toJSON(), { gone: 10 });
  });

  it('keeps at most 200 dismissals, the oldest dropped', () => {
    const dismissals = new Dismissals();
    for (let i = 0; i < 205; i++) {
      dismissals.dismiss(`k${i}`, i);
    }
    const kept = Object.keys(dismissals.toJSON());
    assert.equal(kept.length, 200);
    assert.equal(kept[0], 'k5');
  });
});

describe('kernel group header', () => {
  it('says memory and CPU in few characters', () => {
    assert.equal(resourcesText({ rss_mib: 150.4, cpu_percent: 12.3 }), '150 MiB · CPU 12%');
    assert.equal(resourcesText({ rss_mib: 2048 }), '2 GiB');
    assert.equal(resourcesText({ rss: 150 * 2 ** 20, cpu: 1 }), '150 MiB · CPU 1%');
    assert.equal(resourcesText(null), '');
  });

  it('says why a kernel died, with its exit code', () => {
    const dead = { state: 'dead', reason: 'killed (SIGKILL), likely out of memory', exit_code: -9 };
    assert.equal(deathText(dead), 'killed (SIGKILL), likely out of memory · exit code -9');
    assert.equal(deathText({ state: 'dead', reason: null, exit_code: null }), 'the kernel died');
    assert.equal(deathText({ state: 'idle', reason: 'x' }), '');
  });
});

describe("opening a kernel group's notebook", () => {
  it('takes an API path as it is and a path on disk relative to the server root', () => {
    assert.equal(relativeToRoot('work/a.ipynb', '/srv/nb'), 'work/a.ipynb');
    assert.equal(relativeToRoot('/srv/nb/work/a.ipynb', '/srv/nb'), 'work/a.ipynb');
    assert.equal(relativeToRoot('/srv/nb/work/a.ipynb', '/srv/nb/'), 'work/a.ipynb');
    assert.equal(relativeToRoot('/elsewhere/a.ipynb', '/srv/nb'), null);
    assert.equal(relativeToRoot('/srv/nbx/a.ipynb', '/srv/nb'), null);
    assert.equal(relativeToRoot('/a.ipynb', '/'), 'a.ipynb');
    assert.equal(relativeToRoot('C:\\nb\\a.ipynb', 'C:\\nb'), 'a.ipynb');
    assert.equal(relativeToRoot('/srv/nb/a.ipynb', ''), null);
  });

  it("prefers the kernel's session, which names the notebook as the contents API does", () => {
    const sessions = [{ path: 'moved/a.ipynb', kernel: { id: 'k1' } }];
    assert.equal(kernelNotebookPath('k1', '/srv/nb/a.ipynb', sessions, '/srv/nb'), 'moved/a.ipynb');
    assert.equal(kernelNotebookPath('k2', '/srv/nb/b.ipynb', sessions, '/srv/nb'), 'b.ipynb');
  });
});
