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
 * The name of a channel's series on a tile bound to `pattern`: the segments the wildcards
 * matched, joined by '/' (`runs/*\/loss` + `runs/lr_1e-3/loss` → `lr_1e-3`); the channel itself
 * when nothing was matched by a wildcard. (Python: `jupyter_push.runs.series_name`.)
 * @param {string} pattern
 * @param {string} channel
 */
export function overlayName(pattern, channel) {
  const parts = pattern.split('/');
  const names = channel.split('/');
  const tail = parts.indexOf('**');
  const head = tail < 0 ? parts : parts.slice(0, tail);
  const matched = head.flatMap((p, i) => (p === '*' && i < names.length ? [names[i]] : []));
  if (tail >= 0) {
    matched.push(...names.slice(tail));
  }
  return matched.join('/') || channel;
}

/**
 * Whether a pattern has wildcards (a tile bound to it overlays several channels).
 * @param {string} pattern
 */
export function isPattern(pattern) {
  return pattern.split('/').some(s => s === '*' || s === '**');
}
