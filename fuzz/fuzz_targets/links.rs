//! Any text as a link into the page: the fragment as a route or a `#url=` file, the query as
//! the page's options. Reading must never panic, what is shown of it neither, and a route must
//! read back from the fragment it writes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::embed::{LinkedFile, PageOptions, file_name};
use plume::present::format::short_id;
use plume::present::route::Route;

fn shown(route: &Route) {
    match route {
        Route::Trace {
            trace_id, span_id, ..
        } => {
            let _ = short_id(trace_id);
            let _ = span_id.as_deref().map(short_id);
        }
        Route::Compare { base, other } => {
            let _ = (short_id(base), short_id(other));
        }
        _ => {}
    }
}

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let route = Route::parse(&text);
    shown(&route);
    assert_eq!(Route::parse(&route.to_fragment()), route, "{text:?}");
    let options = PageOptions::from_query(&text);
    let _ = options.obeys(&text, "http://127.0.0.1:8080");
    if let Some(file) = LinkedFile::from_fragment(&text) {
        let _ = file.name();
        if let Some(route) = file.route() {
            shown(&route);
            let _ = route.to_fragment();
        }
    }
    let _ = file_name(&text);
});
