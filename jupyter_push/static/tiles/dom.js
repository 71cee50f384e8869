// @ts-check
/** Small DOM helpers shared by the tile kinds. */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} className
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/**
 * Set a node's text only when it changes (an equal write still costs a layout), and then in its
 * one text node when it has one: a text node's data changed costs less than a child replaced.
 * @param {Node} node
 * @param {string} text
 */
export function setText(node, text) {
  const only = node.firstChild;
  if (only !== null && only === node.lastChild && only.nodeType === 3) {
    const textNode = /** @type {Text} */ (only);
    if (textNode.data !== text) {
      textNode.data = text;
    }
  } else if (node.textContent !== text) {
    node.textContent = text;
  }
}

/**
 * Set an attribute only when it changes.
 * @param {Element} node
 * @param {string} name
 * @param {string} value
 */
export function setAttr(node, name, value) {
  if (node.getAttribute(name) !== value) {
    node.setAttribute(name, value);
  }
}

/** How many series colours the theme defines (style.js: `--jpt-series-0` …, light and dark). */
export const SERIES_COUNT = 8;

/**
 * The colour of the `i`-th series: a theme variable, so lines and legend follow light and dark.
 * @param {number} i
 */
export function seriesColor(i) {
  return `var(--jpt-series-${i % SERIES_COUNT})`;
}
