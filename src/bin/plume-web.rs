//! The viewer's entry point in the browser (see `plume::ui`).

#[cfg(target_arch = "wasm32")]
fn main() {
    plume::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("plume-web runs in a browser: start it with `./dev serve`");
}
