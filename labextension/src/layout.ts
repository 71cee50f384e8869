/** The user's arrangement of tiles: pinned first, then their chosen order; some hidden. */

export interface Layout {
  order: string[];
  pinned: string[];
  hidden: string[];
  /** The tile kind the user chose per channel ("Show as…"). */
  kinds: Record<string, string>;
  /** Patterns the user added with "Compare…": a tile each, overlaying the matching channels. */
  overlays: string[];
  /** Dismissed kernel groups: kernel id → the newest event time they showed (tiles/grouping.js). */
  dismissed: Record<string, number>;
}

export const EMPTY_LAYOUT: Layout = { order: [], pinned: [], hidden: [], kinds: {}, overlays: [], dismissed: {} };

export interface Arrangement {
  visible: string[];
  hidden: string[];
}

/** Tiles for `channels` in display order; channels the layout has never seen go last. */
export function arrange(layout: Layout, channels: Iterable<string>): Arrangement {
  const present = new Set(channels);
  const ordered = [...layout.order.filter(c => present.has(c))];
  const known = new Set(ordered);
  for (const c of present) {
    if (!known.has(c)) {
      ordered.push(c);
    }
  }
  const pinned = new Set(layout.pinned);
  const hidden = new Set(layout.hidden);
  const shown = ordered.filter(c => !hidden.has(c));
  return {
    visible: [...shown.filter(c => pinned.has(c)), ...shown.filter(c => !pinned.has(c))],
    hidden: ordered.filter(c => hidden.has(c))
  };
}

function toggle(list: string[], channel: string, on: boolean): string[] {
  const rest = list.filter(c => c !== channel);
  return on ? [...rest, channel] : rest;
}

export function setPinned(layout: Layout, channel: string, on: boolean): Layout {
  return { ...layout, pinned: toggle(layout.pinned, channel, on) };
}

/** Show a channel as `kind`, or as its data decides (null). */
export function setKind(layout: Layout, channel: string, kind: string | null): Layout {
  const kinds = { ...layout.kinds };
  if (kind) {
    kinds[channel] = kind;
  } else {
    delete kinds[channel];
  }
  return { ...layout, kinds };
}

/** Add (or remove) a "Compare…" tile; a removed one leaves no trace in the layout. */
export function setOverlay(layout: Layout, pattern: string, on: boolean): Layout {
  if (on === layout.overlays.includes(pattern)) {
    return layout;
  }
  if (on) {
    return { ...layout, overlays: [...layout.overlays, pattern] };
  }
  const without = (list: string[]) => list.filter(c => c !== pattern);
  const kinds = { ...layout.kinds };
  delete kinds[pattern];
  return {
    ...layout,
    order: without(layout.order),
    pinned: without(layout.pinned),
    hidden: without(layout.hidden),
    kinds,
    overlays: without(layout.overlays)
  };
}

export function setHidden(layout: Layout, channel: string, on: boolean): Layout {
  return { ...layout, hidden: toggle(layout.hidden, channel, on) };
}

/**
 * Move a visible tile one place towards the start (-1) or the end (+1), past the next tile
 * `beside` accepts (the tiles of its kernel's group), pinned or not as it is. `channels` are all
 * the channels on the board.
 */
export function move(
  layout: Layout,
  channels: Iterable<string>,
  channel: string,
  step: -1 | 1,
  beside: (other: string) => boolean = () => true
): Layout {
  const { visible, hidden } = arrange(layout, channels);
  const pinned = new Set(layout.pinned);
  const i = visible.indexOf(channel);
  let j = i + step;
  while (j >= 0 && j < visible.length && !beside(visible[j])) {
    j += step;
  }
  if (i < 0 || j < 0 || j >= visible.length || pinned.has(visible[j]) !== pinned.has(channel)) {
    return layout;
  }
  const order = [...visible];
  [order[i], order[j]] = [order[j], order[i]];
  return { ...layout, order: [...order, ...hidden] };
}

/** A layout read back from storage; anything malformed is dropped, not trusted. */
export function parseLayout(value: unknown): Layout {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const names = (x: unknown): string[] =>
    Array.isArray(x) ? [...new Set(x.filter((c): c is string => typeof c === 'string'))] : [];
  const kinds: Record<string, string> = {};
  if (typeof v.kinds === 'object' && v.kinds !== null && !Array.isArray(v.kinds)) {
    for (const [channel, kind] of Object.entries(v.kinds as Record<string, unknown>)) {
      if (typeof kind === 'string') {
        kinds[channel] = kind;
      }
    }
  }
  const dismissed: Record<string, number> = {};
  if (typeof v.dismissed === 'object' && v.dismissed !== null && !Array.isArray(v.dismissed)) {
    for (const [kernel, time] of Object.entries(v.dismissed as Record<string, unknown>)) {
      if (typeof time === 'number' && Number.isFinite(time)) {
        dismissed[kernel] = time;
      }
    }
  }
  return {
    order: names(v.order),
    pinned: names(v.pinned),
    hidden: names(v.hidden),
    kinds,
    overlays: names(v.overlays),
    dismissed
  };
}
