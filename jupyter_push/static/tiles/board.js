// @ts-check
/**
 * A board: a grid of cards, one per channel, or one per pattern for patterns with wildcards
 * (`runs/*\/loss` overlays every matching channel on one chart, a series each). Used by the
 * viewer, the notebook Dashboard and snapshot files.
 */

import { Card } from './card.js';
import { el } from './dom.js';
import { isPattern, patternMatches } from './pattern.js';
import { ensureStyles } from './style.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileLimits} TileLimits */

/**
 * @typedef {{ kinds?: Record<string, string>, overlays?: string[], limits?: Partial<TileLimits>,
 *             onKindChosen?: (channel: string, kind: string | null) => void,
 *             send?: import('./types.js').Send }} BoardOptions
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
    this.grid = el('div', 'jpt-board');
    root.append(this.grid);
    /** @type {Map<string, Card>} */
    this.cards = new Map();
    for (const pattern of options.overlays ?? []) {
      this.card(pattern, isPattern(pattern));
    }
  }

  /**
   * @param {string} channel
   * @param {boolean} multi
   */
  card(channel, multi) {
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
      this.grid.append(card.node);
    }
    return card;
  }

  /** @param {TileEvent} event */
  push(event) {
    let overlaid = false;
    for (const pattern of this.options.overlays ?? []) {
      if (isPattern(pattern) && patternMatches(pattern, event.channel)) {
        this.card(pattern, true).push(event);
        overlaid = true;
      }
    }
    if (!overlaid) {
      this.card(event.channel, false).push(event);
    }
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
      cards: [...this.cards.values()].map(c => ({ channel: c.channel, kind: c.chosen, multi: c.multi, events: [...c.history] }))
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
      const card = board.card(c.channel, c.multi);
      card.pushAll(c.events);
    }
    return board;
  }
}
