/** The "Live Dashboard" main-area panel: one tile per channel, in the user's layout. */

import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { pulseIcon } from './icons';
import { CompareForm, overlayEvents } from './compare';
import { arrange, move, setHidden, setKind, setOverlay, setPinned } from './layout';
import { LayoutStore } from './layoutstore';
import { PushEvent, PushSource } from './protocol';
import { StatusBadge, renderHint } from './statusview';
import { ensureStyles } from './tiles/style.js';
import { download, snapshotPage } from './tiles/snapshot.js';
import { patternMatches } from './tiles/pattern.js';
import { drawDirty } from './tiles/schedule.js';
import { TileAction, TileView } from './tileview';
import { IPushConnection } from './tokens';

const FRAME_BUDGET_MS = 10;

export class Dashboard extends Widget {
  private readonly views = new Map<string, TileView>();
  private readonly status: StatusBadge;
  private readonly hint = document.createElement('div');
  private readonly grid = document.createElement('div');
  private readonly empty = document.createElement('div');
  private readonly hiddenButton = document.createElement('button');
  private readonly hiddenList = document.createElement('div');
  private readonly saveButton = document.createElement('button');
  private readonly compare = new CompareForm(pattern => this.store.update(l => setOverlay(l, pattern, true)));
  /** The "Compare…" tiles, by pattern (also in `views`). */
  private readonly overlays = new Map<string, TileView>();
  private clock: number | undefined;
  private revealing: string | null = null;

  constructor(
    private readonly connection: IPushConnection,
    private readonly store: LayoutStore,
    private readonly openSource: (source: PushSource) => void = () => undefined
  ) {
    super();
    this.id = 'jupyter-push-dashboard';
    this.title.label = 'Live Dashboard';
    this.title.caption = 'Live values of jupyter_push channels';
    this.title.icon = pulseIcon;
    this.title.closable = true;
    this.addClass('jp-Push-dashboard');
    ensureStyles(document);

    this.status = new StatusBadge(() => connection.reconnect());
    const toolbar = document.createElement('div');
    toolbar.className = 'jp-Push-toolbar';
    const title = document.createElement('span');
    title.className = 'jp-Push-title';
    title.textContent = 'Live Dashboard';
    this.hiddenButton.className = 'jp-Push-showHidden';
    this.hiddenButton.addEventListener('click', () => {
      this.hiddenList.hidden = !this.hiddenList.hidden;
    });
    this.saveButton.className = 'jp-Push-save';
    this.saveButton.textContent = 'Save snapshot';
    this.saveButton.title = 'Save the tiles, with their history, as one offline HTML file';
    this.saveButton.addEventListener('click', () => void this.saveSnapshot());
    toolbar.append(title, this.status.node, this.compare.button, this.saveButton, this.hiddenButton);
    this.hint.className = 'jp-Push-hint';
    this.hiddenList.className = 'jp-Push-hiddenList';
    this.hiddenList.hidden = true;
    this.empty.className = 'jp-Push-empty';
    this.empty.textContent =
      'No events yet. From a notebook: from jupyter_push import push; push("progress", 40)';
    this.grid.className = 'jp-Push-tiles';
    this.node.append(toolbar, this.compare.form, this.hint, this.hiddenList, this.empty, this.grid);

    for (const record of connection.channels.values()) {
      this.adopt(record.name);
    }
    this.showStatus();
    this.arrangeTiles();
    connection.received.connect(this.onReceived, this);
    connection.channelsChanged.connect(this.onChannelsChanged, this);
    connection.statusChanged.connect(this.showStatus, this);
    store.changed.connect(this.arrangeTiles, this);
  }

  /** Bring a channel's tile into view (un-hiding it). */
  reveal(channel: string): void {
    if (this.store.layout.hidden.includes(channel)) {
      this.store.update(l => setHidden(l, channel, false));
    }
    this.revealing = channel;
    this.update(); // scroll once the panel is laid out (it may have just been attached)
  }

