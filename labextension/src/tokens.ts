import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import { PushEvent } from './protocol';
import { ConnectionStatus } from './stream';

export interface ChannelRecord {
  name: string;
  last: PushEvent;
  /** Events on the channel, as far as this page knows. */
  count: number;
  /** The latest events this page received, oldest first (bounded). */
  recent: PushEvent[];
  /** Whether `recent` was completed from the server's history. */
  backfilled: boolean;
}

/** The page's one connection to `{base}push/events`, shared by the panel and the sidebar. */
export interface IPushConnection {
  readonly status: ConnectionStatus;
  readonly statusChanged: ISignal<IPushConnection, ConnectionStatus>;
  readonly channels: ReadonlyMap<string, ChannelRecord>;
  /** New events, at most once per animation frame; `channels` already includes them. */
  readonly received: ISignal<IPushConnection, readonly PushEvent[]>;
  /**
   * Channels learnt from `GET {base}push/channels` or whose recent events were completed from
   * `GET {base}push/history`, not from the stream.
   */
  readonly channelsChanged: ISignal<IPushConnection, readonly string[]>;
  /** Publish with the page's credentials (control tiles); rejects with the server's message. */
  send(channel: string, data: unknown): Promise<string>;
  /** `GET {base}push/<path>` as text with the page's credentials, or null if it failed. */
  fetchText(path: string): Promise<string | null>;
  /** Reconnect now instead of waiting for the next attempt. */
  reconnect(): void;
}

export const IPushConnection = new Token<IPushConnection>(
  'jupyter-push:IPushConnection',
  'The shared live stream of jupyter_push events for this page.'
);

export namespace CommandIDs {
  export const open = 'jupyter-push:open-dashboard';
}
