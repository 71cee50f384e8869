// @ts-check
/**
 * A card: one channel's (or one pattern's) tile with its header: the name, the time of the last
 * event, a "Show as…" menu and any buttons the host adds. It keeps the channel's recent events,
 * so a tile chosen from the menu is drawn with the run so far.
 */

import { el, setAttr, setText } from './dom.js';
import { watchOnScreen, unwatchOnScreen } from './onscreen.js';
import { KINDS, decide, kindNamed } from './registry.js';
import { requestDraw } from './schedule.js';
import { DEFAULT_LIMITS } from './types.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileLimits} TileLimits */
/** @typedef {import('./types.js').Tile} Tile */

/**
 * @typedef {{ name: string, text: string, title: string, onClick: () => void }} CardAction
 * @typedef {{ channel: string, kind?: string | null, multi?: boolean, limits?: Partial<TileLimits>,
 *             actions?: CardAction[], onKindChosen?: (channel: string, kind: string | null) => void,
 *             send?: import('./types.js').Send }} CardOptions
 */

export class Card {
  /** @param {CardOptions} options */
  constructor(options) {
    this.channel = options.channel;
    this.multi = options.multi ?? false;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    /** The kind the user (or the code) chose, or null to follow the data. */
    this.chosen = options.kind ?? null;
    this.onKindChosen = options.onKindChosen ?? (() => undefined);
    this.send = options.send;
    /** @type {TileEvent[]} */
    this.history = [];
    /** @type {string | null} */
    this.kind = null;
    /** @type {Tile | null} */
    this.tile = null;
    this.time = 0;
    this.count = 0;
    this.node = el('section', 'jpt-card');
    this.node.dataset.channel = this.channel;
    this.node.setAttribute('role', 'group');
    this.node.setAttribute('aria-label', this.channel);
    const header = el('div', 'jpt-cardHeader');
    this.name = el('span', 'jpt-cardName', this.channel);
    this.name.title = this.channel;
    this.age = el('time', 'jpt-age');
    this.menu = el('select', 'jpt-showAs');
    this.menu.title = 'Show as…';
    this.menu.setAttribute('aria-label', `Show ${this.channel} as`);
    const auto = el('option', '', 'Auto');
    auto.value = '';
    this.menu.append(auto, ...KINDS.map(k => {
      const option = el('option', '', k.label);
      option.value = k.name;
      return option;
    }));
    this.menu.value = this.chosen ?? '';
    this.menu.addEventListener('change', () => {
      this.choose(this.menu.value || null);
      this.onKindChosen(this.channel, this.chosen);
    });
    this.buttons = el('span', 'jpt-cardButtons');
    for (const action of options.actions ?? []) {
      this.addAction(action);
    }
    header.append(this.name, this.age, this.menu, this.buttons);
    this.body = el('div', 'jpt-cardBody');
    this.node.append(header, this.body);
    if (this.chosen) {
      this.build(this.chosen);
    }
    watchOnScreen(this.node, () => requestDraw(this));
  }

  /** @param {CardAction} action */
  addAction(action) {
    const button = el('button', `jpt-cardButton jpt-${action.name}`, action.text);
    button.type = 'button';
    button.title = action.title;
    button.setAttribute('aria-label', action.title);
    button.addEventListener('click', () => action.onClick());
    this.buttons.append(button);
    return button;
  }

  /**
   * Pick the tile (null: follow the data again); the run so far is redrawn in it.
   * @param {string | null} kind
   */
  choose(kind) {
    this.chosen = kind;
    this.menu.value = kind ?? '';
    const last = this.history[this.history.length - 1];
    this.build(kind ?? (last ? this.decide(last) : 'json'));
  }

  /**
   * The tile an event asks for; on a card bound to a pattern (several channels overlaid), a
   * progress bar per channel for progress readings, else a chart with a series per channel.
   * @param {TileEvent} event
   */
  decide(event) {
    const kind = decide(event.channel, event.data);
    return this.multi ? (kind === 'progress' ? kind : 'chart') : kind;
  }

  /** @param {string} kind */
  build(kind) {
    this.tile?.destroy?.();
    this.kind = kind;
    this.tile = kindNamed(kind).create({ channel: this.channel, limits: this.limits, multi: this.multi, send: this.send });
    this.node.dataset.kind = kind;
    this.body.replaceChildren(this.tile.node);
    for (const event of this.history) {
      this.tile.push(event);
    }
    requestDraw(this);
  }

  /**
   * Add an event (cheap; drawn on the next animation frame).
   * @param {TileEvent} event
   */
  push(event) {
    this.history.push(event);
    if (this.history.length > this.limits.history + 256) {
      this.history.splice(0, this.history.length - this.limits.history);
    }
    this.time = event.time;
    this.count += 1;
    if (!this.chosen && !this.multi) {
      // a tile keeps its kind while the data still suits it: decide only when it may change
      const kind = this.kind;
      const keeps = kind !== null && kind !== 'json' && kindNamed(kind).matches(this.channel, event.data);
      const decided = keeps ? kind : decide(this.channel, event.data);
      if (decided !== null && decided !== kind) {
        this.build(decided); // replays the history, this event included
        return;
      }
    } else if (!this.tile) {
      this.build(this.chosen ?? this.decide(event));
      return;
    }
    this.tile?.push(event);
    requestDraw(this);
  }

  /**
   * Start again from these events (e.g. the channel's history, completed from the server).
   * @param {readonly TileEvent[]} events
   */
  replace(events) {
    this.history = [];
    this.count = 0;
    this.kind = null;
    this.tile?.destroy?.();
    this.tile = null;
    this.body.replaceChildren();
    if (this.chosen) {
      this.build(this.chosen);
    }
    this.pushAll(events);
  }

  /** @param {readonly TileEvent[]} events */
  pushAll(events) {
    for (const event of events) {
      this.push(event);
    }
  }

  draw() {
    this.tile?.draw();
    setAttr(this.node, 'data-count', String(this.count));
    this.tick();
  }

  /** Refresh the "… ago" label. */
  tick(now = Date.now() / 1000) {
    if (!this.time) {
      return;
    }
    const seconds = Math.max(0, Math.round(now - this.time));
    setText(this.age, seconds < 1 ? 'just now' : seconds < 60 ? `${seconds}s ago` : `${Math.floor(seconds / 60)}m ago`);
  }

  /** The tile's value in words (static fallbacks). */
  text() {
    return this.tile?.text() ?? '';
  }

  destroy() {
    this.tile?.destroy?.();
    unwatchOnScreen(this.node);
    this.node.remove();
  }
}
