/**
 * The "Live Dashboard" main-area panel: one tile per channel, in the user's layout, grouped
 * under the kernel that pushed it (the tile library's groups: a kernel's state is its group's
 * header, whose notebook name opens the notebook; a dead kernel's group can be dismissed).
 */

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
import { COMPARE_GROUP, Dismissals, groupKernel, groupOf, isKernelStateChannel } from './tiles/grouping.js';
import { Groups } from './tiles/groups.js';
import { TileAction, TileView } from './tileview';
import { IPushConnection } from './tokens';

const FRAME_BUDGET_MS = 10;

export class Dashboard extends Widget {
  private readonly views = new Map<string, TileView>();
  /** The group each tile is in (the kernel that pushed its latest value). */
  private readonly viewGroups = new Map<string, string>();
  /** The kernels' states, drawn as their groups' headers (latest each). */
  private readonly kernelStates = new Map<string, PushEvent>();
  private readonly groups: Groups;
  private dismissals = new Dismissals();
  private dismissedSaved: Record<string, number> | null = null;
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
    private readonly openSource: (source: PushSource) => void = () => undefined,
    openNotebook?: (kernelId: string, notebook: string) => void
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
    this.grid.className = 'jp-Push-groups jpt-groups';
    this.groups = new Groups(this.grid, { openNotebook, onDismiss: key => this.dismiss(key) });
    this.node.append(toolbar, this.compare.form, this.hint, this.hiddenList, this.empty, this.grid);
    this.syncDismissals();

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
    const channel = this.revealing;
    this.revealing = null;
    if (channel === null) {
      return;
    }
    // a tile, unfolding its group; a kernel's state: its group's header
    const group = this.viewGroups.get(channel) ?? groupOf(channel, undefined);
    const node = isKernelStateChannel(channel) ? this.groups.reveal(group) : this.views.get(channel)?.node;
    if (node) {
      this.groups.reveal(group);
      node.scrollIntoView({ block: 'nearest' });
      node.classList.remove('jp-mod-flash');
      void node.offsetWidth; // restart the animation
      node.classList.add('jp-mod-flash');
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
      cards: [
        ...[...this.kernelStates.values()].map(e => ({ channel: e.channel, kind: null, multi: false, events: [e] })),
        ...visible.map(channel => {
          const card = this.views.get(channel)!.card;
          return { channel, kind: card.chosen, multi: card.multi, events: [...card.history] };
        })
      ]
    };
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    download(document, `jupyter_push-${stamp}.html`, snapshotPage(library, snapshot));
  }

  private adopt(channel: string): boolean {
    if (this.views.has(channel)) {
      return false;
    }
    const recent = this.connection.channels.get(channel)?.recent ?? [];
    const last = recent[recent.length - 1];
    if (!last || this.dismissals.hides(groupOf(channel, last), last)) {
      return false;
    }
    if (isKernelStateChannel(channel)) {
      this.kernelEvent(last);
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
    this.noteGroup(channel, last);
    return true;
  }

  /** A kernel's state: its group's header. */
  private kernelEvent(event: PushEvent): void {
    if (this.dismissals.hides(groupOf(event.channel, event), event)) {
      return;
    }
    this.kernelStates.set(event.channel, event);
    this.groups.kernelEvent(event);
    this.empty.hidden = true;
  }

  /** Follow a tile's group (it sits under the kernel that pushed its latest value). */
  private noteGroup(channel: string, event: PushEvent): boolean {
    const key = groupOf(channel, event);
    if (channel.startsWith('$kernels/')) {
      this.groups.kernelEvent(event); // a kernel's resources: in its header too
    } else {
      this.groups.seen(key, event);
    }
    if (this.viewGroups.get(channel) === key) {
      return false;
    }
    this.viewGroups.set(channel, key);
    return true;
  }

  /** Take a dead kernel's group off the panel, its tiles with it, until it pushes again. */
  private dismiss(key: string): void {
    const kernel = groupKernel(key);
    if (kernel === null) {
      return;
    }
    let upTo = this.groups.header(key)?.latest ?? 0;
    for (const [channel, group] of [...this.viewGroups]) {
      const view = this.views.get(channel);
      if (group === key && view) {
        upTo = Math.max(upTo, view.card.time);
        view.card.destroy();
        this.views.delete(channel);
        this.viewGroups.delete(channel);
      }
    }
    this.kernelStates.delete(`$kernels/${kernel}`);
    this.groups.remove(key);
    this.dismissals.dismiss(kernel, upTo);
    const dismissed = this.dismissals.toJSON();
    this.dismissedSaved = dismissed;
    this.store.update(l => ({ ...l, dismissed }));
  }

  /** The dismissals kept in the layout (read back once the state database answered). */
  private syncDismissals(): void {
    const saved = this.store.layout.dismissed;
    if (saved !== this.dismissedSaved) {
      this.dismissedSaved = saved;
      this.dismissals = new Dismissals(saved);
    }
  }

  private onReceived(_: IPushConnection, events: readonly PushEvent[]): void {
    const adopted = new Set<string>();
    let regrouped = false;
    for (const event of events) {
      for (const [pattern, overlay] of this.overlays) {
        if (patternMatches(pattern, event.channel)) {
          overlay.push(event);
        }
      }
      if (isKernelStateChannel(event.channel)) {
        this.kernelEvent(event);
        continue;
      }
      if (adopted.has(event.channel)) {
        continue; // its tile was just built from the channel's recent events, this one included
      }
      const view = this.views.get(event.channel);
      if (view) {
        if (!this.dismissals.hides(groupOf(event.channel, event), event)) {
          view.push(event);
          regrouped = this.noteGroup(event.channel, event) || regrouped;
        }
      } else if (this.adopt(event.channel)) {
        adopted.add(event.channel);
      }
    }
    if (adopted.size || regrouped) {
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
      const view = this.views.get(channel);
      if (recent?.length && view) {
        view.replace(recent); // its recent events were completed from history
        added = this.noteGroup(channel, recent[recent.length - 1]) || added;
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
    const group = this.viewGroups.get(channel);
    const beside = (other: string) => this.viewGroups.get(other) === group;
    this.store.update(layout => {
      switch (action) {
        case 'pin':
          return setPinned(layout, channel, true);
        case 'unpin':
          return setPinned(layout, channel, false);
        case 'hide':
          return this.overlays.has(channel) ? setOverlay(layout, channel, false) : setHidden(layout, channel, true);
        case 'left':
          return move(layout, channels, channel, -1, beside);
        case 'right':
          return move(layout, channels, channel, 1, beside);
      }
    });
  }

  private arrangeTiles(): void {
    this.syncDismissals();
    const layout = this.store.layout;
    this.syncOverlays(layout.overlays);
    const { visible, hidden } = arrange(layout, this.views.keys());
    const pinned = new Set(layout.pinned);
    this.groups.arrange(
      visible.map(channel => {
        const view = this.views.get(channel)!;
        view.setPinned(pinned.has(channel));
        view.setKind(layout.kinds[channel] ?? null);
        const group = this.overlays.has(channel) ? COMPARE_GROUP : this.viewGroups.get(channel);
        return [group ?? groupOf(channel, undefined), view.node];
      })
    );
    this.empty.hidden = this.views.size > 0 || this.kernelStates.size > 0;
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
    this.groups.tick(now);
    this.showStatus();
  }
}
