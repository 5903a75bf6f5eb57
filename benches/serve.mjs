// `plume serve` under load: senders POST OTLP/HTTP protobuf bodies of 512 spans (what an SDK's
// batch span processor sends) as fast as they are acknowledged, over loopback, for a few seconds
// per concurrency. Prints a BENCHMARKS.md section: spans/s acknowledged, time to acknowledge
// (p50, p99), 503s, the server's resident memory at the end, bytes kept per span.
// Needs target/release/plume and target/bench/512.pb (./dev bench makes both).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/phoenix/phoenix.mjs';

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

const rows = [];
for (const senders of concurrencies) {
  const store = await mkdtemp(join(tmpdir(), 'plume-serve-bench-'));
  const port = await freePort();
  const server = spawn(join(root, 'target/release/plume'), ['serve', '--port', String(port), '--store', store, '--page', join(root, 'dist'), '--otlp-http-port', '0', '--otlp-grpc-port', '0'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try { if ((await fetch(`${url}/`)).ok) break; } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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

const lines = [`### plume serve under load — ${new Date().toISOString().slice(0, 10)}, ${machine}`, ''];
lines.push(`OTLP/HTTP protobuf, ${SPANS} spans a request, loopback, ${seconds} s per row; each request written and synced to disk before it is acknowledged (the senders run on the same machine):`, '');
lines.push('| senders | spans/s acknowledged | ack ms p50 | p99 | 503 answers | server RSS MB at the end | bytes kept a span |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  lines.push(`| ${r.senders} | ${Math.round(r.spansPerSecond)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.busy} | ${r.rss.toFixed(0)} | ${r.perSpan.toFixed(0)} |`);
}
console.log(lines.join('\n'));
