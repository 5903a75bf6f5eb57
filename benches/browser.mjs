// The browser benchmark: Plume's release build in Debian's headless Chromium, on generated traces
// of each size in PLUME_BROWSER_BENCH_SPANS (default 10000,100000,1000000; files in target/bench/,
// made by `./dev bench`). Per size, in a fresh browser: load time, memory, the time to the first
// rows, frame times while scrolling the span tree, the time for rows to appear after a jump,
// opening span details, frame times while panning the timeline, collapse / expand all, and a
// search; then what is kept in IndexedDB across a reload, and the size of what the page
// downloads. Prints a Markdown section (between the browser markers of BENCHMARKS.md) on
// stdout; progress goes to stderr.
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { serve, launch, root, shown } from '../tests/e2e/browser.mjs';

const sizes = (process.env.PLUME_BROWSER_BENCH_SPANS ?? '10000,100000,1000000').split(',').filter(Boolean).map(Number);
const SCROLL_FRAMES = 300;
const PAN_FRAMES = 120;
const JUMPS = 20;
const DETAILS = 10;
// The span filters timed (the native benchmark's).
const FILTERS = ["span_kind == 'LLM'", "llm.token_count.total > 1000", "'error' in output.value", "cumulative_token_count.total > 1000 and latency_ms > 100"];

const log = (...args) => console.error('[browser bench]', ...args);
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};
const ms = (x) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
const mb = (bytes) => (bytes / 1e6).toFixed(0);

/** Proportional set size of this process's descendants: the browser's processes (shared pages
 * counted once). */
async function browserPss() {
  const children = new Map();
  const { readdir } = await import('node:fs/promises');
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch { /* gone */ }
  }
  let total = 0;
  const queue = [...(children.get(process.pid) ?? [])];
  while (queue.length) {
    const p = queue.pop();
    try {
      const rollup = await readFile(`/proc/${p}/smaps_rollup`, 'utf8');
      total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch { /* gone */ }
    queue.push(...(children.get(p) ?? []));
  }
  return total;
}

/** In the page: whether a row in view of the span list is still a placeholder, and the times
 * between `frames` animation frames while `act(i)` runs after each. */
function installHelpers(page) {
  return page.evaluate(() => {
    window.frameTimes = async (frames, act) => {
      const deltas = [];
      let last = performance.now();
      for (let i = 0; i < frames; i++) {
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        deltas.push(now - last);
        last = now;
        act(i);
      }
      return deltas.slice(1);
    };
    window.unfilledInView = () => {
      const list = document.querySelector('.span-list');
      const top = list.getBoundingClientRect().top;
      const bottom = top + list.clientHeight;
      return [...list.querySelectorAll('.srow.placeholder')].some((row) => {
        const r = row.getBoundingClientRect();
        return r.bottom > top && r.top < bottom;
      });
    };
  });
}

/** Waits until the rows in view of the span list are filled; returns ms. */
function rowsFilled(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const start = performance.now();
    const check = () => {
      if (window.unfilledInView()) requestAnimationFrame(check);
      else resolve(performance.now() - start);
    };
    requestAnimationFrame(check);
  }));
}

