// The agent graph in Debian's headless Chromium: the OpenAI Agents fixture's triage agent hands
// off to the weather agent, which calls get_weather and its model; a node marks its spans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useViewer, load, fixture, screenshot } from './browser.mjs';

const viewer = useViewer();

test("a trace's agent graph shows who called and handed off to whom, with counts; a node marks its spans", async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('genai/openai-agents-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/'; });
  await page.click('[data-testid=project-row] a');
  await page.waitForSelector('[data-testid=trace-row]');
  await page.click('[data-testid=trace-row]');
  await page.click('[data-testid=agent-graph-toggle]');
  await page.waitForSelector('[data-testid=agent-graph] [data-testid=agent-node]');
  const edges = await page.$$eval('[data-testid=agent-edge]', (es) => es.map((e) => `${e.dataset.from} → ${e.dataset.to} ×${e.dataset.count}`).sort());
  assert.deepEqual(edges, [
    'Agent workflow → Triage agent ×1',
    'Agent workflow → Weather agent ×1',
    'Triage agent → Weather agent ×1',
    'Triage agent → gpt-4o-mini-2024-07-18 ×1',
    'Weather agent → get_weather ×1',
    'Weather agent → gpt-4.1-mini-2025-04-14 ×2',
  ]);
  const handoff = await page.$eval('[data-testid=agent-edge].handoff', (e) => `${e.dataset.from} → ${e.dataset.to}`);
  assert.equal(handoff, 'Triage agent → Weather agent');
  const kinds = await page.$$eval('[data-testid=agent-node]', (ns) => Object.fromEntries(ns.map((n) => [n.dataset.name, n.dataset.kind])));
  assert.equal(kinds.get_weather, 'TOOL');
  assert.equal(kinds['Weather agent'], 'AGENT');
  await screenshot(page, 'agent-graph');
  // A node marks its spans: the model's two calls.
  await page.click('[data-testid=agent-node][data-name="gpt-4.1-mini-2025-04-14"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=span-row].matched').length === 2);
  assert.match(await page.inputValue('.toolbar input.search'), /^span_id in \['/);
  // Expanded: a node per span.
  await page.click('[data-testid=agent-graph-expanded]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=agent-node][data-name="gpt-4.1-mini-2025-04-14"]').length === 2);
  assert.deepEqual(page.problems, []);
});

test("a project's Stats show its agent graph summed over its traces", async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('genai/openai-agents-01.otlp.pb'), await fixture('genai/openai-agents-02.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/project/openai-agents-demo/stats'; });
  await page.waitForSelector('[data-testid=stats] [data-testid=agent-graph] [data-testid=agent-node]');
  const workflow = await page.$eval('[data-testid=agent-node][data-name="Agent workflow"] .sub', (e) => e.textContent);
  assert.match(workflow, /^AGENT · 2× · /, 'both runs');
  const edges = await page.$$eval('[data-testid=agent-edge]', (es) => es.map((e) => `${e.dataset.from} → ${e.dataset.to}`));
  assert.ok(edges.includes('Triage agent → Weather agent'), edges.join('\n'));
  assert.ok(edges.includes('Weather agent (chat completions) → get_weather'), edges.join('\n'));
  await screenshot(page, 'agent-graph-project');
  assert.deepEqual(page.problems, []);
});

test('at 600 px (embedded) the graph keeps its size in a box that scrolls, and works from the keyboard', async () => {
  const page = await viewer.open('?memory');
  await page.setViewportSize({ width: 600, height: 800 });
  await load(page, [await fixture('genai/openai-agents-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/'; });
  await page.click('[data-testid=project-row] a');
  await page.click('[data-testid=trace-row]');
  await page.click('[data-testid=agent-graph-toggle]');
  await page.waitForSelector('[data-testid=agent-graph] [data-testid=agent-node]');
  const box = await page.$eval('.agent-graph-scroll', (e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left, right: r.right, scrolls: e.scrollWidth > e.clientWidth };
  });
  assert.ok(box.left >= 0 && box.right <= 600, JSON.stringify(box));
  assert.ok(box.scrolls, 'wider than the window: it scrolls rather than shrinks');
  // Text at its full size: a box is 160 px wide as drawn.
  const width = await page.$eval('[data-testid=agent-node] rect', (r) => r.getBoundingClientRect().width);
  assert.equal(Math.round(width), 160);
  await screenshot(page, 'agent-graph-600');
  // Tab to a node, Enter marks its spans.
  await page.focus('[data-testid=agent-node][data-name="get_weather"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=span-row].matched').length === 1);
  assert.deepEqual(page.problems, []);
});

test("a project's agent graph draws what the table's filters let through", async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('genai/openai-agents-01.otlp.pb'), await fixture('genai/openai-agents-02.otlp.pb')]);
  // Only the first run, by its trace id: one workflow, and its triage agent.
  await page.evaluate(() => { location.hash = '#/project/openai-agents-demo/stats?text=bde2aa4f6206'; });
  await page.waitForSelector('[data-testid=stats] [data-testid=agent-graph] [data-testid=agent-node]');
  assert.ok(await page.isVisible('[data-testid=agent-graph-filtered]'));
  const workflow = await page.$eval('[data-testid=agent-node][data-name="Agent workflow"] .sub', (e) => e.textContent);
  assert.match(workflow, /^AGENT · 1× · /, 'one run');
  assert.ok(await page.isVisible('[data-testid=agent-node][data-name="Triage agent"]'));
  await page.evaluate(() => { location.hash = "#/project/openai-agents-demo/stats?filter=name%20%3D%3D%20'nothing%20named%20so'"; });
  await page.waitForSelector('[data-testid=stats] p.agent-graph');
  assert.match(await page.textContent('[data-testid=stats] p.agent-graph'), /nothing calls anything/);
  assert.deepEqual(page.problems, []);
});
