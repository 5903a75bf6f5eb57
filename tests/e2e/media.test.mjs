// Every kind of message part, in Debian's headless Chromium, from spans the OpenTelemetry Python
// SDK exported (tests/fixtures/generated/multimodal_python.py): an inline image shows, a remote
// one is fetched only when its button is pressed (every request beyond the viewer is refused and
// counted), inline audio plays, a file says what it is, reasoning is folded apart from the
// answer, the tools offered fold to their schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useViewer, load, fixture, screenshot } from './browser.mjs';

const viewer = useViewer();
const REMOTE = 'https://images.example.com/cat.png';

test('images, audio, files, reasoning and tool definitions in messages; nothing fetched unasked', async () => {
  const page = await viewer.open('?memory');
  const elsewhere = [];
  await page.context().route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(viewer.url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  await load(page, [await fixture('generated/multimodal-python.otlp.pb')]);
  await page.evaluate(() => { location.hash = '#/'; });
  await page.click('[data-testid=project-row] a');
  await page.click('[data-testid=trace-row]');
  await page.locator('[data-testid=span-row]', { hasText: 'chat gpt-4o' }).click();
  await page.waitForSelector('[data-testid=message-image]');
  // The inline PNG decodes: 8×8 pixels.
  const inline = await page.$eval('[data-testid=message-image]', (img) => [img.complete, img.naturalWidth, img.src.slice(0, 22)]);
  assert.deepEqual(inline, [true, 8, 'data:image/png;base64,']);
  // Audio plays from its inline bytes; the PDF says what it is.
  assert.match(await page.getAttribute('[data-testid=message-audio]', 'src'), /^data:audio\/wav;base64,UklGR/);
  const file = await page.textContent('[data-testid=media-part][data-kind=document]');
  assert.match(file, /document · application\/pdf/);
  assert.match(file, /file-abc123/);
  // Reasoning is apart and folded; tools offered fold to their schema.
  assert.equal(await page.$eval('[data-testid=reasoning]', (d) => d.open), false);
  assert.match(await page.textContent('[data-testid=reasoning] summary'), /Reasoning · 12 words/);
  assert.match(await page.textContent('[data-testid=tool-offered] summary'), /describe_image — Describes an image in detail/);
  assert.equal(await page.$eval('[data-testid=tool-offered]', (d) => d.open), false);
  // The remote image: a link and a button, and no request until the button is pressed.
  assert.match(await page.textContent('[data-testid=remote-image]'), /images\.example\.com\/cat\.png/);
  await page.waitForTimeout(300);
  assert.deepEqual(elsewhere, [], 'nothing fetched before the click');
  await screenshot(page, 'message-media');
  await page.click('[data-testid=load-image]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=message-image]').length === 2);
  for (let wait = 0; wait < 50 && elsewhere.length === 0; wait += 1) await page.waitForTimeout(100);
  await page.waitForTimeout(300);
  assert.deepEqual(elsewhere, [REMOTE], 'the one image asked for, once');
  // OpenInference's image parts: the same, inline and remote.
  await page.locator('[data-testid=span-row]', { hasText: 'ChatCompletion' }).click();
  await page.waitForSelector('[data-testid=remote-image]');
  assert.equal(await page.locator('[data-testid=message-image]').count(), 1);
  assert.deepEqual(elsewhere, [REMOTE]);
  assert.deepEqual(page.problems.filter((p) => !p.includes('ERR_FAILED')), []);
});
