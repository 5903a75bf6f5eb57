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
  const thrown = await page.evaluate(async () => {
    try {
      await window.plume.query("span_kind = 'LLM'");
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
  await page.fill('[data-testid=filter-input]', "span_kind == 'LLM' and evals['correctness'].score < 0.6");
  await page.click('[data-testid=filter-apply]');
  await page.waitForSelector('[data-testid=filter-error]', { state: 'detached' });
  const low = await page.evaluate(() => window.plume.query("span_kind == 'LLM' and evals['correctness'].score < 0.6"));
  assert.equal(low.length, 2, 'scores 0.50 and 0.55, as pyarrow reads the file');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=trace-row]').length === n, low.length);

  // Opening a matching span carries the filter into the trace's search; Back finds the table
  // as it was left.
  const lowFilter = "span_kind == 'LLM' and evals['correctness'].score < 0.6";
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-testid=span-row]');
  assert.equal(await page.inputValue('[data-testid=trace-search]'), lowFilter);
  // It travels in the URL, not in the page's memory: the link opens the trace the same way.
  const carried = new URL(page.url()).hash;
  assert.equal(decodeURIComponent(carried.split('?search=')[1]), lowFilter);
  await page.waitForFunction(() => /^filter · /.test(document.querySelector('[data-testid=search-matches]').textContent));
  await page.goBack();
  await page.waitForSelector('[data-testid=filter-input]');
  assert.equal(await page.inputValue('[data-testid=filter-input]'), lowFilter);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=trace-row]').length === n, low.length);
  // The table's filters live in its URL, not in the page's memory: a status and a sort order
  // join the filter; the bare table is unfiltered, and the link brings it all back.
  await page.selectOption('select[aria-label=Status]', 'ERROR');
  await page.click('button.th:has-text("Duration")');
  await page.waitForFunction(() => /[?&]sort=duration/.test(location.hash) && /[?&]status=ERROR/.test(location.hash));
  const tableLink = new URL(page.url()).hash;
  assert.match(tableLink, /^#\/project\/default\/spans\?/);
  assert.equal(new URLSearchParams(tableLink.split('?')[1]).get('filter'), lowFilter);
  const rowIds = () => page.$$eval('[data-testid=trace-row]', (rows) => rows.map((r) => r.dataset.spanId ?? r.textContent));
  const shown = await rowIds();
  await page.evaluate(() => { location.hash = '#/project/default/spans'; });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-row]').length === 13);
  assert.equal(await page.inputValue('[data-testid=filter-input]'), '');
  assert.equal(await page.inputValue('select[aria-label=Status]'), '');
  await page.evaluate((link) => { location.hash = link; }, tableLink);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=trace-row]').length === n, shown.length);
  assert.equal(await page.inputValue('[data-testid=filter-input]'), lowFilter);
  assert.equal(await page.inputValue('select[aria-label=Status]'), 'ERROR');
  assert.equal(await page.textContent('button.th.sorted'), 'Duration ↓');
  assert.deepEqual(await rowIds(), shown);
  await page.selectOption('select[aria-label=Status]', '');
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

const OPENAI_01 = '3a34990d3bcc7893ef125bc4b7879ed7';

