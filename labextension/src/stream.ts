/**
 * One resumable event stream: connect, read, reconnect with backoff, resume from the last id.
 * The HTTP request and the timers are injected, so this runs (and is tested) without a browser.
 */

import { INSTALL_HINT, PushEvent, isPushEvent } from './protocol';
import { Backoff, DEFAULT_BACKOFF, ResumeCursor, backoffDelay, eventsQuery } from './resume';
import { SseParser } from './sse';

export type Phase = 'connecting' | 'open' | 'retrying' | 'missing' | 'denied' | 'stopped';

export interface ConnectionStatus {
  phase: Phase;
  /** What a user should read: what happened and, when it helps, what to do. */
  message: string;
  /** Failed attempts since the stream was last open. */
  attempt: number;
  /** When the next attempt starts (ms since epoch), while waiting. */
  retryAt?: number;
}

export interface StreamResponse {
  status: number;
  /** The body as text chunks, as they arrive. */
  chunks(): AsyncIterable<string>;
  text(): Promise<string>;
}

export interface StreamTransport {
  open(query: string, signal: AbortSignal): Promise<StreamResponse>;
}

export interface StreamListener {
  events(events: PushEvent[]): void;
  gap(since: string): void;
  status(status: ConnectionStatus): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StreamOptions {
  backoff?: Backoff;
  /** Reconnect when nothing (not even a heartbeat) arrives for this long. */
  idleTimeoutMs?: number;
  /** The slowest retry, used while the server extension is missing. */
  missingRetryMs?: number;
  clock?: Clock;
  random?: () => number;
  /** Ask the server for at most this many events per second per channel (`max_rate`). */
  maxRate?: number | null;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: handle => clearTimeout(handle as number)
};

interface Failure {
  phase: Phase;
  message: string;
}

export class EventStream {
  readonly cursor = new ResumeCursor();
  private _status: ConnectionStatus = { phase: 'stopped', message: 'not started', attempt: 0 };
  private running = false;
  private abort: AbortController | null = null;
  private abortReason = '';
  private wake: (() => void) | null = null;
  private readonly backoff: Backoff;
  private readonly idleTimeoutMs: number;
  private readonly missingRetryMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly maxRate: number | null;

  constructor(
    private readonly transport: StreamTransport,
    private readonly listener: StreamListener,
    options: StreamOptions = {}
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 45000;
    this.missingRetryMs = options.missingRetryMs ?? 30000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.maxRate = options.maxRate ?? null;
  }

  get status(): ConnectionStatus {
    return this._status;
  }

  /** Runs until `stop()`; the returned promise settles then. */
  start(): Promise<void> {
    if (this.running) {
      return Promise.resolve();
    }
    this.running = true;
    return this.run();
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    this.setStatus({ phase: 'stopped', message: 'stopped', attempt: 0 });
  }

  /** Skip the wait before the next attempt, or drop the current stream and reconnect. */
  reconnectNow(): void {
    if (this.wake) {
      this.wake();
    } else {
      this.abortReason = 'reconnecting on request';
      this.abort?.abort();
    }
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      this.setStatus({
        phase: 'connecting',
        message: attempt ? `reconnecting (attempt ${attempt + 1})` : 'connecting',
        attempt
      });
      const failure = await this.connectOnce(() => {
        attempt = 0;
      });
      if (!this.running) {
        break;
      }
      attempt += 1;
      const delay =
        failure.phase === 'missing'
          ? this.missingRetryMs
          : backoffDelay(attempt, this.backoff, this.random);
      const retryAt = this.clock.now() + delay;
      this.setStatus({ ...failure, attempt, retryAt });
      await this.sleep(delay);
    }
  }

  /** One connection, from request to end of stream; resolves with why it ended. */
  private async connectOnce(opened: () => void): Promise<Failure> {
    const abort = new AbortController();
    this.abort = abort;
    this.abortReason = '';
    let idle: unknown = null;
    const resetIdle = () => {
      if (idle !== null) {
        this.clock.clearTimeout(idle);
      }
      idle = this.clock.setTimeout(() => {
        this.abortReason = 'no heartbeat from the server';
        abort.abort();
      }, this.idleTimeoutMs);
    };
    try {
      const response = await this.transport.open(eventsQuery(this.cursor.lastId, this.maxRate), abort.signal);
      if (response.status !== 200) {
        return await failureOf(response);
      }
      opened();
      this.setStatus({ phase: 'open', message: 'live', attempt: 0 });
      const parser = new SseParser();
      resetIdle();
      for await (const chunk of response.chunks()) {
        resetIdle();
        this.deliver(parser, chunk);
      }
      return { phase: 'retrying', message: 'the server closed the stream' };
    } catch (error) {
      if (abort.signal.aborted && this.running) {
        return { phase: 'retrying', message: this.abortReason };
      }
      return { phase: 'retrying', message: `the server is unreachable (${describe(error)})` };
    } finally {
      if (idle !== null) {
        this.clock.clearTimeout(idle);
      }
      this.abort = null;
    }
  }

  private deliver(parser: SseParser, chunk: string): void {
    const fresh: PushEvent[] = [];
    for (const message of parser.feed(chunk)) {
      const payload = parseJSON(message.data);
      if (message.event === 'gap') {
        const since = (payload as { since?: unknown } | undefined)?.since;
        this.listener.gap(typeof since === 'string' ? since : '');
      } else if (message.event === 'message' && isPushEvent(payload)) {
        if (this.cursor.accept(payload)) {
          fresh.push(payload);
        }
      }
    }
    if (fresh.length) {
      this.listener.events(fresh);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const timer = this.clock.setTimeout(() => done(), ms);
      const done = () => {
        this.clock.clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      this.wake = done;
    });
  }

  private setStatus(status: ConnectionStatus): void {
    this._status = status;
    this.listener.status(status);
  }
}

async function failureOf(response: StreamResponse): Promise<Failure> {
  if (response.status === 404) {
    return { phase: 'missing', message: INSTALL_HINT };
  }
  let detail = '';
  try {
    const body = parseJSON(await response.text()) as { message?: unknown } | undefined;
    detail = typeof body?.message === 'string' ? `: ${body.message}` : '';
  } catch {
    // the status alone must do
  }
  if (response.status === 401 || response.status === 403) {
    return {
      phase: 'denied',
      message: `not authorized (${response.status})${detail}; reload the page or log in again`
    };
  }
  return { phase: 'retrying', message: `the server answered ${response.status}${detail}` };
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
