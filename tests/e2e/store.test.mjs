// What was loaded is kept in IndexedDB: it is there after a reload, dropping a file again adds
// nothing twice, and "Forget all" empties it for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useViewer, load, fixture, root, counts } from './browser.mjs';

const viewer = useViewer();

const summary = (page) => page.evaluate(() => window.plume.summary());

async function reload(page) {
  await page.reload();
  await page.waitForSelector('header.header');
}

test('traces are still there after a reload, once, until they are forgotten', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb'), await fixture('langchain-01.otlp.pb')]);
  assert.deepEqual(await counts(page), { spans: 22, traces: 3, projects: 2, errors: 0 });

  // The home page says how much storage that takes.
  await page.waitForSelector('[data-testid=storage-status]');
  assert.match(await page.textContent('[data-testid=storage-status]'), /Kept in this browser: [\d.]+ [kKMG]?B used of [\d.]+ [MGT]B it allows this page/);

  await reload(page);
  await page.waitForSelector('[data-testid=file-result]');
  assert.match(await page.textContent('[data-testid=file-result]'), /Kept in this browser: stored, 22 spans, 3 traces/);
  assert.deepEqual(await counts(page), { spans: 22, traces: 3, projects: 2, errors: 0 });
  // A restored trace opens with its details.
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7/span/2b5538cd44d34c58'; });
  await page.waitForSelector('[data-testid=span-details][data-span-id="2b5538cd44d34c58"] [data-testid=chat-message]');

  // The same file again, and one that overlaps: nothing is counted twice, now or after a reload.
  await load(page, [await fixture('openai-01.otlp.pb'), await fixture('collector-file-exporter.jsonl')]);
  const grown = await summary(page);
  // What the same files give when each is loaded once, elsewhere.
  const once = await viewer.open();
  await load(once, [await fixture('openai-01.otlp.pb'), await fixture('langchain-01.otlp.pb'), await fixture('collector-file-exporter.jsonl')]);
  assert.deepEqual(grown, await summary(once));
  assert.ok(grown.traces > 3);
  await reload(page);
  await page.waitForFunction((want) => window.plume.summary().spans === want, grown.spans);
  assert.deepEqual(await summary(page), grown);

  page.removeAllListeners('dialog');
  page.once('dialog', (dialog) => dialog.accept());
  await page.click('[data-testid=forget-all]');
  await page.waitForFunction(() => window.plume.summary().spans === 0);
  await reload(page);
  await page.waitForSelector('.welcome');
  await page.waitForFunction(() => window.plume.settled());
  assert.deepEqual(await counts(page), { spans: 0, traces: 0, projects: 0, errors: 0 });
  assert.equal(await page.locator('[data-testid=file-result]').count(), 0);
  assert.deepEqual(page.problems, []);
});

test('after a reload a span still says the file it came from, its format and its place', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('node-01.otlp.json')]);
  await page.evaluate(() => { location.hash = '#/'; });
  await page.click('[data-testid=project-row] a');
  await page.click('[data-testid=trace-row]');
  await page.waitForSelector('[data-testid=span-source]');
  const before = await page.textContent('[data-testid=span-source]');
  assert.match(before, /^node-01\.otlp\.json \(otlp-json, span \d+\)$/);
  await reload(page);
  await page.waitForSelector('[data-testid=span-source]');
  assert.equal(await page.textContent('[data-testid=span-source]'), before);
});

test('after a reload, a text filter, the all-spans list and an export read the kept spans they need', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('langchain-01.otlp.pb'), await fixture('openai-01.otlp.pb')]);
  await reload(page);
  await page.waitForFunction(() => window.plume.settled() && window.plume.summary().spans === 22);
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo'; });
  await page.waitForSelector('[data-testid=trace-row]');
  // Words only the root's output holds: the stored records do not, the spans do.
  await page.fill('input[aria-label=Filter]', 'share a trace id');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-row]').length === 1);
  await page.fill('input[aria-label=Filter]', '');
  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo/spans'; });
  await page.waitForFunction(() => document.querySelector('.table-head .muted, .muted')?.textContent.includes('18 spans'));
  await page.evaluate(() => { location.hash = '#/project/chatbot-demo'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.$eval('[data-testid=export-menu]', (menu) => { menu.open = true; });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=export-menu] button[data-format="otlp.json"]'),
  ]);
  assert.equal(download.suggestedFilename(), 'chatbot-demo-matching-traces.otlp.json');
  assert.match(await page.textContent('[data-testid=export-status]'), /Saved 4 spans/);
  assert.deepEqual(page.problems, []);
});

