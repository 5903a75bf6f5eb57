// What two runs said, in Debian's headless Chromium: two runs of the same Pydantic AI chat
// (another question, another model) compared — the aligned model calls' messages side by side
// with a word diff, the tokens and their change, the tool calls key by key — and any two spans
// compared from their details ("why did the retry answer differently?").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useViewer, load, fixture, screenshot } from './browser.mjs';

const viewer = useViewer();
const FIRST = 'a3afd8cb714049451ff4997d45886da4';
const SECOND = '9a96b2d36a8b1604ca6fa192d5571346';

const field = (page, label) => page.locator(`[data-testid=field-diff][data-label="${label}"]`);

test('two runs of a chat compare what their model calls said: word diff, token delta, tool calls', async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('genai/pydantic-ai-01.otlp.pb'), await fixture('genai/pydantic-ai-02.otlp.pb')]);
  await page.evaluate(([a, b]) => { location.hash = `#/compare/${a}/${b}`; }, [FIRST, SECOND]);
  await page.waitForSelector('[data-testid=span-diff] [data-testid=field-diff]');
  // The first pair of model calls is compared at once, though the model (and so the name) changed.
  const question = field(page, 'input 1 · user');
  assert.equal(await question.getAttribute('data-same'), 'false');
  const removed = (await question.locator('[data-testid=removed-words]').allTextContents()).join('|');
  const added = (await question.locator('[data-testid=added-words]').allTextContents()).join('|');
  assert.match(removed, /weather/);
  assert.match(added, /picnic/);
  assert.doesNotMatch(removed + added, /Paris/, 'what both asked is not marked');
  assert.equal(await field(page, 'system').getAttribute('data-same'), 'true');
  assert.equal(await page.textContent('[data-testid=token-delta] dd[data-kind=input]'), '170 → 879 (+709, +417%)');
  assert.equal(await page.textContent('[data-testid=token-delta] dd[data-kind=total]'), '317 → 1,095 (+778, +245%)');
  // Both asked for get_weather with the same arguments.
  assert.equal(await field(page, 'tool calls').getAttribute('data-same'), 'true');
  // Totals per trace.
  assert.match(await page.textContent('[data-testid=compare-totals]'), /^Tokens 1,023 → 1,626 \(\+603, \+59%\)/);
  await screenshot(page, 'compare-diff');
  // The second pair: what each answered.
  const pairs = page.locator('[data-testid=compare-pair]');
  await pairs.nth(await pairs.count() - 1).click();
  await page.waitForSelector('[data-testid=field-diff][data-label="output 1 · assistant"]');
  assert.equal(await page.textContent('[data-testid=token-delta] dd[data-kind=input]'), '599 → 326 (−273, −46%)');
  assert.deepEqual(page.problems, []);
});

test('any two spans compare from their details, even in one trace', async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('openai-03.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/'; });
  await page.click('[data-testid=project-row] a');
  await page.click('[data-testid=trace-row]');
  const rows = page.locator('[data-testid=span-row]');
  await rows.nth(1).click();
  await page.click('[data-testid=compare-pick]');
  await page.waitForSelector('[data-testid=compare-picked]');
  await rows.nth(2).click();
  await page.click('[data-testid=compare-with-picked]');
  await page.waitForSelector('[data-testid=span-diff] [data-testid=field-diff]');
  assert.match(page.url(), /#\/diff\/[0-9a-f]{32}\/[0-9a-f]{16}\/[0-9a-f]{32}\/[0-9a-f]{16}$/);
  const labels = await page.$$eval('[data-testid=field-diff]', (fs) => fs.map((f) => `${f.dataset.label}:${f.dataset.same}`));
  assert.ok(labels.some((l) => l.startsWith('input 1')), labels.join(', '));
  await screenshot(page, 'compare-spans');
  assert.deepEqual(page.problems, []);
});
