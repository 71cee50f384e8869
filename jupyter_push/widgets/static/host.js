// @ts-check
/**
 * A notebook widget's view: a card of the tile library (the same tiles as the JupyterLab panel
 * and the viewer) in the widget's element; the tile chosen in "Show as…" is kept in the
 * widget's `kind` trait (saved with the notebook's widget state).
 */

import { Card, drawDirty, ensureStyles } from './tiles.js';

/**
 * @typedef {{ get(name: string): any, set(name: string, value: any): void, save_changes(): void,
 *             on(event: string, callback: () => void): void, off(event: string, callback: () => void): void }} Model
 */

/**
 * @param {Model} model
 * @param {HTMLElement} el
 * @param {string} kind the widget's own tile kind
 */
export function mountCard(model, el, kind) {
  ensureStyles(document);
  el.classList.add('jpp-widget');
  const card = new Card({
    channel: model.get('description') || model.get('channel') || kind,
    kind: model.get('kind') || kind,
    onKindChosen: (_channel, chosen) => {
      model.set('kind', chosen || '');
      model.save_changes();
    }
  });
  el.append(card.node);
  return card;
}

/**
 * Call `update` now and on every change of `names`; draw at once the first time (a widget
 * shown in an output area should not wait for the next frame to have content).
 * @param {Model} model
 * @param {string[]} names
 * @param {() => void} update
 */
export function follow(model, names, update) {
  update();
  drawDirty();
  const events = names.map(n => `change:${n}`);
  for (const e of events) {
    model.on(e, update);
  }
  return () => {
    for (const e of events) {
      model.off(e, update);
    }
  };
}
