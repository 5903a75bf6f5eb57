// Shared set-up for the browser tests: a static server for dist/, Debian's headless Chromium, and
// helpers to load files and wait for the viewer.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const fixtures = join(root, 'tests/fixtures/');
/** Screenshots and other artifacts of a run. */
export const artifacts = join(root, 'target/e2e-artifacts/');

const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml',
};

/** Serves `dir` on 127.0.0.1 at a free port, each answer with `headers` too; resolves to
 * { url, origin, close }. */
export async function serve(dir = join(root, 'dist'), headers = {}) {
  // Every path asked for, in order: what a page (and its workers) downloaded.
  const served = [];
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
    served.push(path);
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
      response.end(body);
    } catch {
      response.writeHead(404, headers);
      response.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    origin: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Debian's Chromium, headless, with a fresh profile and no background traffic. Each page gets
 * a context of its own (its own storage), so tests never see each other's IndexedDB. */
export async function launch() {
  await mkdir(artifacts, { recursive: true });
  return chromium.launch(options([`--disable-features=${await disabledFeatures()}`]));
}

function options(more) {
  return {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', ...more,
    ],
  };
}

/** Chromium (since 151) preloads its address bar's popup, a page of its own UI, in a renderer
 * of its own at every start, headless too: ≈ 1 s of CPU in the first second, beside the page
 * under test on a 2-core machine (Puppeteer turns it off by default). Chromium keeps only the
 * last `--disable-features` it is given and Playwright gives one of its own, so the list is
 * Playwright's, read once from a browser it started, and these two. */
const QUIET = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];
let disabled;

function disabledFeatures() {
  disabled ??= (async () => {
    // Chromium tells its command line only to automation.
    const probe = await chromium.launch(options(['--enable-automation']));
    try {
      const session = await probe.newBrowserCDPSession();
      const given = (await session.send('Browser.getBrowserCommandLine')).arguments
        .filter((arg) => arg.startsWith('--disable-features='))
        .flatMap((arg) => arg.slice('--disable-features='.length).split(','));
      return [...new Set([...given, ...QUIET])].join(',');
    } finally {
      await probe.close();
    }
  })();
  return disabled;
}

/** The viewer for the tests of one file: a server for dist/ and a browser, started before them
 * and stopped after. `open(suffix)` opens a page at the viewer's URL plus `suffix`. */
export function useViewer() {
  let server;
  let browser;
  before(async () => {
    server = await serve();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get url() { return server.url; },
    get served() { return server.served; },
    get browser() { return browser; },
    open: (suffix = '') => open(browser, server.url + suffix),
  };
}

/** A fixture as a file for `setInputFiles`. */
export async function fixture(path, name = path.split('/').pop()) {
  return { name, mimeType: 'application/octet-stream', buffer: await readFile(join(fixtures, path)) };
}

/** A page of the viewer with every console error and page error collected. */
export async function open(browser, url, hash = '') {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.warnings = [];
  page.on('pageerror', (e) => page.problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(m.text());
    if (m.type() === 'warning') page.warnings.push(m.text());
  });
  page.on('dialog', (d) => { page.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(url + hash);
  await page.waitForSelector('header.header');
  return page;
}

/** Loads files through the file input and waits for a result line for each. */
export async function load(page, files) {
  const before = await page.locator('[data-testid=file-result]').count();
  await page.setInputFiles('[data-testid=file-input]', files);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid=file-result]').length >= n,
    before + files.length,
    { timeout: 120_000 },
  );
  // And the page's totals count them.
  await page.waitForFunction(() => window.plume.settled());
}

/** Waits until `selector` matches, looking every animation frame: what a benchmark times.
 * (`waitForSelector` looks less and less often as it waits, up to every 500 ms, which a timing
 * would count.) */
export async function shown(page, selector, timeout = 600_000) {
  await page.waitForFunction((s) => document.querySelector(s) !== null, selector, { timeout, polling: 'raf' });
}

/** What the page counts (spans, traces, projects, errors), without its token and cost totals. */
export async function counts(page) {
  const { spans, traces, projects, errors } = await page.evaluate(() => window.plume.summary());
  return { spans, traces, projects, errors };
}

