// @ts-check
/**
 * A board: a grid of cards, one per channel, or one per pattern for patterns with wildcards
 * (`runs/*\/loss` overlays every matching channel on one chart, a series each), grouped under
 * the kernel that pushed them (groups.js: `$kernels/<id>` is the group's header). Used by the
 * viewer, the notebook Dashboard and snapshot files. Overlays come and go (`addOverlay`,
 * `removeOverlay`; with `onOverlaysChanged`, an overlay's card has a ✕ that removes it).
 */

import { Card } from './card.js';
import { el } from './dom.js';
import { COMPARE_GROUP, Dismissals, OTHER_GROUP, groupKernel, groupOf, isKernelStateChannel } from './grouping.js';
import { Groups } from './groups.js';
import { isPattern, patternMatches } from './pattern.js';
import { ensureStyles } from './style.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileLimits} TileLimits */

/**
 * @typedef {{ kinds?: Record<string, string>, overlays?: string[], limits?: Partial<TileLimits>,
 *             onKindChosen?: (channel: string, kind: string | null) => void,
 *             send?: import('./types.js').Send,
             openNotebook?: (kernelId: string, notebook: string) => void,
             dismissed?: Record<string, number>,
             onDismissed?: (dismissed: Record<string, number>) => void,
             onOverlaysChanged?: (overlays: string[]) => void }} BoardOptions
 * @typedef {{ channel: string, kind: string | null, multi: boolean, events: TileEvent[] }} CardSnapshot
 * @typedef {{ format: 'jupyter_push.tiles', version: 1, title: string, saved: number, cards: CardSnapshot[] }} BoardSnapshot
 */

export class Board {
  /**
   * @param {HTMLElement} root
   * @param {BoardOptions} [options]
   */
  constructor(root, options = {}) {
    ensureStyles(root.ownerDocument);
    this.root = root;
    /** @type {BoardOptions} */
    this.options = options;
    /** @type {Record<string, string>} */
    this.kinds = { ...options.kinds };
    this.grid = el('div', 'jpt-groups');
    root.append(this.grid);
    /** @type {Map<string, Card>} */
    this.cards = new Map();
    /** The group each card is in. @type {Map<string, string>} */
    this.cardGroups = new Map();
    /** The kernels' states drawn as group headers, latest each. @type {Map<string, TileEvent>} */
    this.kernelStates = new Map();
    this.dismissals = new Dismissals(options.dismissed);
    this.groups = new Groups(this.grid, {
      openNotebook: options.openNotebook,
      onDismiss: key => this.dismiss(key)
    });
    /** The patterns whose cards overlay their channels. @type {string[]} */
    this.overlays = [];
    for (const pattern of options.overlays ?? []) {
      this.addOverlay(pattern);
    }
  }

  /**
   * Overlay every channel `pattern` matches on one card, drawn with the run so far: the
   * matching channels' own cards give it their events and go.
   * @param {string} pattern
   */
  addOverlay(pattern) {
    if (this.overlays.includes(pattern)) {
      return;
    }
    this.overlays.push(pattern);
    const multi = isPattern(pattern);
    const card = this.card(pattern, multi);
    if (multi && this.options.onOverlaysChanged) {
      card.addAction({ name: 'removeOverlay', text: '✕', title: `Stop comparing ${pattern}`,
        onClick: () => this.removeOverlay(pattern) });
    }
    /** @type {TileEvent[]} */
    const events = [];
    for (const [channel, own] of [...this.cards]) {
      if (channel !== pattern && !own.multi && multi && patternMatches(pattern, channel)) {
        events.push(...own.history);
        this.drop(channel);
      }
    }
    card.pushAll(events.sort((a, b) => a.time - b.time));
    this.options.onOverlaysChanged?.([...this.overlays]);
  }

  /**
   * Stop overlaying `pattern`: its channels get their own cards again (unless another overlay
   * takes them), drawn from the events the overlay had.
   * @param {string} pattern
   */
  removeOverlay(pattern) {
    const at = this.overlays.indexOf(pattern);
    if (at < 0) {
      return;
    }
    this.overlays.splice(at, 1);
    const card = this.cards.get(pattern);
    this.drop(pattern);
    for (const event of card?.multi ? card.history : []) {
      if (!this.overlays.some(o => isPattern(o) && patternMatches(o, event.channel))) {
        this.route(event, false);
      }
    }
    this.options.onOverlaysChanged?.([...this.overlays]);
  }

  /**
   * Take one card off the board.
   * @param {string} channel
   */
  drop(channel) {
    this.cards.get(channel)?.destroy();
    this.cards.delete(channel);
    this.cardGroups.delete(channel);
    this.groups.arrange([...this.cards].map(([c, card]) => [this.cardGroups.get(c) ?? OTHER_GROUP, card.node]));
  }

