// Share files (`plume share`, *Share as one page*): one HTML file that holds the viewer and the
// traces, opened from disk (`file://`) in a browser of its own with the network off — every
// request refused, and every request recorded to show none was even tried.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { firefox } from 'playwright-core';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { useViewer, launch, serve, load, fixture, fixtures, artifacts, root, plantedSecrets, screenshot } from './browser.mjs';

const viewer = useViewer();
const run = promisify(execFile);
const PLUME = join(root, 'target/debug/plume');

const DATASET = 'phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet';
const EVALUATIONS = 'phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet';

let offline;
after(() => offline?.close());

/** A browser of its own whose pages have no network: opened from disk, a share file must not
 * need it. `open(path, context?)` opens the file and waits until what it holds is loaded. */
async function offlineBrowser() {
  const browser = await launch();
  return {
    close: () => browser.close(),
    newContext: async () => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, offline: true });
      // Every request but for the file itself is refused.
      await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
      return context;
    },
    async open(path, context) {
      context ??= await this.newContext();
      const page = await context.newPage();
      page.requests = [];
      page.problems = [];
      context.on('request', (request) => page.requests.push(request.url()));
      page.on('pageerror', (e) => page.problems.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') page.problems.push(m.text()); });
      await page.goto(pathToFileURL(path).href);
      await page.waitForSelector('[data-testid=share-banner]');
      await page.waitForFunction(() => window.plume?.settled());
      return page;
    },
  };
}

/** What left (or tried to leave) the page: anything but the file itself and its own blobs. */
function sent(page) {
  return page.requests.filter((url) => !/^(file|blob|data):/.test(url));
}

/** The files a share file holds, decompressed, as text; and the rest of its HTML. */
async function contents(path) {
  const html = await readFile(path, 'utf8');
  const files = [...html.matchAll(/class="plume-trace-file" data-name="([^"]*)">([^<]*)<\/script>/g)]
    .map(([, name, base64]) => ({ name, text: gunzipSync(Buffer.from(base64, 'base64')).toString('utf8') }));
  const rest = html.replace(/<script type="application\/x-plume-viewer"[^>]*>[^<]*<\/script>/, '');
  return { files, rest, bytes: html.length };
}

test('a project shared from the page opens from disk with no network: its traces, a trace with details, evaluations, the flame graph, stats and compare', async () => {
  offline ??= await offlineBrowser();
  const page = await viewer.open('?memory');
  await load(page, [await fixture(DATASET), await fixture(EVALUATIONS)]);
  await page.evaluate(() => { location.hash = '#/project/default'; });
  await page.waitForSelector('[data-testid=trace-row]');
  const traces = await page.$$eval('[data-testid=trace-row]', (rows) => rows.length);
  await page.$eval('[data-testid=export-menu]', (menu) => { menu.open = true; });
  await page.fill('[data-testid=share-by]', 'Ana <reviewer>');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=share]')]);
  assert.equal(download.suggestedFilename(), 'default.html');
  const path = join(artifacts, 'shared-project.html');
  await download.saveAs(path);
  assert.match(await page.textContent('[data-testid=share-status]'), /^Saved \d+ spans as default\.html/);
  assert.deepEqual(page.problems, []);
  await page.close();

  const { files, bytes } = await contents(path);
  assert.deepEqual(files.map((f) => f.name), ['traces.otlp.pb', 'evaluations.jsonl']);
  // The viewer's part is what every share file carries: its budget is 1.1 MB.
  const viewerPart = (await stat(join(root, 'dist/plume-share.html'))).size;
  assert.ok(viewerPart <= 1_100_000, `the viewer part is ${viewerPart} bytes`);
  assert.ok(bytes - viewerPart < 50_000, `13 spans and their evaluations take ${bytes - viewerPart} bytes`);

  const shared = await offline.open(path);
  assert.equal(await shared.textContent('[data-testid=share-title]'), 'default');
  assert.match(await shared.textContent('[data-testid=share-details]'),
    /^Shared by Ana <reviewer> · \d{4}-\d\d-\d\d \d\d:\d\d UTC · \d+ traces, \d+ spans · not redacted$/);
  assert.equal(await shared.title(), 'default — Plume');
  // It opens where it was shared from: the project's traces, all of them.
  await shared.waitForSelector('[data-testid=trace-row]');
  assert.equal(await shared.$$eval('[data-testid=trace-row]', (rows) => rows.length), traces);
  // A trace with an evaluation: the tree and timeline, the details, the chips.
  const evaluated = await shared.evaluate(() => window.plume.query("evals['correctness'].score >= 0"));
  assert.equal(evaluated.length, 8, 'every evaluation came along');
  await shared.click('[data-testid=trace-row]');
  await shared.waitForSelector('[data-testid=span-details]');
  await shared.waitForSelector('.timeline .bar, [data-testid=timeline] .bar, .bar');
  assert.ok(await shared.locator('[data-testid=eval-chip]').count() > 0, 'evaluation chips on the tree');
  await shared.click('[data-testid=flame-toggle]');
  await shared.waitForSelector('[data-testid=flame-graph]');
  await screenshot(shared, 'shared-trace-flame');
  // Stats, and two traces compared.
  await shared.evaluate(() => { location.hash = '#/project/default/stats'; });
  await shared.waitForSelector('[data-testid=stats]');
  await shared.evaluate(() => { location.hash = '#/project/default'; });
  const ticks = shared.locator('[data-testid=tick]');
  await ticks.nth(0).check();
  await ticks.nth(1).check();
  await shared.click('[data-testid=compare-selected]');
  await shared.waitForSelector('[data-testid=compare]');
  assert.deepEqual(sent(shared), [], 'no request left the page');
  assert.deepEqual(shared.problems, []);
  await shared.close();
});