test('the flame graph shows spans by self time and zooms on a click', async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate((t) => { location.hash = `#/trace/${t}`; }, OPENAI_01);
  await page.waitForSelector('[data-testid=span-row]');
  await page.click('[data-testid=flame-toggle]');
  await page.waitForSelector('[data-testid=flame-graph]');
  const boxes = () => page.$$eval('[data-testid=flame-box]', (els) => els.map((e) => ({
    id: e.dataset.spanId, name: e.querySelector('.fname').textContent, left: parseFloat(e.style.left), width: parseFloat(e.style.width), top: parseFloat(e.style.top),
  })));
  const whole = await boxes();
  assert.equal(whole.length, 4);
  assert.deepEqual([whole[0].left, whole[0].width, whole[0].top], [0, 100, 0]);
  const children = whole.slice(1);
  assert.ok(children.every((b) => b.top === 22));
  // Children sit side by side under the root, within it.
  const sorted = [...children].sort((a, b) => a.left - b.left);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].left >= sorted[i - 1].left + sorted[i - 1].width - 0.01);
  assert.ok(sorted.at(-1).left + sorted.at(-1).width <= 100.01);
  // A wide box shows its duration beside its name; pointing at a box tells what it is.
  const rootBox = `[data-testid=flame-box][data-span-id="${whole[0].id}"]`;
  assert.ok(await page.$eval(rootBox, (e) => e.querySelector('.fdur').offsetTop < e.clientHeight), 'the duration is on the box');
  await page.hover(rootBox);
  await page.waitForSelector('[data-testid=flame-tip]');
  const tip = await page.textContent('[data-testid=flame-tip]');
  assert.ok(tip.startsWith(whole[0].name), tip);
  assert.match(tip, /here and below · 100\.0% of the view.*own self time/);
  await screenshot(page, 'flame-graph');
  await page.mouse.move(0, 0);
  await page.waitForSelector('[data-testid=flame-tip]', { state: 'detached' });

  // A click zooms on the span, selects it, and its details open.
  const target = sorted.reduce((a, b) => (a.width >= b.width ? a : b));
  await page.click(`[data-testid=flame-box][data-span-id="${target.id}"]`);
  await page.waitForSelector('[data-testid=flame-reset]');
  await page.waitForFunction((id) => {
    const box = document.querySelector(`[data-testid=flame-box][data-span-id="${id}"]`);
    return box && parseFloat(box.style.width) === 100;
  }, target.id);
  await page.waitForSelector(`[data-testid=span-details][data-span-id="${target.id}"]`);
  assert.equal((await boxes()).length, 2);
  await page.click('[data-testid=flame-reset]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=flame-box]').length === 4);
  // From the keyboard: Tab reaches a box, Enter zooms on it.
  await page.focus(`[data-testid=flame-box][data-span-id="${target.id}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=flame-reset]');
  await page.click('[data-testid=flame-reset]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=flame-box]').length === 4);
  // Back to the waterfall.
  await page.click('[data-testid=flame-toggle]');
  await page.waitForSelector('[data-testid=span-row]');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('two ticked traces compare by span name path', async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('langchain-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo'; });
  await page.waitForSelector('[data-testid=trace-row]');
  const ticks = await page.$$('[data-testid=tick]');
  assert.ok(ticks.length >= 2);
  await ticks[0].check();
  await ticks[1].check();
  await page.click('[data-testid=compare-selected]');
  await page.waitForSelector('[data-testid=compare]');
  await page.waitForSelector('[data-testid=compared-row]');
  const summary = await page.textContent('[data-testid=compare-summary]');
  const [, added, removed] = /spans added: (\d+), removed: (\d+)/.exec(summary).map(Number);
  const states = await page.$$eval('[data-testid=compared-row]', (rows) => rows.map((r) => r.dataset.state));
  assert.equal(states.filter((s) => s === 'added').length, added);
  assert.equal(states.filter((s) => s === 'removed').length, removed);
  assert.ok(states.includes('both'));
  assert.ok(await page.locator('[data-testid=kind-difference]').count() > 0);
  await screenshot(page, 'compare');
  // Each side's duration opens that span in its trace; Back returns.
  const link = page.locator('[data-testid=compared-row] a').first();
  const href = await link.getAttribute('href');
  const [, traceId, spanId] = /^#\/trace\/([0-9a-f]+)\/span\/([0-9a-f]+)$/.exec(href);
  await link.click();
  await page.waitForSelector(`[data-testid=span-details][data-span-id="${spanId}"]`);
  assert.equal(await page.getAttribute('section.trace', 'data-trace-id'), traceId);
  await page.goBack();
  await page.waitForSelector('[data-testid=compared-row]');
  // Swapping exchanges added and removed.
  await page.click('text=Swap');
  await page.waitForFunction(([a, r]) => {
    const text = document.querySelector('[data-testid=compare-summary]')?.textContent ?? '';
    return text.includes(`spans added: ${r}, removed: ${a}`);
  }, [added, removed]);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('evaluations: JSON Lines load, show on spans and in the table, and their distributions plot in both themes', async () => {
  const page = await chatbotDemo();
  const llm = await phoenixIds('span_kind', 'LLM');
  const jsonl = [
    { span_id: llm[0], name: 'helpfulness', score: 0.9, label: 'helpful', explanation: '<b>clear</b>' },
    { span_id: llm[1], name: 'helpfulness', score: 0.2, label: 'unhelpful' },
    { span_id: llm[0], name: 'relevance', document_position: 1, score: 1, label: 'relevant' },
  ].map((row) => JSON.stringify(row)).join('\n');
  await load(page, [{ name: 'helpfulness.jsonl', mimeType: 'application/json', buffer: Buffer.from(jsonl) }]);
  const lines = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
  assert.ok(lines.some((l) => /helpfulness\.jsonl: evaluations-jsonl, 0 spans, 0 traces, 3 evaluations/.test(l)), lines.join('\n'));

  // In the spans table: a column of evaluations.
  await page.evaluate(() => { location.hash = '#/project/default/spans'; });
  await page.waitForSelector('[data-testid=trace-row]');
  const chips = await page.$$eval('[data-testid=trace-row]', (rows) => rows.map((r) => r.querySelector('[data-testid=row-evaluations]').textContent));
  assert.equal(chips.filter((c) => c.includes('correctness:')).length, 8);
  assert.equal(chips.filter((c) => c.includes('helpfulness: helpful 0.90')).length, 1);

  // On the span: each evaluation, the document's with its position; markup stays text.
  const trace = await page.$eval(`[data-testid=trace-row]:has-text("helpfulness: helpful")`, (r) => r.dataset.traceId);
  await page.evaluate(([t, s]) => { location.hash = `#/trace/${t}/span/${s}`; }, [trace, llm[0]]);
  await page.waitForSelector(`[data-testid=span-details][data-span-id="${llm[0]}"] h2`);
  const details = await page.textContent('[data-testid=span-details]');
  assert.match(details, /helpfulness/);
  assert.match(details, /relevance \(document 1\)/);
  assert.match(details, /<b>clear<\/b>/);
  // The span's row in the tree carries its evaluations as chips.
  const rowChips = await page.$$eval(`[data-testid=span-row][data-span-id="${llm[0]}"] [data-testid=eval-chip]`, (els) => els.map((e) => e.textContent));
  assert.ok(rowChips.some((chip) => chip.startsWith('helpfulness: helpful')), rowChips.join());

  // The Stats tab: figures, plots, and each evaluation's distribution.
  await page.evaluate(() => { location.hash = '#/project/default/stats'; });
  await page.waitForSelector('[data-testid=stats]');
  assert.equal(await page.textContent('[data-testid=stat-traces] .value'), '4');
  assert.equal(await page.textContent('[data-testid=stat-spans] .value'), '13');
  assert.equal(await page.textContent('[data-testid=stat-error-rate] .value'), '25%');
  assert.ok(await page.locator('[data-testid=plot] svg rect').count() > 0);
  // Latency p50/p90/p99 over time as lines, each time bin's figures on hover; every chart says
  // what its full height stands for.
  assert.equal(await page.locator('[data-testid=latency-over-time] polyline').count(), 3);
  assert.match(await page.textContent('[data-testid=latency-over-time] .hover-band title'), /traces · p50 .+ · p90 .+ · p99 .+/);
  const tops = await page.$$eval('[data-testid=axis-top]', (els) => els.map((e) => e.textContent));
  assert.ok(tops.length >= 4 && tops.every((top) => /\d/.test(top)), tops.join());
  const names = await page.$$eval('[data-testid=evaluation-plot]', (els) => els.map((e) => e.dataset.name));
  assert.deepEqual(names, ['correctness', 'helpfulness', 'relevance']);
  const helpful = await page.$$eval('[data-testid=evaluation-plot][data-name=helpfulness] [data-testid=hbar]', (rows) => rows.map((r) => r.textContent));
  assert.deepEqual(helpful, ['helpful1', 'unhelpful1']);
  await screenshot(page, 'stats-light');
  await page.click('button:has-text("Theme: system")');
  await page.click('button:has-text("Theme: light")');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  // Axis labels follow the theme: light text on the dark page.
  const labelColour = await page.$eval('.chart .axis-label', (t) => getComputedStyle(t).fill);
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const brightness = (css) => { const [r, g, b] = css.match(/\d+/g).map(Number); return (r + g + b) / 3; };
  assert.ok(brightness(labelColour) > brightness(background) + 60, `${labelColour} on ${background}`);
  await screenshot(page, 'stats-dark');
  assert.deepEqual(page.problems, []);
  await page.close();
});