async function measure(url, spans) {
  const path = join(root, `target/bench/${spans}.pb`);
  const fileBytes = (await stat(path)).size;
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') log('console error', m.text()); });
    page.on('pageerror', (e) => log('page error', e.message));
    // In memory only: the load measured is reading and parsing, not storing.
    await page.goto(`${url}?memory`);
    await page.waitForSelector('header.header');
    const idlePss = await browserPss();

    log(spans, 'loading', path);
    const started = Date.now();
    await page.setInputFiles('[data-testid=file-input]', path);
    await shown(page, '[data-testid=file-result]');
    const loadMs = Date.now() - started;
    const result = await page.textContent('[data-testid=file-result]');
    if (!result.includes(`${spans.toLocaleString('en-US')} spans`)) throw new Error(`unexpected result: ${result}`);
    const [worker] = page.workers();
    // wasm memory never shrinks: this is the worker's high-water mark (file bytes included).
    const wasmBytes = await worker.evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength);

    log(spans, 'opening the trace');
    await page.evaluate(() => { location.hash = '#/project/generated-agents'; });
    await page.waitForSelector('[data-testid=trace-row]');
    const opened = Date.now();
    await page.click('[data-testid=trace-row]');
    await shown(page, '[data-testid=span-row]', 120_000);
    await installHelpers(page);
    await rowsFilled(page);
    const firstRowsMs = Date.now() - opened;
    const pss = await browserPss();

    log(spans, 'scrolling');
    const scroll = await page.evaluate(async (frames) => {
      const list = document.querySelector('.span-list');
      // The frame rate of the page left alone: the baseline of this browser and machine.
      const idle = await window.frameTimes(60, () => {});
      const long = [];
      const observer = new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration)));
      observer.observe({ type: 'longtask' });
      let blank = 0;
      const deltas = await window.frameTimes(frames, () => {
        if (window.unfilledInView()) blank++;
        list.scrollTop += 120; // five rows a frame: a brisk wheel
      });
      observer.disconnect();
      return { deltas, idle, blank, long };
    }, SCROLL_FRAMES);

    log(spans, 'jumping');
    const jumps = [];
    for (let i = 0; i < JUMPS; i++) {
      await page.evaluate((f) => {
        const list = document.querySelector('.span-list');
        list.scrollTop = f * (list.scrollHeight - list.clientHeight);
      }, ((i * 7919) % JUMPS) / JUMPS + 0.01);
      jumps.push(await rowsFilled(page));
    }

    log(spans, 'span details');
    const details = [];
    for (let i = 0; i < DETAILS; i++) {
      const row = page.locator('[data-testid=span-row]').nth(3 + i);
      const spanId = await row.getAttribute('data-span-id');
      const t = Date.now();
      await row.click();
      await shown(page, `[data-testid=span-details][data-span-id="${spanId}"]`, 60_000);
      details.push(Date.now() - t);
    }

    log(spans, 'panning the timeline');
    for (let i = 0; i < 4; i++) await page.click('button[title^="Zoom in"]');
    const pan = await page.evaluate((frames) => {
      const rows = document.querySelector('.wf-rows');
      const { left, top, width } = rows.getBoundingClientRect();
      // Shift + wheel pans: the way a mouse user moves along the timeline.
      return window.frameTimes(frames, (i) => rows.dispatchEvent(new WheelEvent('wheel', {
        deltaY: i < frames / 2 ? 40 : -40, shiftKey: true, clientX: left + width * 0.7, clientY: top + 100, bubbles: true, cancelable: true,
      })));
    }, PAN_FRAMES);
    const cdp = await page.context().newCDPSession(page);
    const jsHeap = (await cdp.send('Runtime.getHeapUsage')).usedSize;

    log(spans, 'collapse and expand all, search');
    const timed = async (action, done, arg = null) => {
      const t = Date.now();
      await action();
      await page.waitForFunction(done, arg, { timeout: 120_000, polling: 'raf' });
      return Date.now() - t;
    };
    // Collapsing all keeps the root's children in sight: done when no deeper row is left.
    // (Functions, not strings: the page's Content-Security-Policy forbids eval.)
    const collapseMs = await timed(() => page.click('text=Collapse all'),
      () => [...document.querySelectorAll('[data-testid=span-row]')].every((r) => Number(r.getAttribute('aria-level')) <= 2));
    const expandMs = await timed(() => page.click('text=Expand all'),
      () => [...document.querySelectorAll('[data-testid=span-row]')].some((r) => Number(r.getAttribute('aria-level')) > 2));
    // Typed, then Enter: the search runs at once (typing alone waits 250 ms for a pause).
    await page.fill('[data-testid=trace-search]', 'convert_currency');
    const searchMs = await timed(
      () => page.press('[data-testid=trace-search]', 'Enter'),
      () => /of [\d,]+/.test(document.querySelector('[data-testid=search-matches]')?.textContent ?? ''),
    );
    // Span filters over every span, in the worker: window.plume.query resolves with the ids.
    log(spans, 'filters');
    const filters = {};
    for (const expression of FILTERS) {
      filters[expression] = await page.evaluate(async (e) => {
        const t = performance.now();
        const ids = await window.plume.query(e);
        return { ms: performance.now() - t, matched: ids.length };
      }, expression);
    }
    // The same filter in the filter bar of the project's all-spans table: Enter → the count of
    // matching spans shown (the engine checks it, filters, sorts and pages).
    await page.evaluate(() => { location.hash = '#/project/generated-agents/spans'; });
    await page.waitForSelector('[data-testid=trace-row]', { timeout: 120_000 });
    await page.fill('[data-testid=filter-input]', FILTERS[0]);
    const shown = `${filters[FILTERS[0]].matched.toLocaleString('en-US')} spans`;
    const tableFilterMs = await timed(
      () => page.press('[data-testid=filter-input]', 'Enter'),
      (text) => document.querySelector('.filters .muted')?.textContent === text,
      shown,
    );
    return {
      spans, fileBytes, loadMs, wasmBytes, pss, idlePss, firstRowsMs, scroll, jumps, collapseMs, expandMs, searchMs,
      details, pan, jsHeap, filters, tableFilterMs,
    };
  } finally {
    await browser.close();
  }
}

