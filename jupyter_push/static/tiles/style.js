// @ts-check
/**
 * The tiles' stylesheet. Colours come from JupyterLab's theme variables when present (light and
 * dark follow the user's theme); elsewhere (viewer, snapshots) from `.jpt-theme`, which follows
 * `prefers-color-scheme` unless `data-theme="light|dark"` says otherwise.
 */

export const CSS = `
.jpt-card, .jpt-board, .jpt-groups, .jpt-compareForm {
  --jpt-fg: var(--jp-ui-font-color1, #1d1d1f);
  --jpt-muted: var(--jp-ui-font-color2, #5f5f66);
  --jpt-bg: var(--jp-layout-color1, #ffffff);
  --jpt-bg2: var(--jp-layout-color2, #f0f0f3);
  --jpt-line: var(--jp-border-color2, #d2d2d7);
  --jpt-accent: var(--jp-brand-color1, #1565c0);
  --jpt-ok: var(--jp-success-color1, #2e7d32);
  --jpt-error: var(--jp-error-color1, #c62828);
  --jpt-font: var(--jp-ui-font-family, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  --jpt-mono: var(--jp-code-font-family, ui-monospace, Menlo, Consolas, monospace);
  --jpt-series-0: var(--jpt-palette-0, #1f77b4);
  --jpt-series-1: var(--jpt-palette-1, #c75300);
  --jpt-series-2: var(--jpt-palette-2, #2b8a2b);
  --jpt-series-3: var(--jpt-palette-3, #d62728);
  --jpt-series-4: var(--jpt-palette-4, #8e5cc0);
  --jpt-series-5: var(--jpt-palette-5, #8c564b);
  --jpt-series-6: var(--jpt-palette-6, #c1308f);
  --jpt-series-7: var(--jpt-palette-7, #0e7f8c);
}
/* series colours on dark backgrounds (JupyterLab's dark theme, the viewer's dark scheme): lighter,
   each at least 3:1 against the tiles' backgrounds, as the light ones are against white */
body[data-jp-theme-light="false"], .jpt-theme[data-theme="dark"] { --jpt-palette-0: #5aa9e6; --jpt-palette-1: #ffa94d; --jpt-palette-2: #6ccf6c; --jpt-palette-3: #ff7575; --jpt-palette-4: #b89cf0; --jpt-palette-5: #d1a699; --jpt-palette-6: #f39ad2; --jpt-palette-7: #4dd0e1; }
@media (prefers-color-scheme: dark) { .jpt-theme:not([data-theme="light"]) { --jpt-palette-0: #5aa9e6; --jpt-palette-1: #ffa94d; --jpt-palette-2: #6ccf6c; --jpt-palette-3: #ff7575; --jpt-palette-4: #b89cf0; --jpt-palette-5: #d1a699; --jpt-palette-6: #f39ad2; --jpt-palette-7: #4dd0e1; } }
.jpt-theme { --jp-ui-font-color1: #1d1d1f; --jp-ui-font-color2: #5f5f66; --jp-layout-color0: #f5f5f7;
  --jp-layout-color1: #ffffff; --jp-layout-color2: #f0f0f3; --jp-border-color2: #d2d2d7;
  --jp-brand-color1: #1565c0; color: #1d1d1f; background: #f5f5f7; color-scheme: light; }
@media (prefers-color-scheme: dark) {
  .jpt-theme:not([data-theme="light"]) { --jp-ui-font-color1: #f2f2f5; --jp-ui-font-color2: #b4b4bb;
    --jp-layout-color0: #111114; --jp-layout-color1: #1c1c1f; --jp-layout-color2: #2a2a2e;
    --jp-border-color2: #3d3d42; --jp-brand-color1: #64b5f6; --jp-success-color1: #66bb6a;
    --jp-error-color1: #ef5350; --jp-mirror-editor-string-color: #ce9178;
    --jp-mirror-editor-number-color: #b5cea8; color: #f2f2f5; background: #111114; color-scheme: dark; }
}
.jpt-theme[data-theme="dark"] { --jp-ui-font-color1: #f2f2f5; --jp-ui-font-color2: #b4b4bb;
  --jp-layout-color0: #111114; --jp-layout-color1: #1c1c1f; --jp-layout-color2: #2a2a2e;
  --jp-border-color2: #3d3d42; --jp-brand-color1: #64b5f6; --jp-success-color1: #66bb6a;
  --jp-error-color1: #ef5350; --jp-mirror-editor-string-color: #ce9178;
  --jp-mirror-editor-number-color: #b5cea8; color: #f2f2f5; background: #111114; color-scheme: dark; }
.jpt-board { display: grid; gap: .6rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr)); }
.jpt-card { font-family: var(--jpt-font); font-size: 13px; color: var(--jpt-fg); background: var(--jpt-bg);
  border: 1px solid var(--jpt-line); border-radius: 6px; padding: .45rem .6rem; min-width: 0;
  content-visibility: auto; contain-intrinsic-size: auto 20rem auto 16rem; }
.jpt-cardHeader { display: flex; align-items: center; gap: .4rem; margin-bottom: .3rem; }
.jpt-cardName { flex: 1; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.jpt-age, .jpt-range, .jpt-readout, .jpt-lineCount, .jpt-progressText, .jpt-numberChange { color: var(--jpt-muted); font-size: 11px; }
.jpt-readout { min-height: 1.2em; font-variant-numeric: tabular-nums; }
.jpt-showAs, .jpt-card select, .jpt-card input, .jpt-card button { font: inherit; font-size: 11px; color: var(--jpt-fg);
  background: var(--jpt-bg2); border: 1px solid var(--jpt-line); border-radius: 3px; }
.jpt-card :focus-visible { outline: 2px solid var(--jpt-accent); outline-offset: 1px; }
.jpt-cardButton { cursor: pointer; padding: 0 .3rem; }
.jpt-controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .2rem 0; font-size: 11px; color: var(--jpt-muted); }
.jpt-smoothing { width: 5rem; vertical-align: middle; }
.jpt-legend { display: flex; flex-wrap: wrap; gap: .2rem .7rem; font-variant-numeric: tabular-nums; }
.jpt-legendItem::before { content: ""; display: inline-block; width: .7em; height: .7em; border-radius: 2px;
  margin-right: .3em; background: var(--jpt-series, var(--jpt-accent)); }
.jpt-plot, .jpt-spark { display: block; width: 100%; overflow: hidden; }
.jpt-plot *, .jpt-spark * { pointer-events: none; }
.jpt-plotAxis { fill: none; stroke: var(--jpt-line); stroke-width: 1; }
.jpt-plotLabel { fill: var(--jpt-muted); font: 10px var(--jpt-font); }
.jpt-plotLine { fill: none; stroke-width: 1; }
.jpt-plotSmoothed { stroke-width: 1.5; stroke-linejoin: round; }
.jpt-plotHover { fill: none; stroke: var(--jpt-muted); stroke-width: 1; }
.jpt-sparkLine { fill: none; stroke: var(--jpt-fg); stroke-width: 1.2; stroke-linejoin: round; }
.jpt-barRow { margin: .25rem 0; }
.jpt-barLabel { font-size: 11px; }
.jpt-kernelHead { display: flex; gap: .5rem; align-items: baseline; }
.jpt-kernelState { font-weight: 600; padding: 0 .4em; border-radius: 3px; background: var(--jpt-bg2); }
.jpt-kernel[data-state="busy"] .jpt-kernelState { background: var(--jpt-accent); color: #fff; }
.jpt-kernel[data-state="idle"] .jpt-kernelState { background: var(--jpt-ok); color: #fff; }
.jpt-kernel[data-state="dead"] .jpt-kernelState { background: var(--jpt-error); color: #fff; }
.jpt-kernel[data-state="dead"] .jpt-kernelReason { color: var(--jpt-error); }
.jpt-kernelNotebook, .jpt-kernelDetail { color: var(--jpt-muted); font-size: 11px; overflow-wrap: anywhere; }
.jpt-groups { display: grid; gap: .9rem; font-family: var(--jpt-font); font-size: 13px; color: var(--jpt-fg); }
.jpt-group { min-width: 0; }
.jpt-groupHeader { display: grid; gap: .1rem; padding: .15rem .2rem .3rem; margin-bottom: .45rem;
  border-bottom: 2px solid var(--jpt-line); }
.jpt-groupLine { display: flex; flex-wrap: wrap; align-items: baseline; gap: .2rem .55rem; }
.jpt-groupTitle { font-weight: 600; }
.jpt-groupToggle { font: inherit; color: var(--jpt-muted); background: none; border: none; cursor: pointer;
  padding: 0 .15rem; width: 1.3em; }
.jpt-groupHeader .jpt-kernelNotebook { font-size: 13px; font-weight: 600; color: var(--jpt-fg); }
button.jpt-kernelNotebook { font: inherit; background: none; border: none; padding: 0; cursor: pointer;
  color: var(--jpt-accent) !important; text-decoration: underline; text-underline-offset: 2px; }
button.jpt-kernelNotebook:disabled { color: var(--jpt-muted) !important; text-decoration: none; cursor: default; }
.jpt-groupDismiss { margin-left: auto; font: inherit; font-size: 11px; color: var(--jpt-fg); cursor: pointer;
  background: var(--jpt-bg2); border: 1px solid var(--jpt-line); border-radius: 3px; padding: .05rem .5rem; }
.jpt-groups :focus-visible { outline: 2px solid var(--jpt-accent); outline-offset: 1px; }
.jpt-groupGrid[hidden] { display: none; }
.jpt-kernel[data-state="starting"] .jpt-kernelState, .jpt-kernel[data-state="restarting"] .jpt-kernelState {
  background: #ef6c00; color: #fff; }
.jpt-group:has(> .jpt-kernel[data-state="dead"]) > .jpt-groupHeader { border-color: var(--jpt-error); }
.jpt-kernel[data-state="dead"][data-ended="shutdown"] .jpt-kernelState { background: var(--jpt-bg2); color: var(--jpt-muted); }
.jpt-group:has(> .jpt-kernel[data-ended="shutdown"]) { opacity: .65; }
.jpt-group:has(> .jpt-kernel[data-ended="shutdown"]) > .jpt-groupHeader { border-color: var(--jpt-line); }
.jpt-notices { list-style: none; margin: 0; padding: 0; max-height: 12rem; overflow: auto; }
.jpt-notice { padding: .15rem .3rem; border-left: 3px solid var(--jpt-line); margin: .15rem 0; }
.jpt-notice[data-level="success"] { border-color: var(--jpt-ok); }
.jpt-notice[data-level="warning"] { border-color: #ef6c00; }
.jpt-notice[data-level="error"] { border-color: var(--jpt-error); }
.jpt-noticeTime { color: var(--jpt-muted); font-size: 11px; margin-right: .4em; }
.jpt-bar { height: .6rem; border-radius: .3rem; background: var(--jpt-bg2); overflow: hidden; border: 1px solid var(--jpt-line); }
.jpt-barFill { height: 100%; background: var(--jpt-accent); }
.jpt-mod-done .jpt-barFill { background: var(--jpt-ok); }
.jpt-mod-indeterminate .jpt-barFill { width: 30% !important; opacity: .5; }
.jpt-numberValue { font-size: 1.7rem; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.jpt-logLines { margin: 0; max-height: 14rem; overflow: auto; font: 11px/1.35 var(--jpt-mono); white-space: pre-wrap;
  overflow-wrap: anywhere; background: var(--jpt-bg2); padding: .3rem; border-radius: 3px; }
.jpt-tableGrid { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 12px; }
.jpt-table { max-height: 16rem; overflow: auto; }
.jpt-tableGrid th, .jpt-tableGrid td { border-bottom: 1px solid var(--jpt-line); padding: .1rem .35rem; text-align: left; }
.jpt-tableGrid td.jpt-num { text-align: right; }
.jpt-sort { border: none !important; background: none !important; font-weight: 600 !important; cursor: pointer; padding: 0; }
.jpt-imageView { max-width: 100%; max-height: 20rem; display: block; image-rendering: auto; }
.jpt-error { color: var(--jpt-error); font-size: 12px; }
.jpt-json { font: 12px/1.4 var(--jpt-mono); overflow: auto; max-height: 16rem; }
.jpt-jsonScalar { font: 1.1rem var(--jpt-font); overflow-wrap: anywhere; }
.jpt-treeNode { margin-left: .8rem; }
.jpt-json > .jpt-treeNode { margin-left: 0; }
.jpt-treeLeaf { margin-left: .8rem; }
.jpt-json-string { color: var(--jp-mirror-editor-string-color, #a31515); }
.jpt-json-number { color: var(--jp-mirror-editor-number-color, #098658); }
.jpt-control { display: grid; gap: .35rem; }
.jpt-controlRow { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.jpt-controlLabel { color: var(--jpt-muted); display: flex; gap: .35rem; align-items: center; }
.jpt-controlSlider { flex: 1; min-width: 8rem; accent-color: var(--jpt-accent); }
.jpt-controlText { flex: 1; min-width: 8rem; font: inherit; padding: .25rem .4rem; }
.jpt-controlButton, .jpt-controlSend { font: inherit; padding: .35rem .9rem; border-radius: .35rem;
  border: 1px solid var(--jpt-accent); background: var(--jpt-accent); color: #fff; cursor: pointer; }
.jpt-control button:disabled, .jpt-control input:disabled, .jpt-control select:disabled { opacity: .5; cursor: default; }
.jpt-controlConfirmed { font-size: 12px; color: var(--jpt-muted); }
.jpt-controlProblem { font-size: 12px; color: var(--jpt-error); }
.jpt-controlProblem:empty { display: none; }
.jpt-compareForm { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem; font-family: var(--jpt-font);
  font-size: 13px; color: var(--jpt-fg); }
.jpt-compareForm[hidden] { display: none; }
.jpt-comparePattern { min-width: 16em; font: 13px var(--jpt-mono); color: var(--jpt-fg); background: var(--jpt-bg);
  border: 1px solid var(--jpt-line); border-radius: 3px; padding: .15rem .35rem; }
.jpt-compareProblem { color: var(--jpt-error); }
`;

/**
 * Add the stylesheet to a document once.
 * @param {Document} doc
 */
export function ensureStyles(doc = document) {
  if (doc.getElementById('jupyter-push-tiles-css')) {
    return;
  }
  const style = doc.createElement('style');
  style.id = 'jupyter-push-tiles-css';
  style.textContent = CSS;
  doc.head.append(style);
}
