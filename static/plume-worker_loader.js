importScripts('./plume-worker.js');
wasm_bindgen({ module_or_path: './plume-worker_bg.wasm' });
