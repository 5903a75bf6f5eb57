// Safe to embed and to send, each leak reproduced with two local origins (two ports of 127.0.0.1:
// the same site, as a subdomain would be): a page framing Plume sees none of what the user kept
// and adds nothing to it; what a link or a host brings is kept only when the user says so; a
// link's fetch carries no cookie; a collector's redirect does not receive the headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, writeFile, copyFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { serve, launch, fixtures, root, load, fixture, sendProject, plantedSecrets } from './browser.mjs';
import { startCollector } from './collector.mjs';

const OPENAI_TRACE = '3a34990d3bcc7893ef125bc4b7879ed7';

let plume;
let other;
let browser;
/** Cookie headers Plume's server was sent, by path. */
const cookies = [];

/** Serves dist/ like `serve()`, noting the cookies each request carries. */
async function servePlume() {
  const dist = join(root, 'dist');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
    cookies.push({ path, cookie: request.headers.cookie });
    const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

before(async () => {
  const files = await mkdtemp(join(tmpdir(), 'plume-security-'));
  for (const name of ['openai-01.otlp.pb', 'node-01.otlp.json', 'collector-file-exporter.jsonl']) {
    await copyFile(join(fixtures, name), join(files, name));
  }
  // A page of another origin framing Plume at `?src=<url>`, and posting it a file (one that
  // shares a trace id with what the user kept) once told to and the frame answers.
  await writeFile(join(files, 'framer.html'), `<!doctype html><meta charset="utf-8">
<iframe id="frame" style="width:900px;height:600px"></iframe>
<script type="module">
  const frame = document.getElementById('frame');
  const src = new URLSearchParams(location.search).get('src');
  frame.src = src;
  const target = new URL(src).origin;
  const text = await (await fetch('collector-file-exporter.jsonl')).text();
  window.heard = [];
  addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow) return;
    if (event.data === 'PONG' && window.go && !window.posted) {
      window.posted = true;
      frame.contentWindow.postMessage({ plume: { text, fileName: 'host.jsonl' } }, target);
    } else if (event.data !== 'PONG') window.heard.push(event.data);
  });
  setInterval(() => frame.contentWindow.postMessage('PING', target), 100);
</script>`);
  plume = await servePlume();
  other = await serve(files, { 'access-control-allow-origin': '*' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await Promise.all([plume, other].map((s) => s?.close()));
});

/** A page in a fresh context (its own storage) of one browser, with its errors collected. */
async function page(context, url) {
  const opened = await context.newPage();
  opened.problems = [];
  opened.on('pageerror', (e) => opened.problems.push(e.message));
  await opened.goto(url);
  return opened;
}

const summary = (target) => target.evaluate(() => window.plume.summary());
const settled = (target) => target.waitForFunction(() => window.plume?.settled());

/** The Plume frame of a framing page, once its engine has read what it may. */
async function plumeFrame(framer) {
  await framer.waitForSelector('#frame');
  const frame = await (await framer.$('#frame')).contentFrame();
  await frame.waitForFunction(() => window.plume?.settled());
  return frame;
}

test('a page on another origin framing Plume sees none of what the user kept, and adds nothing to it', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const user = await page(context, plume.url);
  await load(user, [await fixture('openai-01.otlp.pb')]);
  const kept = await summary(user);
  assert.equal(kept.spans, 4);

  for (const src of [`${plume.url}index.html#/`, `${plume.url}index.html?embed&persist&origins=${encodeURIComponent(other.origin)}`]) {
    const framer = await page(context, `${other.url}framer.html?src=${encodeURIComponent(src)}`);
    const frame = await plumeFrame(framer);
    assert.equal((await summary(frame)).spans, 0, `${src}: nothing kept is shown`);
    assert.equal(await frame.locator('[data-testid=forget-all], [data-testid=delete], [data-testid=send-menu]').count(), 0,
      `${src}: no Delete, Forget all or Send`);
    if (src.includes('embed')) {
      // The host's file shows, in a page that offers neither Send nor Delete.
      await framer.evaluate(() => { window.go = true; });
      await framer.waitForFunction(() => window.heard.some((m) => m.plume?.loaded));
      // The host hears `loaded` as the load ends; the frame's totals are asked for after it.
      await frame.waitForFunction(() => window.plume.summary().spans > 0);
      await frame.evaluate(() => { location.hash = '#/project/chatbot-demo'; });
      await frame.waitForSelector('[data-testid=trace-row]');
      assert.equal(await frame.locator('[data-testid=delete], [data-testid=send-menu]').count(), 0);
    }
    assert.deepEqual(framer.problems, []);
    await framer.close();
  }

  // The user's own page still has exactly what it kept: the host's spans of the same trace
  // did not join it.
  await user.reload();
  await user.waitForSelector('header.header');
  await settled(user);
  assert.deepEqual(await summary(user), kept);
  await context.close();
});

test('a link\'s file is shown but kept only when the user presses Keep, and fetched without cookies', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addCookies([{ name: 'session', value: 's3cret', domain: '127.0.0.1', path: '/' }]);
  // A file on Plume's own origin: a same-origin fetch would carry the cookie.
  const link = `${plume.url}index.html#url=${encodeURIComponent(`${plume.url}samples/openai-01.otlp.pb`)}&trace=${OPENAI_TRACE}`;
  const viewer = await page(context, link);
  await viewer.waitForSelector('[data-testid=file-held]');
  await settled(viewer);
  assert.equal((await summary(viewer)).spans, 4);
  const fetched = cookies.filter((c) => c.path === '/samples/openai-01.otlp.pb');
  assert.ok(fetched.length > 0 && fetched.every((c) => c.cookie === undefined), JSON.stringify(fetched));
  assert.ok(cookies.some((c) => c.path === '/index.html' && c.cookie === 'session=s3cret'), 'the browser had the cookie to send');

  await viewer.goto(plume.url);
  await settled(viewer);
  assert.equal((await summary(viewer)).spans, 0, 'not kept without asking');

  await viewer.goto(link);
  await viewer.waitForSelector('[data-testid=keep-held]');
  await viewer.click('[data-testid=keep-held]');
  await viewer.waitForSelector('[data-testid=file-held]', { state: 'detached' });
  await settled(viewer);
  await viewer.goto(plume.url);
  await viewer.waitForFunction(() => window.plume.settled() && window.plume.summary().spans === 4);
  assert.deepEqual(viewer.problems, []);
  await context.close();
});

test('a link to anything but http(s) or data is refused, with why', async () => {
  const context = await browser.newContext();
  const viewer = await page(context, `${plume.url}index.html?memory#url=${encodeURIComponent('file:///etc/passwd')}`);
  await viewer.waitForSelector('[data-testid=file-result]');
  assert.match(await viewer.textContent('[data-testid=file-result]'), /only http:, https: and data: URLs are loaded, not file:/);
  await context.close();
});

test('a collector that redirects elsewhere receives no header, and the report says why', async () => {
  const first = await startCollector();
  const second = await startCollector();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const viewer = await page(context, `${plume.url}index.html?memory`);
  await load(viewer, [await fixture('openai-01.otlp.pb')]);
  const port = new URL(second.url).port;
  const report = await sendProject(viewer, 'chatbot-demo', {
    endpoint: `${first.url}/redirect/${port}/v1/traces`, headers: 'api_key: s3cret-key\nauthorization: Bearer t0ken',
  });
  assert.match(report, /redirect, which is not followed/);
  assert.ok(first.requests.length > 0 && first.requests.every((r) => r.apiKey === 's3cret-key'), 'the collector asked for got them');
  assert.deepEqual(second.requests, [], 'where it pointed got nothing');

  // Plain http to another machine is warned about before anything is sent.
  await viewer.fill('[data-testid=send-endpoint]', 'http://collector.example:4318/v1/traces');
  await viewer.dispatchEvent('[data-testid=send-endpoint]', 'change');
  assert.match(await viewer.textContent('[data-testid=send-endpoint-warning]'), /plain http: .* unencrypted/);
  assert.equal(await viewer.evaluate(() => localStorage.length), 0, 'a memory-only page keeps no settings');
  await context.close();
  await Promise.all([first.close(), second.close()]);
});

test('sent with secrets taken out, the collector receives none of them and the rest of the text', async () => {
  const collector = await startCollector();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const viewer = await page(context, `${plume.url}index.html?memory`);
  const { file, secrets, kept } = plantedSecrets();
  await load(viewer, [file]);
  const report = await sendProject(viewer, 'support-bot', { endpoint: `${collector.url}/ok/v1/traces`, protocol: 'json', gzip: false, redact: true });
  assert.match(report, /Sent 1 of 1 spans: 1 accepted, 0 failed/);
  const received = collector.requests.map((r) => r.body.toString('utf8')).join('\n');
  for (const secret of secrets) assert.ok(!received.includes(secret), `${secret} reached the collector`);
  for (const text of kept) assert.ok(received.includes(text), `${text} lost`);
  await context.close();
  await collector.close();
});

test('under the Content-Security-Policy header the build writes, the page and its worker load, show, export and send with no violation', async () => {
  const policy = (await readFile(join(root, 'dist/csp.txt'), 'utf8')).trim();
  assert.match(policy, /script-src 'self' 'sha256-[^']+' 'wasm-unsafe-eval'/);
  const strict = await serve(join(root, 'dist'), { 'content-security-policy': policy });
  const collector = await startCollector();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const viewer = await page(context, `${strict.url}index.html?memory`);
  const errors = [];
  viewer.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // A sample: the worker fetches it from the page's origin.
  await viewer.click('button.sample >> nth=0');
  await viewer.waitForSelector('[data-testid=file-result]');
  await settled(viewer);
  // The meta carries the same policy but frame-ancestors.
  const meta = await viewer.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
  assert.equal(`${meta}; frame-ancestors 'self'`, policy);
  // The parquet file starts the worker's own helper worker, under the same policy.
  await load(viewer, [
    await fixture('openai-01.otlp.pb'),
    await fixture('collector-file-exporter.jsonl'),
    await fixture('phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet'),
  ]);
  const lines = await viewer.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
  assert.ok(lines.some((line) => /trace_dataset-.*phoenix-trace-dataset, 13 spans/.test(line)), lines.join('\n'));
  await viewer.evaluate((t) => { location.hash = `#/trace/${t}`; }, OPENAI_TRACE);
  await viewer.waitForSelector('[data-testid=span-row]');
  await viewer.click('[data-testid=span-row] >> nth=1');
  await viewer.waitForSelector('[data-testid=span-details] h2');
  await viewer.$eval('[data-testid=export-menu]', (menu) => { menu.open = true; });
  const [download] = await Promise.all([
    viewer.waitForEvent('download'),
    viewer.click('[data-testid=export-menu] button[data-format="otlp.json"]'),
  ]);
  assert.ok((await download.path()) !== null);
  const report = await sendProject(viewer, 'chatbot-demo', { endpoint: `${collector.url}/ok/v1/traces` });
  assert.match(report, /Sent \d+ of \d+ spans: \d+ accepted, 0 failed/);
  assert.deepEqual(await viewer.evaluate(() => window.violations), []);
  assert.deepEqual(errors, []);
  assert.deepEqual(viewer.problems, []);
  await context.close();
  await Promise.all([strict.close(), collector.close()]);
});
