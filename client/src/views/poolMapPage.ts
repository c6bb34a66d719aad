// The pool map webview's page: markup, theme-aware styles and the script, all under a
// Content-Security-Policy that allows nothing but this page's nonce (no remote resources, no
// inline handlers or style attributes; positions are set through the CSSOM by the script).
import { POOL_MAP_SCRIPT } from './poolMapScript';

const STYLE = `
:root {
  --free: var(--vscode-editorWidget-background, #2d2d2d);
  --used: var(--vscode-charts-blue, #3794ff);
  --shared: var(--vscode-charts-purple, #b180d7);
  --requested: var(--vscode-charts-yellow, #cca700);
  --reserved: var(--vscode-charts-orange, #d18616);
  --outside: var(--vscode-charts-red, #f14c4c);
  --edge: var(--vscode-editorWidget-border, var(--vscode-panel-border, #454545));
}
body { margin: 0; padding: 0 16px; height: 100vh; display: flex; flex-direction: column; box-sizing: border-box;
  color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
header h1 { font-size: 1.3em; margin: 12px 0 2px; }
header p { margin: 2px 0; color: var(--vscode-descriptionForeground); }
#legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; margin: 8px 0; }
.legend-item { display: flex; align-items: center; gap: 6px; }
.swatch { width: 12px; height: 12px; display: inline-block; border: 1px solid var(--edge); }
#toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; }
button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none; padding: 3px 10px; cursor: pointer; }
button:focus-visible, .cell:focus { outline: 2px solid var(--vscode-focusBorder); outline-offset: 1px; }
#details { min-height: 1.4em; font-family: var(--vscode-editor-font-family); }
#viewport { flex: 1; overflow: auto; position: relative; min-height: 120px; border-top: 1px solid var(--edge); }
#viewport:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
#spacer { width: 1px; }
#rows { position: absolute; top: 0; left: 0; right: 0; }
.block-head, .cells { height: 18px; display: flex; align-items: center; gap: 2px; }
.block-head { gap: 12px; font-size: 0.85em; color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); }
.cell { width: 14px; height: 14px; box-sizing: border-box; border: 1px solid var(--edge); cursor: default; }
.s-free { background: var(--free); }
.s-used { background: var(--used); cursor: pointer; }
.s-shared { background: var(--shared); cursor: pointer; }
.s-requested { background: repeating-linear-gradient(45deg, var(--requested) 0 3px, transparent 3px 5px); cursor: pointer; }
.s-reserved { background: var(--reserved); }
.s-outside { background: repeating-linear-gradient(-45deg, var(--outside) 0 2px, transparent 2px 5px); }
#blocks { display: none; flex-wrap: wrap; gap: 6px; overflow: auto; flex: 1; align-content: flex-start; }
body.zoomed-out #blocks { display: flex; }
body.zoomed-out #viewport { display: none; }
.tile { width: 132px; display: flex; flex-direction: column; gap: 3px; padding: 4px; text-align: left; font-size: 0.85em; }
.bar { display: flex; height: 8px; background: var(--free); border: 1px solid var(--edge); }
.part { height: 100%; }
body.has-error #viewport, body.has-error #toolbar { display: none; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
#alt table { border-collapse: collapse; } #alt td { padding: 0 12px 0 0; font-family: var(--vscode-editor-font-family); }
#alt { margin: 6px 0 10px; max-height: 25vh; overflow: auto; }
`;

/** The page for one panel; `cspSource` is the webview's own origin, `nonce` fresh per page. */
export function poolMapHtml(cspSource: string, nonce: string): string {
  const csp = `default-src 'none'; img-src ${cspSource}; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Pool map</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><h1 id="title">Pool map</h1><p id="summary">Loading…</p><p id="note"></p></header>
<ul id="legend" aria-label="States and how many addresses are in each"></ul>
<div id="toolbar"><button id="zoom" type="button" aria-pressed="false">Show blocks</button><span id="details" role="status" aria-live="polite"></span></div>
<div id="viewport" tabindex="0" role="grid"><div id="spacer"></div><div id="rows" role="rowgroup"></div></div>
<div id="blocks" role="list" aria-label="Blocks of 256 addresses"></div>
<details id="alt"><summary>Addresses with a Service or a node (text)</summary>
<table><thead><tr><th>address</th><th>state</th><th>Services / nodes</th></tr></thead><tbody id="alt-body"></tbody></table></details>
<script nonce="${nonce}">${POOL_MAP_SCRIPT}</script>
</body>
</html>`;
}
