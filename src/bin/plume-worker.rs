//! The engine's Web Worker: parses files and answers the viewer's questions (see
//! `plume::engine::worker`). Built for speed (Cargo profile `web-fast`): what the viewer's own
//! page starts; pages that embed Plume start `plume-worker-small`.

#[cfg(target_arch = "wasm32")]
fn main() {
    plume::engine::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("plume-worker runs in a browser's Web Worker: start the viewer with `./dev serve`");
}
