importScripts('./plume-helper.js');
const started = wasm_bindgen({ module_or_path: './plume-helper_bg.wasm' });
self.onmessage = (event) => started.then(async () => {
  const [tag, bytes] = event.data;
  const answer = await wasm_bindgen.read(tag, bytes);
  self.postMessage(answer, [answer.buffer]);
}).catch((error) => self.postMessage(String(error)));
