// `plume fetch` against a real Phoenix (PyPI, on loopback) on SQLite (a fresh working directory)
// and on PostgreSQL (Debian's server, a fresh cluster: tests/phoenix/postgres.mjs), each seeded by
// POSTing the shared fixtures as an app's exporter would: projects listed, a project's newest
// traces fetched whole with what Phoenix holds on them, a trace by id, Phoenix's own trace filter,
// a limit, and what goes wrong said (an unknown project, a filter Phoenix refuses, a bad key with
// auth on). The page does the same from its Servers page (Connect…, a project's traces newest
// first, Phoenix's filter, pages, a trace opened with what Phoenix holds on it, fetched again
// without doubling, its address reopening it), Phoenix allowing the page's origin as a user would
// set PHOENIX_ALLOWED_ORIGINS. Tempo, Jaeger and Zipkin: against the answers those projects
// publish.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, fixtures, serve, launch, open, counts } from './browser.mjs';
import { startPhoenix } from '../phoenix/phoenix.mjs';
import { startPostgres } from '../phoenix/postgres.mjs';

const plume = join(root, 'target/debug/plume');
const OPENAI_01 = '3a34990d3bcc7893ef125bc4b7879ed7';
let OPENAI_01_ROOT;
/** Phoenix by its database: SQLite, PostgreSQL. */
const phoenixOn = {};
let postgres;
let out;
/** The viewer (dist/ on loopback) and a browser. */
let viewer;
let browser;

/** Runs plume; resolves to { code, stdout, stderr }. */
const run = (...args) => new Promise((resolve) => {
  execFile(plume, args, { maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
    resolve({ code: error ? error.code : 0, stdout, stderr });
  });
});

/** What a file holds, as `plume inspect --json` says. */
const inspect = async (file) => JSON.parse((await run('inspect', '--json', file)).stdout);

/** Seeds a Phoenix as an app would: the fixtures POSTed, then a person's label and an evaluation. */
async function seed(phoenix) {
  for (const file of ['openai-01.otlp.pb', 'openai-03.otlp.pb', 'langchain-01.otlp.pb']) {
    const body = await readFile(join(fixtures, file));
    const response = await fetch(`${phoenix.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    assert.equal(response.status, 200, file);
  }
  // Phoenix stores what it received asynchronously: wait for all 25 spans.
  for (let wait = 0; ; wait += 1) {
    const counts = await Promise.all(['chatbot-demo', 'rag-langchain-demo'].map((p) => phoenix.get(`/v1/projects/${p}/spans?limit=1000`).then((r) => r.data.length, () => 0)));
    if (counts[0] === 7 && counts[1] === 18) break;
    if (wait > 120) throw new Error(`Phoenix holds ${counts} spans`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const annotate = (kind, body) => fetch(`${phoenix.url}/v1/${kind}?sync=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [body] }) });
  assert.equal((await annotate('span_annotations', { span_id: OPENAI_01_ROOT, name: 'review', annotator_kind: 'HUMAN', result: { label: 'good', score: 1 } })).status, 200);
  assert.equal((await annotate('trace_annotations', { trace_id: OPENAI_01, name: 'correctness', annotator_kind: 'LLM', result: { label: 'correct', score: 0.9, explanation: 'it answers' } })).status, 200);
}

before(async () => {
  out = await mkdtemp(join(tmpdir(), 'plume-fetch-'));
  const seeded = JSON.parse((await run('inspect', '--json', '--filter', 'parent_id is None', join(fixtures, 'openai-01.otlp.pb'))).stdout);
  OPENAI_01_ROOT = seeded.matched_span_ids?.[0];
  postgres = await startPostgres();
  [viewer, browser] = await Promise.all([serve(), launch()]);
  const allowedOrigins = [viewer.origin];
  [phoenixOn.SQLite, phoenixOn.PostgreSQL] = await Promise.all([
    startPhoenix({ allowedOrigins }),
    startPhoenix({ allowedOrigins, env: { PHOENIX_SQL_DATABASE_URL: postgres.url } }),
  ]);
  await Promise.all(Object.values(phoenixOn).map(seed));
});
after(async () => {
  await browser?.close();
  await viewer?.close();
  await Promise.all(Object.values(phoenixOn).map((phoenix) => phoenix.stop()));
  await postgres?.stop();
});

