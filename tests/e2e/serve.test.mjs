// `plume serve` (issue 15, first part): the viewer served, a real SDK's spans received (OTLP/HTTP
// on the viewer's port and on OTLP's, OTLP/gRPC) and kept on disk before they are acknowledged,
// and requests that are not OTLP refused as the OTLP specification says. The page the server
// serves shows what it keeps, also after a restart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixture, launch, load, root } from './browser.mjs';
import { freePort } from '../phoenix/phoenix.mjs';

const plume = join(root, 'target/debug/plume');
const python = process.env.PHOENIX_PYTHON ?? join(root, 'target/phoenix-venv/bin/python');

/** Starts `plume serve` on a free port with a fresh store (OTLP's own ports off unless `extra`
 * names them); resolves once `GET /` answers. */
async function startServe(...extra) {
  if (!existsSync(plume)) throw new Error(`${plume} is missing: cargo build --bin plume`);
  const given = extra.indexOf('--store');
  const store = given >= 0 ? extra.splice(given, 2)[1] : await mkdtemp(join(tmpdir(), 'plume-serve-'));
  const port = await freePort();
  const args = ['serve', '--port', String(port), '--store', store, '--page', join(root, 'dist'), '--otlp-http-port', '0', '--otlp-grpc-port', '0', ...extra];
  const child = spawn(plume, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  child.stdout.on('data', (d) => { said += d; });
  child.stderr.on('data', (d) => { said += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch { /* not yet */ }
    if (i > 300 || child.exitCode !== null) throw new Error(`plume serve did not start: ${said}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stop = async () => { child.kill(); await rm(store, { recursive: true, force: true }); };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = async () => { child.kill('SIGKILL'); await exited; };
  return { url, store, said: () => said, stop, kill };
}

const servers = [];
after(async () => { for (const server of servers) await server.stop(); });

test('real SDKs\' spans (Python over OTLP/HTTP on both ports and OTLP/gRPC, Node over OTLP/HTTP, phoenix.otel.register) are acknowledged once kept, and show in the page plume serve serves', async () => {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const server = await startServe('--otlp-http-port', String(httpPort), '--otlp-grpc-port', String(grpcPort));
  servers.push(server);
  assert.match(server.said(), /serving http:\/\/127\.0\.0\.1:\d+ .*OTLP\/HTTP on 127\.0\.0\.1:\d+; OTLP\/gRPC on 127\.0\.0\.1:\d+; keeping what arrives in/);
  const send = async (...args) => {
    const { stdout } = await promisify(execFile)(python, [join(root, 'tests/serve/send.py'), ...args]);
    const [traceId, result] = stdout.trim().split(' ');
    assert.equal(result, 'SUCCESS', `${args}: ${stdout}`);
    return traceId;
  };
  // And a Node app, through the JS SDK's OTLP/HTTP protobuf exporter.
  const { stdout: node } = await promisify(execFile)(process.execPath, [join(root, 'tests/serve/send.mjs'), server.url]);
  const [nodeTrace, nodeResult] = node.trim().split(' ');
  assert.equal(nodeResult, 'SUCCESS', node);
  // And Phoenix's own way of setting up tracing, pointed at Plume.
  const { stdout: registered } = await promisify(execFile)(python, [join(root, 'tests/serve/register.py'), server.url]);
  const registeredTrace = registered.trim().split('\n').pop();
  const traces = [
    await send('http', server.url),
    await send('http', `http://127.0.0.1:${httpPort}`),
    await send('grpc', `127.0.0.1:${grpcPort}`),
    nodeTrace,
  ];
  const kept = (await readdir(server.store)).filter((name) => name.startsWith('traces-'));
  assert.equal(kept.length, 1, `one file holds every acknowledged request: ${kept}`);
  // What is kept, as the server lists and gives it.
  const listed = await (await fetch(`${server.url}/api/kept`)).json();
  assert.equal(listed.store, server.store);
  assert.deepEqual(listed.files.map((f) => f.name), kept);
  const given = Buffer.from(await (await fetch(`${server.url}/api/kept/${kept[0]}`)).arrayBuffer());
  assert.ok(given.equals(await readFile(join(server.store, kept[0]))));
  assert.equal((await fetch(`${server.url}/api/kept/..%2Fpasswd`)).status, 404);

  // The page the server serves shows what it keeps from the start, and keeps nothing itself.
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=file-result]').length >= 1);
    await page.waitForFunction(() => window.plume.settled());
    assert.match(await page.textContent('[data-testid=file-result]'), new RegExp(`${kept[0].replace('.', '\\.')}: otlp-proto-framed, 10 spans, 5 traces`));
    // The four traces, each with its LLM call, in the project the SDKs' resources name.
    await page.evaluate(() => { location.hash = '#/project/live-demo'; });
    await page.waitForSelector('[data-testid=trace-row]');
    const shown = await page.$$eval('[data-testid=trace-row]', (rows) => rows.map((r) => r.dataset.traceId));
    assert.deepEqual(new Set(shown), new Set(traces));
    await page.evaluate((t) => { location.hash = `#/trace/${t}`; }, traces[2]);
    await page.waitForSelector('[data-testid=span-row][data-kind=LLM]');
    await page.evaluate(() => { location.hash = '#/project/phoenix-register-demo'; });
    await page.waitForSelector(`[data-testid=trace-row][data-trace-id="${registeredTrace}"]`);
    assert.equal((await page.evaluate(() => window.plume.summary())).spans, 10);
    assert.deepEqual(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)), []);
    assert.equal(await page.textContent('[data-testid=served-by]'), 'from plume serve');
  } finally {
    await browser.close();
  }
});

