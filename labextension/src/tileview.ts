/** One tile's DOM: a header with the user's controls and a body drawn for the tile's kind. */

import { JSONValue } from './protocol';
import { describeProgress, formatAge, formatNumber } from './format';
import { TileKind, TileState, chartView, progressView } from './tiles';

export type TileAction = 'pin' | 'unpin' | 'left' | 'right' | 'hide';

const SVG = 'http://www.w3.org/2000/svg';
const CHART_WIDTH = 300;
const CHART_HEIGHT = 90;
const TREE_CHILDREN = 100;
export const SERIES_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

interface Body {
  readonly node: HTMLElement;
  render(tile: TileState): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** Whether a tile is drawn as it is (a tile rebuilt from history is a new object). */
class Unchanged {
  private tile: TileState | null = null;
  private last: unknown = null;

  same(tile: TileState): boolean {
    const same = this.tile === tile && this.last === tile.last;
    this.tile = tile;
    this.last = tile.last;
    return same;
  }
}

class ProgressBody implements Body {
  readonly node = el('div', 'jp-Push-progress');
  private readonly fill = el('div', 'jp-Push-barFill');
  private readonly text = el('div', 'jp-Push-progressText');

  constructor() {
    const bar = el('div', 'jp-Push-bar');
    bar.setAttribute('role', 'progressbar');
    bar.append(this.fill);
    this.node.append(bar, this.text);
  }

  render(tile: TileState): void {
    const view = progressView(tile);
    if (!view) {
      return;
    }
    const percent = Math.round(view.fraction * 1000) / 10;
    this.fill.style.width = `${percent}%`;
    this.fill.parentElement!.setAttribute('aria-valuenow', String(percent));
    this.text.textContent = describeProgress(view);
  }
}

class SeriesBody implements Body {
  readonly node = el('div', 'jp-Push-series');
  private readonly svg = document.createElementNS(SVG, 'svg');
  private readonly legend = el('div', 'jp-Push-legend');
  private readonly range = el('div', 'jp-Push-range');

  constructor() {
    this.svg.setAttribute('viewBox', `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`);
    this.svg.setAttribute('preserveAspectRatio', 'none');
    this.svg.classList.add('jp-Push-chart');
    this.node.append(this.legend, this.svg, this.range);
  }

  render(tile: TileState): void {
    const view = chartView(tile.samples, CHART_WIDTH, CHART_HEIGHT);
    this.svg.replaceChildren(
      ...view.lines.map((line, i) => {
        const polyline = document.createElementNS(SVG, 'polyline');
        polyline.setAttribute('points', line.points);
        polyline.setAttribute('stroke', SERIES_COLORS[i % SERIES_COLORS.length]);
        polyline.setAttribute('vector-effect', 'non-scaling-stroke');
        polyline.dataset.series = line.name;
        return polyline;
      })
    );
    this.legend.replaceChildren(
      ...view.lines.map((line, i) => {
        const item = el('span', 'jp-Push-legendItem');
        item.style.setProperty('--jp-push-series-color', SERIES_COLORS[i % SERIES_COLORS.length]);
        item.dataset.series = line.name;
        item.textContent = view.lines.length > 1 || line.name !== 'value'
          ? `${line.name} ${formatNumber(line.latest)}`
          : formatNumber(line.latest);
        return item;
      })
    );
    this.range.textContent = view.lines.length
      ? `${tile.samples.length} points · min ${formatNumber(view.min)} · max ${formatNumber(view.max)}`
      : '';
  }
}

class TextBody implements Body {
  readonly node = el('pre', 'jp-Push-log');
  private shown = new Unchanged();

  render(tile: TileState): void {
    if (this.shown.same(tile)) {
      return;
    }
    const atBottom = this.node.scrollTop + this.node.clientHeight >= this.node.scrollHeight - 4;
    this.node.textContent = tile.lines.map(l => l.text).join('\n');
    if (atBottom) {
      this.node.scrollTop = this.node.scrollHeight;
    }
  }
}

class TreeBody implements Body {
  readonly node = el('div', 'jp-Push-tree');
  /** Paths the user opened or closed, kept across updates. */
  private readonly toggled = new Map<string, boolean>();
  private shown = new Unchanged();