test('with ?memory nothing is kept', async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('openai-01.otlp.pb')]);
  assert.equal((await summary(page)).spans, 4);
  await reload(page);
  await page.waitForSelector('.welcome');
  await page.waitForFunction(() => window.plume.settled());
  assert.equal((await summary(page)).spans, 0);
  // Nor was anything written for a page without it to find.
  await page.goto(viewer.url);
  await page.waitForSelector('.welcome');
  await page.waitForFunction(() => window.plume.settled());
  assert.equal((await summary(page)).spans, 0);
});

test('with saving turned off, loads stay in the page; turned on again, they are saved', async () => {
  const page = await viewer.open();
  const box = '[data-testid=save-setting] input';
  assert.equal(await page.isChecked(box), true, 'saving is on at first');
  await page.uncheck(box);
  await load(page, [await fixture('openai-01.otlp.pb')]);
  assert.equal((await summary(page)).spans, 4);
  await reload(page);
  await page.waitForSelector('.welcome');
  await page.waitForFunction(() => window.plume.settled());
  assert.equal((await summary(page)).spans, 0, 'nothing was saved');
  assert.equal(await page.isChecked(box), false, 'the choice is remembered');

  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/'; });
  await page.check(box);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=file-result]')]
    .some((line) => /Saved in this browser: stored, 4 spans, 1 traces/.test(line.textContent)));
  await reload(page);
  await page.waitForFunction(() => window.plume.settled() && window.plume.summary().spans === 4);
  assert.deepEqual(page.problems, []);
});

