//! The engine's Web Worker: parses files and answers the viewer's questions (see
//! `plume::engine::worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    plume::engine::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("plume-worker runs in a browser's Web Worker: start the viewer with `./dev serve`");
}
