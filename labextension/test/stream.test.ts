import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { INSTALL_HINT, PushEvent } from '../src/protocol';
import { ResumeCursor, backoffDelay, eventsQuery, withChannels } from '../src/resume';
import { Clock, ConnectionStatus, EventStream, StreamResponse } from '../src/stream';

class FakeClock implements Clock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): number {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }
  /** Let time pass, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) {
        break;
      }
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await new Promise(resolve => setImmediate(resolve));
  }
}

/** A response body the test writes into, chunk by chunk. */
class FakeBody implements StreamResponse {
  private queue: (string | null | Error)[] = [];
  private waiting: (() => void) | null = null;
  constructor(
    readonly status: number,
    private readonly signal: AbortSignal,
    private readonly body = ''
  ) {
    signal.addEventListener('abort', () => this.wakeUp());
  }
  write(chunk: string): void {
    this.queue.push(chunk);
    this.wakeUp();
  }
  end(): void {
    this.queue.push(null);
    this.wakeUp();
  }
  async text(): Promise<string> {
    return this.body;
  }
  async *chunks(): AsyncIterable<string> {
    for (;;) {
      if (this.signal.aborted) {
        throw new Error('aborted');
      }
      const item = this.queue.shift();
      if (item === undefined) {
        await new Promise<void>(resolve => (this.waiting = resolve));
        continue;
      }
      if (item === null) {
        return;
      }
      if (item instanceof Error) {
        throw item;
      }
      yield item;
    }
  }
  private wakeUp(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}

type Answer = { status: number; body?: string } | Error;

class Harness {
  readonly clock = new FakeClock();
  readonly queries: string[] = [];
  readonly received: PushEvent[] = [];
  readonly gaps: string[] = [];
  readonly statuses: ConnectionStatus[] = [];
  readonly bodies: FakeBody[] = [];
  answers: Answer[] = [];
  readonly stream: EventStream;
  done: Promise<void> = Promise.resolve();

  constructor(maxRate: number | null = null) {
    this.stream = new EventStream(
      {
        open: async (query, signal) => {
          this.queries.push(query);
          const answer = this.answers.shift() ?? { status: 200 };
          if (answer instanceof Error) {
            throw answer;
          }
          const body = new FakeBody(answer.status, signal, answer.body);
          this.bodies.push(body);
          return body;
        }
      },
      {
        events: events => this.received.push(...events),
        gap: since => this.gaps.push(since),
        status: status => this.statuses.push(status)
      },
      {
        clock: this.clock,
        random: () => 0.5,
        backoff: { initialMs: 500, maxMs: 4000, factor: 2, jitter: 0.2 },
        idleTimeoutMs: 45000,
        missingRetryMs: 30000,
        maxRate
      }
    );
  }
  async start(): Promise<void> {
    this.done = this.stream.start();
    await settle();
  }
  get body(): FakeBody {
    return this.bodies[this.bodies.length - 1];
  }
  /** The wait the stream announced before its next attempt. */
  get announcedDelay(): number | undefined {
    const s = this.stream.status;
    return s.retryAt === undefined ? undefined : s.retryAt - this.clock.now();
  }
  async stop(): Promise<void> {
    this.stream.stop();
    await this.done;
  }
}

function message(id: string, channel: string, data: unknown): string {
  return `id: ${id}\ndata: ${JSON.stringify({ id, channel, data, time: 1 })}\n\n`;
}

describe('the event stream', () => {
  it('asks for max_rate on every attempt when conflation is on, resuming by id', async () => {
    const h = new Harness(30);
    await h.start();
    h.body.write(message('e-1', 'p', 1));
    h.body.end();
    await settle();
    await h.clock.advance(h.announcedDelay!);
    assert.deepEqual(h.queries, ['?max_rate=30', '?since=e-1&max_rate=30']);
    await h.stop();
  });

  it('resumes after the last id it received when the stream ends', async () => {
    const h = new Harness();
    await h.start();
    assert.equal(h.stream.status.phase, 'open');
    h.body.write(message('e-1', 'p', 1) + message('e-2', 'p', 2));
    h.body.end();
    await settle();
    assert.equal(h.stream.status.phase, 'retrying');
    await h.clock.advance(h.announcedDelay!);
    assert.deepEqual(h.queries, ['', '?since=e-2']);
    assert.deepEqual(h.received.map(e => e.id), ['e-1', 'e-2']);
    await h.stop();
  });

  it('drops events replayed twice and keeps ones it has not seen', async () => {
    const h = new Harness();
    await h.start();
    h.body.write(message('e-1', 'p', 1));
    h.body.end();
    await settle();
    await h.clock.advance(h.announcedDelay!);
    h.body.write(message('e-1', 'p', 1) + message('e-2', 'p', 2));
    await settle();
    assert.deepEqual(h.received.map(e => e.id), ['e-1', 'e-2']);
    await h.stop();
  });

  it('reports a gap and takes the retained values that follow it', async () => {
    const h = new Harness();
    await h.start();
    h.body.write(message('old-9', 'p', 9));
    h.body.end();
    await settle();
    await h.clock.advance(h.announcedDelay!);
    h.body.write('event: gap\ndata: {"since": "old-9"}\n\n' + message('new-1', 'p', 10));
    await settle();
    assert.deepEqual(h.gaps, ['old-9']);
    assert.deepEqual(h.received.map(e => e.id), ['old-9', 'new-1']);
    assert.equal(h.stream.cursor.lastId, 'new-1');
    await h.stop();
  });

  it('backs off while the server is unreachable and starts over once a stream opens', async () => {
    const h = new Harness();
    h.answers = [new Error('refused'), new Error('refused'), new Error('refused'), new Error('refused'), new Error('refused')];
    await h.start();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      assert.equal(h.stream.status.phase, 'retrying');
      assert.match(h.stream.status.message, /unreachable \(refused\)/);
      delays.push(h.announcedDelay!);
      await h.clock.advance(h.announcedDelay!);
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000]);
    assert.equal(h.stream.status.phase, 'open');
    h.body.end();
    await settle();
    assert.equal(h.announcedDelay, 500);
    await h.stop();
  });

