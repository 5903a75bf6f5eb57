importScripts('./plume-worker-small.js');
wasm_bindgen({ module_or_path: './plume-worker-small_bg.wasm' });
