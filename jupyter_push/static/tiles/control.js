// @ts-check
/**
 * Control tiles: a control declared by the code (`control(...)` publishes its declaration on
 * `$controls/<channel>`, retained) drawn as a button, toggle, slider, text box, choice or chat
 * box, with the value the kernel last confirmed. A value the user sets goes through the host's
 * `send(channel, data)` (the server checks it against the declaration; a refusal is shown under
 * the control). Without `send` (a read-only link, a snapshot) the control is shown disabled.
 */

import { el } from './dom.js';

/** @typedef {import('./types.js').TileOptions} TileOptions */
/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./shape.js').JSONValue} JSONValue */
/**
 * @typedef {{ channel: string, kind: string, default?: JSONValue, value?: JSONValue,
 *             min?: number | null, max?: number | null, step?: number | null,
 *             options?: JSONValue[] | null, label?: string | null }} Declaration
 */

export const CONTROLS_PREFIX = '$controls/';
const NAME_KEY = 'jupyter-push-chat-name';

/**
 * @param {JSONValue} data
 * @returns {data is Declaration}
 */
export function isDeclaration(data) {
  return typeof data === 'object' && data !== null && !Array.isArray(data) &&
    typeof data.channel === 'string' && typeof data.kind === 'string';
}

/** @param {JSONValue | undefined} value */
function shown(value) {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

export const controlKind = {
  name: 'control',
  label: 'Control',
  /**
   * Every event on a `$controls/...` channel: a declaration, or null once withdrawn.
   * @param {string} channel
   */
  matches(channel) {
    return channel.startsWith(CONTROLS_PREFIX);
  },
  /** @param {TileOptions} options */
  create(options) {
    return new ControlTile(options);
  }
};

class ControlTile {
  /** @param {TileOptions} options */
  constructor(options) {
    this.send = options.send;
    this.node = el('div', 'jpt-control');
    /** @type {Declaration | null} */
    this.declaration = null;
    this.withdrawn = false;
    this.shape = '';
    this.dirty = true;
    /** @type {HTMLElement} */
    this.input = el('span', '');
    this.confirmed = el('div', 'jpt-controlConfirmed');
    this.problem = el('div', 'jpt-controlProblem');
    this.problem.setAttribute('role', 'alert');
  }

  /** @param {TileEvent} event */
  push(event) {
    if (isDeclaration(event.data)) {
      this.declaration = event.data;
      this.withdrawn = false;
    } else {
      this.withdrawn = true;
    }
    this.dirty = true;
  }

  draw() {
    if (!this.dirty) {
      return;
    }
    this.dirty = false;
    const d = this.declaration;
    if (!d) {
      this.node.replaceChildren(el('div', 'jpt-controlConfirmed', 'withdrawn'));
      return;
    }
    const shape = JSON.stringify([d.channel, d.kind, d.min, d.max, d.step, d.options, d.label]);
    if (shape !== this.shape) {
      this.shape = shape;
      this.build(d);
    }
    this.node.dataset.confirmed = JSON.stringify(d.value ?? null);
    this.node.classList.toggle('jpt-controlWithdrawn', this.withdrawn);
    this.confirmed.textContent = this.withdrawn ? 'withdrawn by the code'
      : d.kind === 'button' ? (d.value ? 'pressed · the code has seen it' : 'not pressed yet')
        : d.kind === 'chat' ? '' : `the code has: ${shown(d.value)}`;
    this.reflect(d);
    for (const control of this.node.querySelectorAll('button, input, select')) {
      /** @type {HTMLInputElement} */ (control).disabled = !this.send || this.withdrawn;
    }
  }

  /** @param {Declaration} d */
  build(d) {
    const label = el('label', 'jpt-controlLabel', d.label || d.channel);
    const row = el('div', 'jpt-controlRow');
    this.node.dataset.control = d.kind;
    if (d.kind === 'button') {
      const button = el('button', 'jpt-controlButton', d.label || d.channel);
      button.type = 'button';
      button.addEventListener('click', () => this.set(true));
      row.append(button);
      this.input = button;
      this.node.replaceChildren(row, this.confirmed, this.problem);
      return;
    }
    if (d.kind === 'toggle') {
      const box = el('input', 'jpt-controlToggle');
      box.type = 'checkbox';
      box.addEventListener('change', () => this.set(box.checked));
      label.prepend(box);
      row.append(label);
      this.input = box;
    } else if (d.kind === 'slider') {
      const slider = el('input', 'jpt-controlSlider');
      slider.type = 'range';
      const lo = d.min ?? 0;
      const hi = d.max ?? 100;
      const whole = [lo, hi, d.default].every(x => typeof x === 'number' && Number.isInteger(x));
      slider.min = String(lo);
      slider.max = String(hi);
      slider.step = String(d.step ?? (whole ? 1 : (hi - lo) / 100));
      const readout = el('output', 'jpt-controlReadout');
      slider.addEventListener('input', () => { readout.textContent = slider.value; });
      // sent when released: a drag would otherwise spend a share link's rate in a second
      slider.addEventListener('change', () => this.set(Number(slider.value)));
      row.append(label, slider, readout);
      this.input = slider;
    } else if (d.kind === 'choice') {
      const select = el('select', 'jpt-controlChoice');
      for (const option of d.options ?? []) {
        const item = el('option', '', shown(option));
        item.value = JSON.stringify(option);
        select.append(item);
      }
      select.addEventListener('change', () => this.set(JSON.parse(select.value)));
      row.append(label, select);
      this.input = select;
    } else {
      this.buildText(d, label, row);
    }
    this.node.replaceChildren(row, this.confirmed, this.problem);
  }

  /**
   * A text box (text, chat) sent with Enter or its button.
   * @param {Declaration} d
   * @param {HTMLElement} label
   * @param {HTMLElement} row
   */
  buildText(d, label, row) {
    const text = el('input', 'jpt-controlText');
    text.type = 'text';
    if (typeof d.max === 'number') {
      text.maxLength = d.max;
    }
    const button = el('button', 'jpt-controlSend', 'Send');
    button.type = 'button';
    const submit = () => {
      if (d.kind === 'chat') {
        if (!text.value.trim()) {
          return;
        }
        const from = localStorage.getItem(NAME_KEY) || 'guest';
        this.set({ from, text: text.value }).then(ok => { if (ok) { text.value = ''; } });
      } else {
        this.set(text.value);
      }
    };
    button.addEventListener('click', submit);
    text.addEventListener('keydown', event => { if (event.key === 'Enter') { submit(); } });
    row.append(label, text, button);
    this.input = text;
  }

  /**
   * Show the confirmed value in the input, unless the user is at it.
   * @param {Declaration} d
   */
  reflect(d) {
    const input = this.input;
    if (input.ownerDocument.activeElement === input) {
      return;
    }
    if (input instanceof HTMLInputElement && d.kind === 'toggle') {
      input.checked = d.value === true;
    } else if (input instanceof HTMLInputElement && d.kind === 'slider' && typeof d.value === 'number') {
      input.value = String(d.value);
      const readout = input.nextElementSibling;
      if (readout) {
        readout.textContent = String(d.value);
      }
    } else if (input instanceof HTMLSelectElement) {
      input.value = JSON.stringify(d.value ?? null);
    }
  }

  /**
   * Send a value; true when the server took it (its refusal is shown otherwise).
   * @param {JSONValue} value
   * @returns {Promise<boolean>}
   */
  async set(value) {
    const d = this.declaration;
    if (!d || !this.send) {
      return false;
    }
    this.problem.textContent = '';
    try {
      await this.send(d.channel, value);
      return true;
    } catch (error) {
      this.problem.textContent = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  text() {
    const d = this.declaration;
    return d ? `${d.label || d.channel}: ${shown(d.value)}` : 'withdrawn';
  }
}