/** Keeping `spans` spans (in 100 traces) in IndexedDB, then how soon after a reload the projects
 * list shows, and how soon a trace opened shows its rows. */
async function measureStored(url, spans) {
  const path = join(root, `target/bench/${spans}-in-100-traces.pb`);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // When the first project row appears, ms after navigation started.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('[data-testid=project-row]')) {
          window.listShownMs = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(url);
    await page.waitForSelector('header.header');
    log(spans, 'stored: loading and keeping');
    const started = Date.now();
    await page.setInputFiles('[data-testid=file-input]', path);
    await shown(page, '[data-testid=file-result]');
    const keepMs = Date.now() - started;
    log(spans, 'stored: reloading');
    await page.reload();
    await page.waitForFunction(() => window.listShownMs !== undefined, null, { timeout: 600_000 });
    const listMs = await page.evaluate(() => window.listShownMs);
    // Opening a trace then reads that trace's chunks only.
    await page.click('[data-testid=project-row] a');
    await page.waitForSelector('[data-testid=trace-row]');
    const opened = Date.now();
    await page.click('[data-testid=trace-row]');
    await shown(page, '[data-testid=span-row]');
    const openMs = Date.now() - opened;
    return { spans, keepMs, listMs, openMs };
  } finally {
    await browser.close();
  }
}

/** One trace of `spans` spans (OTLP/JSON, `target/bench/SPANS-one-trace.json`) split into
 * `pieces` bodies, as an SDK sends a long trace batch by batch. */
async function splitIntoPieces(spans, pieces) {
  const whole = join(root, `target/bench/${spans}-one-trace.json`);
  const document = JSON.parse(await readFile(whole, 'utf8'));
  const all = document.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ r, s, span }))));
  const dir = join(root, `target/bench/${spans}-in-${pieces}-pieces`);
  await mkdir(dir, { recursive: true });
  const paths = [];
  const size = Math.ceil(all.length / pieces);
  for (let n = 0; n < pieces; n++) {
    const part = all.slice(n * size, (n + 1) * size);
    const body = { resourceSpans: [{ resource: part[0].r.resource, scopeSpans: [{ scope: part[0].s.scope, spans: part.map((p) => p.span) }] }] };
    const path = join(dir, `piece-${String(n).padStart(3, '0')}.otlp.json`);
    await writeFile(path, JSON.stringify(body));
    paths.push(path);
  }
  return { whole, paths };
}

/** Loading and keeping `files` (one batch) in a fresh browser until every file is done, ms. */
async function keepAll(url, files) {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('header.header');
    await page.waitForFunction(() => window.plume.settled());
    const started = Date.now();
    await page.setInputFiles('[data-testid=file-input]', files);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=file-result]').length === n && window.plume.settled(), files.length, { timeout: 600_000, polling: 50 });
    return Date.now() - started;
  } finally {
    await browser.close();
  }
}

