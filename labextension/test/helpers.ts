import { JSONValue, PushEvent } from '../src/protocol';

let seq = 0;

export function ev(channel: string, data: JSONValue, time = 1000 + seq, extra: Partial<PushEvent> = {}): PushEvent {
  seq += 1;
  return { id: `t-${String(seq).padStart(6, '0')}`, channel, data, time, ...extra };
}
