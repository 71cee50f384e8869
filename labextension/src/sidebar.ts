/** The left sidebar: channels grouped by source notebook, with their latest value and age. */

import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { OTHER_GROUP, groupChannels, groupOf } from './groups';
import { pulseIcon } from './icons';
import { PushEvent } from './protocol';
import { StatusBadge, renderHint } from './statusview';
import { formatAge, summarize } from './format';
import { CommandIDs, IPushConnection } from './tokens';

interface Row {
  node: HTMLElement;
  value: HTMLElement;
  age: HTMLElement;
  group: string;
}

export class ChannelSidebar extends Widget {
  private readonly rows = new Map<string, Row>();
  private readonly list = document.createElement('div');
  private readonly hint = document.createElement('div');
  private readonly status: StatusBadge;
  private clock: number | undefined;
  private stale = true;

  constructor(
    private readonly connection: IPushConnection,
    private readonly commands: CommandRegistry
  ) {
    super();
    this.id = 'jupyter-push-sidebar';
    this.title.icon = pulseIcon;
    this.title.caption = 'Live channels';
    this.addClass('jp-Push-sidebar');

    const header = document.createElement('div');
    header.className = 'jp-Push-sidebarHeader';
    const title = document.createElement('span');
    title.className = 'jp-Push-title';
    title.textContent = 'Live channels';
    this.status = new StatusBadge(() => connection.reconnect());
    const open = document.createElement('button');
    open.className = 'jp-Push-openDashboard';
    open.textContent = 'Open dashboard';
    open.addEventListener('click', () => void commands.execute(CommandIDs.open));
    header.append(title, this.status.node, open);
    this.hint.className = 'jp-Push-hint';
    this.list.className = 'jp-Push-channelList';
    this.node.append(header, this.hint, this.list);

    connection.received.connect(this.onReceived, this);
    connection.channelsChanged.connect(this.onChannelsChanged, this);
    connection.statusChanged.connect(this.showStatus, this);
    this.showStatus();
  }

  dispose(): void {
    window.clearInterval(this.clock);
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.clock = window.setInterval(() => this.tick(), 1000);
    if (this.stale) {
      this.rebuild();
    }
  }

  protected onBeforeDetach(msg: Message): void {
    window.clearInterval(this.clock);
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this.stale) {
      this.rebuild();
    }
  }

  private onReceived(_: IPushConnection, events: readonly PushEvent[]): void {
    const latest = new Map<string, PushEvent>();
    for (const event of events) {
      latest.set(event.channel, event);
    }
    for (const event of latest.values()) {
      const row = this.rows.get(event.channel);
      if (!row || row.group !== groupOf(event)) {
        this.rebuild();
        return;
      }
    }
    if (!this.isVisible) {
      this.stale = true;
      return;
    }
    for (const event of latest.values()) {
      this.fill(this.rows.get(event.channel)!, event);
    }
  }

  private onChannelsChanged(_: IPushConnection, channels: readonly string[]): void {
    if (channels.some(channel => !this.rows.has(channel))) {
      this.rebuild();
    }
  }

  private rebuild(): void {
    if (!this.isVisible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    const channels = this.connection.channels;
    this.rows.clear();
    const groups = groupChannels([...channels.values()].map(r => r.last));
    this.list.replaceChildren(
      ...groups.map(group => {
        const section = document.createElement('section');
        section.className = 'jp-Push-group';
        section.dataset.group = group.name;
        const heading = document.createElement('h3');
        heading.textContent = group.name === OTHER_GROUP ? 'other' : group.name;
        heading.title = group.name;
        section.append(heading, ...group.channels.map(name => this.row(name, group.name).node));
        return section;
      })
    );
    for (const [name, row] of this.rows) {
      this.fill(row, channels.get(name)!.last);
    }
    if (!groups.length) {
      const empty = document.createElement('div');
      empty.className = 'jp-Push-empty';
      empty.textContent = 'No channels yet.';
      this.list.append(empty);
    }
  }

  private row(channel: string, group: string): Row {
    const node = document.createElement('div');
    node.className = 'jp-Push-channel';
    node.dataset.channel = channel;
    node.title = `Show ${channel} in the Live Dashboard`;
    const name = document.createElement('span');
    name.className = 'jp-Push-channelName';
    name.textContent = channel;
    const value = document.createElement('span');
    value.className = 'jp-Push-channelValue';
    const age = document.createElement('span');
    age.className = 'jp-Push-age';
    node.append(name, value, age);
    node.addEventListener('click', () => void this.commands.execute(CommandIDs.open, { channel }));
    const row = { node, value, age, group };
    this.rows.set(channel, row);
    return row;
  }

  private fill(row: Row, event: PushEvent): void {
    row.value.textContent = summarize(event.data);
    row.age.dataset.time = String(event.time);
    row.age.textContent = formatAge(Math.max(0, Date.now() / 1000 - event.time));
  }

  private showStatus(): void {
    this.status.render(this.connection.status);
    renderHint(this.hint, this.connection.status);
  }

  private tick(): void {
    if (!this.isVisible) {
      return;
    }
    const now = Date.now() / 1000;
    for (const row of this.rows.values()) {
      row.age.textContent = formatAge(Math.max(0, now - Number(row.age.dataset.time)));
    }
    this.showStatus();
  }
}
