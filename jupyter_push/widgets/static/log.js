// @ts-check
/** Log widget view: the tile library's log (follow/pause, filter). */

import { follow, mountCard } from './host.js';

/** @param {{ model: any, el: HTMLElement }} view */
function render({ model, el }) {
  const card = mountCard(model, el, 'log');
  return follow(model, ['lines'], () => {
    const channel = model.get('channel');
    card.replace((model.get('lines') || []).map((/** @type {string} */ text) => ({ channel, data: text, time: 0 })));
  });
}

export default { render };
