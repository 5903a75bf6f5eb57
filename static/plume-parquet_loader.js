importScripts('./plume-parquet.js');
const started = wasm_bindgen({ module_or_path: './plume-parquet_bg.wasm' });
self.onmessage = (event) => started.then(() => {
  const answer = wasm_bindgen.assemble(event.data);
  self.postMessage(answer, [answer.buffer]);
}).catch((error) => self.postMessage(String(error)));
