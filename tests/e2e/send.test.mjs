// Sending to a collector, against a small local collector that answers as each scenario says:
// retries (503, 429 with Retry-After), splitting on 413, giving up on 400 and 415, an unreachable
// collector, and the headers going out without being shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useViewer, load, fixture, sendProject, counts } from './browser.mjs';
import { startCollector } from './collector.mjs';

const viewer = useViewer();
let collector;

before(async () => {
  collector = await startCollector();
});

after(async () => {
  await collector?.close();
});

async function chatbotPage() {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb'), await fixture('openai-03.otlp.pb')]);
  return page;
}

test('spans go out in batches, gzipped protobuf with the headers given', async () => {
  const page = await chatbotPage();
  const report = await sendProject(page, 'chatbot-demo', {
    endpoint: `${collector.url}/ok/v1/traces`, batch: 3, headers: 'authorization: Bearer t0ken\nx-project-name: demo',
  });
  assert.match(report, /Sent 7 of 7 spans: 7 accepted, 0 failed \(3 requests\)/);
  const sent = collector.requests.filter((r) => r.scenario === 'ok');
  assert.equal(sent.length, 3);
  assert.ok(sent.every((r) => r.contentType === 'application/x-protobuf' && r.contentEncoding === 'gzip' && r.authorization === 'Bearer t0ken'));
  assert.ok(!report.includes('t0ken'), 'the report never shows a header');
  const stored = await page.evaluate(() => localStorage.getItem('plume.send'));
  assert.match(stored, /\/ok\/v1\/traces/, 'the endpoint is remembered');
  assert.ok(!stored.includes('t0ken'), 'the headers are not, unless asked');
  assert.deepEqual(page.problems, []);
});

test('a 503 and a 429 with Retry-After are retried, then everything is accepted', async () => {
  const page = await chatbotPage();
  const flaky = await sendProject(page, 'chatbot-demo', { endpoint: `${collector.url}/flaky/v1/traces` });
  assert.match(flaky, /Sent 7 of 7 spans: 7 accepted, 0 failed \(2 requests\)/);
  assert.match(flaky, /HTTP 503; retrying 7 spans in 1\.0 s/);
  const limited = await sendProject(page, 'chatbot-demo', { endpoint: `${collector.url}/limited/v1/traces` });
  assert.match(limited, /Sent 7 of 7 spans: 7 accepted, 0 failed \(2 requests\)/);
  assert.match(limited, /HTTP 429; retrying 7 spans in 1\.0 s/);
});

test('a 413 splits the batch until the halves fit', async () => {
  const page = await chatbotPage();
  const report = await sendProject(page, 'chatbot-demo', { endpoint: `${collector.url}/small/4000/v1/traces`, gzip: false });
  assert.match(report, /Sent 7 of 7 spans: 7 accepted, 0 failed/);
  const small = collector.requests.filter((r) => r.scenario === 'small');
  assert.ok(small.some((r) => r.bytes > 4000), 'the first was too large');
  assert.ok(small.filter((r) => r.bytes <= 4000).length >= 2, 'the halves went');
});

test('a byte limit per request splits batches before they are sent', async () => {
  const page = await chatbotPage();
  const before = collector.requests.length;
  const report = await sendProject(page, 'chatbot-demo', { endpoint: `${collector.url}/small/8192/v1/traces`, gzip: false, kib: 8 });
  assert.match(report, /Sent 7 of 7 spans: 7 accepted, 0 failed/);
  const sent = collector.requests.slice(before);
  assert.ok(sent.length >= 2, `${sent.length} requests`);
  assert.ok(sent.every((r) => r.bytes <= 8192), 'every request within the limit, none refused');
});

test('400 and 415 are not retried, and say why', async () => {
  const page = await chatbotPage();
  const bad = await sendProject(page, 'chatbot-demo', { endpoint: `${collector.url}/bad/v1/traces` });
  assert.match(bad, /Sent 0 of 7 spans: 0 accepted, 7 failed \(1 requests\)/);
  assert.match(bad, /HTTP 400: invalid trace id/);
  const json = await sendProject(page, 'chatbot-demo', { endpoint: `${collector.url}/json-refused/v1/traces`, protocol: 'json' });
  assert.match(json, /7 failed \(1 requests\)/);
  assert.match(json, /does not take OTLP\/JSON \(Phoenix takes only protobuf\): choose protobuf/);
  assert.equal(collector.requests.find((r) => r.scenario === 'json-refused').contentType, 'application/json');
});

test('an unreachable collector is explained, and nothing loaded is lost', async () => {
  const page = await chatbotPage();
  // A port nothing listens on: the collector we started, closed.
  const gone = await startCollector();
  await gone.close();
  const report = await sendProject(page, 'chatbot-demo', { endpoint: `${gone.url}/v1/traces` });
  assert.match(report, /7 failed \(3 requests\)/);
  assert.match(report, /PHOENIX_ALLOWED_ORIGINS/);
  assert.deepEqual(await counts(page), { spans: 7, traces: 2, projects: 1, errors: 0 });
});
