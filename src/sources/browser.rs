//! The helper worker's side of reading a server: a [`super::job::Job`] run with the browser's
//! `fetch` (no cookies; the key, if any, is the one the user gave for that server).

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, WorkerGlobalScope};

use crate::sources::client::{File, Http};
use crate::sources::job;
use crate::sources::{Connection, Server, unreachable};

/// A connection asked with the browser's `fetch`.
struct Browser {
    connection: Connection,
}

impl Http for Browser {
    fn server(&self) -> &Server {
        &self.connection.server
    }

    async fn get_answer(&self, path: &str, accept: &str) -> Result<(u16, Vec<u8>), String> {
        let server = &self.connection.server;
        let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
        let init = RequestInit::new();
        init.set_credentials(RequestCredentials::Omit);
        let headers = Headers::new().map_err(|_| "no headers".to_owned())?;
        for (name, value) in self.connection.headers() {
            // Sent without it, the key would fail as a wrong one would.
            headers
                .set(&name, &value)
                .map_err(|_| "the API key has characters a header cannot carry".to_owned())?;
        }
        // A CORS-safelisted header: no preflight for it.
        (headers.set("Accept", accept)).map_err(|_| "no Accept header".to_owned())?;
        init.set_headers(&headers);
        let url = format!("{}{path}", server.base);
        let answer = JsFuture::from(scope.fetch_with_str_and_init(&url, &init)).await;
        let Some(response) = answer
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
        else {
            return Err(unreachable(server.kind, &server.base, &scope.origin()));
        };
        let body = match response.array_buffer() {
            Ok(promise) => JsFuture::from(promise).await,
            Err(error) => Err(error),
        };
        let body = body.map_err(|_| format!("{url}: the answer could not be read"))?;
        Ok((response.status(), Uint8Array::new(&body).to_vec()))
    }
}

/// The job `bytes` hold, run: its answer's bytes; each file a fetch's answers are goes to
/// `post` first, as it comes (a part: [`job::encode_part`]).
pub async fn answer(bytes: &[u8], post: &js_sys::Function) -> Vec<u8> {
    let mut part = |file: File| {
        let part = Uint8Array::from(job::encode_part(&file).as_slice());
        let _ = post.call1(&wasm_bindgen::JsValue::NULL, &part);
    };
    let answer = match job::read_job(bytes) {
        Ok(job) => job::run(job, |connection| Browser { connection }, &mut part).await,
        Err(problem) => Err(problem),
    };
    job::encode_answer(&answer)
}
