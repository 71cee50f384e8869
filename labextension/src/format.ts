/** The sidebar's words: how long ago a value came, and any value on one bounded line.
 * Numbers and durations are the tile library's (`tiles/format.js`), as on the tiles. */

import { JSONValue } from './protocol';
import { formatDuration } from './tiles/format.js';

export function formatAge(seconds: number): string {
  return seconds < 1 ? 'just now' : `${formatDuration(seconds)} ago`;
}

/** A one-line summary of any data value, for the sidebar. */
export function summarize(data: JSONValue, maxLength = 48): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data) ?? String(data);
  const line = text.replace(/\s+/g, ' ');
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}
