/** The wire format of docs/PROTOCOL.md as the panel sees it (Python: jupyter_push/_protocol.py). */

export type JSONValue =
  | null
  | boolean
  | number
  | string
  | JSONValue[]
  | { [key: string]: JSONValue };

export interface PushSource {
  kernel?: string;
  path?: string;
  user?: string;
  /** The notebook cell that pushed the event (its id) and its execution count. */
  cell?: string;
  execution_count?: number;
}

export interface PushEvent {
  id: string;
  channel: string;
  data: JSONValue;
  time: number;
  source?: PushSource;
  /** With `max_rate`: events of this channel the server skipped since the last one sent. */
  skipped?: number;
}

/** One entry of `GET {base}push/channels`. */
export interface ChannelSummary {
  name: string;
  last: PushEvent;
  count: number;
}

export interface ChannelsReply {
  channels: ChannelSummary[];
}

export const INSTALL_HINT =
  'the jupyter_push server extension is not installed or enabled: pip install jupyter_push';

export function isPushEvent(value: unknown): value is PushEvent {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.channel === 'string' &&
    typeof v.time === 'number' &&
    'data' in v
  );
}