  /**
   * @param {string} channel
   * @param {boolean} multi
   * @param {string} [group] where a new card goes (its first event's group)
   */
  card(channel, multi, group) {
    let card = this.cards.get(channel);
    if (!card) {
      card = new Card({
        channel,
        multi,
        kind: this.kinds[channel] ?? null,
        limits: this.options.limits,
        send: this.options.send,
        onKindChosen: (c, k) => {
          if (k) {
            this.kinds[c] = k;
          } else {
            delete this.kinds[c];
          }
          this.options.onKindChosen?.(c, k);
        }
      });
      this.cards.set(channel, card);
      this.place(channel, multi ? COMPARE_GROUP : group ?? groupOf(channel, undefined));
    }
    return card;
  }

  /**
   * Put a card in a group (a channel sits under the kernel that pushed its latest value).
   * @param {string} channel
   * @param {string} key
   */
  place(channel, key) {
    if (this.cardGroups.get(channel) === key) {
      return;
    }
    this.cardGroups.set(channel, key);
    this.groups.arrange([...this.cards].map(([c, card]) => [this.cardGroups.get(c) ?? OTHER_GROUP, card.node]));
  }

  /** @param {TileEvent} event */
  push(event) {
    this.route(event, true);
  }

  /**
   * @param {TileEvent} event
   * @param {boolean} overlay whether a matching overlay card takes it
   */
  route(event, overlay) {
    const key = groupOf(event.channel, event);
    if (this.dismissals.hides(key, event)) {
      return;
    }
    if (isKernelStateChannel(event.channel)) {
      this.kernelStates.set(event.channel, event);
      this.groups.kernelEvent(event);
      return;
    }
    let overlaid = false;
    for (const pattern of overlay ? this.overlays : []) {
      if (isPattern(pattern) && patternMatches(pattern, event.channel)) {
        this.card(pattern, true).push(event);
        overlaid = true;
      }
    }
    if (!overlaid) {
      this.card(event.channel, false, key).push(event);
      this.place(event.channel, key);
      if (event.channel.startsWith('$kernels/')) {
        this.groups.kernelEvent(event); // its resources, shown in the header too
      } else {
        this.groups.seen(key, event);
      }
    }
  }

  /**
   * Take a (dead) kernel's group off the board, its channels with it, until it pushes again.
   * @param {string} key
   */
  dismiss(key) {
    const kernel = groupKernel(key);
    if (kernel === null) {
      return;
    }
    let upTo = this.groups.header(key)?.latest ?? 0;
    for (const [channel, group] of [...this.cardGroups]) {
      const card = this.cards.get(channel);
      if (group === key && card) {
        upTo = Math.max(upTo, card.time);
        card.destroy();
        this.cards.delete(channel);
        this.cardGroups.delete(channel);
      }
    }
    this.kernelStates.delete(`$kernels/${kernel}`);
    this.groups.remove(key);
    this.dismissals.dismiss(kernel, upTo);
    this.options.onDismissed?.(this.dismissals.toJSON());
  }

  /** @param {readonly TileEvent[]} events */
  pushAll(events) {
    for (const event of events) {
      this.push(event);
    }
  }

  /**
   * Show a channel as a given kind (null: follow the data).
   * @param {string} channel
   * @param {string | null} kind
   */
  setKind(channel, kind) {
    if (kind) {
      this.kinds[channel] = kind;
    } else {
      delete this.kinds[channel];
    }
    this.cards.get(channel)?.choose(kind);
  }

  tick() {
    const now = Date.now() / 1000;
    for (const card of this.cards.values()) {
      card.tick(now);
    }
    this.groups.tick(now);
  }

  /**
   * Everything needed to draw this board again, offline.
   * @param {string} [title]
   * @returns {BoardSnapshot}
   */
  snapshot(title = 'jupyter_push run') {
    return {
      format: 'jupyter_push.tiles',
      version: 1,
      title,
      saved: Date.now() / 1000,
      cards: [
        ...[...this.kernelStates.values()].map(e => ({ channel: e.channel, kind: null, multi: false, events: [e] })),
        ...[...this.cards.values()].map(c => ({ channel: c.channel, kind: c.chosen, multi: c.multi, events: [...c.history] }))
      ]
    };
  }

  /**
   * A board drawn from a snapshot.
   * @param {HTMLElement} root
   * @param {BoardSnapshot} snapshot
   */
  static fromSnapshot(root, snapshot) {
    /** @type {Record<string, string>} */
    const kinds = {};
    const overlays = [];
    for (const c of snapshot.cards) {
      if (c.kind) {
        kinds[c.channel] = c.kind;
      }
      if (c.multi) {
        overlays.push(c.channel);
      }
    }
    const board = new Board(root, { kinds, overlays });
    for (const c of snapshot.cards) {
      if (c.multi) {
        board.card(c.channel, true).pushAll(c.events);
      } else {
        for (const event of c.events) {
          board.route({ ...event, channel: c.channel }, false);
        }
      }
    }
    return board;
  }
}
