// Every LLM convention in the page, in Debian's headless Chromium: each real SDK's trace of
// tests/fixtures/genai/ (with its logs file where there is one) shows as its OpenInference twin
// does — the LLM calls as chats with their tool calls, tokens and a cost, the right kinds in the
// tree, totals counted once — checked against EXPECTED.json. One screenshot per convention is
// kept in target/e2e-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useViewer, load, fixture, fixtures, screenshot } from './browser.mjs';

const viewer = useViewer();
const expected = JSON.parse(await readFile(join(fixtures, 'genai/EXPECTED.json'), 'utf8'));
const scenario = (name) => expected.scenarios.find((s) => s.scenario === name);

async function opened(s) {
  const page = await viewer.open('?memory');
  await load(page, await Promise.all(s.files.map((f) => fixture(`genai/${f}`))));
  return page;
}

/** The messages EXPECTED.json lists that a chat shows: every one with text or tool calls. */
const shown = (messages) => messages.filter((m) => (m.content ?? '') !== '' || (m.tool_calls ?? []).length > 0);

for (const s of expected.scenarios) {
  test(`${s.scenario}: LLM calls as chats with tool calls, tokens and cost, counted once`, async () => {
    const page = await opened(s);
    const summary = await page.evaluate(() => window.plume.summary());
    assert.equal(summary.spans, s.span_count);
    assert.equal(summary.traces, s.trace_count);
    const sum = (field) => s.llm_spans.reduce((n, call) => n + (call.usage[field] ?? 0), 0);
    assert.equal(summary.tokens.input, sum('input'), 'input tokens, each call once');
    assert.equal(summary.tokens.output, sum('output'), 'output tokens, each call once');
    assert.ok(summary.cost_usd > 0, `a cost: ${summary.cost_usd}`);
    assert.equal(summary.unpriced_calls, 0);

    const trace = s.llm_spans[0].trace_id;
    await page.evaluate((t) => { location.hash = `#/trace/${t}`; }, trace);
    await page.waitForSelector('[data-testid=span-row]');
    const kinds = await page.$$eval('[data-testid=span-row]', (rows) => rows.map((r) => r.dataset.kind));
    assert.equal(kinds.filter((k) => k === 'LLM').length, s.llm_spans.length, `kinds in the tree: ${kinds}`);
    await page.waitForSelector('[data-testid=trace-cost]');

    for (const call of s.llm_spans) {
      await page.evaluate(([t, span]) => { location.hash = `#/trace/${t}/span/${span}`; }, [call.trace_id, call.span_id]);
      await page.waitForSelector(`[data-testid=span-details][data-span-id="${call.span_id}"] h2`);
      const details = '[data-testid=span-details]';
      const bubbles = await page.$$eval(`${details} [data-testid=chat-message]`, (b) => b.map((e) => e.textContent));
      const want = [...shown(call.input_messages), ...shown(call.output_messages)];
      assert.equal(bubbles.length, want.length, `${call.span_id}: ${bubbles.length} messages shown, ${want.length} expected`);
      // Compared without white space: structured content is shown pretty-printed.
      const bare = (text) => text.replace(/\s+/g, '');
      for (const [i, message] of want.entries()) {
        if (message.content) {
          const text = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
          assert.ok(bare(bubbles[i]).includes(bare(text).slice(0, 40)), `${call.span_id} message ${i}: ${bubbles[i]}`);
        }
        for (const toolCall of message.tool_calls ?? []) {
          assert.ok(bubbles[i].includes(toolCall.name), `${call.span_id}: the call of ${toolCall.name}`);
        }
      }
      const tokens = await page.textContent(`${details} [data-testid=tokens]`);
      assert.ok(tokens.replace(/,/g, '').includes(String(call.usage.input)), `input tokens in ${tokens}`);
      const facts = (await page.$$eval(`${details} dl.facts`, (dl) => dl.map((d) => d.textContent))).join(' ');
      assert.match(facts, /Cost\$[0-9.]+ (estimated|recorded)/);
    }
    await screenshot(page, `genai-${s.scenario}`);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test('log records that come before their spans wait for them, and their file says so', async () => {
  const s = scenario('otelv2-legacy-02');
  const page = await viewer.open('?memory');
  await load(page, [await fixture('genai/otelv2-legacy-02.logs.otlp.pb')]);
  assert.match(await page.textContent('[data-testid=file-result]'),
    /otlp-logs-proto, 8 log records, attached to 0 spans \(8 without a span\)/);
  await load(page, [await fixture('genai/otelv2-legacy-02.otlp.pb')]);
  const call = s.llm_spans[1];
  await page.evaluate(([t, span]) => { location.hash = `#/trace/${t}/span/${span}`; }, [call.trace_id, call.span_id]);
  await page.waitForSelector('[data-testid=span-details] [data-testid=chat-message]');
  assert.equal(await page.locator('[data-testid=span-details] [data-testid=log-record]').count(), 5);
  assert.equal(await page.locator('[data-testid=span-details] [data-testid=tool-result]').count(), 1);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a dropped price table prices calls until it is no longer used, and Stats show cost by model', async () => {
  const s = scenario('vercel-ai-02');
  const page = await opened(s);
  const before = (await page.evaluate(() => window.plume.summary())).cost_usd;
  await load(page, [{
    name: 'our-prices.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ models: [{ id: 'gpt-4o-mini', input: 1000, output: 0 }] })),
  }]);
  assert.match(await page.locator('[data-testid=file-result]').last().textContent(), /a price table of 1 price/);
  assert.ok(Math.abs((await page.evaluate(() => window.plume.summary())).cost_usd - 0.3) < 1e-9,
    '300 input tokens at $1000 a million');
  await page.evaluate(() => { location.hash = '#/'; });
  await page.waitForSelector('[data-testid=price-file]');
  await page.click('[data-testid=price-file] button');
  await page.waitForSelector('[data-testid=price-file]', { state: 'detached' });
  await page.waitForFunction((b) => window.plume.summary().cost_usd === b, before);

  await page.evaluate(() => { location.hash = '#/project/vercel-ai-demo/stats'; });
  await page.waitForSelector('[data-testid=stat-cost]');
  assert.match(await page.textContent('[data-testid=stat-cost]'), /^\$0\.000[0-9]+cost$/);
  const plots = await page.$$eval('[data-testid=plot] figcaption', (c) => c.map((e) => e.textContent));
  assert.ok(plots.includes('Cost over time') && plots.includes('Cost by model'), `${plots}`);
  assert.match(await page.textContent('[data-testid=hbar]'), /gpt-4o-mini-2024-07-18 \(openai\) · 1 call/);
  await screenshot(page, 'genai-stats-cost');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('filters find LLM calls and their cost in any convention', async () => {
  const page = await viewer.open('?memory');
  const files = ['vercel-ai-01.otlp.pb', 'pydantic-ai-01.otlp.pb', 'openllmetry-indexed-02.otlp.pb'];
  await load(page, await Promise.all(files.map((f) => fixture(`genai/${f}`))));
  const calls = await page.evaluate(() => window.plume.query("span_kind == 'LLM'"));
  const want = files.map((f) => scenario(f.replace('.otlp.pb', ''))).flatMap((s) => s.llm_spans.map((c) => c.span_id));
  assert.deepEqual([...calls].sort(), want.sort());
  // Every span with a cost of its own: the calls, and Vercel's agent span, which repeats theirs.
  const costly = await page.evaluate(() => window.plume.query('llm.cost.total > 0 and llm.token_count.prompt > 100'));
  assert.deepEqual([...costly].sort(), [...want, '918ea4d671aef967'].sort());
  // The agent run repeats its calls' sum; its cumulative cost is theirs, not twice theirs.
  const agents = await page.evaluate(() => window.plume.query("span_kind == 'AGENT' and cumulative_cost > 0"));
  assert.equal(agents.length, 2);
  assert.deepEqual(page.problems, []);
  await page.close();
});