test('what is not an OTLP request is refused as the specification says, and a token is asked for', async () => {
  const server = await startServe('--max-body-mb', '1');
  servers.push(server);
  const post = (body, headers) => fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers });
  const text = await post('hello', { 'content-type': 'text/plain' });
  assert.equal(text.status, 415);
  assert.match(await text.text(), /application\/x-protobuf or application\/json/);
  const bad = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).message, /EOF while parsing/);
  const big = await post(new Uint8Array(2 << 20), { 'content-type': 'application/x-protobuf' });
  assert.equal(big.status, 413);
  const empty = await post(new Uint8Array(0), { 'content-type': 'application/x-protobuf' });
  assert.equal(empty.status, 200);
  assert.deepEqual(await readdir(server.store), [], 'nothing refused or empty is kept');

  // Listening beyond loopback without a token is refused at the start.
  const open = await promisify(execFile)(plume, ['serve', '--host', '0.0.0.0', '--port', '0']).catch((error) => error);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /give --token TOKEN/);

  // Over gRPC, as OTLP maps it: a message that does not read, a missing token.
  const grpcPort = await freePort();
  const guarded = await startServe('--token', 's3cret', '--otlp-grpc-port', String(grpcPort));
  const call = async (...args) => (await promisify(execFile)(python, [join(root, 'tests/serve/grpc_raw.py'), `127.0.0.1:${grpcPort}`, ...args])).stdout.trim();
  assert.match(await call('0affff', 's3cret'), /^INVALID_ARGUMENT .*request/);
  assert.match(await call('', 's3cret'), /^OK$/);
  assert.match(await call(''), /^UNAUTHENTICATED .*Bearer/);
  servers.push(guarded);
  const unsigned = await fetch(`${guarded.url}/v1/traces`, { method: 'POST', body: new Uint8Array(0), headers: { 'content-type': 'application/x-protobuf' } });
  assert.equal(unsigned.status, 401);
  const signed = await fetch(`${guarded.url}/v1/traces`, { method: 'POST', body: new Uint8Array(0), headers: { 'content-type': 'application/x-protobuf', authorization: 'Bearer s3cret' } });
  assert.equal(signed.status, 200);
  assert.equal((await fetch(`${guarded.url}/api/kept`)).status, 401, 'what is kept is the token\'s too');
});

test('a store that cannot be written answers 503 with Retry-After, and nothing is acknowledged', async () => {
  const server = await startServe();
  servers.push(server);
  // The folder gone and a file in its place: the first write fails (root ignores permissions).
  await rm(server.store, { recursive: true, force: true });
  await writeFile(server.store, 'not a folder');
  const body = await readFile(join(root, 'tests/fixtures/openai-01.otlp.pb'));
  const answer = await fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
  assert.equal(answer.status, 503);
  assert.equal(answer.headers.get('retry-after'), '1');
  assert.match(await answer.text(), /the store cannot write/);
});

