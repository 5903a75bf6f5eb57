// Share files: how big the file of a 10k-span trace is (the viewer's part and the trace's), and
// how soon it shows its first rows opened from disk in headless Chromium, beside the same trace
// dropped on the served viewer, in the same run. Prints a BENCHMARKS.md section.
// Needs target/release/plume, dist/ (./dev build) and target/bench/share-10k.pb (./dev bench
// makes it: `plume generate --spans 10000`).
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { launch, serve } from '../tests/e2e/browser.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const machine = process.env.PLUME_MACHINE ?? `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const RUNS = Number(process.env.PLUME_SHARE_BENCH_RUNS ?? 5);
const trace = join(root, 'target/bench/share-10k.pb');
const shared = join(root, 'target/bench/share-10k.html');

await promisify(execFile)(join(root, 'target/release/plume'), ['share', trace, '-o', shared, '--page', join(root, 'dist')]);
const file = (await stat(shared)).size;
const shell = (await stat(join(root, 'dist/plume-share.html'))).size;
const html = await readFile(shared, 'utf8');
const traceBase64 = [...html.matchAll(/class="plume-trace-file"[^>]*>([^<]*)</g)].reduce((n, m) => n + m[1].length, 0);
const raw = (await stat(trace)).size;

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const browser = await launch();
const server = await serve();
const firstRows = async (page) => {
  await page.waitForSelector('[data-testid=span-row]', { timeout: 60_000 });
  return page.evaluate(() => performance.now());
};
const opened = [];
const dropped = [];
for (let run = 0; run < RUNS; run += 1) {
  // Opened from disk: navigation start → the trace's first rows.
  let context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  let page = await context.newPage();
  await page.goto(pathToFileURL(shared).href);
  opened.push(await firstRows(page));
  await context.close();
  // The served viewer, the same trace dropped as soon as the page can take it, then opened.
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  await page.goto(`${server.url}?memory`);
  await page.waitForSelector('[data-testid=file-input]', { state: 'attached' });
  await page.setInputFiles('[data-testid=file-input]', trace);
  await page.waitForFunction(() => window.plume.settled() && window.plume.summary().traces === 1);
  await page.evaluate(() => { location.hash = '#/project/generated-agents'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.click('[data-testid=trace-row]');
  dropped.push(await firstRows(page));
  await context.close();
}
await browser.close();
await server.close();

const kb = (bytes) => `${(bytes / 1000).toLocaleString('en', { maximumFractionDigits: 0 })} kB`;
const ms = (value) => `${Math.round(value)} ms`;
console.log(`### Share files — ${new Date().toISOString().slice(0, 10)}, ${machine}

A 10,000-span trace (\`plume generate --spans 10000\`, ${kb(raw)} of OTLP protobuf) shared with
\`plume share\`:

| | |
|---|---|
| the share file | ${kb(file)} |
| of which the viewer (\`plume-share.html\`: page, engine, CSS, start-up) | ${kb(shell)} |
| of which the trace (gzip, base64) | ${kb(traceBase64)} |

Opened from disk in headless Chromium, navigation start → the trace's first rows (median of
${RUNS}): **${ms(median(opened))}**; the same trace dropped on the served viewer and opened from its
project's table, navigation start → first rows: ${ms(median(dropped))} (×${(median(opened) / median(dropped)).toFixed(2)}).`);
