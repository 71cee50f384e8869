// @ts-check
/**
 * Dashboard widget view: its channel widgets grouped as in the JupyterLab panel and the viewer,
 * with the tile library's groups (groups.js, rules in grouping.js): under the kernel that pushed
 * each channel's latest value, headed by its notebook and the kernel's state; comparisons first.
 * Each channel widget draws itself (anywidget's `host.getWidget`) in the place the groups give
 * it. A dead kernel's group can be dismissed: kept in the widget's `dismissed` (every view of it
 * and its static fallback leave the group out) until the kernel runs again (the kernel side
 * takes it back then).
 */

import { COMPARE_GROUP, Groups, drawDirty, ensureStyles, groupOf, kernelGroup } from './tiles.js';

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
  /** Groups the user dismissed (dead kernels'), from the widget's state. */
  const dismissedGroups = () => new Set(/** @type {string[]} */ (model.get('dismissed') || []));
  const groups = new Groups(root, {
    onDismiss: key => {
      model.set('dismissed', [...dismissedGroups(), key]);
      model.save_changes();
      update();
    }
  });
  const stop = new AbortController();
  /** Each channel widget's place, by widget reference. @type {Map<string, HTMLElement>} */
  const places = new Map();
  /** The kernel states drawn so far (as JSON), by kernel id. @type {Map<string, string>} */
  const drawnStates = new Map();

  const update = () => {
    /** @type {Record<string, any>} */
    const kernels = model.get('kernels') || {};
    const dismissed = dismissedGroups();
    /** @type {DashboardTile[]} */
    const tiles = (model.get('tiles') || []).filter(/** @param {DashboardTile} t */ t => !dismissed.has(tileGroup(t)));
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
    for (const key of dismissed) {
      groups.remove(key);
    }
    groups.arrange(tiles.map(t => [tileGroup(t), /** @type {HTMLElement} */ (places.get(t.widget))]));
    for (const tile of tiles) {
      if (!tile.overlay) {
        // the header names the kernel's notebook from its channels' source
        groups.seen(tileGroup(tile), { channel: tile.channel, data: null, time: 0, source: tile.source });
      }
    }
    // the state of each kernel with a group here (not every kernel on the server)
    const grouped = new Set(tiles.map(tileGroup));
    for (const [kernel, state] of Object.entries(kernels)) {
      const text = JSON.stringify(state);
      if (grouped.has(kernelGroup(kernel)) && drawnStates.get(kernel) !== text) {
        drawnStates.set(kernel, text);
        groups.kernelEvent({ channel: `$kernels/${kernel}`, data: state, time: Date.now() / 1000 });
      }
    }
    drawDirty();
  };
  update();
  model.on('change:tiles', update);
  model.on('change:kernels', update);
  model.on('change:dismissed', update);
  const ticker = setInterval(() => groups.tick(), 1000);
  return () => {
    model.off('change:tiles', update);
    model.off('change:kernels', update);
    model.off('change:dismissed', update);
    clearInterval(ticker);
    stop.abort();
  };
}

export default { render };
