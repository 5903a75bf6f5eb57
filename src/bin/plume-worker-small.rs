//! The engine's Web Worker built for size (Cargo profile `web`): what a page embedding Plume and
//! a share file start, within their download budgets. The viewer's own page starts the same
//! engine built for speed (`plume-worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    plume::engine::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "plume-worker-small runs in a browser's Web Worker: start the viewer with `./dev serve`"
    );
}
