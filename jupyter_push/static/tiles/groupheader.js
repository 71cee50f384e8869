// @ts-check
/**
 * A group's header. For a kernel's group: its notebook, the live state badge (starting, idle,
 * busy, restarting; dead in red with the reason and exit code; shut down in grey), the execution
 * count, restarts and, when `$kernels/<id>/resources` is subscribed, its memory and CPU. Every
 * header folds its group; a dead kernel's header also offers to dismiss the group.
 */

import { el, setAttr, setText } from './dom.js';
import { GROUP_TITLES, groupKernel } from './grouping.js';
import { kernelSummary } from './kernel.js';
import { formatNumber } from './format.js';
import { requestDraw } from './schedule.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */

/**
 * @typedef {{ onToggle(collapsed: boolean): void, onDismiss(): void,
 *             openNotebook?: (kernelId: string, notebook: string) => void }} HeaderOptions
 */

/** The reason kernel_health gives a kernel that was shut down on purpose. */
export const SHUT_DOWN = 'shut down';

/**
 * A kernel's memory and CPU in words, pure (`$kernels/<id>/resources`).
 * @param {any} data
 */
export function resourcesText(data) {
  if (typeof data !== 'object' || data === null) {
    return '';
  }
  const parts = [];
  const mib = typeof data.rss_mib === 'number' ? data.rss_mib : typeof data.rss === 'number' ? data.rss / 2 ** 20 : null;
  if (mib !== null) {
    parts.push(mib >= 1024 ? `${formatNumber(Math.round(mib / 102.4) / 10)} GiB` : `${Math.round(mib)} MiB`);
  }
  const cpu = typeof data.cpu_percent === 'number' ? data.cpu_percent : typeof data.cpu === 'number' ? data.cpu : null;
  if (cpu !== null) {
    parts.push(`CPU ${Math.round(cpu)}%`);
  }
  return parts.join(' · ');
}

/**
 * What a dead kernel's header says under its badge, pure.
 * @param {any} data a `$kernels/<id>` value
 */
export function deathText(data) {
  if (data?.state !== 'dead') {
    return '';
  }
  const reason = data.reason ? String(data.reason) : 'the kernel died';
  return typeof data.exit_code === 'number' ? `${reason} · exit code ${data.exit_code}` : reason;
}

export class GroupHeader {
  /**
   * @param {string} key the group (grouping.js)
   * @param {HeaderOptions} options
   */
  constructor(key, options) {
    this.key = key;
    this.kernel = groupKernel(key);
    this.options = options;
    /** The kernel's latest `$kernels/<id>` value. @type {any} */
    this.state = null;
    /** @type {any} */
    this.resources = null;
    /** The notebook named by the group's events when the kernel's own channel is not seen. */
    this.fallbackNotebook = '';
    /** Why the kernel last died, kept once it was restarted. */
    this.lastDeath = '';
    /** The newest event time in the group (what a dismissal covers). */
    this.latest = 0;
    this.collapsed = false;
    this.toggledByUser = false;
    this.node = el('div', 'jpt-groupHeader');
    this.toggle = el('button', 'jpt-groupToggle');
    this.toggle.type = 'button';
    this.toggle.addEventListener('click', () => {
      this.toggledByUser = true;
      this.setCollapsed(!this.collapsed);
    });
    const line = el('div', 'jpt-groupLine');
    line.append(this.toggle);
    if (this.kernel === null) {
      this.title = el('span', 'jpt-groupTitle', GROUP_TITLES[key] ?? key);
      line.append(this.title);
      this.node.append(line);
      this.setCollapsed(false);
      return;
    }
    this.node.classList.add('jpt-kernel');
    this.badge = el('span', 'jpt-kernelState');
    this.notebook = options.openNotebook ? el('button', 'jpt-kernelNotebook jpt-groupOpen') : el('span', 'jpt-kernelNotebook');
    if (this.notebook instanceof HTMLButtonElement) {
      this.notebook.type = 'button';
      this.notebook.addEventListener('click', () => {
        const notebook = this.notebookName();
        if (notebook && this.kernel) {
          options.openNotebook?.(this.kernel, notebook);
        }
      });
    }
    this.detail = el('span', 'jpt-kernelDetail');
    this.dismiss = el('button', 'jpt-groupDismiss', 'Dismiss');
    this.dismiss.type = 'button';
    this.dismiss.title = 'Remove this kernel and its channels from the board (they come back if it pushes again)';
    this.dismiss.hidden = true;
    this.dismiss.addEventListener('click', () => options.onDismiss());
    this.reason = el('div', 'jpt-kernelReason');
    this.reason.setAttribute('role', 'status');
    line.append(this.badge, this.notebook, this.detail, this.dismiss);
    this.node.append(line, this.reason);
    this.setCollapsed(false);
    this.draw();
  }

