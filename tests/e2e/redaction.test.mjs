// The redaction step in Debian's headless Chromium: the rules (built-in ones chosen, attribute
// keys dropped, the user's own patterns), a preview per rule with examples, the rules as a file,
// kept in IndexedDB, and applied by export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useViewer, load, artifacts, plantedSecrets, screenshot } from './browser.mjs';

const viewer = useViewer();

test('the rules are chosen, previewed, kept, downloaded, and applied to an export', async () => {
  const page = await viewer.open();
  const { file, secrets } = plantedSecrets();
  await load(page, [file]);
  await page.evaluate(() => { location.hash = '#/project/support-bot'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.click('[data-testid=export-menu] summary');
  await page.click('[data-testid=export-menu] [data-testid=redaction-open]');
  await page.waitForSelector('[data-testid=redaction-dialog]');
  // The built-in rules, all on; the phone rule off; a pattern of the user's; a key dropped.
  const on = await page.$$eval('[data-testid=redaction-dialog] input[data-rule]', (boxes) => boxes.filter((b) => b.checked).map((b) => b.dataset.rule));
  assert.deepEqual(on, ['secret', 'key', 'email', 'card', 'ip', 'phone']);
  await page.uncheck('[data-testid=redaction-dialog] input[data-rule=phone]');
  await page.fill('[data-testid=redaction-patterns]', 'refund = Refund issued');
  await page.dispatchEvent('[data-testid=redaction-patterns]', 'change');
  await page.fill('[data-testid=redaction-keys]', 'http.request.header.authorization');
  await page.dispatchEvent('[data-testid=redaction-keys]', 'change');
  await page.click('[data-testid=redaction-preview]');
  await page.waitForSelector('[data-testid=redaction-result]');
  const rows = await page.$$eval('[data-testid=redaction-rule]', (rs) => rs.map((r) => [r.dataset.rule, r.querySelector('.num').textContent]));
  assert.deepEqual(Object.fromEntries(rows), {
    secret: '1 in 1 spans', key: '1 in 1 spans', email: '2 in 1 spans', card: '1 in 1 spans', ip: '1 in 1 spans', refund: '1 in 1 spans',
  });
  assert.match(await page.textContent('[data-testid=redaction-result] > p'), /and 1 attributes dropped/);
  const example = await page.textContent('[data-testid=redaction-rule][data-rule=email] .example');
  assert.equal(example, 'answer ana.lopez@example.com → answer [email-1]');
  await screenshot(page, 'redaction-preview');
  // A pattern that does not read is said, and nothing is exported with it left out.
  await page.fill('[data-testid=redaction-patterns]', 'refund = Refund (issued');
  await page.dispatchEvent('[data-testid=redaction-patterns]', 'change');
  await page.click('[data-testid=redaction-preview]');
  assert.match(await page.textContent('[data-testid=redaction-problem]'), /the pattern refund does not read/);
  await page.fill('[data-testid=redaction-patterns]', 'refund = Refund issued');
  await page.dispatchEvent('[data-testid=redaction-patterns]', 'change');
  // The rules as a file (what plume convert --redact reads).
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=redaction-download]')]);
  const rulesPath = join(artifacts, download.suggestedFilename());
  await download.saveAs(rulesPath);
  const rules = JSON.parse(await readFile(rulesPath, 'utf8'));
  assert.deepEqual(rules, {
    rules: ['secret_key', 'key', 'email', 'card', 'ip'],
    drop_keys: ['http.request.header.authorization'],
    patterns: [{ name: 'refund', regex: 'Refund issued' }],
  });
  await page.click('[data-testid=redaction-close]');

  // Applied: an export with secrets taken out follows them.
  await page.check('[data-testid=export-menu] [data-testid=export-redact]');
  const [exported] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-menu] button[data-format="otlp.json"]')]);
  const path = join(artifacts, `rules-${exported.suggestedFilename()}`);
  await exported.saveAs(path);
  const written = await readFile(path, 'utf8');
  for (const secret of secrets) assert.ok(!written.includes(secret), `${secret} left in`);
  assert.ok(written.includes('[refund-1]') && !written.includes('Refund issued'));
  assert.ok(!written.includes('http.request.header.authorization'), 'the key dropped whole');

  // Kept: after a reload the dialog shows them.
  await page.reload();
  await page.waitForFunction(() => window.plume?.settled() && window.plume.summary().spans > 0);
  await page.evaluate(() => { location.hash = '#/project/support-bot'; });
  await page.waitForSelector('[data-testid=trace-row]');
  await page.click('[data-testid=export-menu] summary');
  await page.click('[data-testid=export-menu] [data-testid=redaction-open]');
  await page.waitForFunction(() => document.querySelector('[data-testid=redaction-patterns]')?.value === 'refund = Refund issued');
  assert.equal(await page.isChecked('[data-testid=redaction-dialog] input[data-rule=phone]'), false);
  assert.deepEqual(page.problems, []);
});
