// Sending to a real Phoenix: the shared fixtures are dropped into the page and POSTed to Phoenix's
// /v1/traces from the browser; then Phoenix's REST API must give back every span, in the right
// project, with its attributes as Phoenix keeps them.
//
// Phoenix runs from the virtualenv ./dev makes (target/phoenix-venv; PHOENIX_PYTHON overrides),
// on loopback only (tests/phoenix/serve.py), with a fresh working directory, and allows the
// page's origin (PHOENIX_ALLOWED_ORIGINS), as a user would start it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useViewer, load, fixture, root, fixtures, sendProject } from './browser.mjs';

const python = process.env.PHOENIX_PYTHON ?? join(root, 'target/phoenix-venv/bin/python');
const viewer = useViewer();
let phoenix;
let phoenixUrl;
let workingDir;

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function get(path) {
  const response = await fetch(`${phoenixUrl}${path}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

before(async () => {
  if (!existsSync(python)) {
    throw new Error(`Phoenix is not installed at ${python}: run ./dev tools (it makes the virtualenv)`);
  }
  workingDir = await mkdtemp(join(tmpdir(), 'plume-phoenix-'));
  const port = await freePort();
  phoenixUrl = `http://127.0.0.1:${port}`;
  phoenix = spawn(python, [join(root, 'tests/phoenix/serve.py')], {
    env: {
      ...process.env,
      PHOENIX_HOST: '127.0.0.1',
      PHOENIX_PORT: String(port),
      PHOENIX_WORKING_DIR: workingDir,
      PHOENIX_ALLOWED_ORIGINS: new URL(viewer.url).origin,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  phoenix.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (phoenix.exitCode !== null) throw new Error(`Phoenix exited: ${log}`);
    try {
      await get('/v1/projects');
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`Phoenix did not start in time: ${log}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
});

after(async () => {
  phoenix?.kill('SIGTERM');
  if (workingDir) await rm(workingDir, { recursive: true, force: true });
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
    const { data } = await get(`/v1/projects/${project}/spans?limit=1000`).catch(() => ({ data: [] }));
    if (data.length >= count || Date.now() > deadline) return data;
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('a real Phoenix receives every span the page sends, with its attributes, in its project', async () => {
  const files = ['openai-01.otlp.pb', 'openai-03.otlp.pb', 'langchain-01.otlp.pb'];
  const page = await viewer.open();
  await load(page, await Promise.all(files.map((f) => fixture(f))));
  const endpoint = `${phoenixUrl}/v1/traces`;
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
