// Files that are not traces: named for what they are, a decompression bomb refused before the tab
// runs out of memory; and a page that loads with a clean console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGzip, constants } from 'node:zlib';
import { useViewer, load, fixture, rendererMemory } from './browser.mjs';

const viewer = useViewer();

/**
 * 2 MB of gzip that expands to 2 GB: the start of an array of OTLP/JSON requests (held whole to be
 * read: one request alone would stream, its white space dropped as it comes), then white space.
 */
async function bomb() {
  const gzip = createGzip({ level: 9, strategy: constants.Z_RLE });
  const parts = [];
  gzip.on('data', (part) => parts.push(part));
  const ended = new Promise((resolve) => gzip.on('end', resolve));
  gzip.write('[{"resourceSpans":[');
  const spaces = Buffer.alloc(1 << 20, 0x20);
  for (let i = 0; i < 2048; i++) {
    if (!gzip.write(spaces)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await ended;
  return Buffer.concat(parts);
}

test('the page loads, reads files and opens a trace with a clean console', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb'), await fixture('node-01.otlp.json')]);
  await page.evaluate(() => { location.hash = '#/trace/3a34990d3bcc7893ef125bc4b7879ed7'; });
  await page.waitForSelector('[data-testid=span-details] h2');
  assert.deepEqual(page.warnings, []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a PNG named .json is named as a picture, and the other files load', async () => {
  const page = await viewer.open();
  const png = await page.screenshot();
  await load(page, [
    { name: 'trace.json', mimeType: 'application/json', buffer: png },
    await fixture('openai-01.otlp.pb'),
  ]);
  const lines = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
  const picture = lines.find((line) => line.startsWith('trace.json'));
  assert.match(picture, /trace\.json: not loaded/);
  assert.match(picture, /trace\.json: this is a PNG image, not a trace file/);
  assert.ok(lines.some((line) => /openai-01\.otlp\.pb: otlp-proto, 4 spans/.test(line)), lines.join('\n'));
  await page.context().close();
});

test('a gzip bomb is refused once it expands past what Plume holds, the tab under 1.5 GB', async () => {
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb')]);
  const before = await rendererMemory();
  let most = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      most = Math.max(most, await rendererMemory());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  await load(page, [{ name: 'bomb.json.gz', mimeType: 'application/gzip', buffer: await bomb() }]);
  sampling = false;
  await sampler;
  const line = await page.textContent('[data-testid=file-result]:has-text("bomb.json.gz")');
  assert.match(line, /bomb\.json\.gz: its gzip content expands past 1 GB, more than Plume holds at once/);
  console.log(`renderer memory: ${(before / 1e6).toFixed(0)} MB before, at most ${(most / 1e6).toFixed(0)} MB while refusing the bomb`);
  assert.ok(most > 0, 'the renderer processes are found');
  assert.ok(most < 1.5e9, `${most} bytes`);
  // What was loaded before is still there, and the page still answers.
  assert.equal((await page.evaluate(() => window.plume.summary())).spans, 4);
  assert.deepEqual(page.problems, []);
});
