/** The "Live Dashboard" main-area panel: one tile per channel, in the user's layout. */

import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { pulseIcon } from './icons';
import { arrange, move, setHidden, setPinned } from './layout';
import { LayoutStore } from './layoutstore';
import { PushEvent } from './protocol';
import { StatusBadge, renderHint } from './statusview';
import { TileState, applyEvent, tileFromEvents } from './tiles';
import { TileAction, TileView } from './tileview';
import { IPushConnection } from './tokens';

export class Dashboard extends Widget {
  private readonly tiles = new Map<string, TileState>();
  private readonly views = new Map<string, TileView>();
  private readonly dirty = new Set<string>();
  private readonly status: StatusBadge;
  private readonly hint = document.createElement('div');
  private readonly grid = document.createElement('div');
  private readonly empty = document.createElement('div');
  private readonly hiddenButton = document.createElement('button');
  private readonly hiddenList = document.createElement('div');
  private clock: number | undefined;
  private revealing: string | null = null;

  constructor(
    private readonly connection: IPushConnection,
    private readonly store: LayoutStore
  ) {
    super();
    this.id = 'jupyter-push-dashboard';
    this.title.label = 'Live Dashboard';
    this.title.caption = 'Live values of jupyter_push channels';
    this.title.icon = pulseIcon;
    this.title.closable = true;
    this.addClass('jp-Push-dashboard');

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
    toolbar.append(title, this.status.node, this.hiddenButton);
    this.hint.className = 'jp-Push-hint';
    this.hiddenList.className = 'jp-Push-hiddenList';
    this.hiddenList.hidden = true;
    this.empty.className = 'jp-Push-empty';
    this.empty.textContent =
      'No events yet. From a notebook: from jupyter_push import push; push("progress", 40)';
    this.grid.className = 'jp-Push-tiles';
    this.node.append(toolbar, this.hint, this.hiddenList, this.empty, this.grid);

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
    this.renderDirty();
  }

  protected onBeforeDetach(msg: Message): void {
    window.clearInterval(this.clock);
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.renderDirty();
  }

  private adopt(channel: string): boolean {
    if (this.tiles.has(channel)) {
      return false;
    }
    const tile = tileFromEvents(this.connection.channels.get(channel)?.recent ?? []);
    if (!tile) {
      return false;
    }
    this.tiles.set(channel, tile);
    this.views.set(channel, new TileView(channel, (c, a) => this.act(c, a)));
    this.dirty.add(channel);
    return true;
  }

  private onReceived(_: IPushConnection, events: readonly PushEvent[]): void {
    const adopted = new Set<string>();
    for (const event of events) {
      if (adopted.has(event.channel)) {
        continue; // its tile was just built from the channel's recent events, this one included
      }
      const tile = this.tiles.get(event.channel);
      if (tile) {
        applyEvent(tile, event);
        this.dirty.add(event.channel);
      } else if (this.adopt(event.channel)) {
        adopted.add(event.channel);
      }
    }
    if (adopted.size) {
      this.arrangeTiles();
    } else {
      this.renderDirty();
    }
  }

  private onChannelsChanged(_: IPushConnection, channels: readonly string[]): void {
    let added = false;
    for (const channel of channels) {
      if (this.adopt(channel)) {
        added = true;
        continue;
      }
      const tile = tileFromEvents(this.connection.channels.get(channel)?.recent ?? []);
      if (tile) {
        this.tiles.set(channel, tile); // its recent events were completed from history
        this.dirty.add(channel);
      }
    }
    if (added) {
      this.arrangeTiles();
    } else {
      this.renderDirty();
    }
  }

  private act(channel: string, action: TileAction): void {
    const channels = [...this.tiles.keys()];
    this.store.update(layout => {
      switch (action) {
        case 'pin':
          return setPinned(layout, channel, true);
        case 'unpin':
          return setPinned(layout, channel, false);
        case 'hide':
          return setHidden(layout, channel, true);
        case 'left':
          return move(layout, channels, channel, -1);
        case 'right':
          return move(layout, channels, channel, 1);
      }
    });
  }

  private arrangeTiles(): void {
    const layout = this.store.layout;
    const { visible, hidden } = arrange(layout, this.tiles.keys());
    const pinned = new Set(layout.pinned);
    const nodes = visible.map(channel => {
      const view = this.views.get(channel)!;
      view.setPinned(pinned.has(channel));
      return view.node;
    });
    const current = [...this.grid.children];
    if (current.length !== nodes.length || current.some((n, i) => n !== nodes[i])) {
      this.grid.replaceChildren(...nodes);
    }
    this.empty.hidden = this.tiles.size > 0;
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
    this.renderDirty();
  }

  private renderDirty(): void {
    if (!this.isVisible) {
      return; // drawn when shown again
    }
    for (const channel of this.dirty) {
      const tile = this.tiles.get(channel);
      if (tile) {
        this.views.get(channel)!.render(tile);
      }
    }
    this.dirty.clear();
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
