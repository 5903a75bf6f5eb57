//! The parquet helper: a Web Worker the engine's worker starts when a parquet file comes, so
//! that the parquet reader (a sixth of the engine's size) is downloaded only by those who open
//! one. `static/plume-parquet_loader.js` hands each message's bytes to [`assemble`] and posts
//! back what it returns.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

/// A parquet file's rows, assembled, or why there are none: `plume::ingest::parquet_wire`'s
/// bytes.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn assemble(bytes: &[u8]) -> Vec<u8> {
    plume::ingest::parquet_wire::encode(&plume::ingest::assemble_parquet(bytes))
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("plume-parquet runs in a browser's Web Worker: start the viewer with `./dev serve`");
}
