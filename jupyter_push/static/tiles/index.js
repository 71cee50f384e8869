// @ts-check
/**
 * jupyter_push tiles: one renderer for the JupyterLab panel, the notebook widgets, the share-link
 * viewer, snapshot files and external pages. Plain ES modules, no dependencies.
 *
 * - `decide(channel, data)` names the tile a value gets (rules: README "Tiles"; cases:
 *   tests/fixtures/tiles.json);
 * - a `Card` is one channel's tile with its header and "Show as…" menu; a `Board` a grid of
 *   cards fed with events (`board.push({channel, data, time})`), grouped by kernel (`Groups`,
 *   which a host that keeps its own tiles, as the notebook Dashboard, uses alone);
 * - tiles store on `push` and draw on the next animation frame (latest wins).
 *
 * EXTENSION POINT — a new tile kind is one module exporting a `TileKind` (types.js:
 * `{name, label, matches(channel, data), create(options) → {node, push, draw, text}}`) added to
 * the `KINDS` table in registry.js, before "json" and after any kind that should win over it.
 * Module rules (the Python side bundles these files into one script): import only from './x.js'
 * with `import { a, b } from './x.js';`, export only with `export function|class|const`.
 */

export { Board } from './board.js';
export { Card } from './card.js';
export { Groups } from './groups.js';
export { COMPARE_GROUP, compareGroups, groupOf, kernelGroup } from './grouping.js';
export { KINDS, decide, kindNamed } from './registry.js';
export { CONTROLS_PREFIX, isDeclaration } from './control.js';
export { DEFAULT_LIMITS } from './types.js';
export { drawDirty, requestDraw } from './schedule.js';
export { ensureStyles, CSS } from './style.js';
export { patternMatches, isPattern, patternProblem, scopeProblem } from './pattern.js';
export { CompareForm } from './compareform.js';
export { formatNumber, formatDuration } from './format.js';
export { fetchHistory, HistoryThenLive } from './history.js';
export { snapshotPage, bootSnapshot, download, scriptSafe } from './snapshot.js';
