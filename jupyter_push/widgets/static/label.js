// @ts-check
/** Label widget view: the latest value, as the tile library's JSON tile shows it. */

import { follow, mountCard } from './host.js';

/** @param {{ model: any, el: HTMLElement }} view */
function render({ model, el }) {
  const card = mountCard(model, el, 'json');
  return follow(model, ['value'], () => {
    card.push({ channel: model.get('channel'), data: model.get('value'), time: Date.now() / 1000 });
  });
}

export default { render };
