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

const FAULT = `
let failing = false;
new BroadcastChannel('plume-test-fault').onmessage = (event) => { failing = event.data; };
const post = self.postMessage.bind(self);
self.postMessage = (message, ...rest) => {
  const body = typeof message?.body === 'string' ? JSON.parse(message.body) : null;
  const answer = body?.Answer;
  if (failing && answer && !answer.answer?.Ok?.Summary) {
    message = { body: JSON.stringify({ Answer: { id: answer.id, answer: { Err: { Failed: 'failed on purpose by the test' } } } }) };
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
