importScripts('./plume-helper.js');
const started = wasm_bindgen({ module_or_path: './plume-helper_bg.wasm' });
// A part (a fetched file, a piece of an expanded file, before the answer) travels in an array;
// the answer alone.
const post = (part) => self.postMessage([part], [part.buffer]);
// The engine says 'more' for each part it has taken; a job that must not run ahead waits on
// `more()` for the next.
let taken = 0;
let waiting = null;
const more = () => new Promise((resolve) => {
  if (taken > 0) {
    taken -= 1;
    resolve();
  } else {
    waiting = resolve;
  }
});
self.onmessage = (event) => {
  if (event.data === 'more') {
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve();
    } else {
      taken += 1;
    }
    return;
  }
  started.then(async () => {
    const [tag, bytes, build] = event.data;
    const answer = await wasm_bindgen.read(tag, bytes, post, more, build);
    self.postMessage(answer, [answer.buffer]);
  }).catch((error) => self.postMessage(String(error)));
};
