// When the engine answers a question with an error, every page says what went wrong instead of
// "Loading…" forever. The worker is made to fail: its loader script is served with a wrapper
// around its postMessage that, once switched on (a BroadcastChannel message from the test), turns
// every answer but the header's totals into an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useViewer, load, fixture, root } from './browser.mjs';

const viewer = useViewer();

// Messages are postcard bytes (engine/messages.rs): an enum is its variant's index (declaration
// order) as a varint, then its fields in order. FromWorker::Answer is variant 1 (id, then the
// Result: Ok 0 / Err 1); Response::Summary is variant 0; Problem::Failed is variant 4. Should
// those move, no answer fails and this test says so.
const FAULT = `
let failing = false;
new BroadcastChannel('plume-test-fault').onmessage = (event) => { failing = event.data; };
const varint = (bytes, at) => {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
  }
};
const toVarint = (n) => {
  const out = [];
  do { out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n = Math.floor(n / 128); } while (n > 0);
  return out;
};
const post = self.postMessage.bind(self);
self.postMessage = (message, ...rest) => {
  const body = message?.body;
  if (failing && body instanceof Uint8Array && body[0] === 1) {
    const [id, at] = varint(body, 1);
    const summary = body[at] === 0 && body[at + 1] === 0;
    if (!summary) {
      const text = new TextEncoder().encode('failed on purpose by the test');
      const failed = [1, ...toVarint(id), 1, 4, ...toVarint(text.length), ...text];
      message = { build: message.build, body: new Uint8Array(failed) };
      rest = [];
    }
  }
  post(message, ...rest);
};
`;

test('when the engine answers with an error, every page says so instead of loading forever', async () => {
  const loader = await readFile(join(root, 'dist/plume-worker_loader.js'), 'utf8');
  const context = await viewer.browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route('**/plume-worker_loader.js', (route) => route.fulfill({ contentType: 'text/javascript', body: FAULT + loader }));
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${viewer.url}?memory`);
  await load(page, [await fixture('collector-file-exporter.jsonl'), await fixture('langchain-01.otlp.pb')]);

  // Where to go, found while the engine still answers.
  await page.evaluate(() => { location.hash = '#/project/chatbot-demo'; });
  await page.waitForSelector('[data-testid=trace-row]');
  const traces = await page.$$eval('[data-testid=trace-row]', (rows) => rows.map((r) => r.dataset.traceId));
  assert.ok(traces.length >= 2);
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo/sessions'; });
  await page.waitForSelector('[data-testid=session-row] a');
  const session = await page.getAttribute('[data-testid=session-row] a', 'href');
  await page.evaluate(() => { location.hash = '#/'; });
  await page.waitForSelector('[data-testid=project-row]');

  await page.evaluate(() => new BroadcastChannel('plume-test-fault').postMessage(true));
  const pages = [
    '#/project/chatbot-demo',
    '#/project/chatbot-demo/spans',
    '#/project/chatbot-demo/sessions',
    '#/project/chatbot-demo/stats',
    session,
    `#/trace/${traces[0]}`,
    `#/compare/${traces[0]}/${traces[1]}`,
    '#/',
  ];
  for (const hash of pages) {
    await page.evaluate((h) => { location.hash = h; }, hash);
    await page.waitForSelector('[data-testid=problem]', { timeout: 10_000 });
    assert.match(await page.textContent('[data-testid=problem]'), /failed on purpose by the test/, hash);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
