// Parquet, Jaeger, Zipkin and zstd files are read by a helper worker that only such a file brings
// into the page: what every page downloads does not carry their readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { useViewer, load, fixture } from './browser.mjs';

const viewer = useViewer();
const DATASET = 'phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet';
const helper = (paths) => paths.filter((path) => path.includes('plume-helper'));

test('a parquet, Jaeger or Zipkin file starts the helper, other files never download it', async () => {
  // Counted from before the page opens: it starts its worker while it loads.
  const from = viewer.served.length;
  const page = await viewer.open();
  await load(page, [await fixture('openai-01.otlp.pb'), await fixture('phoenix/chatbot-demo/spans.jsonl')]);
  assert.ok(viewer.served.slice(from).some((path) => path.endsWith('plume-worker_bg.wasm')));
  assert.deepEqual(helper(viewer.served.slice(from)), []);

  const dataset = await fixture(DATASET);
  const cut = { ...dataset, name: 'cut.parquet', buffer: dataset.buffer.subarray(0, dataset.buffer.length / 2) };
  const zipped = { ...dataset, name: 'dataset.parquet.gz', buffer: gzipSync(dataset.buffer) };
  await load(page, [dataset, cut, zipped]);
  const lines = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
  const line = (name) => lines.find((text) => text.includes(name)) ?? '';
  assert.match(line('trace_dataset-'), /phoenix-trace-dataset, 13 spans, 4 traces/);
  assert.match(line('cut.parquet'), /cut\.parquet: parquet: /);
  assert.match(line('dataset.parquet.gz'), /a compressed parquet file: in the browser Plume reads parquet as it is.*expand it first/);
  // Jaeger and Zipkin too, compressed or not (expanded by the engine for the helper).
  const zipkin = await fixture('generated/zipkin-python.json');
  await load(page, [
    await fixture('generated/jaeger-ui-download.json'),
    await fixture('generated/zipkin-python.pb'),
    { ...zipkin, name: 'zipkin.json.gz', buffer: gzipSync(zipkin.buffer) },
  ]);
  const more = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
  const said = (name) => more.find((text) => text.includes(name)) ?? '';
  assert.match(said('jaeger-ui-download.json'), /jaeger-json, 3 spans/);
  assert.match(said('zipkin-python.pb'), /zipkin-proto, 3 spans/);
  assert.match(said('zipkin.json.gz'), /zipkin-json, 3 spans/);
  // One helper download serves every such file; the spans read are in the viewer.
  assert.deepEqual(new Set(helper(viewer.served.slice(from))), new Set(['/plume-helper_loader.js', '/plume-helper.js', '/plume-helper_bg.wasm']));
  await page.click('a[href="#/project/chatbot-demo"]');
  await page.waitForSelector('[data-testid=trace-row]');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a zstd file is expanded by the helper and read as it comes (Jaeger and parquet inside too); a cut one says so and keeps nothing; zstd inside gzip says how to read it', async () => {
  const page = await viewer.open();
  const zst = await fixture('generated/openai-01.otlp.pb.zst');
  const jaeger = await fixture('generated/jaeger-ui-download.json.zst');
  const dataset = await fixture('generated/chatbot-demo-dataset.parquet.zst');
  const cut = { ...zst, name: 'cut.pb.zst', buffer: zst.buffer.subarray(0, zst.buffer.length - 9) };
  // Node has no zstd encoder: the fixture's zstd bytes gzipped make a zstd layer inside another.
  await load(page, [zst, { ...zst, name: 'inner.zst.gz', buffer: gzipSync(zst.buffer) }, jaeger, dataset, cut]);
  const lines = await page.$$eval('[data-testid=file-result]', (els) => els.map((e) => e.textContent));
  const said = (name) => lines.find((text) => text.includes(name)) ?? '';
  assert.match(said('openai-01.otlp.pb.zst'), /otlp-proto, 4 spans/);
  assert.match(said('inner.zst.gz'), /zstd only as a file's outer layer: expand it first/);
  assert.match(said('jaeger-ui-download.json.zst'), /jaeger-json, 3 spans/);
  // Parquet inside zstd comes back whole to the helper too (inside gzip it is refused, above).
  assert.match(said('chatbot-demo-dataset.parquet.zst'), /phoenix-trace-dataset, 13 spans, 4 traces/);
  assert.match(said('cut.pb.zst'), /zstd/);
  assert.doesNotMatch(said('cut.pb.zst'), /[1-9] spans/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
