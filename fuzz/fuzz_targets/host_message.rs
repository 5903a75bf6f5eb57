//! Any message a host page could post, as JSON: reading it must never panic, and what it asks
//! to select must be a route the page can show and link to.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::embed::Instruction;
use plume::present::format::short_id;
use plume::present::route::Route;

fuzz_target!(|input: &[u8]| {
    let Ok(message) = serde_json::from_slice::<serde_json::Value>(input) else {
        return;
    };
    let plume = message.get("plume").unwrap_or(&message);
    let instruction = Instruction::read(plume, || (), |url| url.to_owned());
    if let Some(route) = &instruction.select {
        if let Route::Trace {
            trace_id, span_id, ..
        } = route
        {
            let _ = (short_id(trace_id), span_id.as_deref().map(short_id));
        }
        assert_eq!(&Route::parse(&route.to_fragment()), route);
    }
    if let Some((plume::embed::Load::Url(url), name)) = &instruction.load {
        let _ = (plume::embed::fetchable(url), name.len());
    }
});
