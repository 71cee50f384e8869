// @ts-check
/** Chart widget view: the tile library's chart, fed with the widget's series. */

import { follow, mountCard } from './host.js';

/** @param {{ model: any, el: HTMLElement }} view */
function render({ model, el }) {
  const card = mountCard(model, el, 'chart');
  return follow(model, ['series'], () => {
    const channel = model.get('channel');
    /** @type {{ channel: string, data: Record<string, number>, time: number }[]} */
    const events = [];
    for (const [name, points] of Object.entries(model.get('series') || {})) {
      for (const [x, y] of /** @type {[number, number][]} */ (points)) {
        events.push({ channel, data: { [name]: y, step: x }, time: 0 });
      }
    }
    card.replace(events);
  });
}

export default { render };
