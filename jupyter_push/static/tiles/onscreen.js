// @ts-check
/**
 * Which tiles are on screen: one IntersectionObserver for all of them, so the scheduler can
 * draw a tile nobody can see less often (its script and DOM writes cost the same seen or not).
 * Without IntersectionObserver (node, old browsers) every node counts as on screen.
 */

/** Distance from the viewport within which a tile counts as on screen (drawn before it shows). */
const MARGIN = '200px 0px';

/** @type {WeakMap<Element, boolean>} the last answer of the observer per node */
const seen = new WeakMap();
/** @type {WeakMap<Element, () => void>} */
const onShow = new WeakMap();
/** @type {IntersectionObserver | null} */
let observer = null;

function theObserver() {
  if (!observer && typeof IntersectionObserver !== 'undefined') {
    observer = new IntersectionObserver(
      entries => {
        for (const entry of entries) {
          const was = seen.get(entry.target);
          seen.set(entry.target, entry.isIntersecting);
          if (entry.isIntersecting && was === false) {
            onShow.get(entry.target)?.();
          }
        }
      },
      { rootMargin: MARGIN }
    );
  }
  return observer;
}

/**
 * Follow a node; `shown` runs when it comes (back) on screen.
 * @param {Element} node
 * @param {() => void} shown
 */
export function watchOnScreen(node, shown) {
  onShow.set(node, shown);
  theObserver()?.observe(node);
}

/** @param {Element} node */
export function unwatchOnScreen(node) {
  onShow.delete(node);
  seen.delete(node);
  observer?.unobserve(node);
}

/**
 * Whether a node is on screen (or near it); true until the observer has answered.
 * @param {Element} node
 */
export function isOnScreen(node) {
  return seen.get(node) ?? true;
}
