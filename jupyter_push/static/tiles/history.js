// @ts-check
/**
 * The run so far: a channel's recent events from the server (`GET push/channels`, then
 * `GET push/history?channel=NAME&limit=N` per channel), so a tile opened mid-run starts from
 * its history, not from the latest value alone.
 */

/** @typedef {import('./types.js').TileEvent} TileEvent */

/**
 * @param {string} push the server's `{base}push/` URL
 * @param {{ access?: string | null, patterns: string[], limit?: number, maxChannels?: number,
 *           init?: RequestInit }} options
 * @returns {Promise<TileEvent[]>} every channel's events, oldest first per channel
 */
export async function fetchHistory(push, options) {
  const { access = null, patterns, limit = 1000, maxChannels = 100, init } = options;
  /** @param {[string, string][]} pairs */
  const query = pairs => {
    const params = new URLSearchParams();
    if (access) {
      params.append('access', access);
    }
    for (const [k, v] of pairs) {
      params.append(k, v);
    }
    return params.toString();
  };
  const listed = await fetch(`${push}channels?${query(patterns.map(p => ['channel', p]))}`, init);
  if (!listed.ok) {
    return [];
  }
  /** @type {{ channels: { name: string }[] }} */
  const { channels } = await listed.json();
  const names = channels.map(c => c.name).slice(0, maxChannels);
  const replies = await Promise.all(
    names.map(async name => {
      const r = await fetch(`${push}history?${query([['channel', name], ['limit', String(limit)]])}`, init);
      return r.ok ? /** @type {{ events: TileEvent[] }} */ (await r.json()).events : [];
    })
  );
  return replies.flat();
}

/**
 * Feeds a board with history first, then live events, each event once (by id): live events
 * that arrive while the history loads wait for it.
 */
export class HistoryThenLive {
  /** @param {(event: TileEvent) => void} sink */
  constructor(sink) {
    this.sink = sink;
    /** @type {TileEvent[] | null} */
    this.waiting = [];
    /** @type {Set<string>} */
    this.seen = new Set();
  }

  /** @param {TileEvent} event */
  live(event) {
    if (this.waiting) {
      this.waiting.push(event);
    } else {
      this.deliver(event);
    }
  }

  /** @param {readonly TileEvent[]} events the history (or [] when it could not be read) */
  loaded(events) {
    for (const event of events) {
      this.deliver(event);
    }
    /** @type {TileEvent[]} */
    const waiting = this.waiting ?? [];
    this.waiting = null;
    for (const event of waiting) {
      this.deliver(event);
    }
  }

  /** @param {TileEvent} event */
  deliver(event) {
    if (event.id !== undefined) {
      if (this.seen.has(event.id)) {
        return;
      }
      this.seen.add(event.id);
      if (this.seen.size > 200_000) {
        this.seen.clear();
      }
    }
    this.sink(event);
  }
}