for (const database of ['SQLite', 'PostgreSQL']) {

test(`Phoenix on ${database}: lists its projects and fetches a project's traces whole`, async () => {
  const phoenix = phoenixOn[database];
  const listed = await run('fetch', `phoenix+${phoenix.url}`);
  assert.equal(listed.code, 0, listed.stderr);
  for (const name of ['chatbot-demo', 'rag-langchain-demo']) assert.ok(listed.stdout.split('\n').includes(name), listed.stdout);

  const file = join(out, `chatbot-${database}.otlp.pb`);
  const fetched = await run('fetch', `phoenix+${phoenix.url}`, '--project', 'chatbot-demo', '-o', file);
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.match(fetched.stderr, /7 spans in 2 traces \(of 2 asked for\)/);
  const total = await inspect(file);
  assert.equal(total.spans, 7);
  assert.equal(total.traces, 2);

  // `inspect --from` counts what the server holds as if it were files, with its own span filter.
  const counted = JSON.parse((await run('inspect', '--json', '--from', `phoenix+${phoenix.url}`, '--project', 'chatbot-demo')).stdout);
  assert.deepEqual([counted.spans, counted.traces, counted.evaluations, counted.annotations], [7, 2, 1, 1]);
  const llm = JSON.parse((await run('inspect', '--json', '--filter', "span_kind == 'LLM'", '--from', `phoenix+${phoenix.url}`, '--project', 'chatbot-demo')).stdout);
  assert.equal(llm.matched_span_ids.length, 4);

  // As OTLP/JSON too, by the file's extension.
  const json = join(out, `rag-${database}.json`);
  assert.equal((await run('fetch', `phoenix+${phoenix.url}/`, '--project', 'rag-langchain-demo', '-o', json)).code, 0);
  assert.equal((await inspect(json)).spans, 18);
});

test(`Phoenix on ${database}: a trace by id with what it holds on it, the newest with a limit, what its trace filter lets through`, async () => {
  const phoenix = phoenixOn[database];
  const one = join(out, `one-${database}.pb`);
  const byId = await run('fetch', `phoenix+${phoenix.url}`, '--project', 'chatbot-demo', '--trace', OPENAI_01, '-o', one);
  assert.equal(byId.code, 0, byId.stderr);
  assert.deepEqual([(await inspect(one)).spans, (await inspect(one)).traces], [4, 1]);
  // What Phoenix holds on it comes beside it: the person's label and the trace's evaluation.
  const held = (await readFile(`${one}.evaluations.jsonl`, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(held.map((row) => [row.name, row.label, row.annotator_kind ?? 'LLM']).sort(),
    [['correctness', 'correct', 'LLM'], ['review', 'good', 'HUMAN']]);
  const both = JSON.parse((await run('inspect', '--json', one, `${one}.evaluations.jsonl`)).stdout);
  assert.deepEqual([both.evaluations, both.annotations], [1, 1]);

  const newest = join(out, `newest-${database}.pb`);
  assert.equal((await run('fetch', `phoenix+${phoenix.url}`, '--project', 'rag-langchain-demo', '--limit', '1', '-o', newest)).code, 0);
  assert.equal((await inspect(newest)).traces, 1);

  const none = join(out, `none-${database}.pb`);
  const filtered = await run('fetch', `phoenix+${phoenix.url}`, '--project', 'chatbot-demo', '--filter', 'latency_ms > 100000000', '-o', none);
  assert.equal(filtered.code, 0, filtered.stderr);
  assert.match(filtered.stderr, /0 spans in 0 traces \(of 0 asked for\)/);

  // A time range, which Phoenix applies: one around every trace, one before them all.
  const ranged = await run('fetch', `phoenix+${phoenix.url}`, '--project', 'rag-langchain-demo', '--since', '2000-01-01T00:00:00Z', '--until', '2100-01-01T00:00:00Z', '--limit', '1', '-o', join(out, `ranged-${database}.pb`));
  assert.equal(ranged.code, 0, ranged.stderr);
  assert.equal((await inspect(join(out, `ranged-${database}.pb`))).traces, 1);
  const before = await run('fetch', `phoenix+${phoenix.url}`, '--project', 'rag-langchain-demo', '--until', '2000-01-01T00:00:00Z', '-o', join(out, `before-${database}.pb`));
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stderr, /0 spans in 0 traces \(of 0 asked for\)/);
});

test(`the page reads Phoenix on ${database}: its projects, a project's traces newest first, its filter, pages, a trace opened whole and again`, async () => {
  const phoenix = phoenixOn[database];
  const page = await open(browser, viewer.url, '#/sources');
  await page.click('[data-testid=servers-link]');
  await page.selectOption('[data-testid=connect-kind]', 'phoenix');
  await page.fill('[data-testid=connect-url]', phoenix.url);
  await page.fill('[data-testid=connect-name]', 'team');
  await page.click('[data-testid=connect-button]');
  await page.waitForFunction(() => location.hash === '#/source/team');
  // Its projects, and the chosen one's traces, newest first (openai-03 was sent last).
  await page.waitForSelector('[data-testid=source-project] option[value=chatbot-demo]', { state: 'attached' });
  await page.selectOption('[data-testid=source-project]', 'chatbot-demo');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-trace-row]').length === 2);
  const listed = await page.$$eval('[data-testid=source-trace-open]', (links) => links.map((a) => a.getAttribute('href')));
  assert.ok(listed[1].includes(`/trace/${OPENAI_01}`), listed.join(' '));
  // Nothing is loaded by listing.
  assert.equal((await counts(page)).spans, 0);

  // One trace a page: the server's cursor gives the next.
  await page.goto(`${viewer.url}#/source/team?project=chatbot-demo&limit=1`);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-trace-row]').length === 1);
  const first = await page.textContent('[data-testid=source-trace-open]');
  await page.click('[data-testid=source-next]');
  await page.waitForFunction((before) => document.querySelector('[data-testid=source-trace-open]')?.textContent !== before, first);
  assert.ok((await page.getAttribute('[data-testid=source-trace-open]', 'href')).includes(OPENAI_01));

  // Phoenix's own filter, evaluated by Phoenix.
  await page.goto(`${viewer.url}#/source/team?project=chatbot-demo`);
  await page.fill('[data-testid=source-filter]', 'latency_ms > 100000000');
  await page.press('[data-testid=source-filter]', 'Enter');
  await page.waitForSelector('[data-testid=source-empty]');
  assert.match(page.url(), /filter=latency_ms/);

  // Opened: fetched whole, with the person's label and the trace's evaluation Phoenix holds.
  await page.goto(`${viewer.url}#/source/team?project=chatbot-demo`);
  await page.click(`[data-testid=source-trace-open][href*="${OPENAI_01}"]`);
  await page.waitForSelector('[data-testid=source-bar]');
  await page.waitForFunction(() => window.plume.summary().spans === 4);
  await page.waitForFunction(() => document.querySelectorAll('.eval-chip, [data-testid=eval-chip]').length > 0);
  assert.deepEqual([(await counts(page)).spans, (await counts(page)).traces], [4, 1]);
  // Fetched again: refreshed, not doubled.
  await page.click('[data-testid=source-refresh]');
  await page.waitForFunction(() => window.plume.settled());
  assert.deepEqual([(await counts(page)).spans, (await counts(page)).traces], [4, 1]);
  // Annotated and shared as any trace.
  await page.evaluate(([trace, span]) => { location.hash = `#/trace/${trace}/span/${span}`; }, [OPENAI_01, OPENAI_01_ROOT]);
  await page.waitForSelector('[data-testid=annotate-span]', { state: 'attached' });
  await page.$eval('[data-testid=span-details] details[data-section=Annotations]', (d) => { d.open = true; });
  await page.click('[data-testid=annotate-span] [data-testid=thumbs-down]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=annotate-span] [data-testid=annotation]')].some((a) => /review: bad/.test(a.textContent)));
  await page.$eval('[data-testid=export-menu]', (menu) => { menu.open = true; });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=share]')]);
  assert.match(download.suggestedFilename(), /\.html$/);
  // Fetched again, it keeps the annotation made on it.
  await page.goto(`${viewer.url}#/source/team/trace/${OPENAI_01}?project=chatbot-demo`);
  await page.click('[data-testid=source-refresh]');
  await page.waitForFunction(() => window.plume.settled());
  await page.waitForFunction(() => window.plume.summary().spans === 4);
  await page.evaluate(([trace, span]) => { location.hash = `#/trace/${trace}/span/${span}`; }, [OPENAI_01, OPENAI_01_ROOT]);
  await page.waitForSelector('[data-testid=annotate-span]', { state: 'attached' });
  await page.$eval('[data-testid=span-details] details[data-section=Annotations]', (d) => { d.open = true; });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=annotate-span] [data-testid=annotation]')].some((a) => /review: bad/.test(a.textContent)));
  // Its address reopens it after a reload (the connection is kept; the trace was not).
  await page.goto(`${viewer.url}#/source/team/trace/${OPENAI_01}?project=chatbot-demo`);
  await page.reload();
  await page.waitForFunction(() => window.plume.summary().spans === 4, null, { timeout: 60_000 });
  await page.waitForSelector('[data-testid=source-bar]');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

}

