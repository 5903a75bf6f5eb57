//! The helper: a Web Worker the engine's worker starts when a parquet, Jaeger or Zipkin file
//! comes, so that their readers (the parquet crate alone is a sixth of the engine's size) are
//! downloaded only by those who open one. `static/plume-helper_loader.js` hands each message's
//! format tag and bytes to [`read`] and posts back what it returns.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

/// What a file in the format `tag` names holds, or why it holds nothing:
/// `plume::ingest::helper_wire`'s bytes.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn read(tag: u8, bytes: &[u8]) -> Vec<u8> {
    plume::ingest::helper_wire::read(tag, bytes)
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("plume-helper runs in a browser's Web Worker: start the viewer with `./dev serve`");
}
