/** Where to resume and how long to wait: the pure half of the connection. */

import { PushEvent } from './protocol';

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay drawn at random, so that many pages do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 15000, factor: 2, jitter: 0.2 };

/** The wait before reconnect attempt `attempt` (1 for the first retry). */
export function backoffDelay(
  attempt: number,
  backoff: Backoff = DEFAULT_BACKOFF,
  random: () => number = Math.random
): number {
  const base = Math.min(
    backoff.maxMs,
    backoff.initialMs * Math.pow(backoff.factor, Math.max(0, attempt - 1))
  );
  return Math.round(base * (1 - backoff.jitter + 2 * backoff.jitter * random()));
}

/**
 * What the panel follows: every ordinary channel, and of the reserved ones the controls'
 * declarations, the kernels' states, notifications and watchdog alerts (host metrics,
 * `$system/...`, are sampled only while someone asks for them, so the panel does not).
 */
export const PANEL_CHANNELS = ['**', '$controls/**', '$kernels/*', '$notify', '$alerts/**'];

/**
 * Events per second per channel the panel asks the server for (`max_rate`): it draws the
 * latest value of each channel, so the server conflates faster channels and counts what it
 * skipped (`skipped` on the event that replaced them).
 */
export const PANEL_MAX_RATE = 30;

/**
 * The query of `push/events`: resume after the last id, or start with retained values;
 * with `maxRate`, at most that many events per second per channel, the latest winning.
 */
export function eventsQuery(lastId: string | null, maxRate: number | null = null): string {
  const params: string[] = [];
  if (lastId !== null) {
    params.push(`since=${encodeURIComponent(lastId)}`);
  }
  if (maxRate !== null) {
    params.push(`max_rate=${encodeURIComponent(String(maxRate))}`);
  }
  return params.length ? `?${params.join('&')}` : '';
}

/** `query` (from eventsQuery) asking for `channels` too. */
export function withChannels(query: string, channels: readonly string[]): string {
  const params = channels.map(c => `channel=${encodeURIComponent(c)}`).join('&');
  if (!params) {
    return query;
  }
  return query ? `?${params}&${query.slice(1)}` : `?${params}`;
}

/**
 * The last id seen and a bounded memory of recent ids. Replays after a resume and retained
 * values after a gap keep their ids (docs/PROTOCOL.md), so a repeated id is a duplicate.
 */
export class ResumeCursor {
  private readonly seen = new Set<string>();
  private readonly order: string[] = [];
  private _lastId: string | null = null;

  constructor(private readonly capacity = 4096) {}

  get lastId(): string | null {
    return this._lastId;
  }

  /** True the first time an event is offered; the cursor then resumes after it. */
  accept(event: PushEvent): boolean {
    if (!this.remember(event.id)) {
      return false;
    }
    this._lastId = event.id;
    return true;
  }

  /** Know an id (e.g. from `push/channels`) without resuming after it. */
  remember(id: string): boolean {
    if (this.seen.has(id)) {
      return false;
    }
    this.seen.add(id);
    this.order.push(id);
    if (this.order.length > this.capacity) {
      this.seen.delete(this.order.shift() as string);
    }
    return true;
  }
}
