// @ts-check
/**
 * Groups on a board: one section per group (grouping.js), each a header (groupheader.js) over a
 * grid of the host's tiles. The host says which tile goes in which group and in what order
 * (`arrange`); the kernels' own channels go to their headers (`kernelEvent`). Used by the Board
 * (viewer, snapshots) and by the JupyterLab panel, which keeps its own tiles and layout.
 */

import { el } from './dom.js';
import { GroupHeader } from './groupheader.js';
import { GROUP_TITLES, compareGroups, groupKernel, groupOf, kernelOfChannel } from './grouping.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */

/**
 * @typedef {{ openNotebook?: (kernelId: string, notebook: string) => void,
 *             onDismiss?: (key: string) => void }} GroupsOptions
 * @typedef {{ key: string, node: HTMLElement, header: GroupHeader, grid: HTMLElement }} Section
 */

export class Groups {
  /**
   * @param {HTMLElement} root where the sections go
   * @param {GroupsOptions} [options]
   */
  constructor(root, options = {}) {
    this.root = root;
    this.options = options;
    /** @type {Map<string, Section>} */
    this.sections = new Map();
    /** Groups whose header has a kernel state of its own: shown even with no tiles. */
    /** @type {Set<string>} */
    this.headed = new Set();
  }

  /**
   * @param {string} key
   * @returns {Section}
   */
  section(key) {
    let section = this.sections.get(key);
    if (!section) {
      const node = el('section', 'jpt-group');
      node.dataset.group = key;
      const kernel = groupKernel(key);
      if (kernel !== null) {
        node.dataset.kernel = kernel;
      }
      node.setAttribute('role', 'region');
      node.setAttribute('aria-label', kernel === null ? GROUP_TITLES[key] ?? key : `kernel ${kernel}`);
      const grid = el('div', 'jpt-board jpt-groupGrid');
      /** @type {Section} */
      const made = {
        key,
        node,
        grid,
        header: new GroupHeader(key, {
          openNotebook: this.options.openNotebook,
          onDismiss: () => this.options.onDismiss?.(key),
          onToggle: collapsed => {
            grid.hidden = collapsed;
            node.toggleAttribute('data-collapsed', collapsed);
          }
        })
      };
      node.append(made.header.node, grid);
      this.sections.set(key, made);
      section = made;
    }
    return section;
  }

  /**
   * A kernel's own channel (`$kernels/<id>`, `$kernels/<id>/resources`): to its header.
   * @param {TileEvent} event
   */
  kernelEvent(event) {
    const kernel = kernelOfChannel(event.channel);
    if (kernel === null) {
      return;
    }
    const key = groupOf(event.channel, event);
    const section = this.section(key);
    section.header.kernelEvent(event);
    if (!event.channel.endsWith('/resources')) {
      this.headed.add(key);
      this.order(); // its notebook may be known only now
    }
  }

  /**
   * An event of a tile in `key` (cheap: remembered for the header).
   * @param {string} key
   * @param {TileEvent} event
   */
  seen(key, event) {
    this.sections.get(key)?.header.seen(event);
  }

  /**
   * Put the host's tiles in their groups, in this order; groups left empty go (unless their
   * kernel's state is shown).
   * @param {Iterable<[string, HTMLElement]>} entries group key and tile node
   */
  arrange(entries) {
    /** @type {Map<string, HTMLElement[]>} */
    const byGroup = new Map();
    for (const [key, node] of entries) {
      const list = byGroup.get(key) ?? [];
      list.push(node);
      byGroup.set(key, list);
    }
    for (const key of [...this.sections.keys()]) {
      if (!byGroup.has(key) && !this.headed.has(key)) {
        this.remove(key);
      }
    }
    for (const [key, nodes] of byGroup) {
      const grid = this.section(key).grid;
      const current = grid.children;
      if (current.length !== nodes.length || nodes.some((n, i) => current[i] !== n)) {
        grid.replaceChildren(...nodes);
      }
    }
    for (const key of this.headed) {
      const grid = this.section(key).grid;
      if (!byGroup.has(key) && grid.childElementCount) {
        grid.replaceChildren();
      }
    }
    this.order();
  }

  /** Sections in group order (kernels by notebook, then notices, other, system). */
  order() {
    const keys = [...this.sections.keys()].sort((a, b) =>
      compareGroups(a, b, k => this.sections.get(k)?.header.notebookName() ?? ''));
    const nodes = keys.map(k => /** @type {Section} */ (this.sections.get(k)).node);
    const current = this.root.children;
    if (current.length !== nodes.length || nodes.some((n, i) => current[i] !== n)) {
      this.root.replaceChildren(...nodes);
    }
  }

  /**
   * Take a group off the board (the host drops its tiles).
   * @param {string} key
   */
  remove(key) {
    this.sections.get(key)?.node.remove();
    this.sections.delete(key);
    this.headed.delete(key);
  }

  /**
   * Unfold a group (to show one of its tiles); its header's node, if the group is shown.
   * @param {string} key
   */
  reveal(key) {
    const header = this.sections.get(key)?.header;
    if (header?.collapsed) {
      header.setCollapsed(false);
    }
    return header?.node;
  }

  /** @param {string} key */
  header(key) {
    return this.sections.get(key)?.header;
  }

  tick(now = Date.now() / 1000) {
    for (const section of this.sections.values()) {
      section.header.tick(now);
    }
  }
}
