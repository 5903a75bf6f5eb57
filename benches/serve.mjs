// `plume serve` under load: senders POST OTLP/HTTP protobuf bodies of 512 spans (what an SDK's
// batch span processor sends) as fast as they are acknowledged, over loopback, for a few seconds
// per concurrency. Prints a BENCHMARKS.md section: spans/s acknowledged, time to acknowledge
// (p50, p99), 503s, the server's resident memory at the end, bytes kept per span. Then, with
// the page plume serve serves open in headless Chromium and an app sending about 10k spans/s,
// how soon a span sent shows in the page.
// Needs target/release/plume, target/bench/512.pb and target/bench/live-102400.json (./dev bench
// makes them).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/phoenix/phoenix.mjs';
import { launch } from '../tests/e2e/browser.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const seconds = Number(process.env.PLUME_SERVE_BENCH_SECONDS ?? 5);
const concurrencies = (process.env.PLUME_SERVE_BENCH_SENDERS ?? '1,4,16').split(',').map(Number);
const machine = process.env.PLUME_MACHINE ?? `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const body = await readFile(join(root, 'target/bench/512.pb'));
const SPANS = 512;

async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** A release `plume serve` on a free port with a fresh store, once it answers. */
async function startServer() {
  const store = await mkdtemp(join(tmpdir(), 'plume-serve-bench-'));
  const port = await freePort();
  const server = spawn(join(root, 'target/release/plume'), ['serve', '--port', String(port), '--store', store, '--page', join(root, 'dist'), '--otlp-http-port', '0', '--otlp-grpc-port', '0'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try { if ((await fetch(`${url}/`)).ok) break; } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { server, store, url };
}

const rows = [];
for (const senders of concurrencies) {
  const { server, store, url } = await startServer();
  const latencies = [];
  let busy = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: senders }, async () => {
    while (performance.now() < end) {
      const start = performance.now();
      const answer = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
      await answer.arrayBuffer();
      if (answer.status === 200) latencies.push(performance.now() - start);
      else busy += 1;
    }
  }));
  const rss = await rssMb(server.pid);
  server.kill();
  let kept = 0;
  for (const name of await readdir(store)) kept += (await stat(join(store, name))).size;
  await rm(store, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  rows.push({ senders, spansPerSecond: (latencies.length * SPANS) / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), busy, rss, perSpan: kept / (latencies.length * SPANS) });
}

/** OTLP/JSON bodies of 512 spans each, from a generated file of 200 traces: what an app's batch
 * processor sends, every body new spans. */
async function appBodies() {
  const document = JSON.parse(await readFile(join(root, 'target/bench/live-102400.json'), 'utf8'));
  const all = document.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ r, s, span }))));
  const bodies = [];
  for (let at = 0; at < all.length; at += SPANS) {
    const part = all.slice(at, at + SPANS);
    bodies.push(JSON.stringify({ resourceSpans: [{ resource: part[0].r.resource, scopeSpans: [{ scope: part[0].s.scope, spans: part.map((p) => p.span) }] }] }));
  }
  return bodies;
}

/** With the served page open on a trace not sent yet, and an app sending `rate` spans/s, the ms
 * from a span's POST to its row painted in the page, for each of `markers` spans. */
async function measureLive(rate, markers) {
  const { server, store, url } = await startServer();
  const bodies = await appBodies();
  const browser = await launch();
  const latencies = [];
  let sent = 0;
  let sending = true;
  const started = performance.now();
  // The app: a body of 512 spans every 512 / rate seconds.
  const app = (async () => {
    for (let n = 0; sending && n < bodies.length; n++) {
      const due = started + (n * SPANS * 1000) / rate;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      const answer = await fetch(`${url}/v1/traces`, { method: 'POST', body: bodies[n], headers: { 'content-type': 'application/json' } });
      await answer.arrayBuffer();
      if (answer.ok) sent += SPANS;
    }
  })();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.waitForSelector('[data-testid=live][data-state=live]');
    for (let m = 0; m < markers; m++) {
      const traceId = `${'fe'.repeat(8)}${String(m).padStart(16, '0')}`;
      await page.evaluate((id) => { location.hash = `#/trace/${id}`; }, traceId);
      await page.waitForFunction(() => window.plume.settled());
      await new Promise((resolve) => setTimeout(resolve, 500));
      const marker = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'marker' } }] }, scopeSpans: [{ spans: [{ traceId, spanId: '00000000000000aa', name: 'marker', startTimeUnixNano: String(Date.now() * 1e6), endTimeUnixNano: String(Date.now() * 1e6 + 1e6) }] }] }] });
      const before = performance.now();
      await fetch(`${url}/v1/traces`, { method: 'POST', body: marker, headers: { 'content-type': 'application/json' } });
      await page.waitForSelector('[data-testid=span-row]', { timeout: 60_000 });
      latencies.push(performance.now() - before);
    }
  } finally {
    sending = false;
    await app;
    await browser.close();
    server.kill();
    await rm(store, { recursive: true, force: true });
  }
  latencies.sort((a, b) => a - b);
  return { rate: sent / ((performance.now() - started) / 1000), latencies };
}

const live = await measureLive(10_000, 9);

const lines = [`### plume serve under load — ${new Date().toISOString().slice(0, 10)}, ${machine}`, ''];
lines.push(`OTLP/HTTP protobuf, ${SPANS} spans a request, loopback, ${seconds} s per row; each request written and synced to disk before it is acknowledged (the senders run on the same machine):`, '');
lines.push('| senders | spans/s acknowledged | ack ms p50 | p99 | 503 answers | server RSS MB at the end | bytes kept a span |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  lines.push(`| ${r.senders} | ${Math.round(r.spansPerSecond)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.busy} | ${r.rss.toFixed(0)} | ${r.perSpan.toFixed(0)} |`);
}
lines.push('', `The page plume serve serves, open in headless Chromium on a trace not sent yet, while an app sends OTLP/JSON bodies of ${SPANS} spans at about 10k spans/s (${Math.round(live.rate)} spans/s acknowledged over the run): from POSTing one more span to its row painted in the page, ${live.latencies.length} spans, ms:`, '');
lines.push('| median | max |', '|---:|---:|', `| ${Math.round(quantile(live.latencies, 0.5))} | ${Math.round(live.latencies[live.latencies.length - 1])} |`);
console.log(lines.join('\n'));
