// @ts-check
/** Progress widget view: the tile library's progress bar (rate and ETA from the kernel). */

import { follow, mountCard } from './host.js';

/** @param {{ model: any, el: HTMLElement }} view */
function render({ model, el }) {
  const card = mountCard(model, el, 'progress');
  return follow(model, ['value', 'total', 'rate', 'eta'], () => {
    const data = { value: model.get('value'), total: model.get('total'), rate: model.get('rate'), eta: model.get('eta') };
    card.push({ channel: model.get('channel'), data, time: Date.now() / 1000 });
  });
}

export default { render };
