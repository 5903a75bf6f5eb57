// The page reads trace files in the browser, through the wasm build of the core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { serve, launch } from './browser.mjs';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
let server;
let browser;

before(async () => {
  server = await serve(dist);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a sample loads with one click', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.click('button[data-sample="samples/openai-01.otlp.pb"]');
  await page.waitForFunction(() => document.querySelector('#log').textContent.includes('openai-01'));
  assert.match(await page.textContent('#log'), /openai-01\.otlp\.pb: otlp-proto, 4 spans/);
  assert.match(await page.textContent('#totals'), /^4 spans in 1 traces; projects: chatbot-demo/);
});

test('picked files load, a bad one is named, and what came before stays', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  const file = async (path) => ({ name: path.split('/').pop(), mimeType: 'application/octet-stream', buffer: await readFile(`${fixtures}${path}`) });
  await page.setInputFiles('#file-picker', [
    await file('collector-file-exporter.jsonl'),
    { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"resourceSpans": [{"scopeSpans": [') },
    await file('phoenix/chatbot-demo/rest-spans.json'),
  ]);
  await page.waitForFunction(() => document.querySelectorAll('#log > div').length >= 4);
  const log = await page.textContent('#log');
  assert.match(log, /collector-file-exporter\.jsonl: otlp-jsonl, 38 spans/);
  assert.match(log, /broken\.json: otlp-json, 0 spans/);
  assert.match(log, /error: broken\.json: line 1, column 35, at resourceSpans\[0\]\.scopeSpans: EOF while parsing a list/);
  assert.match(log, /rest-spans\.json: phoenix-rest-json, 13 spans/);
  assert.match(await page.textContent('#totals'), /^38 spans in 8 traces/);
});

test('span content is shown as text, never run as HTML', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  const hostile = JSON.stringify({ resourceSpans: [] }).replace('{', '{"<img src=x onerror=alert(1)>":1,');
  await page.setInputFiles('#file-picker', [
    { name: '<img src=x onerror=window.pwned=1>.json', mimeType: 'application/json', buffer: Buffer.from(hostile) },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('#log > div').length >= 1);
  assert.equal(await page.evaluate(() => document.querySelectorAll('#log img').length), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});