  render(tile: TileState): void {
    if (this.shown.same(tile)) {
      return;
    }
    this.node.replaceChildren(this.value(tile.last.data, '$', 0));
  }

  private value(data: JSONValue, path: string, depth: number, key?: string): HTMLElement {
    const label = key === undefined ? '' : `${key}: `;
    if (data === null || typeof data !== 'object') {
      const leaf = el('div', 'jp-Push-treeLeaf', label);
      leaf.append(el('span', `jp-Push-json-${data === null ? 'null' : typeof data}`, JSON.stringify(data)));
      return leaf;
    }
    const entries: [string, JSONValue][] = Array.isArray(data)
      ? data.map((v, i) => [String(i), v])
      : Object.entries(data);
    const details = el('details', 'jp-Push-treeNode');
    details.open = this.toggled.get(path) ?? depth < 2;
    details.addEventListener('toggle', () => this.toggled.set(path, details.open));
    const summary = el('summary', '', `${label}${Array.isArray(data) ? `[${entries.length}]` : `{${entries.length}}`}`);
    details.append(summary);
    for (const [k, v] of entries.slice(0, TREE_CHILDREN)) {
      details.append(this.value(v, `${path}/${k}`, depth + 1, k));
    }
    if (entries.length > TREE_CHILDREN) {
      details.append(el('div', 'jp-Push-treeLeaf', `… ${entries.length - TREE_CHILDREN} more`));
    }
    return details;
  }
}

const BODIES: Record<TileKind, new () => Body> = {
  progress: ProgressBody,
  series: SeriesBody,
  text: TextBody,
  tree: TreeBody
};

export class TileView {
  readonly node = el('div', 'jp-Push-tile');
  private readonly age = el('span', 'jp-Push-age');
  private readonly pinButton: HTMLButtonElement;
  private body: Body | null = null;
  private kind: TileKind | null = null;
  private time = 0;

  constructor(
    readonly channel: string,
    onAction: (channel: string, action: TileAction) => void
  ) {
    this.node.dataset.channel = channel;
    const header = el('div', 'jp-Push-tileHeader');
    const name = el('span', 'jp-Push-tileName', channel);
    name.title = channel;
    const button = (action: TileAction, text: string, title: string) => {
      const b = el('button', `jp-Push-tileButton jp-Push-${action}`, text);
      b.title = title;
      b.addEventListener('click', () =>
        onAction(channel, action === 'pin' && this.node.classList.contains('jp-mod-pinned') ? 'unpin' : action)
      );
      return b;
    };
    this.pinButton = button('pin', '☆', 'Pin to the top');
    header.append(
      name,
      this.age,
      this.pinButton,
      button('left', '◀', 'Move earlier'),
      button('right', '▶', 'Move later'),
      button('hide', '✕', 'Hide this tile')
    );
    this.node.append(header);
  }

  setPinned(pinned: boolean): void {
    this.node.classList.toggle('jp-mod-pinned', pinned);
    this.pinButton.title = pinned ? 'Unpin' : 'Pin to the top';
    this.pinButton.textContent = pinned ? '★' : '☆';
  }

  render(tile: TileState): void {
    if (tile.kind !== this.kind || !this.body) {
      this.body?.node.remove();
      this.kind = tile.kind;
      this.body = new BODIES[tile.kind]();
      this.node.dataset.kind = tile.kind;
      this.node.append(this.body.node);
    }
    this.body.render(tile);
    this.time = tile.last.time;
    this.node.dataset.count = String(tile.count);
    this.tick();
  }

  /** Refresh the "arrived … ago" label. */
  tick(now = Date.now() / 1000): void {
    this.age.textContent = formatAge(Math.max(0, now - this.time));
    this.age.title = new Date(this.time * 1000).toLocaleString();
  }
}