test('a trace shared from the page with its annotations opens from disk with no network and shows them', async () => {
  offline ??= await offlineBrowser();
  const page = await viewer.open('?memory');
  await load(page, [await fixture('openai-01.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7/span/f4067ff1516df620'; });
  await page.waitForSelector('[data-testid=annotate-span]', { state: 'attached' });
  await page.$eval('[data-testid=span-details] details[data-section=Annotations]', (d) => { d.open = true; });
  await page.click('[data-testid=annotate-span] [data-testid=thumbs-down]');
  await page.fill('[data-testid=annotate-span] [data-testid=note-input]', 'It answered another question.');
  await page.click('[data-testid=annotate-span] [data-testid=note-save]');
  await page.click('.trace-annotations > summary');
  await page.fill('[data-testid=annotate-trace] [data-testid=note-input]', 'Retries twice.');
  await page.click('[data-testid=annotate-trace] [data-testid=note-save]');
  await page.waitForFunction(() => window.plume.settled());
  await page.click('[data-testid=export-menu] summary');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-menu] [data-testid=share]')]);
  assert.equal(download.suggestedFilename(), 'chat-turn.html');
  const path = join(artifacts, 'shared-annotated.html');
  await download.saveAs(path);
  await page.close();

  const shared = await offline.open(path);
  // One trace: it opens on it, its root selected, its annotations there.
  await shared.waitForSelector('[data-testid=annotate-span] [data-testid=annotation]');
  const annotations = await shared.$$eval('[data-testid=annotate-span] [data-testid=annotation]', (items) => items.map((i) => i.textContent.replace('×', '').trim()));
  assert.deepEqual(annotations, ['review: bad · 0']);
  assert.equal(await shared.inputValue('[data-testid=annotate-span] [data-testid=note-input]'), 'It answered another question.');
  assert.equal(await shared.inputValue('[data-testid=annotate-trace] [data-testid=note-input]'), 'Retries twice.');
  assert.deepEqual(await shared.evaluate(() => window.plume.query("annotations['review'].label == 'bad'")), ['f4067ff1516df620']);
  assert.deepEqual(sent(shared), []);
  assert.deepEqual(shared.problems, []);
  await shared.close();
});

test('plume share --redact writes a file in which no planted secret is left, in any byte, and the page says it was redacted', async () => {
  offline ??= await offlineBrowser();
  const { file, secrets, kept } = plantedSecrets();
  const input = join(artifacts, file.name);
  await writeFile(input, file.buffer);
  const path = join(artifacts, 'shared-redacted.html');
  const { stderr } = await run(PLUME, ['share', input, '--redact', '--by', 'CI', '-o', path], { cwd: root });
  assert.match(stderr, /redacted: secret, key, email, card, ip, phone/);
  const { files, rest } = await contents(path);
  const everything = rest + files.map((f) => f.text).join('\n');
  for (const secret of secrets) assert.ok(!everything.includes(secret), `${secret} left in the share file`);
  for (const text of kept) assert.ok(everything.includes(text), `${text} lost`);

  const shared = await offline.open(path);
  assert.match(await shared.textContent('[data-testid=share-details]'), /secrets taken out: secret, key, email, card, ip, phone$/);
  // One trace: it opens on it.
  await shared.waitForSelector('[data-testid=span-details]');
  assert.equal(await shared.textContent('[data-testid=share-title]'), 'answer [email-1]');
  assert.deepEqual(sent(shared), []);
  assert.deepEqual(shared.problems, []);
  await shared.close();
});