test('when the storage is full, the file says what was not kept, and what was kept stays whole', async () => {
  const page = await viewer.open();
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(viewer.url).origin;
  // A small quota: openai-01 fits, the 100k-span trace does not.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 4 * 1024 * 1024 });
  await load(page, [await fixture('openai-01.otlp.pb')]);
  assert.doesNotMatch(await page.textContent('[data-testid=file-result]'), /not kept/);
  await load(page, [join(root, 'target/e2e/100k.pb')]);
  const line = await page.locator('[data-testid=file-result]:has-text("100k.pb")').textContent();
  assert.match(line, /100k\.pb: otlp-proto, 100,000 spans, 1 traces/);
  assert.match(line, /1 traces were not kept in this browser \(the browser's storage for this page is full; 0 were\); they stay here until the page closes/);
  assert.equal((await summary(page)).spans, 100_004, 'the page still has everything');

  await reload(page);
  await page.waitForSelector('[data-testid=file-result]');
  assert.match(await page.textContent('[data-testid=file-result]'), /Kept in this browser: stored, 4 spans, 1 traces/);
  assert.deepEqual(await counts(page), { spans: 4, traces: 1, projects: 1, errors: 0 });
});

test('deleting a trace, then a project, here and in the storage', async () => {
  const page = await viewer.open();
  page.removeAllListeners('dialog');
  page.on('dialog', (dialog) => dialog.accept());
  await load(page, [await fixture('openai-01.otlp.pb'), await fixture('langchain-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7'; });
  await page.waitForSelector('[data-testid=span-row]');
  await page.click('[data-testid=delete]');
  await page.waitForFunction(() => window.plume.summary().spans === 18);
  assert.match(page.url(), /#\/project\/chatbot-demo$/);
  await reload(page);
  await page.waitForFunction(() => window.plume.summary().spans === 18);
  assert.deepEqual(await counts(page), { spans: 18, traces: 2, projects: 1, errors: 0 });

  await page.evaluate(() => { location.hash = '#/project/rag-langchain-demo'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.click('[data-testid=delete]');
  await page.waitForFunction(() => window.plume.summary().spans === 0);
  await reload(page);
  await page.waitForSelector('.welcome');
  await page.waitForFunction(() => window.plume.settled());
  assert.deepEqual(await counts(page), { spans: 0, traces: 0, projects: 0, errors: 0 });
});

test('deleting a saved file deletes the traces it brought, and only those', async () => {
  const page = await viewer.open();
  page.removeAllListeners('dialog');
  const questions = [];
  page.on('dialog', (dialog) => { questions.push(dialog.message()); dialog.accept(); });
  await load(page, [await fixture('openai-01.otlp.pb'), await fixture('langchain-01.otlp.pb')]);
  const files = () => page.$$eval('[data-testid=saved-file]', (rows) => rows.map((row) =>
    [...row.querySelectorAll('td')].slice(0, 6).map((cell) => cell.textContent).filter((_, i) => i !== 3)));
  await page.waitForSelector('[data-testid=saved-file]');
  assert.deepEqual(await files(), [
    ['openai-01.otlp.pb', 'otlp-proto', '8.45 KB', '4', '1'],
    ['langchain-01.otlp.pb', 'otlp-proto', '22.0 KB', '18', '2'],
  ]);
  await page.click('[data-testid=saved-file][data-name="langchain-01.otlp.pb"] [data-testid=delete]');
  await page.waitForFunction(() => window.plume.summary().spans === 4);
  assert.match(questions[0], /Delete the 2 traces langchain-01\.otlp\.pb brought/);
  await reload(page);
  await page.waitForFunction(() => window.plume.settled() && window.plume.summary().spans === 4);
  assert.deepEqual(await counts(page), { spans: 4, traces: 1, projects: 1, errors: 0 });
  assert.deepEqual((await files()).map((row) => row[0]), ['openai-01.otlp.pb']);
  assert.deepEqual(page.problems, []);
});

test('Phoenix evaluations are kept with their spans', async () => {
  const page = await viewer.open();
  await load(page, [
    await fixture('phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet'),
    await fixture('phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet'),
  ]);
  await reload(page);
  await page.waitForSelector('[data-testid=file-result]');
  assert.match(await page.textContent('[data-testid=file-result]'), /Kept in this browser: stored, 13 spans, 4 traces, 8 evaluations/);
});

test('two tabs: what one keeps or deletes shows in the other, and neither loses the other\'s spans', async () => {
  const first = await viewer.open();
  const second = await first.context().newPage();
  await second.goto(viewer.url);
  await second.waitForSelector('header.header');

  await load(first, [await fixture('openai-01.otlp.pb')]);
  await second.waitForFunction(() => window.plume.summary().spans === 4);

  // The second tab adds to the same trace (the Collector export holds it and more); the first
  // then adds another trace: each writes on top of the other's version, nothing is lost.
  await load(second, [await fixture('collector-file-exporter.jsonl')]);
  const both = await summary(second);
  await first.waitForFunction((want) => window.plume.summary().spans === want, both.spans);
  await load(first, [await fixture('node-01.otlp.json')]);
  await second.waitForFunction((want) => window.plume.summary().traces > want, both.traces);
  const all = await summary(first);
  assert.deepEqual(await summary(second), all);
  const once = await viewer.open();
  await load(once, [await fixture('openai-01.otlp.pb'), await fixture('collector-file-exporter.jsonl'), await fixture('node-01.otlp.json')]);
  assert.deepEqual(all, await summary(once), 'both tabs hold every span of the three files');
  await reload(second);
  await second.waitForFunction((want) => window.plume.summary().spans === want, all.spans);

  // Deleting in one tab deletes in the other.
  first.removeAllListeners('dialog');
  first.once('dialog', (dialog) => dialog.accept());
  await first.click('[data-testid=forget-all]');
  await second.waitForFunction(() => window.plume.summary().spans === 0);
});
