//! A price table as a user drops it, then every call of a real trace priced with it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::model::{TokenKind, Usage};
use plume::semantics::{PriceFile, Prices};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(file) = PriceFile::parse(text) else {
        return;
    };
    let ids: Vec<String> = file.models.iter().map(|m| m.id.clone()).collect();
    static BUILTIN: std::sync::OnceLock<Prices> = std::sync::OnceLock::new();
    let mut prices = BUILTIN.get_or_init(Prices::builtin).clone();
    prices.add(file);
    let mut usage = Usage::default();
    for kind in TokenKind::ALL {
        usage.set(kind, 1_000_000);
    }
    for id in ids.iter().take(32) {
        let _ = prices.cost(id, "openai", &usage, 0);
        let _ = prices.cost(
            &format!("us.{id}-20250101-v1:0"),
            "aws.bedrock",
            &usage,
            u64::MAX,
        );
    }
});
