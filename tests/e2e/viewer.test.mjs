// The viewer in Debian's headless Chromium: loading, browsing, the trace view, details, keyboard,
// deep links, search, themes, untrusted text, and a 100k-span trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useViewer, load, fixture, screenshot, root, artifacts, counts, plantedSecrets } from './browser.mjs';

const viewer = useViewer();

const OPENAI_01 = '3a34990d3bcc7893ef125bc4b7879ed7';

async function openTrace(page, traceId, spanId) {
  await page.evaluate(([t, s]) => { location.hash = s ? `#/trace/${t}/span/${s}` : `#/trace/${t}`; }, [traceId, spanId]);
  await page.waitForSelector(`[data-testid=span-row]`);
  if (spanId) await page.waitForSelector(`[data-testid=span-details][data-span-id="${spanId}"] h2`);
}

test('the first screen explains what to drop and loads a sample in one click', async () => {
  const page = await viewer.open();
  assert.match(await page.textContent('.welcome'), /Drop trace files anywhere/);
  await screenshot(page, 'welcome');
  await page.click('button[data-sample="openai-01.otlp.pb"]');
  await page.waitForSelector('[data-testid=file-result]');
  assert.match(await page.textContent('[data-testid=file-result]'), /openai-01\.otlp\.pb: otlp-proto, 4 spans, 1 traces/);
  await page.waitForSelector('[data-testid=project-row]');
  assert.deepEqual(await counts(page), { spans: 4, traces: 1, projects: 1, errors: 0 });
  assert.deepEqual(page.problems, []);
});

