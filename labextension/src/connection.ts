/** IPushConnection over the page's Jupyter credentials (token header, cookie + xsrf). */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { FrameBatcher } from './frames';
import { ChannelSummary, ChannelsReply, PushEvent } from './protocol';
import { ConnectionStatus, EventStream, StreamResponse } from './stream';
import { ChannelRecord, IPushConnection } from './tokens';

export interface ConnectionLimits {
  recentPerChannel: number;
  channels: number;
}

const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { recentPerChannel: 200, channels: 2000 };

export class PushConnection implements IPushConnection {
  private readonly stream: EventStream;
  private readonly batcher = new FrameBatcher<PushEvent>(events => this.flush(events));
  private readonly _channels = new Map<string, ChannelRecord>();
  private readonly _statusChanged = new Signal<this, ConnectionStatus>(this);
  private readonly _received = new Signal<this, readonly PushEvent[]>(this);
  private readonly _channelsChanged = new Signal<this, void>(this);

  constructor(
    private readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
    private readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS
  ) {
    this.stream = new EventStream(
      { open: (query, signal) => this.openStream(query, signal) },
      {
        events: events => this.batcher.add(events),
        gap: since => console.info(`jupyter-push: events after ${since} were missed; showing the latest values`),
        status: status => this.statusUpdate(status)
      }
    );
  }

  get status(): ConnectionStatus {
    return this.stream.status;
  }
  get statusChanged(): ISignal<this, ConnectionStatus> {
    return this._statusChanged;
  }
  get received(): ISignal<this, readonly PushEvent[]> {
    return this._received;
  }
  get channelsChanged(): ISignal<this, void> {
    return this._channelsChanged;
  }
  get channels(): ReadonlyMap<string, ChannelRecord> {
    return this._channels;
  }

  start(): void {
    void this.stream.start();
  }

  stop(): void {
    this.stream.stop();
  }

  reconnect(): void {
    this.stream.reconnectNow();
  }

  private url(path: string): string {
    return URLExt.join(this.settings.baseUrl, 'push', path);
  }

  private async openStream(query: string, signal: AbortSignal): Promise<StreamResponse> {
    const response = await ServerConnection.makeRequest(
      this.url('events') + query,
      { signal, headers: { Accept: 'text/event-stream' } },
      this.settings
    );
    return {
      status: response.status,
      text: () => response.text(),
      chunks: () => textChunks(response)
    };
  }

  private statusUpdate(status: ConnectionStatus): void {
    if (status.phase === 'open') {
      void this.loadChannels();
    }
    this._statusChanged.emit(status);
  }

  /** Seed the channel list (with counts) from `GET {base}push/channels`. */
  private async loadChannels(): Promise<void> {
    let reply: ChannelsReply;
    try {
      const response = await ServerConnection.makeRequest(this.url('channels'), {}, this.settings);
      if (!response.ok) {
        return;
      }
      reply = (await response.json()) as ChannelsReply;
    } catch (error) {
      console.warn('jupyter-push: could not list channels', error);
      return;
    }
    let added = false;
    for (const summary of reply.channels ?? []) {
      added = this.seed(summary) || added;
    }
    if (added) {
      this._channelsChanged.emit();
    }
  }

  private seed(summary: ChannelSummary): boolean {
    const known = this._channels.get(summary.name);
    if (known) {
      known.count = Math.max(known.count, summary.count);
      return false;
    }
    this.stream.cursor.remember(summary.last.id);
    this.store({ name: summary.name, last: summary.last, count: summary.count, recent: [summary.last] });
    return true;
  }

  private flush(events: PushEvent[]): void {
    for (const event of events) {
      const record = this._channels.get(event.channel);
      if (!record) {
        this.store({ name: event.channel, last: event, count: 1, recent: [event] });
        continue;
      }
      if (record.last.id === event.id) {
        continue;
      }
      record.last = event;
      record.count += 1;
      record.recent.push(event);
      if (record.recent.length > this.limits.recentPerChannel) {
        record.recent.splice(0, record.recent.length - this.limits.recentPerChannel);
      }
    }
    this._received.emit(events);
  }

  private store(record: ChannelRecord): void {
    this._channels.set(record.name, record);
    if (this._channels.size > this.limits.channels) {
      let stalest: ChannelRecord | null = null;
      for (const r of this._channels.values()) {
        if (!stalest || r.last.time < stalest.last.time) {
          stalest = r;
        }
      }
      this._channels.delete(stalest!.name);
    }
  }
}

async function* textChunks(response: Response): AsyncIterable<string> {
  if (!response.body) {
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        return;
      }
      yield decoder.decode(value, { stream: true });
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
}
