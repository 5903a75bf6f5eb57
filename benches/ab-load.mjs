// A/B of two builds of the viewer loading the same file, alternating in one run (BENCHMARKS.md
// compares builds this way): node benches/ab-load.mjs DIST_A DIST_B, where each is a `trunk
// build --release` output copied aside. Each load is in a fresh headless Chromium, in memory only
// (`?memory`): the time from the file handed to its result, and the worker's wasm memory (its
// high-water mark). Files: target/bench/<spans>.<EXT> (EXT default pb; `./dev bench` makes the
// .pb ones; `plume generate --to otlp-json` and gzip the others), sizes from SIZES (default
// 100000), ROUNDS per size (default 2). With SEARCH=text, the trace is then opened and, once its
// root's details show (as a person reads before typing), the text searched in it (typed, then
// Enter), timed until the count of matches shows. With FILTER=expression[;expression…], the
// project's all-spans table is shown and each filter applied in turn (typed, then Enter), timed
// until the count of matching spans shows. On Linux, the page faults and CPU
// seconds (user, system) of Chromium's renderer during the load, from /proc, are given too.
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { serve, launch, root, shown } from '../tests/e2e/browser.mjs';

const [dirA, dirB] = process.argv.slice(2);
if (!dirA || !dirB) throw new Error('usage: node benches/ab-load.mjs DIST_A DIST_B');
const sizes = (process.env.SIZES ?? '100000').split(',').map(Number);
const rounds = Number(process.env.ROUNDS ?? 2);
const ext = process.env.EXT ?? 'pb';

async function load(dir, spans) {
  const server = await serve(dir);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}?memory`);
    await page.waitForSelector('header.header');
    const before = renderer();
    const started = Date.now();
    await page.setInputFiles('[data-testid=file-input]', join(root, `target/bench/${spans}.${ext}`));
    await shown(page, '[data-testid=file-result]');
    const loadMs = Date.now() - started;
    const after = renderer();
    const result = await page.textContent('[data-testid=file-result]');
    const [worker] = page.workers();
    const wasm = await worker.evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength);
    const measured = { loadMs, wasmMB: Math.round(wasm / 1e6) };
    if (before && after) {
      measured.faults = after.faults - before.faults;
      measured.cpuS = [(after.user - before.user).toFixed(2), (after.system - before.system).toFixed(2)];
    }
    if (process.env.SEARCH) measured.searchMs = await search(page, process.env.SEARCH);
    if (process.env.FILTER) Object.assign(measured, await filter(page, process.env.FILTER));
    // A build that cannot read the file says why; that is a figure too.
    if (!result.includes(`${spans.toLocaleString('en-US')} spans`)) return { ...measured, result };
    return measured;
  } finally {
    await browser.close();
    await server.close();
  }
}

// Chromium's renderers (the page and its workers, and any spare): their minor page faults and
// CPU seconds so far, summed, or undefined where /proc does not say.
function renderer() {
  const sum = { faults: 0, user: 0, system: 0 };
  try {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom/i.test(command) || !command.includes('--type=renderer')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sum.faults += Number(fields[7]);
      sum.user += fields[11] / 100;
      sum.system += fields[12] / 100;
    }
  } catch {
    // Not Linux, or a process ended while it was read: no figures.
    return undefined;
  }
  return sum;
}

async function search(page, text) {
  await page.evaluate(() => { location.hash = '#/project/generated-agents'; });
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-testid=span-row]', { timeout: 120_000 });
  // A search typed before the root's details came would wait for them: that is not its time.
  await page.waitForSelector('[data-testid=span-details] h2', { timeout: 120_000 });
  await page.fill('[data-testid=trace-search]', text);
  // The typing pause (250 ms) must not run it first.
  const started = Date.now();
  await page.press('[data-testid=trace-search]', 'Enter');
  await page.waitForFunction(
    () => /of [\d,]+|no match/i.test(document.querySelector('[data-testid=search-matches]')?.textContent ?? ''),
    null, { timeout: 120_000, polling: 'raf' });
  return Date.now() - started;
}

// The project's all-spans table shown, then each filter applied: Enter → its count of spans.
async function filter(page, expressions) {
  const count = () => document.querySelector('.filters .muted')?.textContent ?? '';
  const started = Date.now();
  await page.evaluate(() => { location.hash = '#/project/generated-agents/spans'; });
  await shown(page, '[data-testid=trace-row]', 120_000);
  const measured = { tableMs: Date.now() - started, filterMs: [], matched: [] };
  // Typed, then Enter: the time until the count of spans changes.
  const apply = async (expression) => {
    const before = await page.evaluate(count);
    await page.fill('[data-testid=filter-input]', expression);
    const applied = Date.now();
    await page.press('[data-testid=filter-input]', 'Enter');
    await page.waitForFunction(
      (was) => {
        const now = document.querySelector('.filters .muted')?.textContent ?? '';
        return now !== was && /spans/.test(now);
      },
      before, { timeout: 120_000, polling: 'raf' });
    return Date.now() - applied;
  };
  const unfiltered = await page.evaluate(count);
  for (const expression of expressions.split(';')) {
    measured.filterMs.push(await apply(expression));
    const matched = await page.evaluate(count);
    measured.matched.push(matched);
    // Lifted again, so that the next filter's count changes whatever it matches.
    if (matched !== unfiltered) await apply('');
  }
  return measured;
}

for (const spans of sizes) {
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, dir] of [['A', dirA], ['B', dirB]]) {
      console.log(spans, ext, name, JSON.stringify(await load(dir, spans)));
    }
  }
}
