/** A channel's recent events: what this page saw, completed from the server's history. */

import { PushEvent } from './protocol';

/**
 * `older` (from `push/history`) merged under `current` (what the page received): no id
 * twice, in time order, the newest `limit` kept.
 */
export function mergeRecent(current: readonly PushEvent[], older: readonly PushEvent[], limit: number): PushEvent[] {
  const ids = new Set(current.map(e => e.id));
  const merged = [...older.filter(e => !ids.has(e.id)), ...current];
  merged.sort((a, b) => a.time - b.time); // stable: same-time events keep their order
  return merged.slice(Math.max(0, merged.length - limit));
}