test('files loaded without a problem share one short line that goes away on its own; a problem stays', async () => {
  const page = await viewer.open();
  await load(page, [
    await fixture('openai-01.otlp.pb'),
    await fixture('node-01.otlp.json'),
    { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"resourceSpans": [') },
  ]);
  const done = await page.$eval('[data-testid=files-done]', (e) => ({ text: e.textContent, height: e.getBoundingClientRect().height }));
  assert.match(done.text, /openai-01\.otlp\.pb: otlp-proto, 4 spans, 1 traces · node-01\.otlp\.json: otlp-json/);
  assert.ok(done.height < 24, `${done.height} px`);
  await page.waitForSelector('[data-testid=files-done]', { state: 'detached', timeout: 30_000 });
  assert.match(await page.textContent('.files'), /broken\.json: line 1, column 19/, 'a problem stays until dismissed');
  await page.click('[data-testid=files-dismiss]');
  await page.waitForSelector('.files', { state: 'detached' });
});

test('a file given before the engine has started is not lost', async () => {
  // Hold back the worker's wasm, so the file arrives while the worker cannot yet listen.
  const page = await viewer.browser.newPage();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/plume-worker_bg.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(viewer.url);
  await page.waitForSelector('header.header');
  await page.setInputFiles('[data-testid=file-input]', [await fixture('openai-01.otlp.pb')]);
  await page.waitForTimeout(300);
  release();
  await page.waitForSelector('[data-testid=file-result]');
  assert.match(await page.textContent('[data-testid=file-result]'), /openai-01\.otlp\.pb: otlp-proto, 4 spans, 1 traces/);
  await page.close();
});

test('if the engine fails, the files waiting for it say so instead of waiting forever', async () => {
  const page = await viewer.browser.newPage();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/plume-worker_bg.wasm', async (route) => { await held; await route.continue(); });
  const workerStarted = page.waitForEvent('worker');
  await page.goto(viewer.url);
  await page.waitForSelector('header.header');
  await page.setInputFiles('[data-testid=file-input]', [await fixture('openai-01.otlp.pb')]);
  const worker = await workerStarted;
  await worker.evaluate(() => { setTimeout(() => { throw new Error('simulated failure'); }); });
  await page.waitForSelector('[data-testid=file-result]');
  assert.match(await page.textContent('[data-testid=file-result]'), /Plume's engine stopped \(.*simulated failure\); reload the page/);
  release();
  await page.close();
});

test('every shared fixture loads through the file input, a bad file is named, the others load', async () => {
  const page = await viewer.open();
  await load(page, [
    await fixture('openai-01.otlp.pb'),
    await fixture('openai-03.otlp.pb'),
    await fixture('langchain-01.otlp.pb'),
    { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"resourceSpans": [{"scopeSpans": [') },
    await fixture('node-01.otlp.json'),
    await fixture('node-01.otlp.pb'),
    await fixture('collector-file-exporter.jsonl'),
    await fixture('phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet'),
    await fixture('phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet'),
    await fixture('phoenix/chatbot-demo/spans.jsonl'),
    await fixture('phoenix/chatbot-demo/rest-spans.json'),
  ]);
  const lines = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
  const expect = [
    /openai-01\.otlp\.pb: otlp-proto, 4 spans, 1 traces/,
    /openai-03\.otlp\.pb: otlp-proto, 3 spans, 1 traces/,
    /langchain-01\.otlp\.pb: otlp-proto, 18 spans, 2 traces/,
    /broken\.json: otlp-json, 0 spans.*broken\.json: line 1, column 35, at resourceSpans\[0\]\.scopeSpans: EOF while parsing a list/,
    /node-01\.otlp\.json: otlp-json, 6 spans, 1 traces/,
    /node-01\.otlp\.pb: otlp-proto, 6 spans, 1 traces/,
    /collector-file-exporter\.jsonl: otlp-jsonl, 38 spans, 8 traces/,
    /trace_dataset-.*: phoenix-trace-dataset, 13 spans, 4 traces/,
    /evaluations-.*: phoenix-evaluations, 0 spans, 0 traces, 8 evaluations/,
    /spans\.jsonl: phoenix-spans-jsonl, 13 spans, 4 traces/,
    /rest-spans\.json: phoenix-rest-json, 13 spans, 4 traces/,
  ];
  // Files that need attention are listed first, then those loaded without a problem.
  assert.equal(lines.length, expect.length);
  expect.forEach((pattern) => assert.ok(lines.some((line) => pattern.test(line)), `${pattern} in\n${lines.join('\n')}`));
  assert.deepEqual(await counts(page), { spans: 50, traces: 9, projects: 3, errors: 1 });
  await page.waitForSelector('[data-testid=project-row]');
  assert.equal(await page.locator('[data-testid=project-row]').count(), 3);
  await screenshot(page, 'projects');
});

test('openai-01: tree, timeline and the LLM messages as a chat', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.click('a[href="#/project/chatbot-demo"]');
  await page.waitForSelector('[data-testid=trace-row]');
  await screenshot(page, 'traces');
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-testid=span-row]');
  const rows = await page.$$eval('[data-testid=span-row]', (els) => els.map((e) => [e.dataset.spanId, e.getAttribute('aria-level')]));
  assert.deepEqual(rows, [['f4067ff1516df620', '1'], ['5a48a89b1fb65866', '2'], ['2b5538cd44d34c58', '2'], ['368e2a2a62da0b9b', '2']]);
  await page.click('[data-span-id="2b5538cd44d34c58"]');
  const details = '[data-testid=span-details][data-span-id="2b5538cd44d34c58"]';
  await page.waitForSelector(`${details} [data-testid=chat-message]`);
  const messages = await page.$$eval(`${details} [data-testid=chat-message]`, (els) => els.map((e) => e.textContent));
  assert.equal(messages.length, 3);
  assert.match(messages[0], /^system/i);
  assert.match(messages[1], /^user.*What is OpenTelemetry and how do spans relate to traces\?/is);
  assert.match(messages[2], /^assistant/i);
  assert.match(await page.textContent(details), /gpt-4o-mini-2024-07-18/);
  assert.match(await page.textContent(details), /prompt\s*\d+/);
  assert.match(page.url(), new RegExp(`#/trace/${OPENAI_01}/span/2b5538cd44d34c58$`));
  await screenshot(page, 'trace-llm');
  assert.deepEqual(page.problems, []);
});

test('openai-03: the exception stack trace is shown as preformatted text', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-03.otlp.pb')]);
  const trace = await page.evaluate(async () => {
    location.hash = '#/project/chatbot-demo';
    return null;
  });
  assert.equal(trace, null);
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-span-id="854fa39873128fb8"]');
  await page.click('[data-span-id="854fa39873128fb8"]');
  const stack = '[data-testid=span-details] [data-testid=stacktrace] .text.pre';
  await page.waitForSelector(stack);
  assert.match(await page.textContent(stack), /^Traceback \(most recent call last\):/);
  assert.match(await page.textContent('[data-testid=span-details] .exception-type'), /openai\.InternalServerError/);
  assert.match(await page.textContent('[data-testid=span-details]'), /ERROR/);
  await screenshot(page, 'trace-exception');
});

test('langchain-01: the retriever documents, and the session as a conversation', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('langchain-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo/spans'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.fill('input[aria-label=Filter]', 'KeywordRetriever');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-row]').length === 2);
  await page.click('[data-testid=trace-row]');
  const documents = '[data-testid=span-details] [data-testid=document]';
  await page.waitForSelector(documents);
  const texts = await page.$$eval(documents, (els) => els.map((e) => e.textContent));
  assert.equal(texts.length, 3);
  assert.match(texts[1], /A trace is a tree of spans/);
  assert.match(texts[0], /kb:\/\/doc-001/);
  await screenshot(page, 'trace-retriever');
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo/sessions'; });
  await page.click('[data-testid=session-row] a');
  await page.waitForSelector('[data-testid=session-turn]');
  const turns = await page.$$eval('[data-testid=session-turn]', (els) => els.map((e) => e.textContent));
  assert.equal(turns.length, 2);
  assert.match(turns[0], /What is a trace in OpenTelemetry\?/);
  await screenshot(page, 'session');
});

test('keyboard: arrows and j/k move, left/right collapse and expand, / focuses search, Escape closes details', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await openTrace(page, OPENAI_01, 'f4067ff1516df620');
  const selected = () => page.$eval('[data-testid=span-row][aria-selected=true]', (e) => e.dataset.spanId);
  await page.focus('.span-list');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('[aria-selected=true]')?.dataset.spanId === '5a48a89b1fb65866');
  await page.keyboard.press('j');
  await page.waitForFunction(() => document.querySelector('[aria-selected=true]')?.dataset.spanId === '2b5538cd44d34c58');
  assert.match(page.url(), /span\/2b5538cd44d34c58$/);
  await page.keyboard.press('k');
  await page.keyboard.press('ArrowLeft'); // a leaf: to its parent
  await page.waitForFunction(() => document.querySelector('[aria-selected=true]')?.dataset.spanId === 'f4067ff1516df620');
  await page.keyboard.press('ArrowLeft'); // collapse the root
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=span-row]').length === 1);
  await page.keyboard.press('ArrowRight'); // expand it again
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=span-row]').length === 4);
  assert.equal(await selected(), 'f4067ff1516df620');
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=span-details]', { state: 'detached' });
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=span-details]');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'trace-search');
});

