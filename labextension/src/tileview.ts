/**
 * One tile of the panel: the tile library's card (header with "Show as…", the tile drawn for
 * the channel's data) with the panel's own buttons: pin, move, hide.
 */

import { sourceLabel } from './jump';
import { PushEvent, PushSource } from './protocol';
import { Card } from './tiles/card.js';
import type { Send } from './tiles/types.js';

export type TileAction = 'pin' | 'unpin' | 'left' | 'right' | 'hide';

export class TileView {
  readonly card: Card;
  private readonly pinButton: HTMLButtonElement;
  private readonly sourceButton: HTMLButtonElement;
  private source: PushSource | undefined;
  /** What the source button shows (path, execution count, cell), to skip unchanged writes. */
  private shownSource: string | null = null;

  constructor(
    readonly channel: string,
    kind: string | null,
    onAction: (channel: string, action: TileAction) => void,
    onKindChosen: (channel: string, kind: string | null) => void,
    send?: (channel: string, data: unknown) => Promise<unknown>,
    onSource: (source: PushSource) => void = () => undefined,
    multi = false
  ) {
    this.card = new Card({ channel, kind, onKindChosen, send: send as Send | undefined, multi });
    // the source badge: the cell (execution count) that pushed the latest value; opens it
    this.sourceButton = this.card.addAction({
      name: 'source',
      text: '',
      title: 'Go to the cell that pushed this',
      onClick: () => this.source && onSource(this.source)
    });
    this.sourceButton.classList.add('jp-Push-source');
    this.sourceButton.hidden = true;
    const act = (action: TileAction) => () =>
      onAction(channel, action === 'pin' && this.node.classList.contains('jp-mod-pinned') ? 'unpin' : action);
    const button = (name: TileAction, text: string, title: string) => {
      const b = this.card.addAction({ name, text, title, onClick: act(name) });
      b.classList.add('jp-Push-tileButton', `jp-Push-${name}`);
      return b;
    };
    this.pinButton = button('pin', '☆', 'Pin to the top');
    button('left', '◀', 'Move earlier');
    button('right', '▶', 'Move later');
    button('hide', '✕', multi ? 'Remove this comparison' : 'Hide this tile');
    this.node.classList.add('jp-Push-tile');
  }

  get node(): HTMLElement {
    return this.card.node;
  }

  setPinned(pinned: boolean): void {
    this.node.classList.toggle('jp-mod-pinned', pinned);
    this.pinButton.title = pinned ? 'Unpin' : 'Pin to the top';
    this.pinButton.setAttribute('aria-label', this.pinButton.title);
    this.pinButton.textContent = pinned ? '★' : '☆';
  }

  /** Apply the kind kept in the layout (null: follow the data). */
  setKind(kind: string | null): void {
    if (kind !== this.card.chosen) {
      this.card.choose(kind);
    }
  }

  push(event: PushEvent): void {
    this.card.push(event);
    this.showSource(event.source);
  }

  /** Start again from the channel's recent events (completed from history). */
  replace(events: readonly PushEvent[]): void {
    this.card.replace(events);
    this.showSource(events[events.length - 1]?.source);
  }

  private showSource(source: PushSource | undefined): void {
    // runs for every event: the button changes only when the cell that pushes does
    const shown = `${source?.path}\0${source?.execution_count}\0${source?.cell}`;
    this.source = source;
    if (shown === this.shownSource) {
      return;
    }
    this.shownSource = shown;
    const label = sourceLabel(source);
    this.sourceButton.hidden = label === null;
    this.sourceButton.textContent = label ?? '';
    if (source?.path) {
      this.sourceButton.title = `Go to ${label === 'cell' ? 'the notebook' : `cell ${label}`} of ${source.path}`;
      this.sourceButton.dataset.cell = source.cell ?? '';
    }
  }

  tick(now = Date.now() / 1000): void {
    this.card.tick(now);
  }
}

