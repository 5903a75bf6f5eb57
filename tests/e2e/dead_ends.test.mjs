// No dead ends: a link to what is not loaded says so with the ways on; an empty or stale table
// says why; a trace opens on its root (or offers its first error); a search that is a broken
// filter says where; closing the details takes the span out of the URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useViewer, load, fixture, screenshot } from './browser.mjs';

const viewer = useViewer();

const OPENAI_01 = '3a34990d3bcc7893ef125bc4b7879ed7';
const ROOT_01 = 'f4067ff1516df620';

const missingText = (page) => page.textContent('[data-testid=missing]');

test('a link to a trace, span, project or session that is not loaded says what is missing and the ways on', async () => {
  const page = await viewer.open('#/trace/0123456789abcdef0123456789abcdef');
  await page.waitForSelector('[data-testid=missing]');
  let text = await missingText(page);
  assert.match(text, /Trace 0123456789ab… isn't loaded in this browser/);
  assert.match(text, /Open files…/);
  assert.equal(await page.getAttribute('[data-testid=missing] a[href="#/"]', 'href'), '#/');
  await screenshot(page, 'missing-trace');

  await page.evaluate(() => { location.hash = '#/trace/0000'; });
  await page.waitForFunction(() => document.querySelector('[data-testid=missing]')?.textContent.includes('“0000” is not a trace id'));

  await page.evaluate(() => { location.hash = '#/project/nope'; });
  await page.waitForFunction(() => document.querySelector('[data-testid=missing]')?.textContent.includes("Project nope isn't loaded"));
  assert.equal(await page.locator('[data-testid=trace-row]').count(), 0);

  // Open files from the message: the trace the link named then shows.
  await page.evaluate((t) => { location.hash = `#/trace/${t}/span/0011223344556677`; }, OPENAI_01);
  await page.waitForSelector('[data-testid=missing]');
  await page.setInputFiles('[data-testid=missing] input[type=file]', [await fixture('openai-01.otlp.pb')]);
  await page.waitForSelector('[data-testid=span-row]');
  // The trace is there, the span is not: said over the trace, with the whole trace a click away.
  await page.waitForFunction(() => document.querySelector('[data-testid=missing]')?.textContent.includes("Span 0011223344556677 isn't in trace 3a34990d3bcc…"));
  await page.click('[data-testid=missing] a:has-text("The whole trace")');
  await page.waitForSelector('[data-testid=missing]', { state: 'detached' });
  assert.ok(page.url().endsWith(`#/trace/${OPENAI_01}`), page.url());

  await page.evaluate(() => { location.hash = '#/project/chatbot-demo/session/no-such-session'; });
  await page.waitForFunction(() => document.querySelector('[data-testid=missing]')?.textContent.includes("Session no-such-session isn't in project chatbot-demo"));
  assert.deepEqual(page.problems, []);
});

test('a shared link names the file it loaded when the trace it names is not in it', async () => {
  const page = await viewer.open(`#url=samples/openai-01.otlp.pb&trace=${'ab'.repeat(16)}`);
  await page.waitForSelector('[data-testid=missing-loaded]');
  assert.match(await page.textContent('[data-testid=missing-loaded]'), /openai-01\.otlp\.pb: otlp-proto, 4 spans, 1 traces/);
});

test('a span filter that passes no root span points to the spans it matches; a broken one marks the rows stale', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('langchain-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = "#/project/rag-langchain-demo?filter=span_kind%20%3D%3D%20'LLM'"; });
  await page.waitForSelector('[data-testid=table-empty]');
  assert.match(await page.textContent('[data-testid=table-empty]'), /No root span matches; 2 spans match in All spans →/);
  await page.click('[data-testid=to-all-spans]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-row]').length === 2);
  assert.match(page.url(), /\/spans\?.*filter=/);

  await page.fill('[data-testid=filter-input]', "span_kind == 'LLM");
  await page.press('[data-testid=filter-input]', 'Enter');
  await page.waitForSelector('[data-testid=filter-error]');
  await page.waitForSelector('[data-testid=table-stale]');
  assert.match(await page.textContent('[data-testid=table-stale]'), /last filter that read: span_kind == 'LLM'$/);
  assert.ok(await page.$eval('.table-body', (e) => e.classList.contains('stale') && getComputedStyle(e).opacity < 1));
  await page.fill('[data-testid=filter-input]', "span_kind == 'CHAIN'");
  await page.press('[data-testid=filter-input]', 'Enter');
  await page.waitForSelector('[data-testid=table-stale]', { state: 'detached' });
  assert.ok(!(await page.$eval('.table-body', (e) => e.classList.contains('stale'))));
});