test('deep links and Back return to the same place', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('collector-file-exporter.jsonl')]);
  await openTrace(page, OPENAI_01, '368e2a2a62da0b9b');
  assert.equal(await page.$eval('[aria-selected=true]', (e) => e.dataset.spanId), '368e2a2a62da0b9b');
  await page.evaluate(() => { location.hash = '#/project/chatbot-demo'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.goBack();
  await page.waitForSelector('[data-testid=span-details][data-span-id="368e2a2a62da0b9b"]');
});

test('a link with any characters in its ids leaves the page working', async () => {
  // Links are untrusted: ids cut for display at a byte inside a character once panicked the page.
  const page = await viewer.open('#/trace/a%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC/span/%F0%9F%92%A5');
  await page.waitForFunction(() => document.querySelector('header.header')?.textContent.includes('trace a€€€€'));
  await load(page, [await fixture('collector-file-exporter.jsonl')]);
  await openTrace(page, OPENAI_01);
  assert.deepEqual(page.problems, []);
});

test('search keeps ancestors of matches and jumps between matches', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('langchain-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo'; });
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-testid=span-row]');
  assert.equal(await page.locator('[data-testid=span-row]').count(), 9);
  await page.fill('[data-testid=trace-search]', 'OTLP is the OpenTelemetry protocol');
  await page.waitForFunction(() => document.querySelector('[data-testid=search-matches]').textContent.includes('of'));
  const rows = await page.$$eval('[data-testid=span-row]', (els) => els.map((e) => e.querySelector('.name').textContent));
  // The retriever (whose document holds the text), format_docs (its input), and their ancestors.
  assert.ok(rows.includes('KeywordRetriever'), rows.join());
  assert.equal(rows[0], 'rag_chain', 'ancestors stay visible');
  assert.ok(rows.length < 9);
  await page.press('[data-testid=trace-search]', 'Enter');
  await page.waitForSelector('.srow.matched.selected');
  await page.fill('[data-testid=trace-search]', '');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=span-row]').length === 9);
});