  /** @param {boolean} collapsed */
  setCollapsed(collapsed) {
    this.collapsed = collapsed;
    setText(this.toggle, collapsed ? '▸' : '▾');
    this.toggle.title = collapsed ? 'Show this group' : 'Fold this group';
    this.toggle.setAttribute('aria-label', this.toggle.title);
    this.toggle.setAttribute('aria-expanded', String(!collapsed));
    this.options.onToggle(collapsed);
  }

  /**
   * The kernel's own channels: its state or its resources.
   * @param {TileEvent} event
   */
  kernelEvent(event) {
    this.seen(event);
    if (event.channel.endsWith('/resources')) {
      this.resources = event.data;
    } else {
      const was = this.state;
      this.state = event.data;
      this.lastDeath = this.deathNow() || this.lastDeath; // every event: a frame may skip some
      const shutDown = this.isShutDown();
      if (shutDown && !(was?.state === 'dead' && was?.reason === SHUT_DOWN) && !this.toggledByUser) {
        this.setCollapsed(true); // closed on purpose: out of the way, still there to read
      } else if (!shutDown && was?.state === 'dead' && this.collapsed && !this.toggledByUser) {
        this.setCollapsed(false);
      }
    }
    requestDraw(this);
  }

  /**
   * An event of the group (any channel): remembered for the notebook's name and the dismissal.
   * @param {TileEvent} event
   */
  seen(event) {
    if (event.time > this.latest) {
      this.latest = event.time;
    }
    if (!this.fallbackNotebook) {
      const path = /** @type {any} */ (event).source?.path;
      if (typeof path === 'string' && path) {
        this.fallbackNotebook = path;
        requestDraw(this);
      }
    }
  }

  isDead() {
    return this.state?.state === 'dead';
  }

  isShutDown() {
    return this.isDead() && this.state?.reason === SHUT_DOWN;
  }

  /** Why the kernel is dead now ('' when it is not, or was shut down on purpose). */
  deathNow() {
    if (this.isShutDown()) {
      return '';
    }
    return deathText(this.isDying() ? { ...this.state, state: 'dead' } : this.state);
  }

  /** Restarting because it died (the restarter's doing): still dead until the new one runs. */
  isDying() {
    return this.state?.state === 'restarting' && Boolean(this.state?.reason) && this.state?.reason !== SHUT_DOWN;
  }

  notebookName() {
    const own = this.state?.notebook;
    return typeof own === 'string' && own ? own : this.fallbackNotebook;
  }

  /** The kernel's `$kernels/<id>` event, as a snapshot keeps it. */
  stateEvent() {
    return this.state;
  }

  draw(now = Date.now() / 1000) {
    if (this.kernel === null || !this.badge || !this.notebook || !this.detail || !this.reason || !this.dismiss) {
      return;
    }
    const notebook = this.notebookName();
    setText(this.notebook, notebook || `kernel ${this.kernel.slice(0, 8)}`);
    this.notebook.title = notebook ? (this.options.openNotebook ? `Open ${notebook}` : notebook) : `kernel ${this.kernel}`;
    if (this.notebook instanceof HTMLButtonElement) {
      this.notebook.disabled = !notebook;
    }
    const parts = [];
    if (this.state) {
      const summary = kernelSummary(this.state, now);
      const shutDown = this.isShutDown();
      const dying = this.isDying();
      setText(this.badge, shutDown ? SHUT_DOWN : dying ? 'dead, restarting' : summary.state);
      setAttr(this.node, 'data-state', dying ? 'dead' : summary.state);
      if (shutDown) {
        setAttr(this.node, 'data-ended', 'shutdown');
      } else {
        this.node.removeAttribute('data-ended');
      }
      if (summary.detail) {
        parts.push(summary.detail);
      }
      const death = shutDown ? '' : this.deathNow();
      const restarted = this.lastDeath && this.state.restarts ? `restarted after: ${this.lastDeath}` : '';
      setText(this.reason, death || (shutDown ? '' : restarted));
    } else {
      this.node.removeAttribute('data-state'); // its state is not subscribed: no badge
    }
    this.badge.hidden = !this.state;
    const resources = this.isDead() ? '' : resourcesText(this.resources);
    if (resources) {
      parts.push(resources);
    }
    setText(this.detail, parts.join(' · '));
    this.dismiss.hidden = !this.isDead();
  }

  tick(now = Date.now() / 1000) {
    if (this.state && typeof this.state.since === 'number') {
      this.draw(now);
    }
  }
}
