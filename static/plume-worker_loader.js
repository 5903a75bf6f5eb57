// Starts the engine in its Web Worker: wasm-bindgen's glue, then the module, given as one object
// (the older form of the call warns in the console on every load).
importScripts('./plume-worker.js');
wasm_bindgen({ module_or_path: './plume-worker_bg.wasm' });
