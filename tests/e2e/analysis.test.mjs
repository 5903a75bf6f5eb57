// Asking the traces questions, in Debian's headless Chromium: span filters in Phoenix's language
// (the filter bar, the trace search, window.plume.query).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useViewer, load, fixture, fixtures, screenshot } from './browser.mjs';

const viewer = useViewer();

const DATASET = 'phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet';
const EVALUATIONS = 'phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet';

/** Span ids of Phoenix's own JSON export of the chatbot-demo spans where `column` is `value`. */
async function phoenixIds(column, value) {
  const text = await readFile(join(fixtures, 'phoenix/chatbot-demo/spans.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line))
    .filter((row) => row[column] === value).map((row) => row['context.span_id']).sort();
}

async function chatbotDemo() {
  const page = await viewer.open('?memory');
  await load(page, [await fixture(DATASET), await fixture(EVALUATIONS)]);
  return page;
}

test('window.plume.query returns the spans a filter matches, as Phoenix would, or throws where it went wrong', async () => {
  const page = await chatbotDemo();
  const llm = await page.evaluate(() => window.plume.query("span_kind == 'LLM'"));
  assert.deepEqual([...llm].sort(), await phoenixIds('span_kind', 'LLM'));
  const errors = await page.evaluate(() => window.plume.query("status_code == 'ERROR'"));
  assert.deepEqual([...errors].sort(), await phoenixIds('status_code', 'ERROR'));
  const evaluated = await page.evaluate(() => window.plume.query("evals['correctness'].score >= 0"));
  assert.equal(evaluated.length, 8);
  const thrown = await page.evaluate(() => {
    try {
      window.plume.query("span_kind = 'LLM'");
      return 'no error';
    } catch (error) {
      return `${error.name}: ${error.message}`;
    }
  });
  assert.equal(thrown, 'SyntaxError: at character 11: `=` is not a comparison: use `==`');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the filter bar narrows the spans table, marks a mistake, and the trace search takes a filter', async () => {
  const page = await chatbotDemo();
  await page.evaluate(() => { location.hash = '#/project/default/spans'; });
  await page.waitForSelector('[data-testid=trace-row]');
  const count = () => page.$$eval('[data-testid=trace-row]', (rows) => rows.length);
  assert.equal(await count(), 13);

  await page.fill('[data-testid=filter-input]', "status_code == 'ERROR' and span_kind in ['LLM', 'CHAIN']");
  await page.press('[data-testid=filter-input]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-row]').length === 2);
  const names = await page.$$eval('[data-testid=trace-row] .cell.name', (cells) => cells.map((c) => c.textContent).sort());
  assert.deepEqual(names, ['ChatCompletion', 'chat_turn']);
  assert.match(await page.textContent('.filters .muted'), /^2 spans$/);

  // A mistake is marked under the text, and the table keeps the last filter that read.
  await page.fill('[data-testid=filter-input]', 'latency_ms >> 1');
  await page.press('[data-testid=filter-input]', 'Enter');
  await page.waitForSelector('[data-testid=filter-error]');
  assert.equal(await page.textContent('[data-testid=filter-error] pre'), 'latency_ms >> 1\n            ^');
  assert.match(await page.textContent('[data-testid=filter-error]'), /at character 13: expected a name, a string or a number, found `>`/);
  assert.equal(await count(), 2);
  await screenshot(page, 'filter-error');

  // The LLM spans with evaluations, by score.
  await page.fill('[data-testid=filter-input]', "span_kind == 'LLM' and evals['correctness'].score < 0.5");
  await page.click('[data-testid=filter-apply]');
  await page.waitForSelector('[data-testid=filter-error]', { state: 'detached' });
  const low = await page.evaluate(() => window.plume.query("span_kind == 'LLM' and evals['correctness'].score < 0.5"));
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=trace-row]').length === n, low.length);

  // Escape clears the filter.
  await page.press('[data-testid=filter-input]', 'Escape');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-row]').length === 13);

  // In a trace, the search box takes a filter and says so.
  await page.evaluate(() => { location.hash = '#/project/default'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.fill('[data-testid=filter-input]', "name == 'weather_agent'");
  await page.press('[data-testid=filter-input]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-row]').length === 1);
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-testid=span-row]');
  await page.fill('[data-testid=trace-search]', "span_kind == 'LLM'");
  await page.press('[data-testid=trace-search]', 'Enter');
  await page.waitForFunction(() => /^filter · 1 of 3$/.test(document.querySelector('[data-testid=search-matches]').textContent));
  await screenshot(page, 'trace-search-filter');
  assert.deepEqual(page.problems, []);
  await page.close();
});