test('shared from the page with secrets taken out, no planted secret is left in any byte; served over HTTP, the file opens too', async () => {
  const page = await viewer.open('?memory');
  const { file, secrets, kept } = plantedSecrets();
  await load(page, [file]);
  await page.evaluate(() => { location.hash = '#/project/support-bot'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.$eval('[data-testid=export-menu]', (menu) => { menu.open = true; });
  await page.check('[data-testid=export-menu] [data-testid=export-redact]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=share]')]);
  assert.equal(download.suggestedFilename(), 'answer-email-1-redacted.html', 'one trace: named after it, redacted');
  const path = join(artifacts, 'shared-from-page-redacted.html');
  await download.saveAs(path);
  await page.close();
  const { files, rest } = await contents(path);
  const everything = rest + files.map((f) => f.text).join('\n');
  for (const secret of secrets) assert.ok(!everything.includes(secret), `${secret} left in the share file`);
  for (const text of kept) assert.ok(everything.includes(text), `${text} lost`);

  // Attached to an issue and served from anywhere: over HTTP it works the same.
  const server = await serve(artifacts);
  try {
    const served = await viewer.browser.newPage();
    const problems = [];
    served.on('pageerror', (e) => problems.push(e.message));
    await served.goto(`${server.url}shared-from-page-redacted.html`);
    await served.waitForSelector('[data-testid=share-banner]');
    await served.waitForFunction(() => window.plume?.settled());
    assert.match(await served.textContent('[data-testid=share-details]'), /secrets taken out/);
    // It opens where it was shared from: the project's table.
    await served.waitForSelector('[data-testid=trace-row]');
    assert.match(await served.textContent('[data-testid=trace-row]'), /answer \[email-1\]/);
    assert.deepEqual(server.served, ['/shared-from-page-redacted.html'], 'nothing else was asked for');
    assert.deepEqual(problems, []);
    await served.close();
  } finally {
    await server.close();
  }
});

test('a share file writes nothing to the browser until kept; kept, its traces are there when the next one opens', async () => {
  offline ??= await offlineBrowser();
  const one = join(artifacts, 'shared-one.html');
  const two = join(artifacts, 'shared-two.html');
  await run(PLUME, ['share', join(fixtures, 'openai-01.otlp.pb'), '-o', one], { cwd: root });
  await run(PLUME, ['share', join(fixtures, 'langchain-01.otlp.pb'), '-o', two], { cwd: root });
  const context = await offline.newContext();
  const stored = (page) => page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    settings: localStorage.length,
  }));
  const first = await offline.open(one, context);
  assert.deepEqual(await stored(first), { databases: [], settings: 0 });
  await first.click('[data-testid=share-keep]');
  await first.waitForSelector('[data-testid=share-kept]');
  await first.waitForFunction(() => window.plume.settled());
  assert.deepEqual((await stored(first)).databases, ['plume']);
  await first.close();

  const second = await offline.open(two, context);
  await second.evaluate(() => { location.hash = '#/'; });
  await second.waitForFunction(() => window.plume.summary().projects === 2);
  assert.deepEqual(sent(second), []);
  assert.deepEqual(second.problems, []);
  await context.close();
});

// Debian's Firefox ESR, driven over WebDriver BiDi (Playwright's `moz-firefox` channel): `./dev
// tools` installs it; without it this test says why it did not run.
const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

test('a share file opens from disk in Firefox too, with its trace, details and flame graph, and no request', async (t) => {
  if (!existsSync(FIREFOX)) {
    t.skip(`no Firefox at ${FIREFOX} (Debian's firefox-esr; ./dev tools installs it)`);
    return;
  }
  const path = join(artifacts, 'shared-project.html');
  assert.ok(existsSync(path), 'the first test wrote it');
  const browser = await firefox.launch({ executablePath: FIREFOX, channel: 'moz-firefox', headless: true });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    const requests = [];
    const problems = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('[data-testid=share-banner]');
    await page.waitForFunction(() => window.plume?.settled());
    await page.waitForSelector('[data-testid=trace-row]');
    await page.click('[data-testid=trace-row]');
    await page.waitForSelector('[data-testid=span-details]');
    await page.click('[data-testid=flame-toggle]');
    await page.waitForSelector('[data-testid=flame-graph]');
    const evaluated = await page.evaluate(() => window.plume.query("evals['correctness'].score >= 0"));
    assert.equal(evaluated.length, 8);
    assert.deepEqual(requests.filter((url) => !/^(file|blob|data):/.test(url)), []);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
