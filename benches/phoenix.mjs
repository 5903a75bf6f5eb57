// Plume beside Phoenix on the same generated trace (`./dev bench`): Phoenix is sent the file
// over OTLP/HTTP until its APIs have every span, then its trace page is opened in the same headless
// Chromium until the root span shows; Plume is handed the file and timed until the trace's first
// rows are painted. Prints a Markdown section for BENCHMARKS.md.
//
// PLUME_PHOENIX_BENCH_SPANS (default 50000): the size of target/bench/<spans>.pb (one trace).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, root } from '../tests/e2e/browser.mjs';
import { startPhoenix, otlpRequests } from '../tests/phoenix/phoenix.mjs';

const spans = Number(process.env.PLUME_PHOENIX_BENCH_SPANS ?? 50000);
const file = join(root, `target/bench/${spans}.pb`);
const PROJECT = 'generated-agents';
const RENDER_TIMEOUT_MS = 600_000;

const log = (...what) => console.error('[phoenix bench]', ...what);

/** `trace`: { id, root } of the file's trace, as Plume read it. */
async function measurePhoenix(browser, body, trace) {
  const phoenix = await startPhoenix();
  try {
    log(`sending ${spans} spans`);
    const started = Date.now();
    for (const request of otlpRequests(body)) {
      const response = await fetch(`${phoenix.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: request,
      });
      if (!response.ok) throw new Error(`Phoenix answered HTTP ${response.status}`);
    }
    const sentMs = Date.now() - started;
    let project;
    for (;;) {
      const data = await phoenix.graphql('{ projects { edges { node { id name recordCount } } } }');
      project = data.projects.edges.map((e) => e.node).find((p) => p.name === PROJECT);
      if (project?.recordCount >= spans) break;
      if (Date.now() - started > RENDER_TIMEOUT_MS) throw new Error(`Phoenix has ${project?.recordCount} spans`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const { data: some } = await phoenix.get(`/v1/projects/${PROJECT}/spans?limit=1`);
    if (some[0]?.context.trace_id !== trace.id) throw new Error('the REST API gives no span of the trace');
    const ingestedMs = Date.now() - started;
    log(`opening trace ${trace.id} in Phoenix`);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const opened = Date.now();
    let renderMs = null;
    try {
      await page.goto(`${phoenix.url}/projects/${project.id}/traces/${trace.id}`);
      await page.getByText(trace.root, { exact: true }).first().waitFor({ timeout: RENDER_TIMEOUT_MS });
      renderMs = Date.now() - opened;
    } catch (error) {
      log(`Phoenix's trace page did not show the root span: ${error.message.split('\n')[0]}`);
    }
    await page.screenshot({ path: join(root, 'target/bench/phoenix-trace.png') });
    await page.close();
    return { sentMs, ingestedMs, renderMs };
  } finally {
    await phoenix.stop();
  }
}

/** `plume serve` sent the same requests, with its page open on the trace: until every span shows
 * there. */
async function measurePlumeServe(browser, body, trace) {
  const { spawn } = await import('node:child_process');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { freePort } = await import('../tests/phoenix/phoenix.mjs');
  const store = await mkdtemp(join(tmpdir(), 'plume-serve-phoenix-bench-'));
  const port = await freePort();
  const server = spawn(join(root, 'target/release/plume'), ['serve', '--port', String(port), '--store', store, '--page', join(root, 'dist'), '--otlp-http-port', '0', '--otlp-grpc-port', '0'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      try { if ((await fetch(`${url}/`)).ok) break; } catch { /* not yet */ }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}/#/trace/${trace.id}`);
    await page.waitForSelector('[data-testid=live][data-state=live]');
    log(`sending ${spans} spans to plume serve`);
    const started = Date.now();
    for (const request of otlpRequests(body)) {
      const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: request });
      if (!response.ok) throw new Error(`plume serve answered HTTP ${response.status}`);
    }
    const sentMs = Date.now() - started;
    await page.waitForFunction((n) => window.plume.summary().spans === n, spans, { timeout: RENDER_TIMEOUT_MS, polling: 50 });
    await page.getByText(trace.root, { exact: true }).first().waitFor({ timeout: RENDER_TIMEOUT_MS });
    const shownMs = Date.now() - started;
    await page.close();
    return { sentMs, shownMs };
  } finally {
    server.kill();
    await rm(store, { recursive: true, force: true });
  }
}

async function measurePlume(browser, server) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}?memory`);
  await page.waitForSelector('header.header');
  log('loading the file in Plume');
  const started = Date.now();
  await page.setInputFiles('[data-testid=file-input]', file);
  await page.waitForSelector('[data-testid=file-result]', { timeout: RENDER_TIMEOUT_MS });
  const loadedMs = Date.now() - started;
  await page.click('[data-testid=project-row] a');
  const row = page.locator('[data-testid=trace-row]').first();
  const trace = { id: await row.getAttribute('data-trace-id'), root: (await row.locator('.cell.name').textContent()).trim() };
  await row.click();
  await page.waitForSelector('[data-testid=span-row]', { timeout: RENDER_TIMEOUT_MS });
  const paintedMs = Date.now() - started;
  await page.close();
  return { loadedMs, paintedMs, trace };
}

const body = await readFile(file);
const server = await serve();
const browser = await launch();
let phoenix;
let plume;
let served;
try {
  plume = await measurePlume(browser, server);
  served = await measurePlumeServe(browser, body, plume.trace);
  phoenix = await measurePhoenix(browser, body, plume.trace);
} finally {
  await browser.close();
  await server.close();
}

const s = (ms) => (ms === null ? 'did not render' : (ms / 1000).toFixed(1));
const phoenixTotal = phoenix.renderMs === null ? null : phoenix.ingestedMs + phoenix.renderMs;
const lines = [
  `### Beside Phoenix — ${new Date().toISOString().slice(0, 10)}, ${process.env.PLUME_MACHINE ?? 'this machine'}`,
  '',
  `One generated trace of ${spans} spans (${(body.length / 1e6).toFixed(0)} MB of OTLP protobuf), the same bytes to both.`,
  '',
  '| | s |',
  '|---|---:|',
  `| Phoenix: POSTing it (${otlpRequests(body).length} requests of ≤ 4 MiB) | ${s(phoenix.sentMs)} |`,
  `| Phoenix: until its APIs have every span | ${s(phoenix.ingestedMs)} |`,
  `| Phoenix: its trace page, until the root span shows | ${s(phoenix.renderMs)} |`,
  `| **Phoenix, end to end** | **${s(phoenixTotal)}** |`,
  `| Plume: file handed to the page → loaded | ${s(plume.loadedMs)} |`,
  `| **Plume, end to end** (→ the trace's first rows painted) | **${s(plume.paintedMs)}** |`,
  `| plume serve: POSTing it (the same requests) | ${s(served.sentMs)} |`,
  `| **plume serve, end to end** (its page open on the trace: every span there, the root shown) | **${s(served.shownMs)}** |`,
  '',
  phoenixTotal === null
    ? `Phoenix's trace page did not show the trace within ${RENDER_TIMEOUT_MS / 1000} s.`
    : `Plume is ×${(phoenixTotal / plume.paintedMs).toFixed(1)} faster end to end with the file, and ×${(phoenix.ingestedMs / served.shownMs).toFixed(0)} sooner with every span visible through plume serve than Phoenix has them queryable (same run).`,
];
console.log(lines.join('\n'));
