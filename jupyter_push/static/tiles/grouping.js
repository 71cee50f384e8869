// @ts-check
/**
 * Which group a channel's tile sits in, pure (the panel, the viewer and snapshots share it):
 * under the kernel that pushed the channel's latest value (`source.kernel`), with the kernel's
 * own channels (`$kernels/<id>` is that group's header, `$kernels/<id>/resources` a chart in it);
 * notifications and alerts together; host metrics together; tiles comparing several channels
 * (a pattern's overlay) first, in "compare"; everything else (HTTP publishes) in "other". Also the
 * rule that keeps dismissed groups away.
 */

/** @typedef {import('./types.js').TileEvent} TileEvent */

export const COMPARE_GROUP = 'compare';
export const NOTICES_GROUP = 'notices';
export const SYSTEM_GROUP = 'system';
export const OTHER_GROUP = 'other';
const KERNEL_PREFIX = 'kernel:';

/** The groups that are not a kernel's, in the order they are shown (kernels after "compare"). */
const FIXED_ORDER = [COMPARE_GROUP, NOTICES_GROUP, OTHER_GROUP, SYSTEM_GROUP];

export const GROUP_TITLES = /** @type {Record<string, string>} */ ({
  [COMPARE_GROUP]: 'Compared',
  [NOTICES_GROUP]: 'Notifications and alerts',
  [SYSTEM_GROUP]: 'System',
  [OTHER_GROUP]: 'Other channels'
});

/**
 * The kernel a reserved channel is about: `$kernels/<id>` and `$kernels/<id>/...`.
 * @param {string} channel
 * @returns {string | null}
 */
export function kernelOfChannel(channel) {
  const match = /^\$kernels\/([^/]+)(?:\/|$)/.exec(channel);
  return match ? match[1] : null;
}

/**
 * `$kernels/<id>`: the channel drawn as its kernel group's header.
 * @param {string} channel
 */
export function isKernelStateChannel(channel) {
  return /^\$kernels\/[^/]+$/.test(channel);
}

/** @param {string} kernelId */
export function kernelGroup(kernelId) {
  return KERNEL_PREFIX + kernelId;
}

/**
 * The kernel id of a group key, or null for the other groups.
 * @param {string} key
 */
export function groupKernel(key) {
  return key.startsWith(KERNEL_PREFIX) ? key.slice(KERNEL_PREFIX.length) : null;
}

/**
 * The group of a channel whose latest event is `event` (none: the channel alone decides).
 * @param {string} channel
 * @param {TileEvent | undefined} event
 * @returns {string}
 */
export function groupOf(channel, event) {
  const own = kernelOfChannel(channel);
  if (own) {
    return kernelGroup(own);
  }
  if (channel === '$notify' || channel.startsWith('$alerts/')) {
    return NOTICES_GROUP;
  }
  if (channel.startsWith('$system/')) {
    return SYSTEM_GROUP;
  }
  const kernel = /** @type {any} */ (event)?.source?.kernel;
  return typeof kernel === 'string' && kernel ? kernelGroup(kernel) : OTHER_GROUP;
}

/**
 * The order of groups: comparisons, kernels by notebook (then id), notices, other, system.
 * @param {string} a
 * @param {string} b
 * @param {(key: string) => string} notebookOf a kernel group's notebook ('' when unknown)
 */
export function compareGroups(a, b, notebookOf) {
  const ka = groupKernel(a);
  const kb = groupKernel(b);
  if (ka !== null && kb !== null) {
    return notebookOf(a).localeCompare(notebookOf(b)) || ka.localeCompare(kb);
  }
  if (ka !== null || kb !== null) {
    const fixed = ka !== null ? b : a;
    const kernelFirst = fixed === COMPARE_GROUP ? 1 : -1;
    return ka !== null ? kernelFirst : -kernelFirst;
  }
  return FIXED_ORDER.indexOf(a) - FIXED_ORDER.indexOf(b);
}

const MAX_DISMISSED = 200;

/**
 * Kernel groups the user dismissed: each with the time of the newest event it had then. Events
 * no newer are kept away (retained values and history arrive again on every reconnect); a newer
 * one (the kernel restarted, a channel pushed again) brings the group back.
 */
export class Dismissals {
  /** @param {Record<string, number>} [saved] kernel id → time, as `toJSON()` wrote it */
  constructor(saved = {}) {
    /** @type {Map<string, number>} */
    this.times = new Map(Object.entries(saved).filter(([, t]) => typeof t === 'number'));
  }

  /**
   * @param {string} kernelId
   * @param {number} upTo the newest event time the group showed
   */
  dismiss(kernelId, upTo) {
    this.times.delete(kernelId);
    this.times.set(kernelId, upTo);
    while (this.times.size > MAX_DISMISSED) {
      this.times.delete(/** @type {string} */ (this.times.keys().next().value));
    }
  }

  /**
   * Whether `event` belongs to a dismissed group and is no newer than the dismissal; a newer
   * event ends the dismissal.
   * @param {string} group
   * @param {TileEvent} event
   */
  hides(group, event) {
    const kernel = groupKernel(group);
    const upTo = kernel === null ? undefined : this.times.get(kernel);
    if (upTo === undefined || kernel === null) {
      return false;
    }
    if (event.time <= upTo) {
      return true;
    }
    this.times.delete(kernel);
    return false;
  }

  /** @returns {Record<string, number>} */
  toJSON() {
    return Object.fromEntries(this.times);
  }
}