test('a trace opens on its root with its details; Esc takes the span out of the URL', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate((t) => { location.hash = `#/trace/${t}`; }, OPENAI_01);
  await page.waitForSelector(`[data-testid=span-details][data-span-id="${ROOT_01}"] h2`);
  assert.equal(await page.$eval('[aria-selected=true]', (e) => e.dataset.spanId), ROOT_01);
  assert.equal(await page.locator('[data-testid=errors-notice]').count(), 0);
  assert.ok(page.url().endsWith(`#/trace/${OPENAI_01}`), 'the root needs no name in the URL');

  await page.click('[data-testid=span-row][data-span-id="2b5538cd44d34c58"]');
  await page.waitForFunction(() => location.hash.endsWith('/span/2b5538cd44d34c58'));
  await page.focus('.span-list');
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=span-details]', { state: 'detached' });
  await page.waitForFunction((t) => location.hash === `#/trace/${t}`, OPENAI_01);
  await page.reload();
  await page.waitForSelector(`[data-testid=span-details][data-span-id="${ROOT_01}"]`);
  assert.equal(await page.locator('[data-testid=span-details][data-span-id="2b5538cd44d34c58"]').count(), 0);
  // A click on a row opens the details again.
  await page.click('[data-testid=span-details] .close');
  await page.waitForSelector('[data-testid=span-details]', { state: 'detached' });
  await page.click('[data-testid=span-row][data-span-id="2b5538cd44d34c58"]');
  await page.waitForSelector('[data-testid=span-details][data-span-id="2b5538cd44d34c58"]');
});

test('a trace with errors says so and goes to its first error', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-03.otlp.pb'), await fixture('openai-01.otlp.pb')]);
  const errors = await page.evaluate(() => window.plume.query("status_code == 'ERROR'"));
  await page.evaluate(() => { location.hash = '#/project/chatbot-demo'; });
  await page.waitForSelector('[data-testid=trace-row]:has(.status.error)');
  const failed = await page.$eval('[data-testid=trace-row]:has(.status.error)', (e) => e.dataset.traceId);
  // Straight from a span of another trace, the trace opens on its own root.
  await page.evaluate((t) => { location.hash = `#/trace/${t}/span/2b5538cd44d34c58`; }, OPENAI_01);
  await page.waitForSelector('[data-testid=span-details][data-span-id="2b5538cd44d34c58"]');
  await page.evaluate((t) => { location.hash = `#/trace/${t}`; }, failed);
  await page.waitForSelector('[data-testid=errors-notice]');
  const root = await page.$eval('[data-testid=span-row]', (e) => e.dataset.spanId);
  await page.waitForSelector(`[data-testid=span-details][data-span-id="${root}"]`);
  assert.equal(await page.$eval('[aria-selected=true]', (e) => e.dataset.spanId), root);
  assert.match(await page.textContent('[data-testid=errors-notice]'), /2 spans failed in this trace/);
  await page.click('[data-testid=first-error]');
  await page.waitForFunction(() => /\/span\/[0-9a-f]{16}$/.test(location.hash));
  const span = page.url().split('/span/')[1];
  assert.ok(errors.includes(span), `${span} in ${errors}`);
  await page.waitForSelector(`[data-testid=span-details][data-span-id="${span}"]`);
  assert.equal(await page.$eval('[aria-selected=true]', (e) => e.dataset.spanId), span);
});

test('a search that looks like a filter and does not read says where, leaves the tree whole, and can search the words', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate((t) => { location.hash = `#/trace/${t}`; }, OPENAI_01);
  await page.waitForSelector('[data-testid=span-row]');
  await page.fill('[data-testid=trace-search]', "name == 'CreateEmbeddings");
  await page.waitForSelector('[data-testid=search-problem]');
  assert.match(await page.textContent('[data-testid=search-problem]'), /Not a filter: at character 9/);
  assert.equal(await page.locator('[data-testid=span-row]').count(), 4, 'the tree is not blanked');
  await page.fill('[data-testid=trace-search]', 'CreateEmbeddings');
  await page.waitForFunction(() => document.querySelector('[data-testid=search-matches]').textContent === '1 of 1');
  await page.fill('[data-testid=trace-search]', 'x = y');
  await page.waitForSelector('[data-testid=search-problem]');
  await page.click('[data-testid=search-as-text]');
  await page.waitForSelector('[data-testid=search-problem]', { state: 'detached' });
  await page.waitForFunction(() => document.querySelector('[data-testid=search-matches]').textContent === 'no match');
  assert.deepEqual(page.problems, []);
});
