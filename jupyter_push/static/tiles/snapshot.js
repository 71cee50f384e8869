// @ts-check
/**
 * Snapshot files: one self-contained HTML page (the tile library inlined, the events as JSON)
 * that draws the tiles as they were, offline, anywhere.
 */

import { Board } from './board.js';

/** @typedef {import('./board.js').BoardSnapshot} BoardSnapshot */

/**
 * Text safe inside an HTML `<script>` element.
 * @param {string} text
 */
export function scriptSafe(text) {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * The snapshot page.
 * @param {string} library the tile library as one module (`push/tiles.js`)
 * @param {BoardSnapshot} snapshot
 */
export function snapshotPage(library, snapshot) {
  const title = snapshot.title.replace(/[<>&"]/g, c => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body { margin: 0; padding: .75rem; font-family: system-ui, sans-serif; min-height: 100vh; box-sizing: border-box; }
h1 { font-size: 1rem; margin: 0 0 .6rem; } h1 small { font-weight: 400; opacity: .7; }</style>
</head>
<body class="jpt-theme">
<h1>${title} <small id="saved"></small></h1>
<main id="board"></main>
<script type="application/json" id="jupyter-push-snapshot">${scriptSafe(JSON.stringify(snapshot))}</script>
<script type="module">
${scriptSafe(library)}
bootSnapshot(document);
</script>
</body>
</html>
`;
}

/**
 * Draw the snapshot embedded in a snapshot page.
 * @param {Document} doc
 */
export function bootSnapshot(doc) {
  const data = doc.getElementById('jupyter-push-snapshot');
  const root = doc.getElementById('board');
  if (!data || !root) {
    return null;
  }
  /** @type {BoardSnapshot} */
  const snapshot = JSON.parse(data.textContent ?? '{}');
  const saved = doc.getElementById('saved');
  if (saved) {
    saved.textContent = `saved ${new Date(snapshot.saved * 1000).toLocaleString()}`;
  }
  const board = Board.fromSnapshot(root, snapshot);
  board.tick();
  return board;
}

/**
 * Offer a file to the user (a download).
 * @param {Document} doc
 * @param {string} name
 * @param {string} text
 */
export function download(doc, name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/html' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