  it('reconnects when even heartbeats stop arriving', async () => {
    const h = new Harness();
    await h.start();
    h.body.write(message('e-1', 'p', 1));
    await settle();
    await h.clock.advance(44000);
    h.body.write(': heartbeat\n\n');
    await settle();
    await h.clock.advance(44000);
    assert.equal(h.stream.status.phase, 'open', 'a heartbeat keeps the stream open');
    await h.clock.advance(1000);
    assert.equal(h.stream.status.phase, 'retrying');
    assert.match(h.stream.status.message, /heartbeat/);
    await h.clock.advance(h.announcedDelay!);
    assert.deepEqual(h.queries, ['', '?since=e-1']);
    await h.stop();
  });

  it('tells the user to install the server extension on 404, and retries slowly', async () => {
    const h = new Harness();
    h.answers = [{ status: 404, body: '<html>Not Found</html>' }];
    await h.start();
    assert.equal(h.stream.status.phase, 'missing');
    assert.equal(h.stream.status.message, INSTALL_HINT);
    assert.match(INSTALL_HINT, /pip install jupyter_push/);
    assert.equal(h.announcedDelay, 30000);
    await h.stop();
  });

  it('says the page is not authorized on 403, with the server message', async () => {
    const h = new Harness();
    h.answers = [{ status: 403, body: '{"message": "Forbidden"}' }];
    await h.start();
    assert.equal(h.stream.status.phase, 'denied');
    assert.match(h.stream.status.message, /not authorized \(403\): Forbidden/);
    await h.stop();
  });

  it('drops a live stream and resumes when asked to reconnect', async () => {
    const h = new Harness();
    await h.start();
    h.body.write(message('e-1', 'p', 1));
    await settle();
    h.stream.reconnectNow();
    await settle();
    assert.equal(h.stream.status.phase, 'retrying');
    assert.equal(h.stream.status.message, 'reconnecting on request');
    await h.clock.advance(h.announcedDelay!);
    assert.deepEqual(h.queries, ['', '?since=e-1']);
    await h.stop();
  });

  it('reconnects at once when asked to', async () => {
    const h = new Harness();
    h.answers = [new Error('refused')];
    await h.start();
    h.stream.reconnectNow();
    await settle();
    assert.equal(h.queries.length, 2);
    assert.equal(h.stream.status.phase, 'open');
    await h.stop();
    assert.equal(h.stream.status.phase, 'stopped');
  });
});

describe('resume helpers', () => {
  it('asks for retained values first, then for events after the last id', () => {
    assert.equal(eventsQuery(null), '');
    assert.equal(eventsQuery('a b/1'), '?since=a%20b%2F1');
  });

  it('adds the channels the panel follows to either query', () => {
    assert.equal(withChannels('', ['**', '$notify']), '?channel=**&channel=%24notify');
    assert.equal(withChannels('?since=e-1', ['**']), '?channel=**&since=e-1');
  });

  it('asks for conflation with max_rate, also when resuming', () => {
    assert.equal(eventsQuery(null, 30), '?max_rate=30');
    assert.equal(eventsQuery('e-7', 30), '?since=e-7&max_rate=30');
  });

  it('grows the wait geometrically up to a ceiling, with bounded jitter', () => {
    const backoff = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.25 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 9].map(n => backoffDelay(n, backoff, () => 0.5)),
      [100, 200, 400, 800, 1000, 1000]
    );
    assert.equal(backoffDelay(1, backoff, () => 0), 75);
    assert.equal(backoffDelay(1, backoff, () => 1), 125);
  });

  it('remembers a bounded number of ids', () => {
    const cursor = new ResumeCursor(2);
    assert.equal(cursor.remember('a'), true);
    assert.equal(cursor.remember('a'), false);
    cursor.remember('b');
    cursor.remember('c');
    assert.equal(cursor.remember('a'), true, 'the oldest id was forgotten');
    assert.equal(cursor.lastId, null, 'remembering does not move the resume point');
  });
});
