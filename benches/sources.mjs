// Plume as a front end over a team's Phoenix, beside Phoenix's own UI on the same server in the
// same run (`./dev bench`): a real Phoenix on PostgreSQL (tests/phoenix/postgres.mjs) holding
// PLUME_SOURCES_BENCH_TRACES generated traces of 100 spans and one of 5,000, POSTed over OTLP/HTTP
// until its REST API lists them all. Then, in one headless Chromium, each of them:
//  - the traces list: Plume from *Connect* (its projects listed, the generated one chosen) to
//    the first rows; Phoenix from opening the project's traces tab (over the traces' time range)
//    to its first rows;
//  - the 5,000-span trace: Plume from its address (#/source/…/trace/<id>) to its first rows;
//    Phoenix from its trace page's address to the root span shown;
//  - a filtered list (Phoenix's trace filter `latency_ms > X`, X the tenth longest latency, so
//    ten traces): Plume from typing it to ten rows; Phoenix from typing it in its filter box to
//    ten rows.
// Plume's page memory after each step (JS heap and the engine's wasm memory) shows that what it
// holds is what is shown, not the store. Prints a Markdown section for BENCHMARKS.md.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, root } from '../tests/e2e/browser.mjs';
import { startPhoenix, otlpRequests } from '../tests/phoenix/phoenix.mjs';
import { startPostgres } from '../tests/phoenix/postgres.mjs';

const traces = Number(process.env.PLUME_SOURCES_BENCH_TRACES ?? 2000);
const PROJECT = 'generated-agents';
const TIMEOUT_MS = 600_000;
const log = (...what) => console.error('[sources bench]', ...what);

/** Every trace of the project, as Phoenix's REST API lists them (newest first). */
async function listed(phoenix, sort = 'start_time') {
  const all = [];
  let cursor = '';
  for (;;) {
    const page = await phoenix.get(`/v1/projects/${PROJECT}/traces?limit=1000&sort=${sort}&order=desc${cursor}`);
    all.push(...page.data);
    if (!page.next_cursor) return all;
    cursor = `&cursor=${encodeURIComponent(page.next_cursor)}`;
  }
}

/** Plume's page memory: the page's JS heap and the engine worker's wasm memory (its high-water
 * mark: wasm memory never shrinks). */
async function memory(page) {
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  const [worker] = page.workers().filter((w) => w.url().includes('plume-worker'));
  const wasm = worker ? await worker.evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength) : 0;
  return `${(heap / 1e6).toFixed(0)} MB JS heap, ${(wasm / 1e6).toFixed(0)} MB engine memory`;
}

const ms = async (what) => {
  const started = Date.now();
  await what();
  return Date.now() - started;
};

async function measurePlume(browser, viewer, phoenix, big, filter, expected) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${viewer.url}#/sources`);
  await page.waitForSelector('[data-testid=connect-form]');
  await page.fill('[data-testid=connect-url]', phoenix.url);
  await page.fill('[data-testid=connect-name]', 'bench');
  log('Plume: connecting');
  const list = await ms(async () => {
    await page.click('[data-testid=connect-button]');
    // Phoenix lists its `default` project first: the generated one is chosen, as a user would.
    await page.waitForSelector(`[data-testid=source-project] option[value=${PROJECT}]`, { state: 'attached', timeout: TIMEOUT_MS });
    await page.selectOption('[data-testid=source-project]', PROJECT);
    await page.waitForSelector('[data-testid=source-trace-row]', { timeout: TIMEOUT_MS });
  });
  const listMemory = await memory(page);
  log('Plume: opening the 5,000-span trace');
  const open = await ms(async () => {
    await page.goto(`${viewer.url}#/source/bench/trace/${big.trace_id}?project=${PROJECT}`);
    await page.waitForSelector('[data-testid=span-row]', { timeout: TIMEOUT_MS });
  });
  const openMemory = await memory(page);
  await page.goto(`${viewer.url}#/source/bench?project=${PROJECT}`);
  await page.waitForSelector('[data-testid=source-trace-row]', { timeout: TIMEOUT_MS });
  log('Plume: filtering');
  const filtered = await ms(async () => {
    await page.fill('[data-testid=source-filter]', filter);
    await page.press('[data-testid=source-filter]', 'Enter');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=source-trace-row]').length === n, expected, { timeout: TIMEOUT_MS });
  });
  await page.screenshot({ path: join(root, 'target/bench/sources-plume.png') });
  await page.close();
  return { list, open, filtered, listMemory, openMemory };
}

async function measurePhoenixUi(browser, phoenix, projectId, big, rootName, filter, expected, range) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const rows = page.locator('table tbody tr');
  const result = { list: null, open: null, filtered: null };
  try {
    log("Phoenix's UI: its project's page");
    result.list = await ms(async () => {
      // Its traces tab over the traces' time (its default, the last 7 days, would show none of
      // the generated ones); a first row that is not its "no traces" row.
      await page.goto(`${phoenix.url}/projects/${projectId}/traces?${range}`);
      await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length > 1, null, { timeout: TIMEOUT_MS });
    });
    result.filtered = await ms(async () => {
      const field = page.locator('.cm-content').first();
      await field.click();
      await page.keyboard.type(filter);
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length === n, expected, { timeout: TIMEOUT_MS });
    });
  } catch (error) {
    log(`Phoenix's project page: ${error.message.split('\n')[0]}`);
  }
  await page.screenshot({ path: join(root, 'target/bench/sources-phoenix-list.png') });
  try {
    log("Phoenix's UI: the 5,000-span trace");
    result.open = await ms(async () => {
      await page.goto(`${phoenix.url}/projects/${projectId}/traces/${big.trace_id}`);
      await page.getByText(rootName, { exact: true }).first().waitFor({ timeout: TIMEOUT_MS });
    });
  } catch (error) {
    log(`Phoenix's trace page: ${error.message.split('\n')[0]}`);
  }
  await page.close();
  return result;
}

