//! The helper: a Web Worker the engine's worker starts when a parquet, Jaeger, Zipkin or zstd
//! file comes, spans must leave with secrets taken out, or a server is read, so that their readers
//! (the parquet crate alone is a sixth of the engine's size), the redaction rules' scanners and
//! the servers' clients are downloaded only by those who use them. `static/plume-helper_loader.js` hands each message's
//! format tag and bytes to [`read`] and posts back what it returns.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

/// What a file in the format `tag` names holds, or why it holds nothing
/// (`plume::ingest::helper_wire`'s bytes); or, tagged `plume::redact::job::TAG`, a redaction
/// job's answer; or, tagged `plume::sources::job::TAG`, what a server answered (asked from here
/// with `fetch`), after the parts `post` was handed (a fetch's files, as they came); or, tagged
/// `plume::ingest::helper_wire::EXPAND`, a zstd file's content handed to `post` a piece at a
/// time (waiting on `more` not to run ahead of the engine), then whether it all expanded.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub async fn read(
    tag: u8,
    bytes: Vec<u8>,
    post: js_sys::Function,
    more: js_sys::Function,
    build: String,
) -> Vec<u8> {
    // A job from another build (its worker cached apart from this helper) could read as another
    // job: nothing is answered, which the engine says.
    if build != plume::engine::messages::BUILD {
        return Vec::new();
    }
    match tag {
        plume::redact::job::TAG => plume::redact::job::answer(&bytes),
        plume::sources::job::TAG => plume::sources::browser::answer(&bytes, &post).await,
        plume::ingest::helper_wire::EXPAND => expand(&bytes, &post, &more).await,
        _ => plume::ingest::helper_wire::read(tag, &bytes),
    }
}

/// A zstd file's content posted a piece at a time, at most `PIECES_AHEAD` ahead of those the
/// engine has taken (`more` resolves once it has taken one more), then whether it all expanded.
#[cfg(target_arch = "wasm32")]
async fn expand(bytes: &[u8], post: &js_sys::Function, more: &js_sys::Function) -> Vec<u8> {
    use plume::ingest::helper_wire::{self, Expander, PIECES_AHEAD};
    use wasm_bindgen::JsValue;
    let mut expander = Expander::new(bytes);
    let mut ahead = 0;
    let outcome = loop {
        let piece = match expander.next_piece() {
            Ok(Some(piece)) => js_sys::Uint8Array::from(piece),
            Ok(None) => break Ok(()),
            Err(message) => break Err(message),
        };
        if post.call1(&JsValue::NULL, &piece).is_err() {
            break Err("a piece could not be handed on".into());
        }
        ahead += 1;
        while ahead > PIECES_AHEAD {
            let taken = more.call0(&JsValue::NULL).map(js_sys::Promise::from);
            if let Ok(taken) = taken {
                let _ = wasm_bindgen_futures::JsFuture::from(taken).await;
            }
            ahead -= 1;
        }
    };
    helper_wire::expanded(outcome)
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("plume-helper runs in a browser's Web Worker: start the viewer with `./dev serve`");
}
