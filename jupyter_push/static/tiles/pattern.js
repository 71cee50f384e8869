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

const SEGMENT = /^[A-Za-z0-9_.:-]+$/;

/**
 * Why `text` cannot be a compare pattern (a tile overlaying several channels), or null when it
 * can: the server's pattern rules (jupyter_push.channels.check_pattern), and a wildcard.
 * @param {string} text
 * @returns {string | null}
 */
export function patternProblem(text) {
  if (!text) {
    return 'Type a pattern such as runs/*/loss';
  }
  const parts = text.split('/');
  for (const [i, part] of parts.entries()) {
    if (part === '**' && i !== parts.length - 1) {
      return "'**' is allowed only as the last segment";
    }
    const name = i === 0 && part.startsWith('$') ? part.slice(1) : part;
    if (part !== '*' && part !== '**' && !SEGMENT.test(name)) {
      return part.includes('*')
        ? "'*' must be a whole segment, as in runs/*/loss"
        : `segment '${part}' may use letters, digits and _ . : - only`;
    }
  }
  return isPattern(text) ? null : 'A pattern needs a * (one segment) or a final ** to compare channels';
}

/**
 * Whether every channel `inner` matches is also matched by `outer` (both valid patterns); the
 * server's rule for what a share link may subscribe to (jupyter_push.tokens.pattern_covers; cases:
 * tests/fixtures/pattern_covers.json).
 * @param {string} outer
 * @param {string} inner
 */
export function patternCovers(outer, inner) {
  const o = outer.split('/');
  const i = inner.split('/');
  if (inner.startsWith('$') && !outer.startsWith('$') && outer.includes('*')) {
    return false; // wildcards never reach the reserved `$` channels
  }
  for (const [k, segment] of o.entries()) {
    if (segment === '**') {
      return true; // the rest of `inner`, including nothing
    }
    if (k >= i.length || i[k] === '**' || (segment !== '*' && segment !== i[k])) {
      return false;
    }
  }
  return i.length === o.length;
}

/**
 * Why a page that sees `granted` (a share link's patterns) cannot compare `pattern`, or null
 * when one of them covers it: a comparison never reaches past the link.
 * @param {readonly string[]} granted
 * @param {string} pattern
 * @returns {string | null}
 */
export function scopeProblem(granted, pattern) {
  if (granted.some(g => patternCovers(g, pattern))) {
    return null;
  }
  return `${pattern} is outside what this link shows (${granted.join(', ') || 'nothing'}): compare within it`;
}
