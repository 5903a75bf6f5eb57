// Starts the viewer a share file holds (after unlzma.js, in the file's one script). Everything
// comes from the file itself: nothing is fetched, so it opens from disk (`file://`, where a page
// may not load a worker script or fetch a blob from one) as from any server.
//
// The viewer is one LZMA stream of its files (`#plume-viewer`, base64; its `data-files` names
// them and their sizes, in order). The page's module is imported from a Blob; the engine's worker
// (its build for size, `plume-worker-small`) is its script plus a first handler, started from a Blob and handed its wasm's bytes in its
// first message (a worker started from a Blob cannot fetch another). `#plume-share` says what
// the file is; each `.plume-trace-file` is one file of traces (base64) the page loads.
(async () => {
  const bytes = (base64) => {
    const text = atob(base64.replace(/\s+/g, ''));
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  };
  const element = document.getElementById('plume-viewer');
  const unpacked = unlzma(bytes(element.textContent));
  const files = {};
  let at = 0;
  for (const [name, size] of JSON.parse(element.dataset.files)) {
    files[name] = unpacked.subarray(at, at + size);
    at += size;
  }
  const text = (name) => new TextDecoder().decode(files[name]);
  const style = document.createElement('style');
  style.textContent = text('plume.css');
  document.head.append(style);
  const blob = (parts) => URL.createObjectURL(new Blob(parts, { type: 'text/javascript' }));
  const worker = blob([
    files['plume-worker-small.js'],
    '\n;self.onmessage = (event) => { self.onmessage = null; wasm_bindgen({ module_or_path: event.data }); };\n',
  ]);
  const info = document.getElementById('plume-share');
  window.plumeShare = {
    info: info ? JSON.parse(info.textContent) : {},
    files: [...document.querySelectorAll('.plume-trace-file')].map((file) => ({
      name: file.dataset.name,
      bytes: bytes(file.textContent),
    })),
    startWorker() {
      const started = new Worker(worker);
      started.postMessage(files['plume-worker-small_bg.wasm'].slice());
      return started;
    },
  };
  const page = await import(blob([files['plume-web.js']]));
  await page.default({ module_or_path: files['plume-web_bg.wasm'] });
})().catch((error) => {
  const said = document.createElement('p');
  said.textContent = `Plume could not start here: ${error}. A share file needs a browser from 2023 or later.`;
  document.body.append(said);
});