test('the page says what to do when a server does not answer it: where Phoenix allows its origin', async () => {
  const page = await open(browser, viewer.url, '#/sources');
  await page.selectOption('[data-testid=connect-kind]', 'phoenix');
  await page.fill('[data-testid=connect-url]', 'http://127.0.0.1:1');
  await page.click('[data-testid=connect-button]');
  const said = await page.textContent('[data-testid=problem]', { timeout: 30_000 });
  assert.match(said, new RegExp(`PHOENIX_ALLOWED_ORIGINS=${viewer.origin}`));
  await page.context().close();
});

test('a server connected to in one tab is known to the others at once, and one connected there too', async () => {
  const first = await open(browser, viewer.url, '#/sources');
  const second = await first.context().newPage();
  await second.goto(`${viewer.url}#/sources`);
  await second.waitForSelector('[data-testid=connect-button]');
  const connectHere = async (page, name, port) => {
    await page.goto(`${viewer.url}#/sources`);
    await page.selectOption('[data-testid=connect-kind]', 'zipkin');
    await page.fill('[data-testid=connect-url]', `http://127.0.0.1:${port}`);
    await page.fill('[data-testid=connect-name]', name);
    await page.click('[data-testid=connect-button]');
    await page.waitForFunction((n) => location.hash === `#/source/${n}`, name);
  };
  const names = (page) => page.$$eval('[data-testid=connection-open]', (els) => els.map((e) => e.textContent).sort().join(' '));
  try {
    await connectHere(first, 'one', 1);
    await second.waitForFunction(() => document.querySelectorAll('[data-testid=connection-row]').length === 1);
    // Connected in the second tab, from the list it was told of: the first's is not lost.
    await connectHere(second, 'two', 2);
    await second.goto(`${viewer.url}#/sources`);
    await second.waitForFunction(() => document.querySelectorAll('[data-testid=connection-row]').length === 2);
    await first.goto(`${viewer.url}#/sources`);
    await first.waitForFunction(() => document.querySelectorAll('[data-testid=connection-row]').length === 2);
    assert.equal(await names(first), 'one two');
    assert.equal(await names(second), 'one two');
  } finally {
    await first.context().close();
  }
});

