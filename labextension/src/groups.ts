/** Channels grouped by the notebook that published them, for the sidebar. */

import { PushEvent } from './protocol';

export const OTHER_GROUP = 'other';

export interface ChannelGroup {
  /** A notebook path, or "other" for events without a source path. */
  name: string;
  channels: string[];
}

export function groupOf(event: PushEvent): string {
  const path = event.source?.path;
  return typeof path === 'string' && path ? path : OTHER_GROUP;
}

/** Groups sorted by path ("other" last), channels sorted by name. */
export function groupChannels(latest: Iterable<PushEvent>): ChannelGroup[] {
  const groups = new Map<string, string[]>();
  for (const event of latest) {
    const name = groupOf(event);
    const list = groups.get(name) ?? [];
    list.push(event.channel);
    groups.set(name, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === OTHER_GROUP ? 1 : b === OTHER_GROUP ? -1 : a.localeCompare(b)))
    .map(([name, channels]) => ({ name, channels: channels.sort() }));
}