test('critical path, zoom and the minimap', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await openTrace(page, OPENAI_01);
  await page.click('[data-testid=critical-path]');
  await page.waitForSelector('.critical');
  assert.ok(await page.locator('.critical').count() >= 2);
  const width = () => page.$eval('[data-span-id="f4067ff1516df620"] .bar', (e) => e.getBoundingClientRect().width);
  const whole = await width();
  await page.click('button[title^="Zoom in"]');
  await page.waitForFunction((w) => document.querySelector('[data-span-id="f4067ff1516df620"] .bar').getBoundingClientRect().width > w * 1.5, whole);
  await page.click('text=Whole trace');
  await page.waitForFunction((w) => Math.abs(document.querySelector('[data-span-id="f4067ff1516df620"] .bar').getBoundingClientRect().width - w) < 2, whole);
  assert.equal(await page.locator('.minimap canvas').count(), 1);
});

test('untrusted text is shown as text: an output of <img src=x onerror=alert(1)>', async () => {
  const page = await viewer.open();
  const hostile = '<img src=x onerror=alert(1)><script>window.pwned=1</script>';
  const otlp = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: '<b>svc</b>' } }] },
      scopeSpans: [{ spans: [{
        traceId: '5b8efff798038103d269b633813fc60c', spanId: '1111111111111111', name: '<i>span</i>',
        startTimeUnixNano: '1000', endTimeUnixNano: '2000',
        attributes: [
          { key: 'openinference.span.kind', value: { stringValue: 'LLM' } },
          { key: 'output.value', value: { stringValue: hostile } },
          { key: 'llm.output_messages.0.message.role', value: { stringValue: 'assistant' } },
          { key: 'llm.output_messages.0.message.content', value: { stringValue: hostile } },
        ],
      }] }],
    }],
  };
  await load(page, [{ name: '<img src=x onerror=alert(2)>.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(otlp)) }]);
  await openTrace(page, '5b8efff798038103d269b633813fc60c', '1111111111111111');
  await page.waitForSelector('[data-testid=chat-message]');
  assert.match(await page.textContent('[data-testid=chat-message]'), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, script:not([src]):not([type]), b, i').length), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.deepEqual(page.problems, []);
});

test('pasting OTLP JSON loads it', async () => {
  const page = await viewer.open();
  const text = await readFile(join(root, 'tests/fixtures/node-01.otlp.json'), 'utf8');
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData('text', t);
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
  }, text);
  await page.waitForSelector('[data-testid=file-result]');
  assert.match(await page.textContent('[data-testid=file-result]'), /pasted\.json: otlp-json, 6 spans, 1 traces/);
});