test('says what went wrong: an unknown project, a filter Phoenix refuses, a header that does not read', async () => {
  const phoenix = phoenixOn.SQLite;
  const missing = await run('fetch', `phoenix+${phoenix.url}`, '--project', 'no-such-project', '-o', join(out, 'x.pb'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /HTTP 404.*not found: check the project's name/);
  const refused = await run('fetch', `phoenix+${phoenix.url}`, '--project', 'chatbot-demo', '--filter', 'latency_ms >', '-o', join(out, 'x.pb'));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /HTTP 4\d\d/);
  const badHeader = await run('fetch', `phoenix+${phoenix.url}`, '--header', 'no colon', '-o', join(out, 'x.pb'));
  assert.equal(badHeader.code, 2);
  assert.match(badHeader.stderr, /write it as 'Name: value'/);
  const unknown = await run('fetch', 'grafana+http://127.0.0.1:1', '-o', join(out, 'x.pb'));
  assert.equal(unknown.code, 2);
  const down = await run('fetch', 'phoenix+http://127.0.0.1:1', '-o', join(out, 'x.pb'));
  assert.equal(down.code, 1);
  assert.match(down.stderr, /could not ask/);
});

test('with auth on, a bad key is refused clearly', async () => {
  const locked = await startPhoenix({ env: { PHOENIX_ENABLE_AUTH: 'true', PHOENIX_SECRET: 'a-secret-of-at-least-32-characters-long-0123' } });
  try {
    const refused = await run('fetch', `phoenix+${locked.url}`, '--header', 'Authorization: Bearer not-a-key', '-o', join(out, 'x.pb'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 401.*the server refused the key: check the API key/);
  } finally {
    await locked.stop();
  }
});

/** A loopback server answering `routes` (path without its query → (request) → a JSON body, or
 * [content type, body]) and recording every request's path and query; allowing any origin, as
 * the reverse proxy the README describes would. */
async function published(routes) {
  const asked = [];
  const server = createServer(async (request, response) => {
    asked.push(request.url);
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization' };
    if (request.method === 'OPTIONS') { response.writeHead(204, cors).end(); return; }
    const route = routes[request.url.split('?')[0]];
    if (!route) { response.writeHead(404, cors).end('{"errors":[{"code":404,"msg":"not found"}]}'); return; }
    const answer = await route(request);
    const [type, payload] = Array.isArray(answer) ? answer : ['application/json', answer];
    response.writeHead(200, { 'content-type': type, ...cors }).end(payload);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, asked, close: () => new Promise((r) => server.close(r)) };
}
const body = (file) => () => readFile(join(fixtures, 'published', file));

test('Jaeger and Zipkin: services, a search and a trace by id, read from the responses those projects publish', async () => {
  // Sources: tests/fixtures/published/README.md.
  const jaeger = await published({
    // Jaeger publishes no services body: the envelope its query handler writes.
    '/api/services': async () => '{"data":["telemetrygen"],"total":1,"limit":0,"offset":0,"errors":null}',
    '/api/traces': body('jaeger-otlp2jaeger-out.json'),
    '/api/traces/83a9efd15c1c98a977e0711cc93ee28b': body('jaeger-otlp2jaeger-out.json'),
  });
  const zipkin = await published({
    '/api/v2/services': body('zipkin-services.json'),
    '/api/v2/traces': body('zipkin-lens-traces-search.json'),
    '/api/v2/trace/1e223ff1f80f1c69': body('zipkin-lens-skew.json'),
    // Zipkin publishes no span names body: a JSON array of names, as its API definition says.
    '/api/v2/spans': async () => '["get /api","post /api"]',
  });
  try {
    const services = await run('fetch', `jaeger+${jaeger.url}`);
    assert.deepEqual([services.code, services.stdout], [0, 'telemetrygen\n']);
    const searched = join(out, 'jaeger.pb');
    const search = await run('fetch', `jaeger+${jaeger.url}`, '--project', 'telemetrygen', '--limit', '20', '--since', '2024-01-31T00:00:00Z', '-o', searched);
    assert.equal(search.code, 0, search.stderr);
    assert.ok(jaeger.asked.includes('/api/traces?service=telemetrygen&limit=20&start=1706659200000000'), jaeger.asked.join(' '));
    assert.deepEqual([(await inspect(searched)).spans, (await inspect(searched)).traces], [1, 1]);
    const one = join(out, 'jaeger-one.json');
    assert.equal((await run('fetch', `jaeger+${jaeger.url}`, '--trace', '83a9efd15c1c98a977e0711cc93ee28b', '-o', one)).code, 0);
    assert.equal((await inspect(one)).project_names[0], 'telemetrygen');

    const zipkinServices = await run('fetch', `zipkin+${zipkin.url}`);
    assert.deepEqual([zipkinServices.code, zipkinServices.stdout], [0, 'bar\nbaz\nfoo\nquz\n']);
    const found = join(out, 'zipkin.pb');
    assert.equal((await run('fetch', `zipkin+${zipkin.url}`, '--project', 'frontend', '--limit', '10', '-o', found)).code, 0);
    assert.ok(zipkin.asked.some((u) => /^\/api\/v2\/traces\?serviceName=frontend&limit=10&endTs=\d+&lookback=86400000$/.test(u)), zipkin.asked.join(' '));
    assert.equal((await inspect(found)).traces, 1);
    const skew = join(out, 'skew.pb');
    assert.equal((await run('fetch', `zipkin+${zipkin.url}`, '--trace', '1e223ff1f80f1c69', '-o', skew)).code, 0);
    assert.deepEqual((await inspect(skew)).project_names.sort(), ['servicea']);
    // A trace the server does not hold, and a filter neither takes.
    const missing = await run('fetch', `zipkin+${zipkin.url}`, '--trace', 'ffff', '-o', join(out, 'x.pb'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /HTTP 404/);
    const filtered = await run('fetch', `jaeger+${jaeger.url}`, '--filter', 'x', '-o', join(out, 'x.pb'));
    assert.equal(filtered.code, 1);
    assert.match(filtered.stderr, /Jaeger's tags are key=value pairs/);
    // An operation and tags (Jaeger UI's syntax), a span name and an annotation query, asked of
    // the servers as their APIs take them.
    const tagged = await run('fetch', `jaeger+${jaeger.url}`, '--project', 'telemetrygen', '--operation', 'GET /', '--filter', 'error=true http.route="/a b"', '-o', join(out, 'tagged.pb'));
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.ok(jaeger.asked.includes('/api/traces?service=telemetrygen&operation=GET%20%2F&tags=%7B%22error%22%3A%22true%22%2C%22http.route%22%3A%22%2Fa%20b%22%7D&limit=100'), jaeger.asked.join(' '));
    const annotated = await run('fetch', `zipkin+${zipkin.url}`, '--project', 'frontend', '--operation', 'get /api', '--filter', 'http.method=GET and error', '-o', join(out, 'annotated.pb'));
    assert.equal(annotated.code, 0, annotated.stderr);
    assert.ok(zipkin.asked.some((u) => u.startsWith('/api/v2/traces?serviceName=frontend&spanName=get%20%2Fapi&annotationQuery=http.method%3DGET%20and%20error&limit=100&')), zipkin.asked.join(' '));
  } finally {
    await jaeger.close();
    await zipkin.close();
  }
});

test("Jaeger 2: API v3 where offered (its services, a search, a trace by id), read from the answers Jaeger's repository snapshots", async () => {
  // Sources: tests/fixtures/published/README.md.
  const jaeger = await published({
    '/api/v3/services': body('jaeger-v3-GetServices.json'),
    '/api/v3/traces': body('jaeger-v3-FindTraces.json'),
    '/api/v3/traces/00000000000000000000000000000001': body('jaeger-v3-GetTrace.json'),
    '/api/v3/operations': body('jaeger-v3-GetOperations.json'),
  });
  try {
    const services = await run('fetch', `jaeger+${jaeger.url}`);
    assert.deepEqual([services.code, services.stdout], [0, 'foo\n']);
    const found = join(out, 'jaeger-v3.pb');
    const search = await run('fetch', `jaeger+${jaeger.url}`, '--project', 'foo', '--limit', '7', '--since', '2026-12-01T00:00:00Z', '-o', found);
    assert.equal(search.code, 0, search.stderr);
    const asked = jaeger.asked.find((u) => u.startsWith('/api/v3/traces?'));
    assert.match(asked, /^\/api\/v3\/traces\?query\.service_name=foo&query\.start_time_min=2026-12-01T00%3A00%3A00\.000000000Z&query\.start_time_max=[^&]+&query\.search_depth=7$/);
    const total = await inspect(found);
    assert.deepEqual([total.spans, total.traces, total.error_spans], [1, 1, 1]);
    const one = join(out, 'jaeger-v3-one.pb');
    assert.equal((await run('fetch', `jaeger+${jaeger.url}`, '--trace', '00000000000000000000000000000001', '-o', one)).code, 0);
    assert.ok(jaeger.asked.includes('/api/v3/traces/00000000000000000000000000000001'), jaeger.asked.join(' '));
    assert.equal((await inspect(one)).spans, 1);
    // An operation and tags, as API v3 takes them (tags as `query.attributes`).
    const tagged = await run('fetch', `jaeger+${jaeger.url}`, '--project', 'foo', '--operation', 'get_users', '--filter', 'error=true', '-o', join(out, 'jaeger-v3-tagged.pb'));
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.ok(jaeger.asked.some((u) => u.startsWith('/api/v3/traces?query.service_name=foo&query.operation_name=get_users&query.attributes=%7B%22error%22%3A%22true%22%7D&query.start_time_min=')), jaeger.asked.join(' '));
  } finally {
    await jaeger.close();
  }
});

test("Tempo: a TraceQL search and its traces by id, read from the responses Tempo's documentation publishes", async () => {
  // Sources: tests/fixtures/published/README.md (both from one page of Tempo's docs: the search
  // finds the trace the v2 trace answer holds).
  // A Tempo that answers JSON whatever it is asked (the page's test has one answering protobuf).
  const accepts = [];
  const tempo = await published({
    '/api/search': body('tempo-search.json'),
    '/api/v2/traces/5b8efff798038103d269b633813fc700': (request) => {
      accepts.push(request.headers.accept);
      return readFile(join(fixtures, 'published', 'tempo-trace-v2.json'));
    },
  });
  try {
    const file = join(out, 'tempo.pb');
    const found = await run('fetch', `tempo+${tempo.url}`, '--filter', '{ resource.service.name = "my.service" }', '--limit', '5', '-o', file);
    assert.equal(found.code, 0, found.stderr);
    assert.equal(tempo.asked[0], '/api/search?q=%7B%20resource.service.name%20%3D%20%22my.service%22%20%7D&limit=5');
    const total = await inspect(file);
    assert.deepEqual([total.spans, total.traces, total.project_names], [1, 1, ['my.service']]);
    // Its base64 ids read as the hex the search said.
    const spans = JSON.parse((await run('inspect', '--json', '--filter', "name == 'I am a span!'", file)).stdout);
    assert.deepEqual(spans.matched_span_ids, ['eee19b7ec3c1b100']);
    assert.deepEqual(accepts, ['application/protobuf']);
    // A time range: its start and end, in seconds; one that ends before it starts is refused.
    assert.equal((await run('fetch', `tempo+${tempo.url}`, '--since', '2023-05-22T00:00:00Z', '--until', '2023-05-23T00:00:00Z', '-o', join(out, 'tempo-ranged.pb'))).code, 0);
    assert.ok(tempo.asked.includes('/api/search?q=%7B%7D&limit=100&start=1684713600&end=1684800000'), tempo.asked.join(' '));
    const backwards = await run('fetch', `tempo+${tempo.url}`, '--since', '2023-05-23T00:00:00Z', '--until', '2023-05-22T00:00:00Z', '-o', join(out, 'x.pb'));
    assert.equal(backwards.code, 1);
    assert.match(backwards.stderr, /ends before it starts/);
    const listed = await run('fetch', `tempo+${tempo.url}`);
    assert.equal(listed.code, 1);
    assert.match(listed.stderr, /Tempo has no projects/);
  } finally {
    await tempo.close();
  }
});

/** Connects the page to `url` as a `kind` server named `name`; resolves once its page opened. */
async function connect(page, kind, url, name) {
  await page.goto(`${viewer.url}#/sources`);
  await page.selectOption('[data-testid=connect-kind]', kind);
  await page.fill('[data-testid=connect-url]', url);
  await page.fill('[data-testid=connect-name]', name);
  await page.click('[data-testid=connect-button]');
  await page.waitForFunction((n) => location.hash === `#/source/${n}`, name);
}

test('the page reads Tempo (a TraceQL search, a trace opened) and Zipkin (a service\'s traces, one opened), from the answers they publish', async () => {
  // Sources: tests/fixtures/published/README.md. Zipkin answers a trace by id with the same
  // list of spans its search answer holds for that trace.
  const search = JSON.parse(await readFile(join(fixtures, 'published', 'zipkin-lens-traces-search.json'), 'utf8'));
  // Tempo answers a trace as protobuf (`TraceByIDResponse`: field 1, the trace as OTLP) when
  // asked with `Accept: application/protobuf`: the published trace, so encoded.
  const published_trace = JSON.parse(await readFile(join(fixtures, 'published', 'tempo-trace-v2.json'), 'utf8'));
  const inner = join(out, 'tempo-inner.json');
  await writeFile(inner, JSON.stringify(published_trace.trace));
  const encoded = join(out, 'tempo-inner.pb');
  assert.equal((await run('convert', inner, '--to', 'otlp-proto', '-o', encoded)).code, 0);
  const trace = await readFile(encoded);
  const varint = (n) => { const bytes = []; for (; n >= 0x80; n >>>= 7) bytes.push((n & 0x7f) | 0x80); bytes.push(n); return Buffer.from(bytes); };
  const accepts = [];
  const tempo = await published({
    '/api/search': body('tempo-search.json'),
    '/api/v2/traces/5b8efff798038103d269b633813fc700': async (request) => {
      accepts.push(request.headers.accept);
      return request.headers.accept === 'application/protobuf'
        ? ['application/protobuf', Buffer.concat([Buffer.from([0x0a]), varint(trace.length), trace, Buffer.from([0x12, 0])])]
        : readFile(join(fixtures, 'published', 'tempo-trace-v2.json'));
    },
  });
  const zipkin = await published({
    '/api/v2/services': body('zipkin-services.json'),
    '/api/v2/traces': body('zipkin-lens-traces-search.json'),
    '/api/v2/trace/bb1f0e21882325b8': async () => JSON.stringify(search[0]),
    // Zipkin publishes no span names body: a JSON array of names, as its API definition says.
    '/api/v2/spans': async () => '["get /api","post /api"]',
  });
  const page = await open(browser, viewer.url);
  try {
    await connect(page, 'tempo', tempo.url, 'tempo');
    await page.fill('[data-testid=source-filter]', '{ resource.service.name = "my.service" }');
    await page.press('[data-testid=source-filter]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('filter='));
    // Its rows once they are the filtered search's (the unfiltered one answered first).
    const filtered = () => tempo.asked.some((u) => u.startsWith('/api/search?q=%7B%20resource.service.name'));
    for (let wait = 0; !filtered() && wait < 100; wait += 1) await new Promise((r) => setTimeout(r, 100));
    assert.ok(filtered(), tempo.asked.join(' '));
    // A time range, from the page: from, then until.
    await page.fill('[data-testid=source-since]', '2023-05-22T00:00:00Z');
    await page.press('[data-testid=source-since]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('since='));
    await page.fill('[data-testid=source-until]', '2023-05-23T00:00:00Z');
    await page.press('[data-testid=source-until]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('until='));
    const ranged = () => tempo.asked.some((u) => u.startsWith('/api/search?q=%7B%20resource.service.name') && u.endsWith('&start=1684713600&end=1684800000'));
    for (let wait = 0; !ranged() && wait < 100; wait += 1) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ranged(), tempo.asked.join(' '));
    await page.waitForSelector('[data-testid=source-trace-row]');
    assert.match(await page.textContent('[data-testid=source-trace-row]'), /my\.service: I am a span!/);
    await page.click('[data-testid=source-trace-open]');
    await page.waitForFunction(() => window.plume.summary().spans === 1);
    await page.waitForSelector('[data-testid=source-bar]');
    assert.deepEqual(accepts, ['application/protobuf']);
    assert.match(await page.textContent('main'), /I am a span!/);

    await connect(page, 'zipkin', zipkin.url, 'zipkin');
    // Its services (the published list), the one chosen asked for its traces (the loopback
    // answers the published search whatever the service).
    await page.waitForSelector('[data-testid=source-project] option[value=quz]', { state: 'attached' });
    await page.selectOption('[data-testid=source-project]', 'quz');
    await page.waitForFunction(() => location.hash.includes('project=quz'));
    await page.waitForSelector('[data-testid=source-trace-row], [data-testid=problem], [data-testid=source-empty]');
    assert.equal(await page.locator('[data-testid=source-trace-row]').count(), 1, await page.textContent('main'));
    // The rows shown may still be the first service's while the chosen one's are asked for.
    const quz = () => zipkin.asked.some((u) => u.startsWith('/api/v2/traces?serviceName=quz'));
    for (let wait = 0; !quz() && wait < 100; wait += 1) await new Promise((r) => setTimeout(r, 100));
    assert.ok(quz(), zipkin.asked.join(' '));
    // Its span names offered, as the operation to search by.
    await page.waitForSelector('#source-operations option[value="post /api"]', { state: 'attached' });
    assert.ok(zipkin.asked.includes('/api/v2/spans?serviceName=quz'), zipkin.asked.join(' '));
    // Listing read the search's whole traces, and loaded none of them.
    assert.equal((await counts(page)).spans, 1);
    // As many spans as plume inspect reads of that trace.
    const trace = join(out, 'zipkin-trace.json');
    await writeFile(trace, JSON.stringify(search[0]));
    const expected = (await inspect(trace)).spans;
    await page.click('[data-testid=source-trace-open]');
    await page.waitForSelector('[data-testid=source-bar]');
    await page.waitForFunction(() => window.plume.settled());
    const results = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent).join(' | '));
    assert.equal((await counts(page)).spans, 1 + expected, results);
    assert.ok(zipkin.asked.includes('/api/v2/trace/bb1f0e21882325b8'), zipkin.asked.join(' '));
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
    await tempo.close();
    await zipkin.close();
  }
});

test('a slow server\'s list and trace can be cancelled: nothing of them is loaded, and the page says so', async () => {
  let release;
  const never = new Promise((resolve) => { release = resolve; });
  const tempo = await published({
    '/api/search': async () => { await never; return '{"traces":[]}'; },
    '/api/v2/traces/5b8efff798038103d269b633813fc700': async () => { await never; return '{}'; },
  });
  const page = await open(browser, viewer.url);
  try {
    // Cancel stops what is being asked: once the server has the question.
    const asked = (path) => async () => {
      for (let wait = 0; !tempo.asked.some((u) => u.startsWith(path)) && wait < 100; wait += 1) await new Promise((r) => setTimeout(r, 100));
    };
    await connect(page, 'tempo', tempo.url, 'slow');
    await asked('/api/search')();
    // Another search asked meanwhile waits its turn behind the first; Cancel stops both, so the
    // server never hears the second.
    await page.fill('[data-testid=source-filter]', '{ status = error }');
    await page.press('[data-testid=source-filter]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('filter='));
    await page.click('[data-testid=source-cancel]');
    assert.match(await page.textContent('[data-testid=problem]'), /was cancelled/);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(tempo.asked.filter((u) => u.startsWith('/api/search')), ['/api/search?q=%7B%7D&limit=50'], tempo.asked.join(' '));

    await page.goto(`${viewer.url}#/source/slow/trace/5b8efff798038103d269b633813fc700`);
    await asked('/api/v2/traces/')();
    await page.click('[data-testid=source-cancel]');
    await page.waitForSelector('[data-testid=source-not-fetched]');
    const said = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent).join(' | '));
    assert.match(said, /slow: 5b8efff798038103d269b633813fc700.*cancelled/);
    assert.equal((await counts(page)).spans, 0);
  } finally {
    release();
    await page.context().close();
    await tempo.close();
  }
});

test('the page reads Phoenix with its auth on: a bad key is refused clearly, its key (a bearer token) lists its projects', async () => {
  const admin = 'an-admin-key-of-at-least-32-characters-9876';
  const locked = await startPhoenix({
    allowedOrigins: [viewer.origin],
    env: { PHOENIX_ENABLE_AUTH: 'true', PHOENIX_SECRET: 'a-secret-of-at-least-32-characters-long-0123', PHOENIX_ADMIN_SECRET: admin },
  });
  const page = await open(browser, viewer.url);
  try {
    await page.goto(`${viewer.url}#/sources`);
    await page.fill('[data-testid=connect-url]', locked.url);
    await page.fill('[data-testid=connect-name]', 'locked');
    await page.fill('[data-testid=connect-key]', 'not-a-key');
    await page.click('[data-testid=connect-button]');
    assert.match(await page.textContent('[data-testid=problem]'), /HTTP 401.*the server refused the key: check the API key/);
    // The same name connected again, with its key: it replaces the first.
    await page.goto(`${viewer.url}#/sources`);
    await page.fill('[data-testid=connect-url]', locked.url);
    await page.fill('[data-testid=connect-name]', 'locked');
    await page.fill('[data-testid=connect-key]', admin);
    await page.click('[data-testid=connect-button]');
    await page.waitForSelector('[data-testid=source-project] option[value=default]', { state: 'attached' });
    await page.goto(`${viewer.url}#/sources`);
    await page.waitForSelector('[data-testid=connection-row]');
    assert.equal(await page.locator('[data-testid=connection-row]').count(), 1);
    // Not remembered: the key is not kept in the browser's storage.
    const kept = await page.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name);
      return JSON.stringify(await Promise.all(names.map((name) => new Promise((resolve) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('settings')) { resolve(null); return; }
          const all = db.transaction('settings').objectStore('settings').getAll();
          all.onsuccess = () => resolve(all.result);
        };
      }))));
    });
    assert.ok(kept.includes(locked.url.replace('http://', '')), kept);
    assert.ok(!kept.includes(admin), kept);
  } finally {
    await page.context().close();
    await locked.stop();
  }
});

