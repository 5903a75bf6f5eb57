// Layout: long text wraps inside its panel, a very long span name is clamped with *more*.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useViewer, load, fixture, screenshot } from './browser.mjs';

const viewer = useViewer();

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

/** One span with a name of 2,000 characters, a status message, a stack trace and JSON input
 * made of words too long for any panel. */
function longSpan() {
  const long = (word, n) => Array.from({ length: n }, (_, i) => `${word}${i}`).join('');
  const attribute = (key, value) => ({ key, value: { stringValue: value } });
  return Buffer.from(JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [attribute('service.name', 'layout')] },
      scopeSpans: [{
        spans: [{
          traceId: TRACE, spanId: SPAN, name: `name-${long('x', 400)}`.slice(0, 2000), kind: 1,
          startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000',
          status: { code: 2, message: long('failure', 300) },
          attributes: [
            attribute('openinference.span.kind', 'CHAIN'),
            attribute('input.value', JSON.stringify({ query: long('q', 300), nested: JSON.stringify({ deep: long('d', 300) }) })),
            attribute('output.value', long('answer', 300)),
          ],
          events: [{
            timeUnixNano: '1700000000500000000', name: 'exception',
            attributes: [
              attribute('exception.type', 'ValueError'),
              attribute('exception.message', long('message', 200)),
              attribute('exception.stacktrace', `Traceback (most recent call last):\n  File "${long('/very/long/path', 60)}.py", line 1\nValueError: ${long('v', 200)}`),
            ],
          }],
        }],
      }],
    }],
  }));
}

/** Elements inside `selector` whose content runs past their right edge without a scrollbar. */
const overflowing = (page, selector) => page.$eval(selector, (panel) => {
  const edge = panel.getBoundingClientRect().right + 1;
  return [...panel.querySelectorAll('*')]
    .filter((e) => e.getBoundingClientRect().right > edge && getComputedStyle(e).position !== 'absolute')
    .map((e) => `${e.tagName}.${e.className}`);
});

