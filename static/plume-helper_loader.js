importScripts('./plume-helper.js');
const started = wasm_bindgen({ module_or_path: './plume-helper_bg.wasm' });
// A part (a fetched file, before the answer) travels in an array; the answer alone.
const post = (part) => self.postMessage([part], [part.buffer]);
self.onmessage = (event) => started.then(async () => {
  const [tag, bytes, build] = event.data;
  const answer = await wasm_bindgen.read(tag, bytes, post, build);
  self.postMessage(answer, [answer.buffer]);
}).catch((error) => self.postMessage(String(error)));