test('killed mid-send, a restarted server still holds every request it acknowledged', async (t) => {
  const store = await mkdtemp(join(tmpdir(), 'plume-serve-kill-'));
  const first = await startServe('--store', store);
  const body = await readFile(join(root, 'tests/fixtures/langchain-01.otlp.pb'));
  let acknowledged = 0;
  const senders = [0, 1, 2, 3].map(async () => {
    for (;;) {
      const answer = await fetch(`${first.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } }).catch(() => null);
      if (!answer) return;
      if (answer.status === 200) acknowledged += 1;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 700));
  await first.kill();
  await Promise.all(senders);
  assert.ok(acknowledged > 0, 'some requests were acknowledged before the kill');
  const second = await startServe('--store', store);
  servers.push(second);
  const files = (await readdir(store)).filter((name) => name.startsWith('traces-')).map((name) => join(store, name));
  const { stdout } = await promisify(execFile)(plume, ['inspect', '--json', ...files], { maxBuffer: 1 << 28 });
  const report = JSON.parse(stdout);
  // Each request holds the same 18 spans: duplicates count once, so count what the files held.
  const held = report.files.reduce((n, file) => n + file.spans, 0);
  t.diagnostic(`${acknowledged} requests acknowledged before the kill; ${held} spans kept`);
  assert.ok(held >= acknowledged * 18, `${held} spans kept for ${acknowledged} acknowledged requests of 18`);
  assert.deepEqual(report.errors, [], 'no torn frame is left');
  // And the restarted server's page shows all of it.
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${second.url}/`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=file-result]').length >= n, files.length);
    await page.waitForFunction(() => window.plume.settled());
    const summary = await page.evaluate(() => window.plume.summary());
    assert.equal(summary.spans, report.spans, 'the page counts what the CLI reads in the store');
    const lines = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
    assert.ok(lines.every((line) => /otlp-proto-framed, [\d,]+ spans/.test(line)), lines.join('\n'));
  } finally {
    await browser.close();
  }
});

test('live: an app\'s spans show in the open page as it sends them; an orphan moves under its parent when it comes; pause holds what arrives until resumed', async (t) => {
  const server = await startServe('--token', 's3cret');
  servers.push(server);
  assert.match(server.said(), /open http:\/\/127\.0\.0\.1:\d+\/\?token=s3cret/);
  const browser = await launch();
  let app;
  try {
    // The page opened at the address plume serve printed: the token is read, then left out of it.
    const page = await browser.newPage();
    await page.goto(`${server.url}/?token=s3cret#/project/live-demo`);
    await page.waitForSelector('[data-testid=live][data-state=live]');
    assert.ok(!page.url().includes('token'), page.url());
    assert.match(page.url(), /#\/project\/live-demo$/);
    // The app starts while the page watches.
    app = spawn(python, [join(root, 'tests/serve/live.py'), server.url, 's3cret'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readLines(app.stdout);
    // The app ended its LLM call inside an agent span still running: the call arrives alone.
    const [, traceId, llmId] = (await lines.next()).split(' ');
    const sent = Date.now();
    const row = `[data-testid=trace-row][data-trace-id="${traceId}"]`;
    await page.waitForSelector(`${row} [data-testid=in-progress]`);
    t.diagnostic(`a sent span showed in the open page ${Date.now() - sent} ms after its export returned`);
    await page.evaluate(([trace, span]) => { location.hash = `#/trace/${trace}/span/${span}`; }, [traceId, llmId]);
    await page.waitForSelector(`[data-testid=span-details][data-span-id="${llmId}"]`);
    await page.waitForSelector('.trace-head [data-testid=in-progress]');
    assert.equal(await page.getAttribute(`[data-testid=span-row][data-span-id="${llmId}"]`, 'aria-level'), '1', 'an orphan, at the top');
    // The agent ends: its span comes, and the call moves under it; the selection stays.
    app.stdin.write('end\n');
    assert.equal(await lines.next(), 'root');
    await page.waitForSelector(`[data-testid=span-row][data-span-id="${llmId}"][aria-level="2"]`);
    await page.waitForSelector('.trace-head [data-testid=in-progress]', { state: 'detached' });
    assert.equal(await page.$$eval('[data-testid=span-row]', (rows) => rows.length), 2);
    assert.equal(await page.getAttribute(`[data-testid=span-row][data-span-id="${llmId}"]`, 'aria-selected'), 'true');
    await page.waitForSelector(`[data-testid=span-details][data-span-id="${llmId}"]`);
    // Paused, what arrives is kept by the server but not shown until the user resumes.
    await page.click('[data-testid=live-toggle]');
    await page.waitForSelector('[data-testid=live][data-state=paused]');
    const before = (await page.evaluate(() => window.plume.summary())).spans;
    app.stdin.write('more\n');
    const [, moreId] = (await lines.next()).split(' ');
    const kept = await (await fetch(`${server.url}/api/kept`, { headers: { authorization: 'Bearer s3cret' } })).json();
    assert.ok(kept.files[0].bytes > 0);
    await page.waitForTimeout(500);
    assert.equal((await page.evaluate(() => window.plume.summary())).spans, before, 'nothing shown while paused');
    await page.click('[data-testid=live-toggle]');
    await page.waitForSelector('[data-testid=live][data-state=live]');
    await page.waitForFunction((n) => window.plume.summary().spans === n + 1, before);
    await page.evaluate(() => { location.hash = '#/project/live-demo'; });
    await page.waitForSelector(`[data-testid=trace-row][data-trace-id="${moreId}"]`);
    assert.equal(await page.$$eval('[data-testid=trace-row] [data-testid=in-progress]', (chips) => chips.length), 0);
    // Files dropped on the served page still load beside what the server keeps, kept nowhere.
    await load(page, [await fixture('openai-01.otlp.pb')]);
    await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7'; });
    await page.waitForSelector('[data-testid=span-row][data-kind=LLM]');
    assert.equal((await page.evaluate(() => window.plume.summary())).spans, before + 1 + 4);
    assert.deepEqual(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)), []);
  } finally {
    app?.stdin.end();
    await browser.close();
  }
});

test('pages of other origins may not send or read, unless allowed', async () => {
  const server = await startServe('--allow-origin', 'http://app.example');
  servers.push(server);
  const body = await readFile(join(root, 'tests/fixtures/openai-01.otlp.pb'));
  const post = (origin) => fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', origin } });
  const other = await post('http://evil.example');
  assert.equal(other.status, 403);
  assert.match(await other.text(), /--allow-origin http:\/\/evil\.example/);
  assert.equal((await fetch(`${server.url}/api/kept`, { headers: { origin: 'http://evil.example' } })).status, 403);
  assert.deepEqual(await readdir(server.store), [], 'nothing from another origin is kept');
  const preflight = await fetch(`${server.url}/v1/traces`, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://app.example');
  assert.match(preflight.headers.get('access-control-allow-headers'), /content-type/);
  const allowed = await post('http://app.example');
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://app.example');
  // The viewer's own page is of the server's origin.
  assert.equal((await post(server.url)).status, 200);
  // A page whose name was rebound to 127.0.0.1 (DNS rebinding) is of "its own" origin, but asks
  // for another host than localhost: refused, whether it reads or sends.
  const port = new URL(server.url).port;
  const asking = (name, method, path) => new Promise((resolve, reject) => {
    const asked = request({ host: '127.0.0.1', port, method, path, headers: { host: `${name}:${port}`, origin: `http://${name}:${port}`, 'content-type': 'application/x-protobuf' } }, (answer) => { answer.resume(); resolve(answer.statusCode); });
    asked.on('error', reject);
    asked.end(method === 'POST' ? body : undefined);
  });
  assert.equal(await asking('evil.example', 'GET', '/api/kept'), 403);
  assert.equal(await asking('evil.example', 'POST', '/v1/traces'), 403);
  assert.equal(await asking('localhost', 'GET', '/api/kept'), 200, 'localhost is loopback');
});

/** The lines a stream gives, one `next()` at a time. */
function readLines(stream) {
  let buffer = '';
  const waiting = [];
  const ready = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffer += chunk;
    let at;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const next = waiting.shift();
      if (next) next(line); else ready.push(line);
    }
  });
  return { next: () => (ready.length ? Promise.resolve(ready.shift()) : new Promise((resolve) => waiting.push(resolve))) };
}