test('long text wraps inside the details panel; a 2,000-character name is clamped with more', async () => {
  const page = await viewer.open();
  await load(page, [{ name: 'long.json', mimeType: 'application/json', buffer: longSpan() }]);
  await page.evaluate(([t, s]) => { location.hash = `#/trace/${t}/span/${s}`; }, [TRACE, SPAN]);
  await page.waitForSelector('[data-testid=span-details] [data-testid=span-name]');
  // JSON held in the input's strings shows as JSON, or raw on request.
  const input = '[data-testid=span-details] [data-testid=json-text]';
  await page.click(`${input} .more`);
  assert.match(await page.textContent(input), /"deep": "d0d1/);
  await page.click(`${input} [data-testid=json-raw]`);
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes('\\"deep\\"'), input);
  // Every section open, every long text shown whole.
  for (const closed of await page.$$('[data-testid=span-details] details:not([open]) > summary')) await closed.click();
  for (const more of await page.$$('[data-testid=span-details] .more')) await more.click();
  assert.deepEqual(await overflowing(page, '[data-testid=span-details]'), []);
  const panel = await page.$eval('[data-testid=span-details]', (e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  assert.ok(panel.scroll <= panel.client, `the panel scrolls sideways: ${panel.scroll} > ${panel.client}`);
  const content = await page.$eval('main.content', (e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  assert.ok(content.scroll <= content.client, `the page scrolls sideways: ${content.scroll} > ${content.client}`);
  assert.ok(await page.$eval('.trace-head h1', (e) => e.getBoundingClientRect().height) < 60, 'the trace name is clamped');
  const name = () => page.$eval('[data-testid=span-name]', (e) => e.getBoundingClientRect().height);
  const clamped = await name();
  assert.ok(clamped < 80, `the name takes ${clamped} px`);
  await page.click('[data-testid=span-name-more]');
  await page.waitForFunction((h) => document.querySelector('[data-testid=span-name]').getBoundingClientRect().height > h, clamped);
  await screenshot(page, 'long-text-1400');
  assert.deepEqual(page.problems, []);
});

test("an LLM span's details fit about one screen: the raw attributes start closed, and what the user opens is remembered per kind", async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7/span/2b5538cd44d34c58'; });
  await page.waitForSelector('[data-testid=span-details] [data-testid=chat-message]');
  const attributes = '[data-testid=span-details] details[data-section="Attributes"]';
  assert.equal(await page.$eval(attributes, (e) => e.open), false);
  assert.match(await page.textContent('[data-testid=tokens]'), /^34 input · 36 output · 70 total$/);
  const height = await page.$eval('[data-testid=span-details]', (e) => e.scrollHeight);
  assert.ok(height < 1000, `the details take ${height} px`);
  // The messages show once: not again in an open attribute tree.
  const visible = await page.$eval('[data-testid=span-details]', (e) => e.innerText);
  assert.equal(visible.split('You are a concise assistant.').length - 1, 1, visible);
  // Opened, the attributes stay open for the next LLM span, after a reload too.
  await page.click(`${attributes} > summary`);
  await page.waitForFunction((s) => document.querySelector(s).open, attributes);
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7/span/368e2a2a62da0b9b'; });
  await page.waitForSelector('[data-testid=span-details][data-span-id="368e2a2a62da0b9b"] [data-testid=chat-message]');
  assert.equal(await page.$eval(attributes, (e) => e.open), true);
  await page.reload();
  await page.waitForSelector('[data-testid=span-details] [data-testid=chat-message]');
  assert.equal(await page.$eval(attributes, (e) => e.open), true);
  // A span of another kind (the chain root) keeps its own choice: closed at first.
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7/span/f4067ff1516df620'; });
  await page.waitForSelector('[data-testid=span-details][data-span-id="f4067ff1516df620"] details[data-section="Attributes"]');
  assert.equal(await page.$eval(attributes, (e) => e.open), false);
});

const WIDTHS = [390, 600, 900, 1400];

/** What sticks out sideways: the page or its content scrolling, or a shown element past the
 * viewport's right edge (one that a box inside the viewport clips, text cut with an ellipsis,
 * does not count). */
const sideways = (page) => page.evaluate(() => {
  const clipped = (e) => {
    for (let at = e.parentElement; at; at = at.parentElement) {
      if (getComputedStyle(at).overflowX !== 'visible' && at.getBoundingClientRect().right <= innerWidth + 1) return true;
    }
    return false;
  };
  const found = [];
  if (document.documentElement.scrollWidth > innerWidth) found.push(`the page: ${document.documentElement.scrollWidth} > ${innerWidth}`);
  const main = document.querySelector('main.content');
  if (main && main.scrollWidth > main.clientWidth + 1) found.push(`the content: ${main.scrollWidth} > ${main.clientWidth}`);
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > innerWidth + 1 && e.checkVisibility() && !clipped(e)) {
      found.push(`${e.tagName}.${String(e.className).split(' ')[0]} ends at ${Math.round(r.right)}`);
    }
  }
  return found.slice(0, 8);
});

test('every view fits 390, 600, 900 and 1400 px wide, with a screenshot of each', async () => {
  // The views, with their URLs once the files are loaded.
  const setup = await viewer.open('?memory');
  await load(setup, [await fixture('openai-01.otlp.pb'), await fixture('langchain-01.otlp.pb')]);
  await setup.evaluate(() => { location.hash = '#/project/rag-langchain-demo'; });
  await setup.waitForSelector('[data-testid=trace-row]');
  const [a, b] = await setup.$$eval('[data-testid=trace-row]', (rows) => rows.map((r) => r.dataset.traceId));
  await setup.evaluate(() => { location.hash = '#/project/rag-langchain-demo/sessions'; });
  const session = await setup.getAttribute('[data-testid=session-row] a', 'href');
  await setup.context().close();
  const views = {
    projects: '#/',
    traces: '#/project/rag-langchain-demo',
    spans: '#/project/rag-langchain-demo/spans',
    sessions: '#/project/rag-langchain-demo/sessions',
    stats: '#/project/rag-langchain-demo/stats',
    session,
    trace: '#/trace/3a34990d3bcc7893ef125bc4b7879ed7/span/2b5538cd44d34c58',
    compare: `#/compare/${a}/${b}`,
  };
  for (const width of WIDTHS) {
    const context = await viewer.browser.newContext({ viewport: { width, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${viewer.url}?memory`);
    await page.waitForSelector('header.header');
    await load(page, [await fixture('openai-01.otlp.pb'), await fixture('langchain-01.otlp.pb')]);
    for (const [name, hash] of Object.entries(views)) {
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.waitForFunction(() => window.plume.settled());
      await page.waitForSelector('main.content > *:not(p.muted)');
      await page.waitForTimeout(200);
      await screenshot(page, `width-${width}-${name}`);
      assert.deepEqual(await sideways(page), [], `${name} at ${width} px`);
    }
    await context.close();
  }
});

/** Where a menu's items are, left and right, once placed (as the menu's `toggle` event, which
 * comes after the click, places them). */
async function placed(page, selector) {
  await page.waitForSelector(`${selector}[style*="position:fixed"]`);
  return page.$eval(selector, (e) => { const r = e.getBoundingClientRect(); return [r.left, r.right]; });
}

test('narrow: the details cover the tree and lead back to it; the toolbar overflows into a menu kept in view', async () => {
  const context = await viewer.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${viewer.url}?memory`);
  await page.waitForSelector('header.header');
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7/span/2b5538cd44d34c58'; });
  await page.waitForSelector('[data-testid=span-details] [data-testid=chat-message]');
  // The details cover the tree; the tree is one tap away.
  const details = await page.$eval('[data-testid=span-details]', (e) => e.getBoundingClientRect().width);
  assert.ok(details > 340, `the details are ${details} px wide`);
  await page.click('[data-testid=span-details] .back');
  await page.waitForSelector('[data-testid=span-details]', { state: 'detached' });
  const cells = await page.$eval('.srow', (row) => [...row.children].map((c) => c.getBoundingClientRect().width));
  assert.ok(cells[0] >= 150 && cells[1] >= 140, `tree and timeline: ${cells}`);
  // The toolbar's other actions are in a menu, which opens inside the viewport.
  await page.click('[data-testid=toolbar-more] > summary');
  const items = await placed(page, '[data-testid=toolbar-more] > .menu-items');
  assert.ok(items[0] >= 0 && items[1] <= 390, `the menu spans ${items}`);
  await page.click('[data-testid=toolbar-more] [data-testid=send-menu] > summary');
  const form = await placed(page, '[data-testid=toolbar-more] [data-testid=send-menu] > .menu-items');
  assert.ok(form[0] >= 0 && form[1] <= 390, `the send form spans ${form}`);
  await screenshot(page, 'narrow-send-390');
  await context.close();
});

test('wide: the Send popover at the right of the toolbar stays inside the viewport', async () => {
  const page = await viewer.open('?memory');
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7'; });
  await page.waitForSelector('[data-testid=span-row]');
  await page.click('.toolbar .wide [data-testid=send-menu] > summary');
  const form = await placed(page, '.toolbar .wide [data-testid=send-menu] > .menu-items');
  assert.ok(form[0] >= 0 && form[1] <= 1400, `the send form spans ${form}`);
  await screenshot(page, 'send-1400');
});

test('the traces table shows output, error and user columns, chosen in a menu and remembered', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb'), await fixture('openai-03.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/project/chatbot-demo'; });
  await page.waitForSelector('[data-testid=trace-row]');
  const heads = () => page.$$eval('.thead > *', (els) => els.map((e) => e.textContent.replace(/ [↑↓]$/, '')));
  assert.deepEqual((await heads()).slice(-3), ['Input', 'Output', 'Error']);
  const row = (id) => `[data-testid=trace-row][data-trace-id="${id}"]`;
  assert.match(await page.textContent(`${row('3a34990d3bcc7893ef125bc4b7879ed7')} .col-output`), /^Sure! Here is a helpful answer/);
  const failed = await page.$eval('[data-testid=trace-row]:has(.status.error) [data-testid=row-error]', (e) => e.textContent);
  assert.ok(failed.length > 0, 'the failed trace says what went wrong');
  // Chosen: the user shows, the input does not; after a reload too.
  await page.click('[data-testid=column-chooser] > summary');
  await page.check('[data-testid=column-chooser] input[data-column=user]');
  await page.uncheck('[data-testid=column-chooser] input[data-column=input]');
  await page.waitForFunction(() => !document.querySelector('.thead .col-input'));
  assert.equal(await page.textContent(`${row('3a34990d3bcc7893ef125bc4b7879ed7')} .col-user`), 'alice@example.com');
  await page.reload();
  await page.waitForSelector('[data-testid=trace-row]');
  const after = await heads();
  assert.ok(after.includes('User') && !after.includes('Input'), after.join());
  assert.deepEqual(page.problems, []);
});

test('messages render as Markdown made of the page\'s own elements, or as text, as the user chooses', async () => {
  const content = [
    '## Answer', '', 'Use **this** and `code`:', '', '1. first', '2. second', '',
    '```', 'let x = 1;', '```', '',
    '[docs](https://example.com/docs) and [bad](javascript:alert(1))', '',
    '![chart](https://example.com/chart.png)', '',
    '<img src=x onerror=alert(1)><script>alert(2)</script>',
  ].join('\n');
  const attribute = (key, value) => ({ key, value: { stringValue: value } });
  const file = Buffer.from(JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [{
      traceId: TRACE, spanId: SPAN, name: 'ChatCompletion', kind: 1,
      startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000',
      attributes: [
        attribute('openinference.span.kind', 'LLM'),
        attribute('llm.input_messages.0.message.role', 'user'),
        attribute('llm.input_messages.0.message.content', 'Explain, please.'),
        attribute('llm.output_messages.0.message.role', 'assistant'),
        attribute('llm.output_messages.0.message.content', content),
      ],
    }] }] }],
  }));
  const page = await viewer.open();
  const outside = [];
  page.on('request', (request) => { if (!request.url().startsWith(viewer.url)) outside.push(request.url()); });
  await load(page, [{ name: 'markdown.json', mimeType: 'application/json', buffer: file }]);
  await page.evaluate(([t, s]) => { location.hash = `#/trace/${t}/span/${s}`; }, [TRACE, SPAN]);
  const answer = '[data-testid=span-details] .bubble.assistant [data-testid=markdown]';
  await page.waitForSelector(answer);
  const shape = await page.$eval(answer, (e) => ({
    tags: [...e.querySelectorAll('*')].map((x) => x.tagName.toLowerCase()),
    links: [...e.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href'), a.target, a.rel]),
    text: e.textContent,
  }));
  for (const tag of ['strong', 'code', 'ol', 'li', 'pre']) assert.ok(shape.tags.includes(tag), `${tag} in ${shape.tags}`);
  assert.ok(!shape.tags.includes('img') && !shape.tags.includes('script'), `no element from the text's HTML: ${shape.tags}`);
  assert.match(shape.text, /<img src=x onerror=alert\(1\)><script>alert\(2\)<\/script>/, 'raw HTML shows as text');
  assert.deepEqual(shape.links, [
    ['docs', 'https://example.com/docs', '_blank', 'noopener noreferrer'],
    ['image: chart ↗', 'https://example.com/chart.png', '_blank', 'noopener noreferrer'],
  ]);
  assert.match(shape.text, /\[bad\]\(javascript:alert\(1\)\)/, 'a script link stays text');
  assert.deepEqual(outside, [], 'nothing is fetched from elsewhere');
  await screenshot(page, 'markdown');
  // As text, remembered.
  await page.click('[data-testid=text-mode-text]');
  await page.waitForSelector(answer, { state: 'detached' });
  assert.match(await page.textContent('[data-testid=span-details] .bubble.assistant'), /Use \*\*this\*\* and `code`/);
  await page.reload();
  await page.waitForSelector('[data-testid=span-details] .bubble.assistant');
  assert.equal(await page.locator(answer).count(), 0);
  assert.deepEqual(page.problems, []);
});
