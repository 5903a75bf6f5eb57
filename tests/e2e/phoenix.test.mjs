// Sending to a real Phoenix: the shared fixtures are dropped into the page and POSTed to Phoenix's
// /v1/traces from the browser; then Phoenix's REST API must give back every span, in the right
// project, with its attributes as Phoenix keeps them. Annotations made in the page follow their
// spans through Phoenix's REST API, and read back from it.
//
// Phoenix runs as tests/phoenix/phoenix.mjs starts it, allowing the page's origin.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useViewer, load, fixture, root, fixtures, sendProject } from './browser.mjs';
import { startPhoenix } from '../phoenix/phoenix.mjs';

const viewer = useViewer();
let phoenix;

after(async () => {
  await phoenix?.stop();
});

/** The spans of fixture files as spec OTLP/JSON, read by Plume's own CLI (the expectation). */
function expectedSpans(files) {
  const plume = existsSync(join(root, 'target/release/plume')) ? [join(root, 'target/release/plume')] : null;
  const args = ['convert', ...files.map((f) => join(fixtures, f)), '--to', 'otlp-json', '-o', '-'];
  const out = plume
    ? execFileSync(plume[0], args, { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] })
    : execFileSync('cargo', ['run', '-q', '--release', '--bin', 'plume', '--', ...args], { cwd: root, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const request = JSON.parse(out.toString());
  return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
}

/** An OTLP AnyValue as Phoenix's REST API shows it. */
function plain(value) {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(plain);
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** Phoenix parses these JSON strings and shows them flattened. */
const JSON_KEYS = /^(metadata|tool\.parameters|llm\.prompt_template\.variables|.*\.document\.metadata)$/;

function flattenJson(prefix, value, out) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenJson(`${prefix}.${k}`, v, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

async function spansOf(project, count) {
  // Phoenix ingests asynchronously: wait until all have landed.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { data } = await phoenix.get(`/v1/projects/${project}/spans?limit=1000`).catch(() => ({ data: [] }));
    if (data.length >= count || Date.now() > deadline) return data;
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('a real Phoenix receives every span the page sends, with its attributes, in its project', async () => {
  // Started here, not in a hook: hooks run side by side, and it must know the viewer's origin.
  phoenix = await startPhoenix({ allowedOrigins: [new URL(viewer.url).origin] });
  const files = ['openai-01.otlp.pb', 'openai-03.otlp.pb', 'langchain-01.otlp.pb'];
  const page = await viewer.open();
  await load(page, await Promise.all(files.map((f) => fixture(f))));
  const endpoint = `${phoenix.url}/v1/traces`;
  assert.match(await sendProject(page, 'chatbot-demo', { endpoint }), /Sent 7 of 7 spans: 7 accepted, 0 failed/);
  assert.match(await sendProject(page, 'rag-langchain-demo', { endpoint, batch: 5, gzip: false }),
    /Sent 18 of 18 spans: 18 accepted, 0 failed \(4 requests\)/);

  const received = new Map();
  for (const [project, count] of [['chatbot-demo', 7], ['rag-langchain-demo', 18]]) {
    const spans = await spansOf(project, count);
    assert.equal(spans.length, count, project);
    for (const span of spans) received.set(span.context.span_id, { ...span, project });
  }
  const expected = expectedSpans(files);
  assert.equal(expected.length, 25);
  for (const span of expected) {
    const got = received.get(span.spanId);
    assert.ok(got, `span ${span.spanId} (${span.name}) reached Phoenix`);
    assert.equal(got.name, span.name);
    assert.equal(got.context.trace_id, span.traceId);
    assert.equal(got.parent_id ?? undefined, span.parentSpanId || undefined, span.name);
    assert.equal(got.status_code, { 1: 'OK', 2: 'ERROR' }[span.status?.code] ?? 'UNSET', span.name);
    const want = {};
    for (const { key, value } of span.attributes ?? []) {
      // Phoenix keeps these apart: the project, and the kind as `span_kind`.
      if (key === 'openinference.project.name') continue;
      if (key === 'openinference.span.kind') {
        assert.equal(got.span_kind, value.stringValue, span.name);
        continue;
      }
      if (JSON_KEYS.test(key) && 'stringValue' in value) flattenJson(key, JSON.parse(value.stringValue), want);
      else want[key] = plain(value);
    }
    for (const [key, value] of Object.entries(want)) {
      assert.deepEqual(got.attributes[key], value, `${span.name} ${span.spanId}: ${key}`);
    }
  }
  // The LLM call of openai-01, as a user would check it in Phoenix.
  const llm = received.get('2b5538cd44d34c58');
  assert.equal(llm.project, 'chatbot-demo');
  assert.equal(llm.span_kind, 'LLM');
  assert.equal(llm.attributes['llm.token_count.prompt'], 34);
  assert.equal(llm.attributes['llm.input_messages.1.message.content'], 'What is OpenTelemetry and how do spans relate to traces?');
  assert.deepEqual(page.problems, []);
});

test('annotations made in the page land in a real Phoenix after their spans, and read back through its API', async () => {
  phoenix ??= await startPhoenix({ allowedOrigins: [new URL(viewer.url).origin] });
  const TRACE = '3a34990d3bcc7893ef125bc4b7879ed7';
  const ROOT = 'f4067ff1516df620';
  const page = await viewer.open('?memory');
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate(([trace, span]) => { location.hash = `#/trace/${trace}/span/${span}`; }, [TRACE, ROOT]);
  await page.waitForSelector('[data-testid=annotate-span]', { state: 'attached' });
  await page.$eval('[data-testid=span-details] details[data-section=Annotations]', (d) => { d.open = true; });
  await page.click('[data-testid=annotate-span] [data-testid=thumbs-down]');
  await page.fill('[data-testid=annotate-span] [data-testid=annotation-name]', 'tone');
  await page.fill('[data-testid=annotate-span] [data-testid=annotation-label]', 'curt');
  await page.fill('[data-testid=annotate-span] [data-testid=annotation-score]', '0.4');
  await page.click('[data-testid=annotate-span] [data-testid=annotation-save]');
  await page.fill('[data-testid=annotate-span] [data-testid=note-input]', 'It answered another question.');
  await page.click('[data-testid=annotate-span] [data-testid=note-save]');
  await page.click('.trace-annotations > summary');
  await page.click('[data-testid=annotate-trace] [data-testid=thumbs-up]');
  await page.fill('[data-testid=annotate-trace] [data-testid=note-input]', 'Retries twice.');
  await page.click('[data-testid=annotate-trace] [data-testid=note-save]');
  await page.waitForFunction(() => window.plume.settled() && document.querySelectorAll('[data-testid=annotate-span] [data-testid=annotation]').length === 2);

  const report = await sendProject(page, 'chatbot-demo', { endpoint: `${phoenix.url}/v1/traces`, annotations: true });
  assert.match(report, /Sent 4 of 4 spans: 4 accepted, 0 failed/);
  assert.match(report, /Annotations: 5 of 5 sent, 0 failed\./);

  const { data: onSpan } = await phoenix.get(`/v1/projects/chatbot-demo/span_annotations?span_ids=${ROOT}&limit=100`);
  const byName = Object.fromEntries(onSpan.map((a) => [a.name, a]));
  assert.deepEqual(Object.keys(byName).sort(), ['note', 'review', 'tone']);
  assert.equal(byName.review.annotator_kind, 'HUMAN');
  assert.deepEqual([byName.review.result.label, byName.review.result.score], ['bad', 0]);
  assert.deepEqual([byName.tone.result.label, byName.tone.result.score], ['curt', 0.4]);
  assert.equal(byName.note.result.explanation, 'It answered another question.');
  const { data: onTrace } = await phoenix.get(`/v1/projects/chatbot-demo/trace_annotations?trace_ids=${TRACE}&limit=100`);
  const traceByName = Object.fromEntries(onTrace.map((a) => [a.name, a]));
  assert.deepEqual([traceByName.review.result.label, traceByName.review.result.score], ['good', 1]);
  assert.equal(traceByName.note.result.explanation, 'Retries twice.');

  // Sent again, nothing is doubled: Phoenix replaces them.
  await sendProject(page, 'chatbot-demo', { endpoint: `${phoenix.url}/v1/traces`, annotations: true });
  const { data: again } = await phoenix.get(`/v1/projects/chatbot-demo/span_annotations?span_ids=${ROOT}&limit=100`);
  assert.equal(again.length, 3);
  assert.deepEqual(page.problems, []);
});