test("the page reads Jaeger 2 (API v3): its services, a search, a trace opened, from the answers Jaeger's repository snapshots", async () => {
  const jaeger = await published({
    '/api/v3/services': body('jaeger-v3-GetServices.json'),
    '/api/v3/traces': body('jaeger-v3-FindTraces.json'),
    '/api/v3/traces/00000000000000000000000000000001': body('jaeger-v3-GetTrace.json'),
    '/api/v3/operations': body('jaeger-v3-GetOperations.json'),
  });
  const page = await open(browser, viewer.url);
  try {
    await connect(page, 'jaeger', jaeger.url, 'jaeger');
    await page.waitForSelector('[data-testid=source-trace-row]');
    assert.ok(jaeger.asked.some((u) => u.startsWith('/api/v3/traces?query.service_name=foo')), jaeger.asked.join(' '));
    assert.equal((await counts(page)).spans, 0);
    // The service's operations are offered; one chosen and tags typed are asked of Jaeger.
    await page.waitForSelector('#source-operations option[value=get_users]', { state: 'attached' });
    await page.fill('[data-testid=source-operation]', 'get_users');
    await page.press('[data-testid=source-operation]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('operation=get_users'));
    await page.fill('[data-testid=source-filter]', 'error=true');
    await page.press('[data-testid=source-filter]', 'Enter');
    const tagged = () => jaeger.asked.some((u) => u.startsWith('/api/v3/traces?query.service_name=foo&query.operation_name=get_users&query.attributes=%7B%22error%22%3A%22true%22%7D&'));
    for (let wait = 0; !tagged() && wait < 100; wait += 1) await new Promise((r) => setTimeout(r, 100));
    assert.ok(tagged(), jaeger.asked.join(' '));
    await page.waitForSelector('[data-testid=source-trace-row]');
    // Tags Jaeger cannot take are said, not sent.
    await page.fill('[data-testid=source-filter]', 'error');
    await page.press('[data-testid=source-filter]', 'Enter');
    await page.waitForSelector('[data-testid=problem]');
    assert.match(await page.textContent('[data-testid=problem]'), /key=value pairs/);
    await page.fill('[data-testid=source-filter]', '');
    await page.press('[data-testid=source-filter]', 'Enter');
    await page.waitForSelector('[data-testid=source-trace-row]');
    await page.click('[data-testid=source-trace-open]');
    await page.waitForFunction(() => window.plume.summary().spans === 1);
    assert.ok(jaeger.asked.includes('/api/v3/traces/00000000000000000000000000000001'), jaeger.asked.join(' '));
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
    await jaeger.close();
  }
});

test('the page reads a trace of many pages from Phoenix: a small first page, then the rest through its cursor', async () => {
  const phoenix = phoenixOn.SQLite;
  const file = join(out, 'many-pages.pb');
  assert.equal((await run('generate', '--spans', '1250', '--seed', '3', '--to', 'otlp-proto', '-o', file)).code, 0);
  const response = await fetch(`${phoenix.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: await readFile(file) });
  assert.equal(response.status, 200);
  // Phoenix writes what it received in the background: until it counts every span.
  const held = async () => (await phoenix.graphql('{ projects { edges { node { name recordCount } } } }'))
    .projects.edges.map((e) => e.node).find((p) => p.name === 'generated-agents')?.recordCount ?? 0;
  for (let wait = 0; (await held()) < 1250 && wait < 240; wait += 1) await new Promise((r) => setTimeout(r, 500));
  const traces = (await phoenix.get('/v1/projects/generated-agents/traces?limit=10')).data;
  assert.equal(traces.length, 1);
  const page = await open(browser, viewer.url);
  try {
    await connect(page, 'phoenix', phoenix.url, 'pages');
    await page.goto(`${viewer.url}#/source/pages/trace/${traces[0].trace_id}?project=generated-agents`);
    // 100, then 1,000, then 150: every span, once.
    await page.waitForFunction(() => window.plume.summary().spans === 1250, null, { timeout: 60_000 });
    await page.waitForFunction(() => window.plume.settled());
    assert.deepEqual([(await counts(page)).spans, (await counts(page)).traces], [1250, 1]);
  } finally {
    await page.context().close();
  }
});