/** One trace kept as it arrives in `pieces` bodies, against the same trace kept as one file. */
async function measurePieces(url, spans, pieces) {
  const { whole, paths } = await splitIntoPieces(spans, pieces);
  log(spans, `kept as one file, then in ${pieces} pieces`);
  const oneMs = await keepAll(url, [whole]);
  const piecesMs = await keepAll(url, paths);
  return { spans, pieces, oneMs, piecesMs };
}

const pieceSizes = (process.env.PLUME_BROWSER_BENCH_PIECES ?? '50000').split(',').filter(Boolean).map(Number);
const stored = (process.env.PLUME_BROWSER_BENCH_STORED ?? '50000,500000').split(',').filter(Boolean).map(Number);
const server = await serve();
const machine = process.env.PLUME_MACHINE ?? 'this machine';
const version = (await import('node:child_process')).execFileSync(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
const results = [];
const storedResults = [];
const pieceResults = [];
try {
  for (const spans of sizes) results.push(await measure(server.url, spans));
  for (const spans of stored) storedResults.push(await measureStored(server.url, spans));
  for (const spans of pieceSizes) pieceResults.push(await measurePieces(server.url, spans, 100));
} finally {
  await server.close();
}

/** The release build's files: what the page loads (and an embedding page, with the element's
 * script), raw and gzipped. */
async function bundle() {
  const dist = join(root, 'dist');
  const files = [];
  for (const name of (await readdir(dist)).sort()) {
    // Not loaded by the page: the demo host page, and the CSP's header form for deployers.
    if (name === 'embed-demo.html' || name === 'csp.txt' || !(await stat(join(dist, name))).isFile()) continue;
    const bytes = await readFile(join(dist, name));
    files.push({ name, raw: bytes.length, gz: gzipSync(bytes).length });
  }
  return files;
}

const lines = [];
lines.push(`### In the browser — ${new Date().toISOString().slice(0, 10)}, ${machine}, ${version}`, '');
lines.push('| spans | file MB | load s | MB/s | spans/s | worker wasm MB (bytes/span) | page JS heap MB | browser PSS MB (idle) | first rows ms | file handed → first rows s |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  lines.push(`| ${r.spans} | ${mb(r.fileBytes)} | ${(r.loadMs / 1000).toFixed(1)} | ${(r.fileBytes / 1e6 / (r.loadMs / 1000)).toFixed(0)} | ${Math.round(r.spans / (r.loadMs / 1000))} | ${mb(r.wasmBytes)} (${Math.round(r.wasmBytes / r.spans)}) | ${(r.jsHeap / 1e6).toFixed(1)} | ${mb(r.pss)} (${mb(r.idlePss)}) | ${r.firstRowsMs} | ${((r.loadMs + r.firstRowsMs) / 1000).toFixed(1)} |`);
}
lines.push('', `Opening a span's details (${DETAILS} spans, click → details shown) and panning the zoomed-in timeline (Shift + wheel, ${PAN_FRAMES} frames):`, '');
lines.push('| spans | details ms median | p95 | pan frame ms median | p95 | max |');
lines.push('|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  lines.push(`| ${r.spans} | ${ms(percentile(r.details, 0.5))} | ${ms(percentile(r.details, 0.95))} | ${ms(percentile(r.pan, 0.5))} | ${ms(percentile(r.pan, 0.95))} | ${ms(Math.max(...r.pan))} |`);
}
lines.push('', `Scrolling the span tree ${SCROLL_FRAMES} frames at 120 px a frame, then ${JUMPS} jumps to far places:`, '');
lines.push('| spans | idle frame ms median | frame ms median | p95 | max | frames with a row in view unfilled | long tasks (> 50 ms) | jump → rows filled, ms median | p95 | collapse all ms | expand all ms | search ms |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const d = r.scroll.deltas;
  lines.push(`| ${r.spans} | ${ms(percentile(r.scroll.idle, 0.5))} | ${ms(percentile(d, 0.5))} | ${ms(percentile(d, 0.95))} | ${ms(Math.max(...d))} | ${r.scroll.blank} of ${SCROLL_FRAMES} | ${r.scroll.long.length} | ${ms(percentile(r.jumps, 0.5))} | ${ms(percentile(r.jumps, 0.95))} | ${r.collapseMs} | ${r.expandMs} | ${r.searchMs} |`);
}
lines.push('', 'Span filters over every span, in the worker (`window.plume.query(expr)` → ids in the page), ms:', '');
lines.push(`| filter | ${results.map((r) => `${r.spans} spans`).join(' | ')} |`);
lines.push(`|---|${results.map(() => '---:|').join('')}`);
for (const expression of FILTERS) {
  lines.push(`| \`${expression}\` | ${results.map((r) => Math.round(r.filters[expression].ms)).join(' | ')} |`);
}
lines.push(`| the all-spans table, \`${FILTERS[0]}\` applied → count shown | ${results.map((r) => r.tableFilterMs).join(' | ')} |`);
if (results.length > 1) {
  const [a, b] = [results[0], results[results.length - 1]];
  const perSpan = (r) => r.loadMs / r.spans;
  lines.push('', `Ratios, ${b.spans} / ${a.spans} spans, same run: load time per span ×${(perSpan(b) / perSpan(a)).toFixed(2)}, wasm bytes per span ×${((b.wasmBytes / b.spans) / (a.wasmBytes / a.spans)).toFixed(2)}, median frame ×${(percentile(b.scroll.deltas, 0.5) / percentile(a.scroll.deltas, 0.5)).toFixed(2)}.`);
}
if (storedResults.length) {
  lines.push('', 'Kept in IndexedDB (the default), then the page reloaded:', '');
  lines.push('| spans | load and keep s | projects list shown, ms after navigation | a trace opened → its first rows, ms |');
  lines.push('|---:|---:|---:|---:|');
  for (const r of storedResults) lines.push(`| ${r.spans} | ${(r.keepMs / 1000).toFixed(1)} | ${Math.round(r.listMs)} | ${r.openMs} |`);
}
if (pieceResults.length) {
  lines.push('', 'One trace kept in IndexedDB as it arrives in 100 pieces (OTLP/JSON bodies dropped together: read one after another, assembled and kept once a second and at the end; a piece of a kept trace is added as its own chunks), against the same trace kept as one file, same run:', '');
  lines.push('| spans | one file: load and keep s | 100 pieces: load and keep s | ratio |');
  lines.push('|---:|---:|---:|---:|');
  for (const r of pieceResults) lines.push(`| ${r.spans} | ${(r.oneMs / 1000).toFixed(1)} | ${(r.piecesMs / 1000).toFixed(1)} | ×${(r.piecesMs / r.oneMs).toFixed(2)} |`);
}
const files = await bundle();
const sum = (list, key) => list.reduce((total, f) => total + f[key], 0);
// The helper is downloaded only when a parquet, Jaeger or Zipkin file is opened.
const onDemand = (f) => f.name.startsWith('plume-helper');
const embedding = files.filter((f) => !onDemand(f));
const page = embedding.filter((f) => f.name !== 'plume-embed.js');
lines.push('', 'What the page downloads (gzip level 6; an embedding page also loads `plume-embed.js`; `plume-helper*` only when a parquet, Jaeger or Zipkin file is opened):', '');
lines.push('| file | KB | KB gzipped |', '|---|---:|---:|');
for (const f of files) lines.push(`| ${f.name} | ${(f.raw / 1e3).toFixed(1)} | ${(f.gz / 1e3).toFixed(1)} |`);
lines.push(`| **the page** | **${(sum(page, 'raw') / 1e3).toFixed(0)}** | **${(sum(page, 'gz') / 1e3).toFixed(0)}** |`);
lines.push(`| **an embedding page** | **${(sum(embedding, 'raw') / 1e3).toFixed(0)}** | **${(sum(embedding, 'gz') / 1e3).toFixed(0)}** |`);
lines.push(`| the helper, on demand | ${(sum(files.filter(onDemand), 'raw') / 1e3).toFixed(0)} | ${(sum(files.filter(onDemand), 'gz') / 1e3).toFixed(0)} |`);
console.log(lines.join('\n'));