const many = await readFile(join(root, `target/bench/sources-${traces}.pb`));
const one = await readFile(join(root, 'target/bench/sources-one-5000.pb'));
const viewer = await serve();
const browser = await launch();
const postgres = await startPostgres();
// Its queue of spans not yet written holds every span sent (by default it refuses requests past
// 20,000 spans waiting, and its writing is far slower than sending).
const phoenix = await startPhoenix({ allowedOrigins: [viewer.origin], env: { PHOENIX_SQL_DATABASE_URL: postgres.url, PHOENIX_MAX_SPANS_QUEUE_SIZE: '1000000' } });
let plume;
let ui;
let filter;
/** POSTs `body` to Phoenix as an app's exporter would, in requests of ≤ 4 MiB, each sent again
 * while Phoenix says it is busy (503, 429: its ingestion queue is full). */
async function send(body) {
  for (const request of otlpRequests(body)) {
    for (let tries = 0; ; tries += 1) {
      const response = await fetch(`${phoenix.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: request });
      if (response.ok) break;
      if (![429, 503].includes(response.status) || tries > 3600) throw new Error(`Phoenix answered HTTP ${response.status}`);
      await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get('retry-after') ?? 1)));
    }
  }
}

/** Waits until Phoenix lists `count` traces and counts `spans` spans; its traces. */
async function held(count, spans, since) {
  for (;;) {
    const all = await listed(phoenix).catch(() => []);
    const data = await phoenix.graphql('{ projects { edges { node { id name recordCount } } } }').catch(() => null);
    const project = data?.projects.edges.map((e) => e.node).find((p) => p.name === PROJECT);
    if (all.length >= count && project?.recordCount >= spans) return { all, project };
    if (Date.now() - since > 3 * 3600_000) throw new Error(`Phoenix lists ${all.length} traces`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}

let store;
try {
  const sending = Date.now();
  log('sending the 5,000-span trace');
  await send(one);
  const [big] = (await held(1, 5000, sending)).all;
  log(`sending ${traces} traces of 100 spans`);
  await send(many);
  const { all, project } = await held(traces + 1, traces * 100 + 5000, sending);
  store = { traces: all.length, spans: project.recordCount, ingestS: (Date.now() - sending) / 1000 };
  log(`Phoenix holds them after ${store.ingestS.toFixed(0)} s`);
  // The tenth longest trace's latency: the filter lets ten traces through.
  const longest = await phoenix.get(`/v1/projects/${PROJECT}/traces?limit=10&sort=latency_ms&order=desc`);
  const latency = (t) => Date.parse(t.end_time) - Date.parse(t.start_time);
  filter = `latency_ms >= ${latency(longest.data.at(-1))}`;
  const expected = (await phoenix.get(`/v1/projects/${PROJECT}/traces?limit=1000&filter=${encodeURIComponent(filter)}`)).data.length;
  store.expected = expected;
  // PLUME_SOURCES_BENCH_GO: a file to wait for before measuring (the machine quiet by then).
  while (process.env.PLUME_SOURCES_BENCH_GO && !existsSync(process.env.PLUME_SOURCES_BENCH_GO)) {
    await new Promise((r) => setTimeout(r, 2000));
  }
  plume = await measurePlume(browser, viewer, phoenix, big, filter, expected);
  const starts = all.map((t) => Date.parse(t.start_time));
  const ends = all.map((t) => Date.parse(t.end_time));
  const iso = (ms) => encodeURIComponent(new Date(ms).toISOString());
  const range = `timeRangeKey=custom&timeRangeStart=${iso(Math.min(...starts) - 60_000)}&timeRangeEnd=${iso(Math.max(...ends) + 60_000)}`;
  ui = await measurePhoenixUi(browser, phoenix, project.id, big, 'agent.run', filter, expected, range);
} finally {
  await browser.close();
  await viewer.close();
  await phoenix.stop();
  await postgres.stop();
}

const s = (value) => (value === null ? 'not measured (see the log)' : (value / 1000).toFixed(2));
const times = (a, b) => (a === null || b === null ? '—' : `×${(a / b).toFixed(1)}`);
console.log([
  `### Reading Phoenix — ${new Date().toISOString().slice(0, 10)}, ${process.env.PLUME_MACHINE ?? 'this machine'}`,
  '',
  `Phoenix 20.26.1 on PostgreSQL 15 (loopback) holding ${store.traces} traces, ${store.spans} spans (POSTed, then ${store.ingestS.toFixed(0)} s until its REST API had them all). Filter: \`${filter}\` (${store.expected} traces).`,
  '',
  '| | Plume (s) | Phoenix UI (s) | Plume faster |',
  '|---|---:|---:|---:|',
  `| traces list: *Connect* / the project's page → first rows | ${s(plume.list)} | ${s(ui.list)} | ${times(ui.list, plume.list)} |`,
  `| the 5,000-span trace: its address → first rows (Phoenix: root span) | ${s(plume.open)} | ${s(ui.open)} | ${times(ui.open, plume.open)} |`,
  `| filtered list: filter typed → its rows | ${s(plume.filtered)} | ${s(ui.filtered)} | ${times(ui.filtered, plume.filtered)} |`,
  '',
  `Plume's page after the list: ${plume.listMemory}; after opening the 5,000-span trace: ${plume.openMemory}.`,
].join('\n'));
