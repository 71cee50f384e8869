// @ts-check
/**
 * Dashboard widget view: its channel widgets grouped as in the JupyterLab panel and the viewer,
 * with the tile library's groups (groups.js, rules in grouping.js): under the kernel that pushed
 * each channel's latest value, headed by its notebook; comparisons first. Each channel widget
 * draws itself (anywidget's `host.getWidget`) in the place the groups give it.
 */

import { COMPARE_GROUP, Groups, drawDirty, ensureStyles, groupOf } from './tiles.js';

/**
 * @typedef {{ widget: string, channel: string, overlay: boolean,
 *             source: { kernel?: string, path?: string } }} DashboardTile
 * @typedef {{ getWidget(ref: string): Promise<{ render(options: { el: HTMLElement, signal?: AbortSignal }): Promise<void> }> }} Host
 */

/**
 * The group a tile goes in (pure): a comparison's, or its channel's.
 * @param {DashboardTile} tile
 */
export function tileGroup(tile) {
  return tile.overlay ? COMPARE_GROUP : groupOf(tile.channel, { channel: tile.channel, data: null, time: 0, source: tile.source });
}

/** @param {{ model: any, el: HTMLElement, host: Host }} view */
function render({ model, el, host }) {
  ensureStyles(document);
  el.classList.add('jpp-widget', 'jpp-dashboard');
  if (typeof host?.getWidget !== 'function') {
    // the page's anywidget front end predates widget composition: say what to do
    el.textContent = 'This Dashboard needs anywidget 0.11 or newer where JupyterLab runs (pip install -U anywidget).';
    return () => undefined;
  }
  const root = document.createElement('div');
  root.className = 'jpt-groups';
  el.append(root);
  const groups = new Groups(root);
  const stop = new AbortController();
  /** Each channel widget's place, by widget reference. @type {Map<string, HTMLElement>} */
  const places = new Map();

  const update = () => {
    /** @type {DashboardTile[]} */
    const tiles = model.get('tiles') || [];
    for (const tile of tiles) {
      if (places.has(tile.widget)) {
        continue;
      }
      const place = document.createElement('div');
      place.className = 'jpp-dashboardTile';
      place.dataset.channel = tile.channel;
      places.set(tile.widget, place);
      host.getWidget(tile.widget)
        .then(widget => widget.render({ el: place, signal: stop.signal }))
        .catch(error => {
          place.textContent = `${tile.channel}: ${error}`;
        });
    }
    const shown = new Set(tiles.map(t => t.widget));
    for (const [ref, place] of places) {
      if (!shown.has(ref)) {
        place.remove();
        places.delete(ref);
      }
    }
    groups.arrange(tiles.map(t => [tileGroup(t), /** @type {HTMLElement} */ (places.get(t.widget))]));
    for (const tile of tiles) {
      if (!tile.overlay) {
        // the header names the kernel's notebook from its channels' source
        groups.seen(tileGroup(tile), { channel: tile.channel, data: null, time: 0, source: tile.source });
      }
    }
    drawDirty();
  };
  update();
  model.on('change:tiles', update);
  const ticker = setInterval(() => groups.tick(), 1000);
  return () => {
    model.off('change:tiles', update);
    clearInterval(ticker);
    stop.abort();
  };
}

export default { render };