test('light and dark themes', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await openTrace(page, OPENAI_01, '2b5538cd44d34c58');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.click('button:has-text("Theme: system")');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  const light = await background();
  await page.click('button:has-text("Theme: light")');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.notEqual(await background(), light);
  await screenshot(page, 'trace-dark');
  await page.click('button:has-text("Theme: dark")');
  assert.equal(await page.getAttribute('html', 'data-theme'), null);
});

test('a 100k-span trace: rows in the DOM stay bounded while scrolling', async () => {
  const page = await viewer.open();
  // A path, not a buffer: Playwright hands files over 50 MB to the page by path only.
  await load(page, [join(root, 'target/e2e/100k.pb')]);
  assert.match(await page.textContent('[data-testid=file-result]'), /100k\.pb: otlp-proto, 100,000 spans, 1 traces/);
  await page.evaluate(() => { location.hash = '#/project/generated-agents'; });
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-testid=span-row]');
  const bounded = async () => {
    const n = await page.locator('[data-testid=span-row]').count();
    assert.ok(n > 10 && n < 120, `${n} rows in the DOM`);
  };
  await bounded();
  const shown = () => page.$$eval('[data-testid=span-row]', (rows) => rows.map((r) => r.dataset.spanId));
  const first = await shown();
  await page.$eval('.span-list', (e) => { e.scrollTop = e.scrollHeight / 2; });
  // Other rows take the place of the first ones.
  await page.waitForFunction((ids) => {
    const now = [...document.querySelectorAll('[data-testid=span-row]')].map((r) => r.dataset.spanId);
    return now.length > 10 && now.every((id) => !ids.includes(id));
  }, first);
  await bounded();
  await page.focus('.span-list');
  await page.keyboard.press('End');
  // End selects the last row, scrolled into view at the bottom of the list.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=span-row]')];
    const list = document.querySelector('.span-list');
    return rows.at(-1)?.getAttribute('aria-selected') === 'true'
      && list.scrollTop + list.clientHeight >= list.scrollHeight - 2;
  });
  assert.equal(await page.locator('[aria-selected=true]').count(), 1);
  await bounded();
  await screenshot(page, 'trace-100k');
  assert.deepEqual(page.problems, []);
});

/** Clicks an export menu's button for `format`; resolves to the saved file's path and name. */
async function exportAs(page, format) {
  await page.$eval('[data-testid=export-menu]', (menu) => { menu.open = true; });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`[data-testid=export-menu] button[data-format="${format}"]`),
  ]);
  const name = download.suggestedFilename();
  const path = join(artifacts, name);
  await download.saveAs(path);
  return { path, name };
}

test('files are read into one reused buffer where the browser allows it, and through its own chunks where not', async () => {
  const page = await viewer.open();
  const worker = page.workers()[0] ?? (await page.waitForEvent('worker'));
  // The reader modes the engine asks file streams for; then a browser with no such reader.
  await worker.evaluate(() => {
    const plain = ReadableStream.prototype.getReader;
    self.readerModes = [];
    self.refuseOwnBuffers = false;
    ReadableStream.prototype.getReader = function (options) {
      self.readerModes.push(options?.mode ?? 'default');
      if (options?.mode === 'byob' && self.refuseOwnBuffers) throw new TypeError('no byob here');
      return plain.call(this, options);
    };
  });
  const big = join(root, 'target/e2e/100k.pb');
  await load(page, [big]);
  assert.deepEqual(await worker.evaluate(() => self.readerModes), ['byob']);
  await worker.evaluate(() => { self.refuseOwnBuffers = true; });
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await load(page, [big]);
  assert.deepEqual(await worker.evaluate(() => self.readerModes), ['byob', 'byob', 'default', 'byob', 'default']);
  const lines = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
  assert.deepEqual(lines, [
    '100k.pb: otlp-proto, 100,000 spans, 1 traces',
    'openai-01.otlp.pb: otlp-proto, 4 spans, 1 traces',
    '100k.pb: otlp-proto, 100,000 spans, 1 traces',
  ]);
  assert.deepEqual(page.problems, []);
});

