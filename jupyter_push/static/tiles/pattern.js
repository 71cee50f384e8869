// @ts-check
/** Channel patterns as the server reads them: `*` is one segment, `**` any number of them. */

/**
 * @param {string} pattern
 * @param {string} channel
 */
export function patternMatches(pattern, channel) {
  return matchParts(pattern.split('/'), 0, channel.split('/'), 0);
}

/**
 * @param {string[]} p
 * @param {number} i
 * @param {string[]} c
 * @param {number} j
 * @returns {boolean}
 */
function matchParts(p, i, c, j) {
  if (i === p.length) {
    return j === c.length;
  }
  if (p[i] === '**') {
    for (let k = j; k <= c.length; k++) {
      if (matchParts(p, i + 1, c, k)) {
        return true;
      }
    }
    return false;
  }
  return j < c.length && (p[i] === '*' || p[i] === c[j]) && matchParts(p, i + 1, c, j + 1);
}

/**
 * Whether a pattern has wildcards (a tile bound to it overlays several channels).
 * @param {string} pattern
 */
export function isPattern(pattern) {
  return pattern.split('/').some(s => s === '*' || s === '**');
}
