/** IPushConnection over the page's Jupyter credentials (token header, cookie + xsrf). */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { FrameBatcher } from './frames';
import { ChannelSummary, ChannelsReply, PushEvent } from './protocol';
import { mergeRecent } from './recent';
import { PANEL_CHANNELS, PANEL_MAX_RATE, withChannels } from './resume';
import { ConnectionStatus, EventStream, StreamResponse } from './stream';
import { ChannelRecord, IPushConnection } from './tokens';

export interface ConnectionLimits {
  recentPerChannel: number;
  channels: number;
  /** Channels whose history is fetched per (re)connection. */
  backfills: number;
}


const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { recentPerChannel: 1000, channels: 2000, backfills: 100 };

export class PushConnection implements IPushConnection {
  private readonly stream: EventStream;
  private readonly batcher = new FrameBatcher<PushEvent>(events => this.flush(events));
  private readonly _channels = new Map<string, ChannelRecord>();
  private readonly _statusChanged = new Signal<this, ConnectionStatus>(this);
  private readonly _received = new Signal<this, readonly PushEvent[]>(this);
  private readonly _channelsChanged = new Signal<this, readonly string[]>(this);

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
      },
      { maxRate: PANEL_MAX_RATE }
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
  get channelsChanged(): ISignal<this, readonly string[]> {
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

  /** `{base}push/events` for every ordinary channel and the reserved ones the panel draws. */
  private eventsUrl(query: string): string {
    return this.url('events') + withChannels(query, PANEL_CHANNELS);
  }

  /**
   * Publish as the Jupyter user (a control tile's value). Resolves to the event id; rejects
   * with the server's message (e.g. a value the control refuses).
   */
  async send(channel: string, data: unknown): Promise<string> {
    const response = await ServerConnection.makeRequest(
      this.url('events'),
      { method: 'POST', body: JSON.stringify({ channel, data }), headers: { 'Content-Type': 'application/json' } },
      this.settings
    );
    const body = (await response.json().catch(() => ({}))) as { ids?: string[]; message?: string };
    if (!response.ok) {
      throw new Error(body.message ?? `refused (${response.status})`);
    }
    return body.ids?.[0] ?? '';
  }

  private async openStream(query: string, signal: AbortSignal): Promise<StreamResponse> {
    const response = await ServerConnection.makeRequest(
      this.eventsUrl(query),
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

  /** Seed the channel list (with counts) from `GET {base}push/channels`, then fill in history. */
  private async loadChannels(): Promise<void> {
    const reply = await this.getJSON<ChannelsReply>(`channels${withChannels('', PANEL_CHANNELS)}`);
    if (!reply) {
      return;
    }
    const added = (reply.channels ?? []).filter(summary => this.seed(summary)).map(s => s.name);
    if (added.length) {
      this._channelsChanged.emit(added);
    }
    const lacking = [...this._channels.values()]
      .filter(r => !r.backfilled && r.count > r.recent.length)
      .slice(0, this.limits.backfills);
    for (const record of lacking) {
      await this.backfill(record);
    }
  }

  private seed(summary: ChannelSummary): boolean {
    const known = this._channels.get(summary.name);
    if (known) {
      known.count = Math.max(known.count, summary.count);
      return false;
    }
    this.stream.cursor.remember(summary.last.id);
    this.store({
      name: summary.name,
      last: summary.last,
      count: summary.count,
      recent: [summary.last],
      backfilled: false
    });
    return true;
  }

  /** Complete a channel's recent events from `GET {base}push/history`, e.g. on a fresh page. */
  private async backfill(record: ChannelRecord): Promise<void> {
    record.backfilled = true;
    const limit = this.limits.recentPerChannel;
    const query = `history?channel=${encodeURIComponent(record.name)}&limit=${limit}`;
    const reply = await this.getJSON<{ events?: PushEvent[] }>(query);
    if (!reply?.events?.length || this._channels.get(record.name) !== record) {
      return;
    }
    for (const event of reply.events) {
      this.stream.cursor.remember(event.id);
    }
    record.recent = mergeRecent(record.recent, reply.events, limit);
    this._channelsChanged.emit([record.name]);
  }

  async fetchText(path: string): Promise<string | null> {
    try {
      const response = await ServerConnection.makeRequest(this.url(path), {}, this.settings);
      return response.ok ? await response.text() : null;
    } catch (error) {
      console.warn(`jupyter-push: GET ${path} failed`, error);
      return null;
    }
  }

  private async getJSON<T>(path: string): Promise<T | null> {
    try {
      const response = await ServerConnection.makeRequest(this.url(path), {}, this.settings);
      return response.ok ? ((await response.json()) as T) : null;
    } catch (error) {
      console.warn(`jupyter-push: GET ${path} failed`, error);
      return null;
    }
  }

  private flush(events: PushEvent[]): void {
    for (const event of events) {
      const record = this._channels.get(event.channel);
      if (!record) {
        this.store({ name: event.channel, last: event, count: 1, recent: [event], backfilled: false });
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