  protected onUpdateRequest(msg: Message): void {
    super.onUpdateRequest(msg);
    const view = this.revealing === null ? undefined : this.views.get(this.revealing);
    this.revealing = null;
    if (view) {
      view.node.scrollIntoView({ block: 'nearest' });
      view.node.classList.remove('jp-mod-flash');
      void view.node.offsetWidth; // restart the animation
      view.node.classList.add('jp-mod-flash');
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearInterval(this.clock);
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.clock = window.setInterval(() => this.tick(), 1000);
  }

  protected onBeforeDetach(msg: Message): void {
    window.clearInterval(this.clock);
    super.onBeforeDetach(msg);
  }

  /** The snapshot file: every tile with its history, the tile library inlined. */
  async saveSnapshot(): Promise<void> {
    const library = await this.connection.fetchText('tiles.js');
    if (library === null) {
      this.saveButton.title = 'Could not read push/tiles.js from the server';
      return;
    }
    const { visible } = arrange(this.store.layout, this.views.keys());
    const snapshot = {
      format: 'jupyter_push.tiles' as const,
      version: 1 as const,
      title: 'jupyter_push run',
      saved: Date.now() / 1000,
      cards: visible.map(channel => {
        const card = this.views.get(channel)!.card;
        return { channel, kind: card.chosen, multi: card.multi, events: [...card.history] };
      })
    };
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    download(document, `jupyter_push-${stamp}.html`, snapshotPage(library, snapshot));
  }

  private adopt(channel: string): boolean {
    if (this.views.has(channel)) {
      return false;
    }
    const recent = this.connection.channels.get(channel)?.recent ?? [];
    if (!recent.length) {
      return false;
    }
    const view = new TileView(
      channel,
      this.store.layout.kinds[channel] ?? null,
      (c, a) => this.act(c, a),
      (c, k) => this.store.update(l => setKind(l, c, k)),
      (c, data) => this.connection.send(c, data),
      source => this.openSource(source)
    );
    view.replace(recent);
    this.views.set(channel, view);
    return true;
  }

  private onReceived(_: IPushConnection, events: readonly PushEvent[]): void {
    const adopted = new Set<string>();
    for (const event of events) {
      for (const [pattern, overlay] of this.overlays) {
        if (patternMatches(pattern, event.channel)) {
          overlay.push(event);
        }
      }
      if (adopted.has(event.channel)) {
        continue; // its tile was just built from the channel's recent events, this one included
      }
      const view = this.views.get(event.channel);
      if (view) {
        view.push(event);
      } else if (this.adopt(event.channel)) {
        adopted.add(event.channel);
      }
    }
    if (adopted.size) {
      this.arrangeTiles();
    }
    // `received` comes in an animation frame already: draw now rather than in the next one
    drawDirty(FRAME_BUDGET_MS);
  }

  private onChannelsChanged(_: IPushConnection, channels: readonly string[]): void {
    let added = false;
    for (const channel of channels) {
      if (this.adopt(channel)) {
        added = true;
        continue;
      }
      const recent = this.connection.channels.get(channel)?.recent;
      if (recent?.length) {
        this.views.get(channel)?.replace(recent); // its recent events were completed from history
      }
    }
    for (const [pattern, overlay] of this.overlays) {
      if (channels.some(c => patternMatches(pattern, c))) {
        overlay.replace(overlayEvents(pattern, this.connection.channels.values()));
      }
    }
    if (added) {
      this.arrangeTiles();
    }
  }

  /** Make and drop the "Compare…" tiles the layout names. */
  private syncOverlays(patterns: readonly string[]): void {
    for (const [pattern, view] of this.overlays) {
      if (!patterns.includes(pattern)) {
        this.overlays.delete(pattern);
        this.views.delete(pattern);
        view.card.destroy();
      }
    }
    for (const pattern of patterns) {
      if (this.overlays.has(pattern)) {
        continue;
      }
      const view = new TileView(
        pattern,
        this.store.layout.kinds[pattern] ?? null,
        (c, a) => this.act(c, a),
        (c, k) => this.store.update(l => setKind(l, c, k)),
        undefined,
        undefined,
        true
      );
      view.node.classList.add('jp-Push-overlay');
      view.replace(overlayEvents(pattern, this.connection.channels.values()));
      this.overlays.set(pattern, view);
      this.views.set(pattern, view);
    }
  }

  private act(channel: string, action: TileAction): void {
    const channels = [...this.views.keys()];
    this.store.update(layout => {
      switch (action) {
        case 'pin':
          return setPinned(layout, channel, true);
        case 'unpin':
          return setPinned(layout, channel, false);
        case 'hide':
          return this.overlays.has(channel) ? setOverlay(layout, channel, false) : setHidden(layout, channel, true);
        case 'left':
          return move(layout, channels, channel, -1);
        case 'right':
          return move(layout, channels, channel, 1);
      }
    });
  }

  private arrangeTiles(): void {
    const layout = this.store.layout;
    this.syncOverlays(layout.overlays);
    const { visible, hidden } = arrange(layout, this.views.keys());
    const pinned = new Set(layout.pinned);
    const nodes = visible.map(channel => {
      const view = this.views.get(channel)!;
      view.setPinned(pinned.has(channel));
      view.setKind(layout.kinds[channel] ?? null);
      return view.node;
    });
    const current = [...this.grid.children];
    if (current.length !== nodes.length || current.some((n, i) => n !== nodes[i])) {
      this.grid.replaceChildren(...nodes);
    }
    this.empty.hidden = this.views.size > 0;
    this.hiddenButton.hidden = hidden.length === 0;
    this.hiddenButton.textContent = `Hidden (${hidden.length})`;
    this.hiddenList.replaceChildren(
      ...hidden.map(channel => {
        const b = document.createElement('button');
        b.className = 'jp-Push-unhide';
        b.dataset.channel = channel;
        b.textContent = `Show ${channel}`;
        b.addEventListener('click', () => this.store.update(l => setHidden(l, channel, false)));
        return b;
      })
    );
    if (!hidden.length) {
      this.hiddenList.hidden = true;
    }
  }

  private showStatus(): void {
    const status = this.connection.status;
    this.status.render(status);
    renderHint(this.hint, status);
  }

  private tick(): void {
    if (!this.isVisible) {
      return;
    }
    const now = Date.now() / 1000;
    for (const view of this.views.values()) {
      view.tick(now);
    }
    this.showStatus();
  }
}
