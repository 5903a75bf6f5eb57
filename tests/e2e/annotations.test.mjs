// Annotations in Debian's headless Chromium: a reviewer's thumbs, label, score and note on a span
// and on a whole trace, shown in the details pane, on the tree and in the traces table,
// filterable, kept in IndexedDB across a reload, and removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useViewer, load, fixture, screenshot } from './browser.mjs';

const viewer = useViewer();
const TRACE = '3a34990d3bcc7893ef125bc4b7879ed7';
const ROOT = 'f4067ff1516df620';

const annotationsOf = (page, of) =>
  page.$$eval(`[data-testid=annotate-${of}] [data-testid=annotation]`, (items) => items.map((i) => i.textContent.replace('×', '').trim()));

test('a reviewer annotates a span and its trace; the tree, the table and the filter see it, and it is kept', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate(([trace, span]) => { location.hash = `#/trace/${trace}/span/${span}`; }, [TRACE, ROOT]);
  await page.waitForSelector('[data-testid=annotate-span]', { state: 'attached' });
  await page.$eval('[data-testid=span-details] details[data-section=Annotations]', (d) => { d.open = true; });

  // Thumbs down, then a second annotation with a label of its own and a score.
  await page.click('[data-testid=annotate-span] [data-testid=thumbs-down]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=annotate-span] [data-testid=annotation]').length === 1);
  await page.fill('[data-testid=annotate-span] [data-testid=annotation-name]', 'tone');
  await page.fill('[data-testid=annotate-span] [data-testid=annotation-label]', 'curt');
  await page.fill('[data-testid=annotate-span] [data-testid=annotation-score]', 'high');
  await page.click('[data-testid=annotate-span] [data-testid=annotation-save]');
  assert.match(await page.textContent('[data-testid=annotation-problem]'), /not a number/);
  await page.fill('[data-testid=annotate-span] [data-testid=annotation-score]', '0.4');
  await page.click('[data-testid=annotate-span] [data-testid=annotation-save]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=annotate-span] [data-testid=annotation]').length === 2);
  assert.deepEqual(await annotationsOf(page, 'span'), ['review: bad · 0', 'tone: curt · 0.4']);
  // A note on the span, and one on the whole trace.
  await page.fill('[data-testid=annotate-span] [data-testid=note-input]', 'It answered another question.');
  await page.click('[data-testid=annotate-span] [data-testid=note-save]');
  await page.click('.trace-annotations > summary');
  await page.fill('[data-testid=annotate-trace] [data-testid=note-input]', 'Retries twice; look at the tools.');
  await page.click('[data-testid=annotate-trace] [data-testid=note-save]');
  await page.click('[data-testid=annotate-trace] [data-testid=thumbs-up]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=annotate-trace] [data-testid=annotation]').length === 1);
  assert.deepEqual(await annotationsOf(page, 'trace'), ['review: good · 1']);
  // The tree row carries it as a chip; labels used are offered again.
  await page.waitForSelector(`[data-testid=span-row][data-span-id="${ROOT}"] .eval-chip.human`);
  const offered = await page.$$eval('datalist[id^=annotation-labels] option', (o) => [...new Set(o.map((e) => e.value))].sort());
  assert.deepEqual(offered, ['bad', 'curt', 'good']);
  await screenshot(page, 'annotations');

  // The traces table shows them, and the filter language finds them.
  await page.evaluate(() => { location.hash = '#/project/chatbot-demo'; });
  await page.waitForSelector('[data-testid=trace-row] [data-testid=row-evaluations] .eval-chip.human');
  const chips = await page.$$eval('[data-testid=trace-row] .eval-chip.human', (c) => c.map((e) => e.textContent));
  assert.deepEqual(chips, ['review: bad 0.00', 'tone: curt 0.40', 'note', 'note', 'review: good 1.00'], "the root span's, then the trace's");
  const found = await page.evaluate(() => window.plume.query("annotations['review'].label == 'bad'"));
  assert.deepEqual(found, [ROOT]);
  assert.deepEqual(await page.evaluate(() => window.plume.query("annotations['tone'].score < 0.5")), [ROOT]);

  // Kept: a reload finds them.
  await page.reload();
  await page.waitForFunction(() => window.plume?.settled() && window.plume.summary().spans > 0);
  await page.evaluate(([trace, span]) => { location.hash = `#/trace/${trace}/span/${span}`; }, [TRACE, ROOT]);
  await page.waitForSelector('[data-testid=annotate-span] [data-testid=annotation]');
  assert.deepEqual(await annotationsOf(page, 'span'), ['review: bad · 0', 'tone: curt · 0.4']);
  assert.equal(await page.inputValue('[data-testid=annotate-span] [data-testid=note-input]'), 'It answered another question.');
  assert.deepEqual(await annotationsOf(page, 'trace'), ['review: good · 1']);

  // Removed, it is gone, and stays gone.
  await page.click('[data-testid=annotate-span] [data-testid=annotation] >> nth=1 >> [data-testid=annotation-remove]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=annotate-span] [data-testid=annotation]').length === 1);
  await page.reload();
  await page.waitForFunction(() => window.plume?.settled() && window.plume.summary().spans > 0);
  await page.waitForSelector('[data-testid=annotate-span] [data-testid=annotation]');
  assert.deepEqual(await annotationsOf(page, 'span'), ['review: bad · 0']);
  assert.deepEqual(page.problems, []);
});
