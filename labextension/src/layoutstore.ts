/** The tile layout, kept in JupyterLab's state database across reloads. */

import { IStateDB } from '@jupyterlab/statedb';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { EMPTY_LAYOUT, Layout, parseLayout } from './layout';

const KEY = 'jupyter-push:dashboard-layout';

export class LayoutStore {
  private _layout: Layout = EMPTY_LAYOUT;
  private readonly _changed = new Signal<this, Layout>(this);
  readonly ready: Promise<void>;

  constructor(private readonly db: IStateDB | null) {
    this.ready = db
      ? db
          .fetch(KEY)
          .then(value => {
            this._layout = parseLayout(value);
            this._changed.emit(this._layout);
          })
          .catch(error => console.warn('jupyter-push: could not read the dashboard layout', error))
      : Promise.resolve();
  }

  get layout(): Layout {
    return this._layout;
  }

  get changed(): ISignal<this, Layout> {
    return this._changed;
  }

  update(change: (layout: Layout) => Layout): void {
    const next = change(this._layout);
    if (next === this._layout) {
      return;
    }
    this._layout = next;
    this._changed.emit(next);
    void this.db
      ?.save(KEY, next as unknown as ReadonlyPartialJSONObject)
      .catch(error => console.warn('jupyter-push: could not save the dashboard layout', error));
  }
}