test('exports in every form load back as the same spans', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('langchain-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo'; });
  await page.waitForSelector('[data-testid=trace-row]');
  const files = [];
  for (const format of ['otlp.json', 'otlp.pb', 'otlp.jsonl', 'phoenix.jsonl']) {
    const file = await exportAs(page, format);
    assert.equal(file.name, `rag-langchain-demo-matching-traces.${format}`);
    files.push(file);
  }
  assert.match(await page.textContent('[data-testid=export-status]'), /Saved 18 spans as rag-langchain-demo-matching-traces\.phoenix\.jsonl/);

  // One trace, from the trace page.
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-testid=span-row]');
  const trace = await exportAs(page, 'otlp.json');
  assert.match(trace.name, /^trace-[0-9a-f]{32}\.otlp\.json$/);

  for (const file of files) {
    const fresh = await viewer.open();
    await load(fresh, [file.path]);
    const line = await fresh.textContent('[data-testid=file-result]');
    assert.match(line, /18 spans, 2 traces/, `${file.name}: ${line}`);
    assert.deepEqual(await counts(fresh), { spans: 18, traces: 2, projects: 1, errors: 0 }, file.name);
    await fresh.close();
  }
  const single = await viewer.open();
  await load(single, [trace.path]);
  assert.match(await single.textContent('[data-testid=file-result]'), /otlp-json, \d+ spans, 1 traces/);
  assert.deepEqual(page.problems, []);
});

test('ticked traces are exported or deleted together', async () => {
  const page = await viewer.open();
  page.removeAllListeners('dialog');
  page.on('dialog', (dialog) => dialog.accept());
  await load(page, [await fixture('langchain-01.otlp.pb'), await fixture('openai-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo'; });
  await page.waitForSelector('[data-testid=trace-row] [data-testid=tick]');
  const ticks = page.locator('[data-testid=trace-row] [data-testid=tick]');
  assert.equal(await ticks.count(), 2);
  await ticks.nth(0).check();
  assert.equal(await page.textContent('[data-testid=selected-count]'), '1 selected');
  assert.match(page.url(), /#\/project\/rag-langchain-demo$/, 'ticking does not open the trace');
  await ticks.nth(1).check();
  const both = await exportAs(page, 'otlp.json');
  assert.equal(both.name, '2-traces.otlp.json');
  assert.match(await page.textContent('[data-testid=export-status]'), /Saved 18 spans/);

  await ticks.nth(1).uncheck();
  const before = await page.evaluate(() => window.plume.summary());
  await page.click('[data-testid=delete]');
  await page.waitForFunction((want) => window.plume.summary().traces === want, before.traces - 1);
  assert.equal(await page.locator('[data-testid=trace-row]').count(), 1);
  assert.equal(await page.locator('[data-testid=selected-count]').count(), 0, 'the selection is gone with its traces');
  assert.deepEqual(page.problems, []);
});

test('an export with secrets taken out holds none of them, the rest of the text, and says so in its name', async () => {
  const page = await viewer.open('?memory');
  const { file, secrets, kept } = plantedSecrets();
  await load(page, [file]);
  await page.evaluate(() => { location.hash = '#/project/support-bot'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.$eval('[data-testid=export-menu]', (menu) => { menu.open = true; });
  await page.check('[data-testid=export-menu] [data-testid=export-redact]');
  const { path, name } = await exportAs(page, 'otlp.json');
  assert.equal(name, 'support-bot-matching-traces-redacted.otlp.json');
  const written = await readFile(path, 'utf8');
  for (const secret of secrets) assert.ok(!written.includes(secret), `${secret} left in the export`);
  for (const text of [...kept, 'eee19b7ec3c1b174']) assert.ok(written.includes(text), `${text} lost`);
  // Unticked, the next export is the spans as they are.
  await page.uncheck('[data-testid=export-menu] [data-testid=export-redact]');
  const plain = await readFile((await exportAs(page, 'otlp.json')).path, 'utf8');
  assert.ok(plain.includes('ana.lopez@example.com'));
  assert.deepEqual(page.problems, []);
});