/** Bytes the browser's renderer processes (where pages and their workers run) hold, from /proc:
 * the proportional set size (shared pages split among their sharers) of the processes that
 * descend from this test process and run with `--type=renderer`. */
export async function rendererMemory() {
  const { readdir, readFile: read } = await import('node:fs/promises');
  const parents = new Map();
  const renderers = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = await read(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if ((await read(`/proc/${pid}/cmdline`, 'utf8')).includes('--type=renderer')) renderers.push(pid);
    } catch { /* gone meanwhile */ }
  }
  const ours = (pid) => {
    for (let at = pid; at && at !== '0'; at = parents.get(at)) if (at === String(process.pid)) return true;
    return false;
  };
  let bytes = 0;
  for (const pid of renderers.filter(ours)) {
    try {
      const pss = (await read(`/proc/${pid}/smaps_rollup`, 'utf8')).match(/^Pss:\s+(\d+) kB/m);
      bytes += Number(pss?.[1] ?? 0) * 1024;
    } catch { /* gone meanwhile */ }
  }
  return bytes;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/** A trace of the project `support-bot` with secrets planted in its name, attributes (JSON inside a
 * value too) and an event, as a file to load; what must not leave, and what must stay. */
export function plantedSecrets() {
  const planted = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'openinference.project.name', value: { stringValue: 'support-bot' } }] },
      scopeSpans: [{ spans: [{
        traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'answer ana.lopez@example.com',
        startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000',
        attributes: [
          { key: 'input.value', value: { stringValue: JSON.stringify({ question: 'card 4242 4242 4242 4242 charged twice, from 10.20.30.40', api_key: 'plain-looking-value' }) } },
          { key: 'output.value', value: { stringValue: 'Refund issued; key sk-proj-Zx81kLmNoPqRsTuVwXyZ0123' } },
          { key: 'http.request.header.authorization', value: { stringValue: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ' } },
        ],
        events: [{ name: 'note', timeUnixNano: '1700000000500000000', attributes: [{ key: 'text', value: { stringValue: 'ana.lopez@example.com asked again' } }] }],
      }] }],
    }],
  };
  return {
    file: { name: 'planted.otlp.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(planted)) },
    secrets: ['ana.lopez@example.com', '4242 4242 4242 4242', '10.20.30.40', 'plain-looking-value', 'sk-proj-Zx81kLmNoPqRsTuVwXyZ0123', 'eyJhbGciOiJIUzI1NiJ9'],
    kept: ['Refund issued', 'charged twice', 'asked again', '[email-1]'],
  };
}

/** Sends the project's traces with `settings`; resolves to the final report's text. */
export async function sendProject(page, project, { endpoint, protocol = 'protobuf', gzip = true, batch = 2000, kib = 4096, headers = '', redact = false, annotations = false }) {
  await page.evaluate((p) => { location.hash = `#/project/${p}`; }, project);
  await page.waitForSelector('[data-testid=trace-row]');
  await page.$eval('[data-testid=send-menu]', (menu) => { menu.open = true; });
  await page.fill('[data-testid=send-endpoint]', endpoint);
  await page.dispatchEvent('[data-testid=send-endpoint]', 'change');
  await page.selectOption('[data-testid=send-protocol]', protocol);
  await page.setChecked('[data-testid=send-menu] input[type=checkbox] >> nth=0', gzip);
  await page.setChecked('[data-testid=send-redact]', redact);
  await page.setChecked('[data-testid=send-annotations]', annotations);
  await page.fill('[data-testid=send-batch]', String(batch));
  await page.dispatchEvent('[data-testid=send-batch]', 'change');
  await page.fill('[data-testid=send-kib]', String(kib));
  await page.dispatchEvent('[data-testid=send-kib]', 'change');
  await page.fill('[data-testid=send-headers]', headers);
  await page.click('[data-testid=send-button]');
  await page.waitForSelector('[data-testid=send-report][data-done=true]', { timeout: 60_000 });
  return page.textContent('[data-testid=send-report]');
}
