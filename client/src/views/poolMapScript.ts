// The pool map webview's script, shipped inside the extension bundle (no file to package, nothing
// remote) and run under the page's nonce. It gets runs of states (poolMapModel.ts), expands them
// into one byte per drawn address and builds DOM only for the rows in view: a /16 is 65,536
// bytes and about a thousand cells. Addresses are formatted by the extension (the core's
// formatIp), asked for per visible range. Plain browser JavaScript: the webview has no bundler.
export const POOL_MAP_SCRIPT = String.raw`
(() => {
  const vscode = acquireVsCodeApi();
  const started = performance.now();
  const STATES = ['free', 'used', 'shared', 'requested', 'reserved', 'outside'];
  const LABELS = {
    free: 'free', used: 'used (one Service)', shared: 'shared (several Services)',
    requested: 'requested (asked for, not held yet)', reserved: 'reserved (a node address; usingKnownIPs is off)',
    outside: 'outside the node subnet',
  };
  const BLOCK = 256, COLS = 32, ROW_H = 18, ROWS_PER_BLOCK = 1 + BLOCK / COLS, OVERSCAN = 4;
  const $ = (id) => document.getElementById(id);
  const viewport = $('viewport'), spacer = $('spacer'), rowsEl = $('rows'), blocksEl = $('blocks');
  let view = null, states = new Uint8Array(0), marked = new Map(), addresses = new Map();
  let zoomedOut = false, focus = -1, asked = new Set();
  /** The rows drawn and the data they were drawn from: a render that would change nothing is skipped. */
  let drawn = '', version = 0;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function expand(v) {
    const out = new Uint8Array(v.shown);
    let pos = 0;
    for (let i = 0; i < v.runs.length; i += 2) { out.fill(v.runs[i], pos, pos + v.runs[i + 1]); pos += v.runs[i + 1]; }
    return out;
  }

  function describe(offset) {
    const state = STATES[states[offset]];
    const m = marked.get(offset);
    const addr = addresses.get(offset) ?? (view.blockStarts[Math.floor(offset / BLOCK)] + ' +' + (offset % BLOCK));
    let text = addr + ': ' + state;
    if (m && m.holders.length) text += ' by ' + m.holders.join(', ');
    if (m && m.requesters.length) text += (m.holders.length ? '; requested by ' : ' by ') + m.requesters.join(', ');
    if (m && m.nodes.length) text += '; address of node ' + m.nodes.join(', ');
    return text;
  }

  function totalRows() {
    const blocks = view.blockStarts.length;
    if (!blocks) return 0;
    const last = view.shown - (blocks - 1) * BLOCK;
    return (blocks - 1) * ROWS_PER_BLOCK + 1 + Math.ceil(last / COLS);
  }

  function fillOf(block) {
    const from = block * BLOCK, to = Math.min(view.shown, from + BLOCK), per = new Array(STATES.length).fill(0);
    for (let i = from; i < to; i++) per[states[i]]++;
    return { per, len: to - from };
  }

  function blockHeader(block) {
    const row = el('div', 'block-head');
    const { per, len } = fillOf(block);
    const taken = per[1] + per[2];
    const head = el('span', 'block-start', view.blockStarts[block]);
    head.setAttribute('role', 'rowheader');
    row.append(head, el('span', 'block-fill', taken + '/' + len + ' held'));
    row.setAttribute('role', 'row');
    return row;
  }

  function cellRow(start) {
    const row = el('div', 'cells');
    row.setAttribute('role', 'row');
    const end = Math.min(view.shown, start + COLS);
    for (let o = start; o < end; o++) {
      const c = el('div', 'cell s-' + STATES[states[o]]);
      c.dataset.o = String(o);
      c.setAttribute('role', 'gridcell');
      c.setAttribute('aria-label', describe(o));
      c.tabIndex = o === focus ? 0 : -1;
      row.append(c);
    }
    return row;
  }

  function render() {
    if (!view || zoomedOut) return;
    const n = totalRows();
    spacer.style.height = (n * ROW_H) + 'px';
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(n, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_H) + OVERSCAN);
    const key = first + ':' + last + ':' + version;
    if (key === drawn) return;
    drawn = key;
    rowsEl.style.transform = 'translateY(' + (first * ROW_H) + 'px)';
    const frag = document.createDocumentFragment();
    let lo = -1, hi = -1;
    for (let r = first; r < last; r++) {
      const block = Math.floor(r / ROWS_PER_BLOCK), within = r % ROWS_PER_BLOCK;
      if (within === 0) { frag.append(blockHeader(block)); continue; }
      const start = block * BLOCK + (within - 1) * COLS;
      if (lo < 0) lo = start;
      hi = Math.min(view.shown, start + COLS);
      frag.append(cellRow(start));
    }
    rowsEl.replaceChildren(frag);
    if (lo >= 0) askAddresses(Array.from({ length: hi - lo }, (_, i) => lo + i));
  }

  /** Asks the extension for the addresses of these offsets (each asked once). */
  function askAddresses(offsets) {
    const missing = offsets.filter((o) => !addresses.has(o) && !asked.has(o));
    if (!missing.length) return;
    for (const o of missing) asked.add(o);
    vscode.postMessage({ type: 'addresses', offsets: missing });
  }

  function renderBlocks() {
    const frag = document.createDocumentFragment();
    view.blockStarts.forEach((startText, block) => {
      const { per, len } = fillOf(block);
      const tile = el('button', 'tile');
      tile.type = 'button';
      tile.dataset.block = String(block);
      const bar = el('span', 'bar');
      per.forEach((count, s) => {
        if (!count || s === 0) return;
        const part = el('span', 'part s-' + STATES[s]);
        part.style.width = (100 * count / len) + '%';
        bar.append(part);
      });
      const held = per[1] + per[2];
      tile.append(el('span', 'tile-start', startText), bar, el('span', 'tile-fill', held + '/' + len));
      tile.setAttribute('aria-label', 'block ' + startText + ': ' + held + ' of ' + len + ' held; open');
      frag.append(tile);
    });
    blocksEl.replaceChildren(frag);
  }

  function renderLegend() {
    const legend = $('legend');
    legend.replaceChildren(...STATES.map((s) => {
      const li = el('li', 'legend-item');
      li.dataset.state = s;
      li.dataset.count = view.counts[s];
      // Only layer2 answers depend on the node subnet (as the eip-layer2-subnet rule says).
      const unknown = view.protocol === 'layer2' ? ' (the nodes do not publish their subnets)' : ' (not checked: ' + view.protocol + ' pools)';
      const name = s === 'outside' && !view.subnetsKnown ? LABELS[s] + unknown : LABELS[s];
      li.append(el('span', 'swatch s-' + s), el('span', 'legend-label', name), el('b', 'legend-count', view.counts[s]));
      return li;
    }));
  }

  function renderAlt() {
    const body = $('alt-body');
    body.replaceChildren(...[...marked.values()].filter((m) => m.state !== 'free' && m.state !== 'outside').map((m) => {
      const tr = el('tr');
      tr.append(el('td', '', addresses.get(m.offset) ?? ''), el('td', '', m.state), el('td', '', [...m.holders, ...m.requesters, ...m.nodes].join(', ')));
      tr.dataset.o = String(m.offset);
      return tr;
    }));
    askAddresses([...marked.keys()]);
  }

  function show(v) {
    if (!view || view.address !== v.address) { addresses = new Map(); asked = new Set(); }
    view = v;
    document.body.classList.toggle('has-error', !!v.error);
    $('title').textContent = 'Eip ' + v.name;
    $('summary').textContent = v.error ? v.error : v.address + ' · ' + v.protocol + ' · ' + v.size + ' addresses';
    $('note').textContent = v.hidden !== '0' ? 'Showing the first ' + v.shown.toLocaleString('en-US') + ' addresses; ' + v.hidden + ' more are not drawn (the counts cover the whole pool).' : '';
    states = expand(v);
    version++;
    marked = new Map(v.marked.map((m) => [m.offset, m]));
    viewport.setAttribute('aria-label', 'Addresses of Eip ' + v.name + '; arrow keys move, Enter opens the Service');
    renderLegend();
    renderAlt();
    const received = performance.now();
    if (zoomedOut) renderBlocks(); else render();
    if (!document.body.dataset.ready) {
      // How long the first map took: waiting for the data, then drawing it (read by the editor test).
      document.body.dataset.waitMs = String(Math.round(received - started));
      document.body.dataset.drawMs = String(Math.round(performance.now() - received));
    }
    document.body.dataset.ready = 'true';
  }

  function setZoom(out, block) {
    zoomedOut = out;
    document.body.classList.toggle('zoomed-out', out);
    $('zoom').setAttribute('aria-pressed', String(out));
    $('zoom').textContent = out ? 'Show addresses' : 'Show blocks';
    if (out) { renderBlocks(); return; }
    if (block !== undefined) viewport.scrollTop = block * ROWS_PER_BLOCK * ROW_H;
    render();
  }

  let hovered = -1;
  function hoverText(offset) { hovered = offset; $('details').textContent = describe(offset); }

  function open(offset) {
    const m = marked.get(offset);
    if (m && (m.holders.length || m.requesters.length)) vscode.postMessage({ type: 'open', offset });
  }

  function rowOf(offset) { return Math.floor(offset / BLOCK) * ROWS_PER_BLOCK + 1 + Math.floor((offset % BLOCK) / COLS); }

  function moveFocus(offset) {
    if (!view || !view.shown) return;
    focus = Math.max(0, Math.min(view.shown - 1, offset));
    const top = rowOf(focus) * ROW_H;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_H > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW_H - viewport.clientHeight;
    render();
    for (const c of rowsEl.querySelectorAll('.cell[tabindex="0"]')) c.tabIndex = -1;
    const cell = rowsEl.querySelector('[data-o="' + focus + '"]');
    if (cell) { cell.tabIndex = 0; cell.focus(); }
    hoverText(focus);
  }

  const cellOf = (t) => (t instanceof Element ? t.closest('.cell') : null);
  rowsEl.addEventListener('mouseover', (e) => { const c = cellOf(e.target); if (c) hoverText(Number(c.dataset.o)); });
  rowsEl.addEventListener('click', (e) => { const c = cellOf(e.target); if (c) { focus = Number(c.dataset.o); open(focus); } });
  rowsEl.addEventListener('focusin', (e) => { const c = cellOf(e.target); if (c) { focus = Number(c.dataset.o); hoverText(focus); } });
  viewport.addEventListener('scroll', () => requestAnimationFrame(render));
  viewport.addEventListener('focus', (e) => { if (e.target === viewport) moveFocus(focus < 0 ? 0 : focus); });
  viewport.addEventListener('keydown', (e) => {
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLS, ArrowDown: COLS, PageUp: -BLOCK, PageDown: BLOCK }[e.key];
    if (step !== undefined) { e.preventDefault(); moveFocus((focus < 0 ? 0 : focus) + step); return; }
    if (e.key === 'Home') { e.preventDefault(); moveFocus(0); return; }
    if (e.key === 'End') { e.preventDefault(); moveFocus(view.shown - 1); return; }
    if ((e.key === 'Enter' || e.key === ' ') && focus >= 0) { e.preventDefault(); open(focus); }
  });
  blocksEl.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target.closest('.tile') : null;
    if (t) setZoom(false, Number(t.dataset.block));
  });
  $('zoom').addEventListener('click', () => setZoom(!zoomedOut));
  window.addEventListener('resize', () => render());
  window.addEventListener('message', (e) => {
    const msg = e.data;
    if (msg.type === 'map') show(msg.view);
    if (msg.type === 'addresses') {
      const got = new Set(msg.offsets);
      msg.offsets.forEach((o, i) => addresses.set(o, msg.list[i]));
      for (const c of rowsEl.querySelectorAll('.cell')) {
        const o = Number(c.dataset.o);
        if (got.has(o)) c.setAttribute('aria-label', describe(o));
      }
      if (got.has(hovered)) hoverText(hovered);
      if (msg.offsets.some((o) => marked.has(o))) renderAlt();
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
`;
